package differ

import (
	"maps"
	"slices"

	"studio/internal/encoding/jsondiff"
)

// MappingDiff compares two Elasticsearch mappings, each the "properties"
// object of an index mapping (field name → definition). Added fields can
// be put into a live index, so they are compatible; a removed field, a
// changed type or another changed parameter of an existing field is not,
// because Elasticsearch refuses to change a field in place. Paths are
// dotted and name leaf fields; multi-fields ("fields") count as sub-fields.
// Both lists are sorted and never nil.
func MappingDiff(old, new map[string]any) (added, incompatible []string) {
	c := mappingCmp{added: []string{}, incompatible: []string{}}
	c.properties("", old, new)
	slices.Sort(c.added)
	slices.Sort(c.incompatible)
	return c.added, c.incompatible
}

type mappingCmp struct{ added, incompatible []string }

// notCompared are parameters that do not make a change incompatible by
// themselves: ignore_above can be updated in place, type is compared
// first, and properties and fields are compared field by field.
var notCompared = map[string]bool{"ignore_above": true, "properties": true, "fields": true, "type": true}

func (c *mappingCmp) properties(prefix string, old, new map[string]any) {
	names := slices.Collect(maps.Keys(old))
	for k := range new {
		if _, ok := old[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		path := prefix + name
		o, inOld := old[name]
		n, inNew := new[name]
		om, _ := o.(map[string]any)
		nm, _ := n.(map[string]any)
		switch {
		case !inOld:
			c.added = append(c.added, leaves(path, nm)...)
		case !inNew:
			c.incompatible = append(c.incompatible, leaves(path, om)...)
		default:
			c.field(path, om, nm)
		}
	}
}

func (c *mappingCmp) field(path string, old, new map[string]any) {
	if fieldType(old) != fieldType(new) {
		c.incompatible = append(c.incompatible, path)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(joinKeys(old, new))) {
		if !notCompared[k] && !jsondiff.Equal(old[k], new[k]) {
			c.incompatible = append(c.incompatible, path)
			break
		}
	}
	c.properties(path+".", subMap(old, "properties"), subMap(new, "properties"))
	c.properties(path+".", subMap(old, "fields"), subMap(new, "fields"))
}

func joinKeys(a, b map[string]any) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// fieldType is a field's "type"; a field with properties and no type is
// an object, as in Elasticsearch.
func fieldType(def map[string]any) string {
	if t, ok := def["type"].(string); ok {
		return t
	}
	if _, ok := def["properties"]; ok {
		return "object"
	}
	return ""
}

func subMap(def map[string]any, key string) map[string]any {
	m, _ := def[key].(map[string]any)
	return m
}

// leaves lists the field paths a definition holds: itself unless it is a
// mere container of properties, and its sub-fields.
func leaves(path string, def map[string]any) []string {
	props, fields := subMap(def, "properties"), subMap(def, "fields")
	var out []string
	if len(props) == 0 {
		out = append(out, path)
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		out = append(out, leaves(path+"."+k, subMap(props, k))...)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, leaves(path+"."+k, subMap(fields, k))...)
	}
	return out
}
