package dataapi

import (
	"sort"
	"strings"
)

// shape holds the options that reshape each document of an answer:
// dotfield, always_list and allow_null.
type shape struct {
	dotField   bool
	alwaysList []string
	allowNull  []string
}

func (s shape) empty() bool {
	return !s.dotField && len(s.alwaysList) == 0 && len(s.allowNull) == 0
}

// apply reshapes one document (the fields of a hit, without the
// bookkeeping keys). It returns a new map and never modifies doc, whose
// values may be shared with the engine's.
//
// Order: dotfield first, then always_list and allow_null, which name
// dotted paths either way; applied after flattening, they keep their effect
// (a flattened single value would otherwise undo always_list).
func (s shape) apply(doc map[string]any) map[string]any {
	if s.empty() {
		return doc
	}
	if s.dotField {
		doc = flatten(doc)
		for _, p := range s.alwaysList {
			if v, ok := doc[p]; ok {
				doc[p] = asList(v)
			}
		}
		for _, p := range s.allowNull {
			if _, ok := doc[p]; !ok {
				doc[p] = nil
			}
		}
		return doc
	}
	for _, p := range s.alwaysList {
		doc = withPath(doc, strings.Split(p, "."), listAt)
	}
	for _, p := range s.allowNull {
		doc = withPath(doc, strings.Split(p, "."), nullAt)
	}
	return doc
}

// flatten turns nested objects into dotted keys, as BioThings' dotfield
// does: lists are looked through, and a path reached by several values
// (from a list) holds them all in a list, while a path reached by one
// holds it alone. Empty objects and lists are kept as values.
func flatten(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	var walk func(prefix string, v any)
	add := func(k string, v any) {
		prev, ok := out[k]
		switch {
		case !ok:
			out[k] = v
		default:
			if l, isList := prev.(multi); isList {
				out[k] = append(l, v)
			} else {
				out[k] = multi{prev, v}
			}
		}
	}
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 && prefix != "" {
				add(prefix, x)
				return
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x[k])
			}
		case []any:
			if len(x) == 0 {
				add(prefix, x)
				return
			}
			for _, e := range x {
				walk(prefix, e)
			}
		default:
			add(prefix, v)
		}
	}
	walk("", doc)
	for k, v := range out {
		if l, ok := v.(multi); ok {
			out[k] = []any(l)
		}
	}
	return out
}

// multi marks the values flatten collected for one path, so that a
// document's own list is not mistaken for them.
type multi []any

func asList(v any) any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// withPath returns doc with edit applied at the dotted path: objects on
// the way are copied, lists are looked through (each object in them is
// edited), and a missing object on the way is handed to edit as absent.
func withPath(doc map[string]any, path []string, edit func(m map[string]any, key string) map[string]any) map[string]any {
	if len(path) == 1 {
		return edit(doc, path[0])
	}
	child, ok := doc[path[0]]
	var next any
	switch x := child.(type) {
	case map[string]any:
		next = withPath(x, path[1:], edit)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			if m, isMap := e.(map[string]any); isMap {
				l[i] = withPath(m, path[1:], edit)
			} else {
				l[i] = e
			}
		}
		next = l
	default:
		if ok {
			return doc // a scalar on the way: nothing to edit under it
		}
		created := withPath(map[string]any{}, path[1:], edit)
		if len(created) == 0 {
			return doc
		}
		next = created
	}
	out := copyMap(doc)
	out[path[0]] = next
	return out
}

// listAt makes the value at key a list (always_list).
func listAt(m map[string]any, key string) map[string]any {
	v, ok := m[key]
	if !ok {
		return m
	}
	if _, isList := v.([]any); isList {
		return m
	}
	out := copyMap(m)
	out[key] = []any{v}
	return out
}

// nullAt sets a missing key to null (allow_null).
func nullAt(m map[string]any, key string) map[string]any {
	if _, ok := m[key]; ok {
		return m
	}
	out := copyMap(m)
	out[key] = nil
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
