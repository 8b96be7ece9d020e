// Package statsdiff compares the field statistics of two inspections
// (inspect.FieldStats per dotted path), typically of two builds: which
// fields came or went, and how the documents having them, their types and
// their top values moved. It complements the release note, which compares
// the documents themselves.
package statsdiff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"studio/internal/domain/inspect"
)

// Status says what happened to a field.
type Status string

// The statuses of a field.
const (
	Added   Status = "added"
	Removed Status = "removed"
	Changed Status = "changed"
	Same    Status = "same"
)

// Change is what happened to one field.
type Change struct {
	Field  string              `json:"field"`
	Status Status              `json:"status"`
	Old    *inspect.FieldStats `json:"old,omitempty"`
	New    *inspect.FieldStats `json:"new,omitempty"`
	// Docs is new minus old documents having the field.
	Docs int64 `json:"docs"`
	// Types lists the type names whose counts differ.
	Types []string `json:"types,omitempty"`
	// Values are the top values (of either side) whose counts differ.
	Values []ValueChange `json:"values,omitempty"`
}

// ValueChange is one top value's count on both sides (0 when it was not
// among that side's tracked values).
type ValueChange struct {
	Value any   `json:"value"`
	Old   int64 `json:"old"`
	New   int64 `json:"new"`
}

// Compare lists every field of old and new, sorted by path.
func Compare(old, new map[string]inspect.FieldStats) []Change {
	names := slices.Sorted(maps.Keys(old))
	for k := range new {
		if _, ok := old[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	out := make([]Change, 0, len(names))
	for _, name := range names {
		o, inOld := old[name]
		n, inNew := new[name]
		c := Change{Field: name}
		switch {
		case !inOld:
			c.Status, c.New, c.Docs = Added, &n, n.Docs
		case !inNew:
			c.Status, c.Old, c.Docs = Removed, &o, -o.Docs
		default:
			c.Old, c.New, c.Docs = &o, &n, n.Docs-o.Docs
			c.Types = typeChanges(o.Types, n.Types)
			c.Values = valueChanges(o.Top, n.Top)
			c.Status = Same
			if c.Docs != 0 || len(c.Types) > 0 || len(c.Values) > 0 {
				c.Status = Changed
			}
		}
		out = append(out, c)
	}
	return out
}

func typeChanges(o, n map[string]int64) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(o)) {
		if o[k] != n[k] {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(n)) {
		if _, ok := o[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// valueChanges compares the top values; a value listed on one side only
// counts 0 on the other, which is exact when that side tracked every value.
func valueChanges(o, n []inspect.ValueCount) []ValueChange {
	type pair struct{ old, new int64 }
	byKey := map[string]*pair{}
	values := map[string]any{}
	key := func(v any) string { return fmt.Sprintf("%T:%v", v, v) }
	for _, v := range o {
		k := key(v.Value)
		byKey[k], values[k] = &pair{old: v.Count}, v.Value
	}
	for _, v := range n {
		k := key(v.Value)
		if p := byKey[k]; p != nil {
			p.new = v.Count
		} else {
			byKey[k], values[k] = &pair{new: v.Count}, v.Value
		}
	}
	var out []ValueChange
	for k, p := range byKey {
		if p.old != p.new {
			out = append(out, ValueChange{Value: values[k], Old: p.old, New: p.new})
		}
	}
	slices.SortFunc(out, func(a, b ValueChange) int {
		return cmp.Or(cmp.Compare(abs(b.New-b.Old), abs(a.New-a.Old)), cmp.Compare(key(a.Value), key(b.Value)))
	})
	return out
}

func abs(n int64) int64 { return max(n, -n) }
