package tableparse

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Formats, types and policies a spec may name.
var (
	formats   = []string{"tsv", "csv", "jsonl", "json"}
	types     = []string{"str", "int", "float", "bool", "list"}
	onErrors  = []string{"reject", "fail"}
	modes     = []string{"list"}
	specKeys  = []string{"format", "file", "header", "skip_lines", "comment", "delimiter", "quote", "id", "fields", "where", "skip", "group", "keep_empty", "on_error", "max_line_bytes"}
	fieldKeys = []string{"column", "template", "type", "split", "strip", "trim", "default", "null", "keep_empty"}
	condKeys  = []string{"column", "eq", "ne", "in", "not_in", "empty", "regex", "not_regex"}
	groupKeys = []string{"path", "mode", "adjacent", "max_memory_mb"}
)

// Defaults.
const (
	DefaultMaxLineBytes = 64 << 20
	DefaultMaxMemoryMB  = 256
	maxIDBytes          = 512
)

// Spec is a declarative parser, decoded and validated from the parser object
// of a manifest's uploader by ParseSpec. Its fields mirror the JSON keys
// (see docs/parsers.md); build one with ParseSpec, not by hand.
type Spec struct {
	Format    string   // "tsv", "csv", "jsonl" or "json"
	File      string   // glob relative to the data folder
	HeaderRow bool     // tsv/csv: the first row names the columns
	Columns   []string // tsv/csv: explicit column names (the file has no header row)
	SkipLines int      // physical lines skipped at the start of each file
	Comment   string   // lines starting with it are skipped
	Delimiter byte     // tsv: '\t', csv: ','
	Quote     byte     // 0 when fields are never quoted (the tsv default)
	ID        string   // template of the _id, e.g. "{chrom}:g.{pos}{ref}>{alt}"
	Fields    []Field  // sorted by Path; empty means every column under its own name
	Where     []Cond   // a row is kept only when all hold
	Skip      []Cond   // a row is skipped when any holds
	Group     *Group   // nil: one document per row
	KeepEmpty bool     // keep "" and null values instead of dropping them
	OnError   string   // "reject" (count and go on) or "fail"
	// MaxLineBytes bounds one line (one record for quoted csv); longer ones
	// are row errors.
	MaxLineBytes int

	plan *plan
}

// Field is one output field of a document.
type Field struct {
	Path      string   // dotted output path, e.g. "cgi.drug"
	Column    string   // source column (or JSON key / dotted path)
	Template  string   // instead of Column: a template over columns
	Type      string   // "" (as read), "str", "int", "float", "bool", "list"
	Split     string   // split the text into a list on this separator
	Strip     string   // characters trimmed from both ends first, e.g. "[]"
	Trim      bool     // trim white space from both ends first
	Default   any      // used when the value is empty; nil means none
	Null      []string // texts that mean "no value", e.g. "NA"
	KeepEmpty *bool    // overrides Spec.KeepEmpty for this field
}

// Cond is a condition on one column; every operator given must hold.
type Cond struct {
	Column   string
	Eq, Ne   *string
	In       []string
	NotIn    []string
	Empty    *bool
	Regex    string
	NotRegex string

	re, notRe *regexp.Regexp
}

// Group combines rows that share an _id into one document.
type Group struct {
	Path        string // the value combined, e.g. "cgi"
	Mode        string // "list"
	Adjacent    bool   // rows with the same _id are next to each other: stream
	MaxMemoryMB int    // bound on rows held while grouping non-adjacent input
}

// SpecError lists every problem found in a parser object.
type SpecError struct {
	Problems []string // each starts with the JSON path, e.g. "parser.id: ..."
}

