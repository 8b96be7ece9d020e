package dataapi

import (
	"fmt"
	"sort"
	"strings"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/encoding/jsondiff"
)

// shape holds the options that reshape each document of an answer, in
// biothings.web's terms: _license, allow_null, always_list and jmespath
// are applied while walking the document bottom-up (each object or list
// after what it holds), then dotfield flattens it.
type shape struct {
	dotField     bool
	alwaysList   []string
	allowNull    []string
	jmes         *apiopts.JMESPath
	excludeEmpty bool
	licenses     map[string]string // dotted path -> license URL
}

func (s shape) empty() bool {
	return !s.dotField && len(s.alwaysList) == 0 && len(s.allowNull) == 0 && s.jmes == nil && len(s.licenses) == 0
}

// paramError is a request a parameter makes impossible to answer, found
// while answering (a jmespath expression that fails on a document, nested
// facets that need too many searches): a 400 naming the parameter.
type paramError struct{ keyword, reason string }

func (e *paramError) Error() string { return e.reason }

// apply reshapes one answer entry (the document's fields with _id and
// _score or _version). It returns a new map and never modifies doc, whose
// values may be shared with the engine's. keep is false when
// jmespath_exclude_empty drops the entry.
func (s shape) apply(doc map[string]any) (out map[string]any, keep bool, err error) {
	if s.empty() {
		return doc, true, nil
	}
	w := &walker{shape: s, keep: true}
	root := jsondiff.Clone(doc).(map[string]any)
	w.walk("", root, func(v any) {})
	if w.err != nil {
		return nil, false, w.err
	}
	if s.dotField {
		root = s.flatten(root)
	}
	return root, w.keep, nil
}

// walker carries one document's walk: whether it is kept, and the first
// error.
type walker struct {
	shape
	keep bool
	err  error
}

// walk visits v at path after what it holds, as biothings' traverse
// yields them; set replaces v in its parent. Lists do not add to the path.
func (w *walker) walk(path string, v any, set func(any)) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			w.walk(joinPath(path, k), x[k], func(nv any) { x[k] = nv })
		}
		w.visitObject(path, x)
	case []any:
		for i := range x {
			w.walk(path, x[i], func(nv any) { x[i] = nv })
		}
		if w.jmes != nil && path == w.jmes.Parent && w.excludeEmpty {
			w.trimList(x, set)
		}
	}
}

// visitObject applies _license, allow_null, always_list and jmespath to
// the object at path. allow_null and always_list name a field by a dotted
// path that starts with this object's path: what follows, less leading
// dots, is the key when it holds no dot (biothings' prefix rule, quirks
// included: at path "a", allow_null=ab names the key "b").
func (w *walker) visitObject(path string, obj map[string]any) {
	if url, ok := w.licenses[path]; ok {
		obj["_license"] = url
	}
	for _, f := range w.allowNull {
		if key, ok := keyUnder(f, path); ok {
			if _, has := obj[key]; !has {
				obj[key] = nil
			}
		}
	}
	for _, f := range w.alwaysList {
		key, ok := keyUnder(f, path)
		if !ok {
			continue
		}
		switch v, has := obj[key]; {
		case !has:
		case v == nil:
			obj[key] = []any{}
		default:
			if _, isList := v.([]any); !isList {
				obj[key] = []any{v}
			}
		}
	}
	if w.jmes != nil && path == w.jmes.Parent {
		w.transformObject(obj)
	}
}

// keyUnder is the key field names in the object at path, if any.
func keyUnder(field, path string) (string, bool) {
	if !strings.HasPrefix(field, path) {
		return "", false
	}
	key := strings.TrimLeft(field[len(path):], ".")
	return key, !strings.Contains(key, ".")
}

// transformObject replaces the jmespath target of obj (obj itself when
// the target is empty) with the expression's result; a value that is
// empty (Python-false) is left alone.
func (w *walker) transformObject(obj map[string]any) {
	target := w.jmes.Target
	var value any = obj
	if target != "" {
		value = obj[target]
	}
	if !truthy(value) {
		return
	}
	res, err := searchJMES(w.jmes, value)
	if err != nil {
		w.fail(fmt.Sprintf("jmespath: the expression %q failed: %v.", w.jmes.Source, err))
		return
	}
	if !truthy(res) && w.excludeEmpty {
		w.keep = false
	}
	if target != "" {
		obj[target] = res
		return
	}
	m, isObj := res.(map[string]any)
	if !isObj {
		w.fail(fmt.Sprintf("jmespath: the expression %q must give an object when the path is the whole document; it gave %s.", w.jmes.Source, jsonType(res)))
		return
	}
	for k := range obj {
		delete(obj, k)
	}
	for k, v := range m {
		obj[k] = v
	}
}

// trimList drops from a list at the jmespath parent the objects whose
// target came out empty (jmespath_exclude_empty); the entry is kept only
// if some remain.
func (w *walker) trimList(list []any, set func(any)) {
	kept := list[:0:0]
	for _, item := range list {
		if m, ok := item.(map[string]any); ok && truthy(m[w.jmes.Target]) {
			kept = append(kept, item)
		}
	}
	set(kept)
	w.keep = len(kept) > 0
}

func (w *walker) fail(reason string) {
	if w.err == nil {
		w.err = &paramError{keyword: "jmespath", reason: reason}
	}
}

// flatten turns nested objects into dotted keys, as biothings' dotfield
// does: each leaf value (lists looked through; an empty list is a leaf,
// an empty object is dropped) is collected under its path; a path reached
// once holds its value, unless always_list names it, and a path reached
// several times holds the list of its values less the empty ones (null,
// false, 0, "", [] and {}).
func (s shape) flatten(doc map[string]any) map[string]any {
	values := map[string][]any{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(joinPath(path, k), x[k])
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
			if len(x) == 0 {
				values[path] = append(values[path], x)
			}
		default:
			values[path] = append(values[path], v)
		}
	}
	walk("", doc)
	out := make(map[string]any, len(values))
	for k, vs := range values {
		if len(vs) == 1 && !contains(s.alwaysList, k) {
			out[k] = vs[0]
			continue
		}
		kept := []any{}
		for _, v := range vs {
			if truthy(v) {
				kept = append(kept, v)
			}
		}
		out[k] = kept
	}
	return out
}

// truthy is Python's truth value of a decoded JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// joinPath is the dotted path of key under path, as biothings' traverse
// spells it: joined with a dot, then dots trimmed from both ends (so an
// empty key, which allow_null can add, names its parent's path).
func joinPath(path, key string) string {
	return strings.Trim(path+"."+key, ".")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
