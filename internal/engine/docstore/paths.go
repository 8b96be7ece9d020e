package docstore

import (
	"fmt"
	"sort"
	"strings"
)

// CheckPaths validates the dotted paths of an Update or Unset: no empty
// segment, no "_id", and no path that is a prefix of another ("a" with
// "a.b"), which MongoDB rejects as a conflict.
func CheckPaths(paths []string) error {
	sorted := append([]string(nil), paths...)
	sort.Strings(sorted)
	for i, p := range sorted {
		if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") {
			return fmt.Errorf("field path %q: empty segment", p)
		}
		if strings.HasPrefix(p, "$") || strings.Contains(p, ".$") {
			return fmt.Errorf("field path %q: segments may not start with '$'", p)
		}
		if p == "_id" || strings.HasPrefix(p, "_id.") {
			return fmt.Errorf("field path %q: _id cannot be changed", p)
		}
		if i > 0 && (sorted[i-1] == p || strings.HasPrefix(p, sorted[i-1]+".")) {
			return fmt.Errorf("field paths %q and %q conflict", sorted[i-1], p)
		}
	}
	return nil
}

// SetPath sets a dotted path in d, creating intermediate objects. It fails
// when an intermediate value exists and is not an object.
func SetPath(d map[string]any, path string, v any) error {
	parts := strings.Split(path, ".")
	cur := d
	for i, k := range parts[:len(parts)-1] {
		next, ok := cur[k]
		if !ok || next == nil {
			m := map[string]any{}
			cur[k] = m
			cur = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("field path %q: %q is a %T, not an object", path, strings.Join(parts[:i+1], "."), next)
		}
		cur = m
	}
	cur[parts[len(parts)-1]] = v
	return nil
}

// UnsetPath removes a dotted path from d; a missing path is not an error.
func UnsetPath(d map[string]any, path string) {
	parts := strings.Split(path, ".")
	cur := d
	for _, k := range parts[:len(parts)-1] {
		m, ok := cur[k].(map[string]any)
		if !ok {
			return
		}
		cur = m
	}
	delete(cur, parts[len(parts)-1])
}

// GetPath returns the value at a dotted path and whether it exists.
func GetPath(d map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	var cur any = d
	for _, k := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// DocIDs returns the _id of every document, failing on a missing or
// non-string _id and on an _id repeated inside docs (a *DuplicateError).
func DocIDs(collection string, docs []Doc) ([]string, error) {
	ids := make([]string, len(docs))
	seen := make(map[string]struct{}, len(docs))
	for i, d := range docs {
		id, ok := ID(d)
		if !ok {
			return nil, fmt.Errorf("collection %q: document %d: _id must be a non-empty string, got %T", collection, i, d["_id"])
		}
		if _, dup := seen[id]; dup {
			return nil, &DuplicateError{Collection: collection, ID: id}
		}
		seen[id] = struct{}{}
		ids[i] = id
	}
	return ids, nil
}

// CheckFilter validates a Query filter: paths as in CheckPaths (but _id is
// allowed) and scalar values only (string, number, bool, nil), because
// matching whole objects or arrays is not part of the contract.
func CheckFilter(filter map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(filter))
	for p, v := range filter {
		if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") || strings.HasPrefix(p, "$") {
			return nil, fmt.Errorf("filter path %q is not a dotted field path", p)
		}
		n, err := Normalize(v)
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", p, err)
		}
		switch n.(type) {
		case map[string]any, []any:
			return nil, fmt.Errorf("filter %q: only strings, numbers, booleans and null can be matched", p)
		}
		out[p] = n
	}
	return out, nil
}
