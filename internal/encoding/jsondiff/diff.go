package jsondiff

import (
	"maps"
	"slices"
)

// Diff returns the operations turning a into b, or nil when they are
// equal. Objects are compared key by key (add, remove, replace); any other
// difference, lists included, replaces the value whole. Keys are visited
// in sorted order so the same inputs always give the same patch. The ops'
// values share memory with b.
func Diff(a, b map[string]any) []Op {
	var ops []Op
	diffObject("", a, b, &ops)
	return ops
}

func diffObject(prefix string, a, b map[string]any, ops *[]Op) {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := prefix + "/" + escape(k)
		av, inA := a[k]
		bv, inB := b[k]
		switch {
		case !inB:
			*ops = append(*ops, Op{Op: OpRemove, Path: path})
		case !inA:
			*ops = append(*ops, Op{Op: OpAdd, Path: path, Value: bv})
		default:
			am, aObj := av.(map[string]any)
			bm, bObj := bv.(map[string]any)
			if aObj && bObj {
				diffObject(path, am, bm, ops)
			} else if !Equal(av, bv) {
				*ops = append(*ops, Op{Op: OpReplace, Path: path, Value: bv})
			}
		}
	}
}
