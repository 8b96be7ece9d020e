package inspect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The mapping editor works on a "properties" tree as Result.Mapping holds
// it, the way the Studio lets a user tune an inspected mapping field by
// field before saving it.

// ErrNoField is wrapped by the editor's errors when a path names no field
// of the mapping; ErrObjectField when it names an object, whose settings
// are those of its fields.
var (
	ErrNoField     = errors.New("no such field in the mapping")
	ErrObjectField = errors.New("field is an object")
)

// DefaultSearchField is the field that "search by default" copies values
// into (BioThings' catch-all "all").
const DefaultSearchField = "all"

// FieldInfo describes one leaf field of a mapping for the editor.
type FieldInfo struct {
	Path              string `json:"path"`
	Type              string `json:"type"`
	Searchable        bool   `json:"searchable"`
	SearchedByDefault bool   `json:"searched_by_default"`
}

// SetSearchable makes a field searchable (the default: "index" removed) or
// not ("index": false).
func SetSearchable(mapping map[string]any, path string, on bool) error {
	f, err := leaf(mapping, path)
	if err != nil {
		return err
	}
	if on {
		delete(f, "index")
	} else {
		f["index"] = false
	}
	return nil
}

// SetDefaultSearch adds the field to the searches made without a field
// name ("copy_to": ["all"]) or takes it out; other copy_to targets stay.
func SetDefaultSearch(mapping map[string]any, path string, on bool) error {
	f, err := leaf(mapping, path)
	if err != nil {
		return err
	}
	targets := copyTo(f)
	has := slices.Contains(targets, DefaultSearchField)
	switch {
	case on && !has:
		targets = append(targets, DefaultSearchField)
	case !on && has:
		targets = slices.DeleteFunc(targets, func(s string) bool { return s == DefaultSearchField })
	default:
		return nil
	}
	if len(targets) == 0 {
		delete(f, "copy_to")
		return nil
	}
	list := make([]any, len(targets))
	for i, t := range targets {
		list[i] = t
	}
	f["copy_to"] = list
	return nil
}

// Fields lists the leaf fields of a mapping, sorted by path. Objects are
// not listed, their fields are; an object that is not indexed ("enabled":
// false) is listed as type "object" and not searchable.
func Fields(mapping map[string]any) []FieldInfo {
	var out []FieldInfo
	walkFields(mapping, "", &out)
	slices.SortFunc(out, func(a, b FieldInfo) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func walkFields(props map[string]any, prefix string, out *[]FieldInfo) {
	for name, v := range props {
		f, ok := v.(map[string]any)
		if !ok {
			continue
		}
		path := prefix + name
		if sub, ok := f["properties"].(map[string]any); ok {
			walkFields(sub, path+".", out)
			continue
		}
		typ, _ := f["type"].(string)
		if typ == "" {
			typ = "object"
		}
		*out = append(*out, FieldInfo{
			Path:              path,
			Type:              typ,
			Searchable:        f["index"] != false && f["enabled"] != false,
			SearchedByDefault: slices.Contains(copyTo(f), DefaultSearchField),
		})
	}
}

// leaf finds the mapping of the field at a dotted path, which must not be
// an object.
func leaf(mapping map[string]any, path string) (map[string]any, error) {
	if path == "" {
		return nil, fmt.Errorf("inspect: empty field path: %w", ErrNoField)
	}
	props := mapping
	names := strings.Split(path, ".")
	for i, name := range names {
		f, ok := props[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("inspect: %q: %w (no %q in %s)", path, ErrNoField, name, where(names[:i]))
		}
		sub, isObject := f["properties"].(map[string]any)
		if i == len(names)-1 {
			if isObject {
				return nil, fmt.Errorf("inspect: %q: %w: choose one of its fields (%s)", path, ErrObjectField, fieldNames(path, sub))
			}
			return f, nil
		}
		if !isObject {
			return nil, fmt.Errorf("inspect: %q: %w (%q has no fields)", path, ErrNoField, strings.Join(names[:i+1], "."))
		}
		props = sub
	}
	panic("unreachable")
}

func where(names []string) string {
	if len(names) == 0 {
		return "the mapping"
	}
	return fmt.Sprintf("%q", strings.Join(names, "."))
}

func fieldNames(path string, props map[string]any) string {
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, path+"."+name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// copyTo reads a field's copy_to, which may be a string or a list.
func copyTo(f map[string]any) []string {
	switch v := f["copy_to"].(type) {
	case string:
		return []string{v}
	case []string:
		return slices.Clone(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
