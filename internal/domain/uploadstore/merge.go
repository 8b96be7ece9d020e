package uploadstore

import "studio/internal/encoding/jsondiff"

// Merge deep-merges document b into document a, the on_duplicates "merge"
// policy. Values are those docstore.Normalize produces. For each field:
//
//   - only in one document: kept as it is;
//   - two objects: merged recursively;
//   - two lists: unioned, a's elements first, then b's that a lacks
//     (equal elements are not repeated);
//   - a list and another value: the value is added to the list if absent
//     (after the list when it comes from b, before it when from a);
//   - two equal values: kept once (1 and 1.0 are equal, as in JSON);
//   - null and a value: the value (null means "no value");
//   - two different values otherwise: the list [a, b].
//
// Neither a nor b is modified; the result may share unchanged values with
// them. Merging a document twice changes nothing the second time, which
// is what makes a resumed upload safe.
func Merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, bv := range b {
		if av, ok := out[k]; ok {
			out[k] = mergeValue(av, bv)
		} else {
			out[k] = bv
		}
	}
	return out
}

func mergeValue(a, b any) any {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	am, aIsMap := a.(map[string]any)
	bm, bIsMap := b.(map[string]any)
	if aIsMap && bIsMap {
		return Merge(am, bm)
	}
	al, aIsList := a.([]any)
	bl, bIsList := b.([]any)
	switch {
	case aIsList && bIsList:
		return union(al, bl)
	case aIsList:
		return union(al, []any{b})
	case bIsList:
		if contains(bl, a) {
			return bl
		}
		return append([]any{a}, bl...)
	case same(a, b):
		return a
	}
	return []any{a, b}
}

// union returns a followed by the elements of b that are not in it yet.
func union(a, b []any) []any {
	out := append([]any(nil), a...)
	for _, v := range b {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []any, v any) bool {
	for _, e := range list {
		if same(e, v) {
			return true
		}
	}
	return false
}

// same reports whether two document values are equal as JSON: maps and
// lists element by element, numbers by value whatever their Go type (a
// backend may read 1.0 back as the integer 1).
func same(a, b any) bool { return jsondiff.Equal(a, b) }
