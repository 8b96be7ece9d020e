package plugingen

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Options are the user's choices for a plugin made from a file: they become
// the manifest's declarative parser (see docs/parsers.md).
type Options struct {
	Name      string `json:"name"`                // the plugin's (and source's) name
	Format    string `json:"format"`              // tsv, csv, jsonl, json
	Delimiter string `json:"delimiter,omitempty"` // csv: one character (default ",")
	SkipLines int    `json:"skip_lines,omitempty"`
	// ID is the _id template, e.g. "{gDNA}" or "{chrom}:g.{pos}{ref}>{alt}".
	ID string `json:"id"`
	// SkipEmptyID skips (rather than rejects) rows where a column of the
	// _id is empty.
	SkipEmptyID bool `json:"skip_empty_id"`
	// Root nests every field under this path (and is the path rows of one
	// _id are grouped at); "" keeps fields at the top.
	Root   string  `json:"root"`
	Fields []Field `json:"fields"`
	// Skip drops the rows where any condition holds.
	Skip []Condition `json:"skip,omitempty"`
	// Group makes one document of the rows that share an _id, their
	// fields under Root becoming a list.
	Group bool `json:"group"`
	// Adjacent declares that the rows of one _id follow each other (the
	// file is sorted by it): grouping then holds one group at a time
	// instead of every document until the end.
	Adjacent bool `json:"adjacent,omitempty"`
}

// Field is one column and what becomes of it.
type Field struct {
	Column string   `json:"column"`
	Path   string   `json:"path"`           // output path under Root, e.g. "gene" or "pos.start"
	Type   string   `json:"type"`           // "", "str", "int", "float", "bool", "list"
	Keep   bool     `json:"keep"`           // false leaves the column out
	Null   []string `json:"null,omitempty"` // texts meaning "no value"
}

// Condition is one rule of rows to skip.
type Condition struct {
	Column string `json:"column"`
	Op     string `json:"op"` // "empty", "not_empty", "eq", "ne", "regex"
	Value  string `json:"value,omitempty"`
}

// Ops are the operators a Condition may use.
var Ops = []string{"empty", "not_empty", "eq", "ne", "regex"}