func (e *SpecError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid parser: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid parser (%d problems):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// ParseSpec decodes and validates the parser object of a manifest (decoded
// from JSON or YAML). Errors name their JSON path under "parser".
func ParseSpec(raw map[string]any) (*Spec, error) {
	return ParseSpecAt(raw, "parser")
}

// ParseSpecAt is ParseSpec with the JSON path of the object, e.g.
// "uploaders[1].parser", used in error messages.
func ParseSpecAt(raw map[string]any, path string) (*Spec, error) {
	d := &decoder{}
	s := d.spec(raw, path)
	p, problems := compile(s, path)
	if problems = append(d.problems, problems...); len(problems) > 0 {
		return nil, &SpecError{Problems: problems}
	}
	s.plan = p
	return s, nil
}

// decoder collects problems while reading loosely typed values.
type decoder struct {
	problems []string
}

func (d *decoder) errf(path, format string, a ...any) {
	d.problems = append(d.problems, path+": "+fmt.Sprintf(format, a...))
}

func (d *decoder) spec(raw map[string]any, path string) *Spec {
	s := &Spec{OnError: "reject", MaxLineBytes: DefaultMaxLineBytes}
	if raw == nil {
		d.errf(path, "missing parser object")
		return s
	}
	d.unknownKeys(path, raw, specKeys)
	at := func(k string) string { return path + "." + k }

	if v, ok := raw["format"]; !ok {
		d.errf(at("format"), "required; want one of %s", strings.Join(formats, ", "))
	} else if f, ok := d.str(at("format"), v); ok {
		if !slices.Contains(formats, f) {
			d.errf(at("format"), "%q: want one of %s", f, strings.Join(formats, ", "))
		}
		s.Format = f
	}
	tabular := s.Format == "tsv" || s.Format == "csv"
	switch s.Format {
	case "tsv":
		s.Delimiter, s.HeaderRow = '\t', true
	case "csv":
		s.Delimiter, s.Quote, s.HeaderRow = ',', '"', true
	}

	if v, ok := raw["file"]; !ok {
		d.errf(at("file"), "required: a glob relative to the data folder, e.g. \"*.tsv.gz\"")
	} else if f, ok := d.str(at("file"), v); ok {
		d.glob(at("file"), f)
		s.File = f
	}

	if v, ok := raw["header"]; ok {
		d.onlyTabular(at("header"), s.Format, tabular)
		switch h := v.(type) {
		case bool:
			s.HeaderRow = h
		default:
			if cols, ok := d.strList(at("header"), v, "true, false or a list of column names"); ok {
				if len(cols) == 0 {
					d.errf(at("header"), "empty list: give the column names, or true when the first row names them")
				}
				seen := map[string]bool{}
				for i, c := range cols {
					if c == "" {
						d.errf(fmt.Sprintf("%s[%d]", at("header"), i), "empty column name")
					} else if seen[c] {
						d.errf(fmt.Sprintf("%s[%d]", at("header"), i), "column %q named twice", c)
					}
					seen[c] = true
				}
				s.HeaderRow, s.Columns = false, cols
			}
		}
	}
	if v, ok := raw["skip_lines"]; ok {
		if s.Format == "json" {
			d.errf(at("skip_lines"), "not used with format json")
		}
		if n, ok := d.integer(at("skip_lines"), v); ok {
			if n < 0 {
				d.errf(at("skip_lines"), "%d: want 0 or more", n)
			}
			s.SkipLines = int(n)
		}
	}
	if v, ok := raw["comment"]; ok {
		if s.Format == "json" {
			d.errf(at("comment"), "not used with format json")
		}
		if c, ok := d.str(at("comment"), v); ok {
			if c == "" {
				d.errf(at("comment"), "empty: give the prefix of comment lines, e.g. \"#\"")
			}
			s.Comment = c
		}
	}
	if v, ok := raw["delimiter"]; ok {
		d.onlyTabular(at("delimiter"), s.Format, tabular)
		if c, ok := d.char(at("delimiter"), v, false); ok {
			s.Delimiter = c
		}
	}
	if v, ok := raw["quote"]; ok {
		d.onlyTabular(at("quote"), s.Format, tabular)
		if v == nil {
			s.Quote = 0
		} else if c, ok := d.char(at("quote"), v, true); ok {
			s.Quote = c
		}
	}
	if tabular && s.Quote != 0 && s.Quote == s.Delimiter {
		d.errf(at("quote"), "same character as the delimiter")
	}

	if v, ok := raw["id"]; !ok {
		d.errf(at("id"), "required: a template over column names, e.g. \"{gDNA}\"")
	} else if id, ok := d.str(at("id"), v); ok {
		s.ID = id
	}
	if v, ok := raw["fields"]; ok {
		s.Fields = d.fields(at("fields"), v)
	}
	if v, ok := raw["where"]; ok {
		s.Where = d.conds(at("where"), v)
	}
	if v, ok := raw["skip"]; ok {
		s.Skip = d.conds(at("skip"), v)
	}
	if v, ok := raw["group"]; ok {
		s.Group = d.group(at("group"), v)
	}
	if v, ok := raw["keep_empty"]; ok {
		if b, ok := d.boolean(at("keep_empty"), v); ok {
			s.KeepEmpty = b
		}
	}
	if v, ok := raw["on_error"]; ok {
		if e, ok := d.str(at("on_error"), v); ok {
			if !slices.Contains(onErrors, e) {
				d.errf(at("on_error"), "%q: want one of %s", e, strings.Join(onErrors, ", "))
			}
			s.OnError = e
		}
	}
	if v, ok := raw["max_line_bytes"]; ok {
		if n, ok := d.integer(at("max_line_bytes"), v); ok {
			if n < 1 || n > math.MaxInt32 {
				d.errf(at("max_line_bytes"), "%d: want 1 to %d", n, math.MaxInt32)
			} else {
				s.MaxLineBytes = int(n)
			}
		}
	}
	return s
}

func (d *decoder) onlyTabular(path, format string, tabular bool) {
	if !tabular && format != "" {
		d.errf(path, "used with formats tsv and csv only, not %s", format)
	}
}

func (d *decoder) glob(path, g string) {
	switch {
	case g == "":
		d.errf(path, "empty glob")
	case filepath.IsAbs(g) || strings.HasPrefix(g, "/"):
		d.errf(path, "%q: must be relative to the data folder", g)
	case slices.Contains(strings.Split(filepath.ToSlash(g), "/"), ".."):
		d.errf(path, "%q: must stay inside the data folder (no \"..\")", g)
	default:
		if _, err := filepath.Match(g, ""); err != nil {
			d.errf(path, "%q: bad glob: %v", g, err)
		}
	}
}

func (d *decoder) fields(path string, v any) []Field {
	m, ok := d.object(path, v)
	if !ok {
		return nil
	}
	if len(m) == 0 {
		d.errf(path, "empty: name at least one output field, or leave fields out to keep every column")
	}
	var out []Field
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p := path + "." + k
		f := Field{Path: k}
		checkOutPath(d, p, k)
		switch x := m[k].(type) {
		case string:
			if x == "" {
				d.errf(p, "empty column name")
			}
			f.Column = x
		default:
			fm, ok := d.object(p, x)
			if !ok {
				continue
			}
			d.field(p, fm, &f)
		}
		out = append(out, f)
	}
	return out
}

