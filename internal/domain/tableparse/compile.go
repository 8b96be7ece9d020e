package tableparse

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// plan is a Spec compiled for the row loop: every column the spec reads has
// a slot, filled once per row, so nothing is looked up by name per row.
type plan struct {
	cols     []string // column names by slot
	colPaths [][]string
	id       *template
	fields   []fieldProg
	tree     []*outNode // top level of the output document
	where    []condProg
	skip     []condProg
	all      bool // no fields: copy every column
	group    []string
}

// compile checks what needs the whole spec and builds the plan.
func compile(s *Spec, path string) (*plan, []string) {
	d := &decoder{}
	p := &plan{all: len(s.Fields) == 0}
	slot := map[string]int{}
	use := func(col string) int {
		if i, ok := slot[col]; ok {
			return i
		}
		slot[col] = len(p.cols)
		p.cols = append(p.cols, col)
		p.colPaths = append(p.colPaths, strings.Split(col, "."))
		return len(p.cols) - 1
	}
	refs := map[string]string{} // column -> a JSON path that uses it

	id, err := parseTemplate(s.ID, use)
	if err != nil {
		d.errf(path+".id", "%v", err)
	} else if len(id.names) == 0 && s.ID != "" {
		d.errf(path+".id", "%q names no column; write the column in braces, e.g. \"{%s}\"", s.ID, s.ID)
	}
	p.id = id
	if id != nil {
		for _, n := range id.names {
			refs[n] = path + ".id"
		}
	}

	for _, f := range s.Fields {
		fp := path + ".fields." + f.Path
		prog := fieldProg{Field: f, slot: -1, keepEmpty: s.KeepEmpty}
		if f.KeepEmpty != nil {
			prog.keepEmpty = *f.KeepEmpty
		}
		prog.itemType = f.Type
		if prog.itemType == "list" {
			prog.itemType = "str"
		}
		if f.Template != "" {
			t, err := parseTemplate(f.Template, use)
			if err != nil {
				d.errf(fp+".template", "%v", err)
				continue
			}
			prog.tpl = t
			for _, n := range t.names {
				refs[n] = fp
			}
		} else {
			prog.slot = use(f.Column)
			refs[f.Column] = fp
		}
		p.fields = append(p.fields, prog)
	}
	for i, c := range s.Where {
		p.where = append(p.where, condProg{Cond: c, slot: use(c.Column)})
		refs[c.Column] = fmt.Sprintf("%s.where[%d]", path, i)
	}
	for i, c := range s.Skip {
		p.skip = append(p.skip, condProg{Cond: c, slot: use(c.Column)})
		refs[c.Column] = fmt.Sprintf("%s.skip[%d]", path, i)
	}

	p.tree = buildTree(d, path+".fields", s.Fields)
	if g := s.Group; g != nil && g.Path != "" {
		p.group = strings.Split(g.Path, ".")
		if len(s.Fields) > 0 && !slices.ContainsFunc(s.Fields, func(f Field) bool {
			return f.Path == g.Path || strings.HasPrefix(f.Path, g.Path+".") || strings.HasPrefix(g.Path, f.Path+".")
		}) {
			d.errf(path+".group.path", "%q: no field is written there; use a path from fields, e.g. %q", g.Path, strings.SplitN(s.Fields[0].Path, ".", 2)[0])
		}
	}

	// Column names must exist when the spec names the columns itself.
	for _, col := range slices.Sorted(maps.Keys(refs)) {
		switch {
		case s.Columns != nil && !slices.Contains(s.Columns, col):
			d.errf(refs[col], "column %q is not in %s.header (%s)", col, path, strings.Join(s.Columns, ", "))
		case (s.Format == "tsv" || s.Format == "csv") && !s.HeaderRow && s.Columns == nil:
			if n, err := strconv.Atoi(col); err != nil || n < 1 {
				d.errf(refs[col], "column %q: with \"header\": false, name columns by number from 1", col)
			}
		}
	}
	return p, d.problems
}

// outNode is one key of the output document: a field or an object of them.
type outNode struct {
	key   string
	field int // index in plan.fields, or -1 for an object
	kids  []*outNode
}

func buildTree(d *decoder, path string, fields []Field) []*outNode {
	var top []*outNode
	for i, f := range fields {
		segs := strings.Split(f.Path, ".")
		level := &top
		for j, seg := range segs {
			var n *outNode
			for _, c := range *level {
				if c.key == seg {
					n = c
				}
			}
			last := j == len(segs)-1
			if n == nil {
				n = &outNode{key: seg, field: -1}
				*level = append(*level, n)
				if last {
					n.field = i
				}
			} else if last || n.field >= 0 {
				d.errf(path+"."+f.Path, "conflicts with another field at %q", strings.Join(segs[:j+1], "."))
				break
			}
			level = &n.kids
		}
	}
	return top
}

// template is an _id or field template such as "{chrom}:g.{pos}{ref}>{alt}".
type template struct {
	lits  []string // lits[i] precedes slots[i]; the last lit ends the text
	slots []int
	names []string
}

// parseTemplate reads "{column}" placeholders; "{{" and "}}" are literal
// braces.
func parseTemplate(s string, use func(string) int) (*template, error) {
	t := &template{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("%q: unclosed '{' at offset %d (write \"{{\" for a literal brace)", s, i)
			}
			name := s[i+1 : i+1+end]
			if name == "" {
				return nil, fmt.Errorf("%q: empty {} at offset %d", s, i)
			}
			t.lits = append(t.lits, lit.String())
			lit.Reset()
			t.slots = append(t.slots, use(name))
			t.names = append(t.names, name)
			i += end + 1
		case c == '}':
			return nil, fmt.Errorf("%q: stray '}' at offset %d (write \"}}\" for a literal brace)", s, i)
		default:
			lit.WriteByte(c)
		}
	}
	t.lits = append(t.lits, lit.String())
	return t, nil
}

// render fills the template from a row. An empty or missing column makes the
// result empty, and the returned column names it. buf is scratch space.
func (t *template) render(cells []cell, buf *[]byte) (string, string) {
	if len(t.slots) == 1 && t.lits[0] == "" && t.lits[1] == "" {
		s := cells[t.slots[0]].text()
		if s == "" {
			return "", t.names[0]
		}
		return s, ""
	}
	b := (*buf)[:0]
	for i, sl := range t.slots {
		s := cells[sl].text()
		if s == "" {
			return "", t.names[i]
		}
		b = append(b, t.lits[i]...)
		b = append(b, s...)
	}
	b = append(b, t.lits[len(t.lits)-1]...)
	*buf = b
	return string(b), ""
}
