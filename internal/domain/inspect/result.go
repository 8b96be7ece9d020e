package inspect

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// typeFields renders the fields of a dict node as type-tree nodes.
func (n *node) typeFields() map[string]any {
	out := make(map[string]any, len(n.fields))
	for name, c := range n.fields {
		out[escapeField(name)] = c.typeNode()
	}
	return out
}

func (n *node) typeNode() map[string]any {
	out := map[string]any{}
	if n.count[kDict] > 0 {
		out = n.typeFields()
	}
	var names []string
	for k := range nKinds {
		if n.count[k] > 0 {
			names = append(names, kindNames[k])
		}
	}
	slices.Sort(names)
	if len(names) == 1 {
		out["_type"] = names[0]
	} else {
		list := make([]any, len(names))
		for i, s := range names {
			list[i] = s
		}
		out["_type"] = list
	}
	if n.items != nil {
		out["_items"] = n.items.typeNode()
	}
	return out
}

// escapeField keeps field names apart from the type tree's own keys.
func escapeField(name string) string {
	if name == "_type" || name == "_items" || strings.HasPrefix(name, "__") {
		return "_" + name
	}
	return name
}

// stats adds an entry per field of the flattened node f, under prefix.
func (f *node) stats(prefix string, out map[string]any) {
	for name, c := range f.fields {
		c = c.flatten()
		path := prefix + name
		out[path] = c.statsEntry()
		c.stats(path+".", out)
	}
}

func (f *node) statsEntry() map[string]any {
	none := f.count[kNull]
	e := map[string]any{"_count": f.values() - none, "_none": none}
	switch {
	case f.count[kInt] > 0 && f.finite == 0:
		e["_min"], e["_max"] = f.minInt, f.maxInt
	case f.count[kInt] > 0:
		e["_min"] = min(float64(f.minInt), f.minFloat)
		e["_max"] = max(float64(f.maxInt), f.maxFloat)
	case f.finite > 0:
		e["_min"], e["_max"] = f.minFloat, f.maxFloat
	}
	if f.count[kStr] > 0 {
		e["_min_len"], e["_max_len"] = int64(f.minLen), int64(f.maxLen)
	}
	if f.count[kList] > 0 {
		e["_list_count"] = f.count[kList]
		e["_min_list_len"], e["_max_list_len"] = int64(f.minList), int64(f.maxList)
	}
	return e
}

// values counts the values that are not lists, nulls included.
func (n *node) values() int64 {
	var t int64
	for k := range nKinds {
		if k != kList {
			t += n.count[k]
		}
	}
	return t
}

// family groups the kinds Elasticsearch can map to one field type.
var family = [nKinds]int{kNull: -1, kList: -1, kBool: 0, kInt: 1, kFloat: 1, kStr: 2, kDict: 3}

// properties renders the mapping of the fields of the flattened node f,
// adding an Issue for each field whose types conflict.
func (f *node) properties(prefix string, issues *[]Issue) map[string]any {
	out := make(map[string]any, len(f.fields))
	for name, c := range f.fields {
		if prefix == "" && name == "_id" {
			continue // the document's key, checked on its own by Add
		}
		c = c.flatten()
		path := prefix + name
		if m := c.mapping(path, issues); m != nil {
			out[name] = m
		}
	}
	return out
}

// mapping returns the mapping of one flattened field, or nil when there is
// nothing to map (only nulls and empty lists) or its types conflict.
func (c *node) mapping(path string, issues *[]Issue) map[string]any {
	var fams [4]bool
	nf := 0
	for k := range nKinds {
		if fam := family[k]; fam >= 0 && c.count[k] > 0 && !fams[fam] {
			fams[fam] = true
			nf++
		}
	}
	switch {
	case nf == 0:
		return nil
	case nf > 1:
		*issues = append(*issues, c.conflict(path))
		return nil
	case c.count[kDict] > 0:
		return map[string]any{"properties": c.properties(path+".", issues)}
	case c.count[kFloat] > 0:
		if c.finite > 0 && max(-c.minFloat, c.maxFloat) > math.MaxFloat32 {
			return map[string]any{"type": "double"}
		}
		return map[string]any{"type": "float"}
	case c.count[kInt] > 0:
		if c.minInt < math.MinInt32 || c.maxInt > math.MaxInt32 {
			return map[string]any{"type": "long"}
		}
		return map[string]any{"type": "integer"}
	case c.count[kBool] > 0:
		return map[string]any{"type": "boolean"}
	case c.multiword:
		return map[string]any{"type": "text"}
	default:
		return map[string]any{"type": "keyword", "normalizer": "keyword_lowercase_normalizer"}
	}
}

// conflict describes mixed types at one path; the sample is a document
// holding the rarest type, the likely odd one out.
func (c *node) conflict(path string) Issue {
	var parts []string
	rare := nKinds
	for k := range nKinds {
		if family[k] < 0 || c.count[k] == 0 {
			continue
		}
		part := fmt.Sprintf("%s (%d)", kindNames[k], c.count[k])
		if c.sample[k] != "" {
			part = fmt.Sprintf("%s (%d, e.g. _id %q)", kindNames[k], c.count[k], c.sample[k])
		}
		parts = append(parts, part)
		if rare == nKinds || c.count[k] < c.count[rare] {
			rare = k
		}
	}
	return Issue{
		Path:     path,
		Problem:  "mixed types " + strings.Join(parts, ", ") + ": the field is left out of the mapping; make the parser emit one type here",
		SampleID: c.sample[rare],
		Count:    c.count[rare],
	}
}