var (
	namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]+$`)
	template    = regexp.MustCompile(`\{([^{}]+)\}`)
)

// Check reports every problem of the options at once, each naming its
// field ("fields[2].type: ..."), against the sample's columns.
func (o Options) Check(columns []string) error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	known := func(c string) bool { return len(columns) == 0 || slices.Contains(columns, c) }
	if !namePattern.MatchString(o.Name) {
		bad("name: %q must be letters, digits and underscores, at least two characters, not starting with a digit", o.Name)
	}
	if !slices.Contains([]string{"tsv", "csv", "jsonl", "json"}, o.Format) {
		bad("format: %q is not one of tsv, csv, jsonl, json", o.Format)
	}
	if len(o.Delimiter) > 1 {
		bad("delimiter: %q is not one character", o.Delimiter)
	}
	if o.SkipLines < 0 {
		bad("skip_lines: %d is negative", o.SkipLines)
	}
	ids := template.FindAllStringSubmatch(o.ID, -1)
	if strings.TrimSpace(o.ID) == "" || len(ids) == 0 {
		bad("id: %q names no column: write it as {column}, e.g. {%s}", o.ID, first(columns))
	}
	for _, m := range ids {
		if !known(m[1]) {
			bad("id: column %q is not in the file (columns: %s)", m[1], strings.Join(columns, ", "))
		}
	}
	if o.Root != "" && !validPath(o.Root) {
		bad("root: %q is not a dotted path of names", o.Root)
	}
	if o.Group && o.Root == "" {
		bad("root: grouping rows needs a root path to collect them under")
	}
	paths := map[string]int{}
	kept := 0
	for i, f := range o.Fields {
		if !known(f.Column) {
			bad("fields[%d].column: %q is not in the file", i, f.Column)
		}
		if !f.Keep {
			continue
		}
		kept++
		if !validPath(f.Path) {
			bad("fields[%d].path: %q is not a dotted path of names", i, f.Path)
		}
		if j, dup := paths[f.Path]; dup {
			bad("fields[%d].path: %q is also the path of fields[%d]", i, f.Path, j)
		}
		paths[f.Path] = i
		if !slices.Contains([]string{"", "str", "int", "float", "bool", "list"}, f.Type) {
			bad("fields[%d].type: %q is not one of str, int, float, bool, list (or empty: as read)", i, f.Type)
		}
	}
	if len(o.Fields) > 0 && kept == 0 {
		bad("fields: every field is left out: keep at least one")
	}
	for i, c := range o.Skip {
		if !known(c.Column) {
			bad("skip[%d].column: %q is not in the file", i, c.Column)
		}
		if !slices.Contains(Ops, c.Op) {
			bad("skip[%d].op: %q is not one of %s", i, c.Op, strings.Join(Ops, ", "))
		}
		if c.Op == "regex" {
			if _, err := regexp.Compile(c.Value); err != nil {
				bad("skip[%d].value: %v", i, err)
			}
		}
	}
	if len(errs) > 0 {
		return &OptionsError{Problems: errs}
	}
	return nil
}

// OptionsError lists every problem of a set of options.
type OptionsError struct{ Problems []string }

func (e *OptionsError) Error() string { return strings.Join(e.Problems, "; ") }

func first(s []string) string {
	if len(s) == 0 {
		return "column"
	}
	return s[0]
}

func validPath(p string) bool {
	if p == "" || p == "_id" || strings.HasPrefix(p, "_id.") {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return false
		}
	}
	return true
}

// Parser is the declarative parser object of the options, reading file (a
// name relative to the data folder).
func (o Options) Parser(file string) map[string]any {
	p := map[string]any{"format": o.Format, "file": file, "id": o.ID}
	if o.Format == "csv" && o.Delimiter != "" && o.Delimiter != "," {
		p["delimiter"] = o.Delimiter
	}
	if o.SkipLines > 0 {
		p["skip_lines"] = o.SkipLines
	}
	fields := map[string]any{}
	for _, f := range o.Fields {
		if !f.Keep {
			continue
		}
		out := f.Path
		if o.Root != "" {
			out = o.Root + "." + f.Path
		}
		if f.Type == "" && len(f.Null) == 0 {
			fields[out] = f.Column
			continue
		}
		obj := map[string]any{"column": f.Column}
		if f.Type != "" {
			obj["type"] = f.Type
		}
		if len(f.Null) > 0 && f.Type != "str" && f.Type != "" {
			obj["null"] = f.Null
		}
		fields[out] = obj
	}
	if len(fields) > 0 {
		p["fields"] = fields
	}
	var skip []any
	if o.SkipEmptyID {
		for _, m := range template.FindAllStringSubmatch(o.ID, -1) {
			skip = append(skip, map[string]any{"column": m[1], "empty": true})
		}
	}
	for _, c := range o.Skip {
		skip = append(skip, c.spec())
	}
	if len(skip) > 0 {
		p["skip"] = skip
	}
	if o.Group {
		g := map[string]any{"path": o.Root, "mode": "list"}
		if o.Adjacent {
			g["adjacent"] = true
		}
		p["group"] = g
	}
	return p
}

func (c Condition) spec() map[string]any {
	m := map[string]any{"column": c.Column}
	switch c.Op {
	case "empty":
		m["empty"] = true
	case "not_empty":
		m["empty"] = false
	default:
		m[c.Op] = c.Value
	}
	return m
}

// Manifest is the plugin's manifest.json: a dumper fetching dataURL (a zip
// unpacked), an uploader with the declarative parser reading dataFile.
func (o Options) Manifest(dataURL, dataFile string, zipped bool) map[string]any {
	dumper := map[string]any{"data_url": dataURL}
	if zipped {
		dumper["uncompress"] = true
	}
	return map[string]any{
		"version": "0.1",
		"__metadata__": map[string]any{
			"src_meta": map[string]any{"url": dataURL, "description": fmt.Sprintf("Made by Studio from %s, without code", path.Base(dataFile))},
		},
		"dumper":   dumper,
		"uploader": map[string]any{"parser": o.Parser(dataFile), "on_duplicates": "error"},
	}
}

// PathOf makes an output path from a column name: lower case, runs of
// other characters than letters and digits made one underscore ("Primary
// Tumor type" becomes "primary_tumor_type"). Dots are kept: they nest.
func PathOf(column string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(column) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
	}
	p := strings.Trim(b.String(), ".")
	if p == "" {
		return "col"
	}
	return p
}

// NameFromFile makes a plugin name from a file name: what comes before the
// first dot, in the form PathOf gives, prefixed when it starts with a digit.
func NameFromFile(file string) string {
	base := path.Base(strings.ReplaceAll(file, `\`, "/"))
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	n := strings.ReplaceAll(PathOf(base), ".", "_")
	if n == "" || unicode.IsDigit(rune(n[0])) {
		n = "data_" + n
	}
	if len(n) < 2 {
		n += "_data"
	}
	return n
}