// checkOutPath validates a dotted output path.
func checkOutPath(d *decoder, path, k string) {
	for _, seg := range strings.Split(k, ".") {
		switch {
		case seg == "":
			d.errf(path, "output path %q has an empty segment", k)
			return
		case strings.HasPrefix(seg, "$"):
			d.errf(path, "output path %q: segments may not start with '$'", k)
			return
		}
	}
	if k == "_id" || strings.HasPrefix(k, "_id.") {
		d.errf(path, "the _id comes from \"id\", not from fields")
	}
}

func (d *decoder) field(p string, m map[string]any, f *Field) {
	d.unknownKeys(p, m, fieldKeys)
	if v, ok := m["column"]; ok {
		if c, ok := d.str(p+".column", v); ok {
			if c == "" {
				d.errf(p+".column", "empty column name")
			}
			f.Column = c
		}
	}
	if v, ok := m["template"]; ok {
		if t, ok := d.str(p+".template", v); ok {
			f.Template = t
		}
	}
	if (f.Column == "") == (f.Template == "") {
		if _, has := m["column"]; !has {
			if _, has := m["template"]; !has {
				d.errf(p, "give \"column\" (or \"template\")")
			}
		} else if _, has := m["template"]; has {
			d.errf(p, "give \"column\" or \"template\", not both")
		}
	}
	if v, ok := m["type"]; ok {
		if t, ok := d.str(p+".type", v); ok {
			if !slices.Contains(types, t) {
				d.errf(p+".type", "want one of %s", strings.Join(types, ", "))
			}
			f.Type = t
		}
	}
	if v, ok := m["split"]; ok {
		if s, ok := d.str(p+".split", v); ok {
			if s == "" {
				d.errf(p+".split", "empty separator")
			}
			f.Split = s
		}
	}
	if f.Type == "list" && f.Split == "" {
		f.Split = ","
	}
	if v, ok := m["strip"]; ok {
		if s, ok := d.str(p+".strip", v); ok {
			f.Strip = s
		}
	}
	if v, ok := m["trim"]; ok {
		if b, ok := d.boolean(p+".trim", v); ok {
			f.Trim = b
		}
	}
	if v, ok := m["null"]; ok {
		if l, ok := d.strList(p+".null", v, "a list of strings"); ok {
			f.Null = l
		}
	}
	if v, ok := m["keep_empty"]; ok {
		if b, ok := d.boolean(p+".keep_empty", v); ok {
			f.KeepEmpty = &b
		}
	}
	if v, ok := m["default"]; ok && v != nil {
		def, err := defaultValue(v, f)
		if err != nil {
			d.errf(p+".default", "%v", err)
		}
		f.Default = def
	}
}

// defaultValue converts a field's default to the field's type.
func defaultValue(v any, f *Field) (any, error) {
	n, err := normalizeSpecValue(v)
	if err != nil {
		return nil, err
	}
	if f.Type == "" || f.Split != "" {
		return n, nil
	}
	text, ok := scalarText(n)
	if !ok {
		return nil, fmt.Errorf("%s is not a %s", describe(n), f.Type)
	}
	out, msg := convertText(text, f.Type)
	if msg != "" {
		return nil, fmt.Errorf("%s", msg)
	}
	return out, nil
}

func (d *decoder) conds(path string, v any) []Cond {
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	default:
		items = []any{x}
	}
	var out []Cond
	for i, it := range items {
		p := path
		if _, isList := v.([]any); isList {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		m, ok := d.object(p, it)
		if !ok {
			continue
		}
		out = append(out, d.cond(p, m))
	}
	return out
}

func (d *decoder) cond(p string, m map[string]any) Cond {
	d.unknownKeys(p, m, condKeys)
	var c Cond
	if v, ok := m["column"]; !ok {
		d.errf(p+".column", "required: the column the condition tests")
	} else if s, ok := d.str(p+".column", v); ok {
		if s == "" {
			d.errf(p+".column", "empty column name")
		}
		c.Column = s
	}
	ops := 0
	if v, ok := m["eq"]; ok {
		ops++
		if s, ok := d.scalar(p+".eq", v); ok {
			c.Eq = &s
		}
	}
	if v, ok := m["ne"]; ok {
		ops++
		if s, ok := d.scalar(p+".ne", v); ok {
			c.Ne = &s
		}
	}
	if v, ok := m["in"]; ok {
		ops++
		c.In, _ = d.scalarList(p+".in", v)
	}
	if v, ok := m["not_in"]; ok {
		ops++
		c.NotIn, _ = d.scalarList(p+".not_in", v)
	}
	if v, ok := m["empty"]; ok {
		ops++
		if b, ok := d.boolean(p+".empty", v); ok {
			c.Empty = &b
		}
	}
	for _, k := range []string{"regex", "not_regex"} {
		v, ok := m[k]
		if !ok {
			continue
		}
		ops++
		s, ok := d.str(p+"."+k, v)
		if !ok {
			continue
		}
		re, err := regexp.Compile(s)
		if err != nil {
			d.errf(p+"."+k, "bad regular expression: %v", err)
			continue
		}
		if k == "regex" {
			c.Regex, c.re = s, re
		} else {
			c.NotRegex, c.notRe = s, re
		}
	}
	if ops == 0 {
		d.errf(p, "no test: give one of eq, ne, in, not_in, empty, regex, not_regex")
	}
	return c
}

func (d *decoder) group(p string, v any) *Group {
	m, ok := d.object(p, v)
	if !ok {
		return nil
	}
	d.unknownKeys(p, m, groupKeys)
	g := &Group{Mode: "list", MaxMemoryMB: DefaultMaxMemoryMB}
	if v, ok := m["path"]; !ok {
		d.errf(p+".path", "required: the output path whose values are combined, e.g. \"cgi\"")
	} else if s, ok := d.str(p+".path", v); ok {
		checkOutPath(d, p+".path", s)
		g.Path = s
	}
	if v, ok := m["mode"]; ok {
		if s, ok := d.str(p+".mode", v); ok {
			if !slices.Contains(modes, s) {
				d.errf(p+".mode", "%q: want one of %s", s, strings.Join(modes, ", "))
			}
			g.Mode = s
		}
	}
	if v, ok := m["adjacent"]; ok {
		if b, ok := d.boolean(p+".adjacent", v); ok {
			g.Adjacent = b
		}
	}
	if v, ok := m["max_memory_mb"]; ok {
		if n, ok := d.integer(p+".max_memory_mb", v); ok {
			if n < 1 || n > 1<<20 {
				d.errf(p+".max_memory_mb", "%d: want 1 to %d", n, 1<<20)
			} else {
				g.MaxMemoryMB = int(n)
			}
		}
	}
	return g
}

func (d *decoder) unknownKeys(path string, m map[string]any, allowed []string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(allowed, k) {
			d.errf(path+"."+k, "unknown key; want one of %s", strings.Join(allowed, ", "))
		}
	}
}

func (d *decoder) str(path string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.errf(path, "want a string, got %s", describe(v))
	}
	return s, ok
}

func (d *decoder) boolean(path string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		d.errf(path, "want true or false, got %s", describe(v))
	}
	return b, ok
}

func (d *decoder) integer(path string, v any) (int64, bool) {
	n, err := normalizeSpecValue(v)
	if err == nil {
		switch x := n.(type) {
		case int64:
			return x, true
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), true
			}
		}
	}
	d.errf(path, "want a whole number, got %s", describe(v))
	return 0, false
}

// char reads a one-character string (an ASCII byte other than a line end).
func (d *decoder) char(path string, v any, emptyOK bool) (byte, bool) {
	s, ok := d.str(path, v)
	if !ok {
		return 0, false
	}
	if s == "" && emptyOK {
		return 0, true
	}
	if len(s) != 1 || s[0] >= 0x80 || s[0] == '\n' || s[0] == '\r' {
		d.errf(path, "%q: want one ASCII character", s)
		return 0, false
	}
	return s[0], true
}

// scalar reads a condition operand: a string, or a number or bool compared
// as its text.
func (d *decoder) scalar(path string, v any) (string, bool) {
	n, err := normalizeSpecValue(v)
	if err == nil {
		if s, ok := scalarText(n); ok && n != nil {
			return s, true
		}
	}
	d.errf(path, "want a string or a number, got %s", describe(v))
	return "", false
}

func (d *decoder) scalarList(path string, v any) ([]string, bool) {
	l, ok := v.([]any)
	if !ok {
		d.errf(path, "want a list of strings, got %s", describe(v))
		return nil, false
	}
	out := make([]string, 0, len(l))
	for i, it := range l {
		s, ok := d.scalar(fmt.Sprintf("%s[%d]", path, i), it)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (d *decoder) strList(path string, v any, want string) ([]string, bool) {
	l, ok := v.([]any)
	if !ok {
		if sl, ok := v.([]string); ok {
			return sl, true
		}
		d.errf(path, "want %s, got %s", want, describe(v))
		return nil, false
	}
	out := make([]string, 0, len(l))
	for i, it := range l {
		s, ok := it.(string)
		if !ok {
			d.errf(fmt.Sprintf("%s[%d]", path, i), "want a string, got %s", describe(it))
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (d *decoder) object(path string, v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any: // some YAML decoders
		out := make(map[string]any, len(m))
		for k, x := range m {
			ks, ok := k.(string)
			if !ok {
				d.errf(path, "key %v is not a string", k)
				return nil, false
			}
			out[ks] = x
		}
		return out, true
	}
	d.errf(path, "want an object, got %s", describe(v))
	return nil, false
}

// describe names a value's JSON type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "a list"
	case map[string]any, map[any]any:
		return "an object"
	case json.Number:
		return "the number " + x.String()
	case float64, float32, int, int64, int32, uint64, uint32, uint:
		return fmt.Sprintf("the number %v", x)
	}
	return fmt.Sprintf("%T", v)
}

// normalizeSpecValue converts a decoded JSON or YAML value to document
// types (string, bool, nil, int64, float64, []any, map[string]any).
func normalizeSpecValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return float64(x), nil
		}
		return int64(x), nil
	case float32:
		return normalizeSpecValue(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a finite number", x)
		}
		return x, nil
	case json.Number:
		return jsonNumber(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			n, err := normalizeSpecValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			n, err := normalizeSpecValue(it)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// jsonNumber converts a JSON number the way Python's json module does: an
// integer when written without a fraction or exponent, else a float.
func jsonNumber(n json.Number) (any, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s is out of range", s)
	}
	return f, nil
}
