package plugingen

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Column is what the sample shows of one column (a key, for JSON).
type Column struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`               // inferred: "int", "float", "bool", "str", or "" (JSON objects and lists, kept as read)
	Empty    int      `json:"empty"`              // rows where it is empty, missing or a null text
	Distinct int      `json:"distinct"`           // distinct non-empty values
	Unique   bool     `json:"unique"`             // every row has a value and no value repeats
	Nulls    []string `json:"nulls,omitempty"`    // null texts seen ("NA", "-", ...)
	Examples []string `json:"examples,omitempty"` // a few values
}

// Inferred is what Infer finds in a sample, and the options it proposes.
type Inferred struct {
	Format    string   `json:"format"`
	Delimiter string   `json:"delimiter,omitempty"`
	Rows      int      `json:"rows"` // data rows in the sample
	Columns   []Column `json:"columns"`
	// IDCandidates are the columns whose values are all present and
	// distinct in the sample, most likely first.
	IDCandidates []string `json:"id_candidates"`
	Proposed     Options  `json:"proposed"`
}

// nullTexts are values read as "no value" when they stand beside numbers.
var nullTexts = []string{"NA", "N/A", "NaN", "null", "NULL", "None", "-", "."}

// Infer detects the sample's format and delimiter, reads its columns, infers
// their types, and proposes options: every column kept under a path named
// after it, nested under the plugin's name, the _id from the best unique
// column (or, when none is unique, the most varied one with rows of the
// same _id grouped). name is the plugin's name ("" for one made from the
// file's name).
func Infer(s *Sample, h Hints) (*Inferred, error) {
	format, delim, err := detect(s, h)
	if err != nil {
		return nil, err
	}
	text := skipLines(s.text, h.SkipLines)
	var cols []Column
	var rows int
	if format == "json" || format == "jsonl" {
		cols, rows, err = jsonColumns(text, format, h.SkipLines)
	} else {
		cols, rows, err = textColumns(text, format, delim, h.SkipLines)
	}
	if err != nil {
		return nil, err
	}
	in := &Inferred{Format: format, Rows: rows, Columns: cols}
	if format == "csv" {
		in.Delimiter = string(delim)
	}
	for _, c := range cols {
		if c.Unique {
			in.IDCandidates = append(in.IDCandidates, c.Name)
		}
	}
	slices.SortStableFunc(in.IDCandidates, func(a, b string) int { return idRank(a) - idRank(b) })
	name := h.Name
	if name == "" {
		name = NameFromFile(s.DataFile)
	}
	in.Proposed = propose(in, name)
	in.Proposed.SkipLines = h.SkipLines
	return in, nil
}

var idName = regexp.MustCompile(`(?i)(^|[^a-z])(_?id|identifier|accession)$`)

// idRank orders id candidates: names that say "id" first.
func idRank(name string) int {
	if idName.MatchString(name) {
		return 0
	}
	return 1
}

// propose makes the default options of an inferred sample.
func propose(in *Inferred, name string) Options {
	o := Options{Name: name, Format: in.Format, Delimiter: in.Delimiter, Root: name, SkipEmptyID: true}
	for _, c := range in.Columns {
		f := Field{Column: c.Name, Path: PathOf(c.Name), Type: c.Type, Keep: true, Null: c.Nulls}
		if in.Format == "json" || in.Format == "jsonl" {
			f.Type = "" // JSON values keep their own type
		}
		o.Fields = append(o.Fields, f)
	}
	switch {
	case len(in.IDCandidates) > 0:
		o.ID = "{" + in.IDCandidates[0] + "}"
	case len(in.Columns) > 0:
		best := in.Columns[0]
		for _, c := range in.Columns[1:] {
			if c.Distinct > best.Distinct {
				best = c
			}
		}
		o.ID, o.Group = "{"+best.Name+"}", true
	}
	return o
}

// Hints are what the user already chose; zero values are inferred.
type Hints struct {
	Name      string // the plugin's name; "" makes one from the file's name
	Format    string // "tsv", "csv", "jsonl", "json"
	Delimiter string // csv: one character
	SkipLines int    // lines before the header
}

// detect tells the format from the hints, the file's name, then its content.
func detect(s *Sample, h Hints) (string, byte, error) {
	text := skipLines(s.text, h.SkipLines)
	if len(bytes.TrimSpace(text)) == 0 {
		return "", 0, fmt.Errorf("%s: the sample is empty after %d skipped lines", s.DataFile, h.SkipLines)
	}
	switch h.Format {
	case "tsv":
		return "tsv", '\t', nil
	case "csv":
		if len(h.Delimiter) > 1 {
			return "", 0, fmt.Errorf("delimiter: %q is not one character", h.Delimiter)
		}
		if h.Delimiter != "" {
			return "csv", h.Delimiter[0], nil
		}
		return "csv", ',', nil
	case "json", "jsonl":
		return h.Format, 0, nil
	case "":
	default:
		return "", 0, fmt.Errorf("format: %q is not one of tsv, csv, jsonl, json", h.Format)
	}
	lower := strings.ToLower(s.file)
	first := firstNonSpace(text)
	switch {
	case strings.HasSuffix(lower, ".jsonl"), strings.HasSuffix(lower, ".ndjson"):
		return "jsonl", 0, nil
	case first == '[':
		return "json", 0, nil
	case first == '{':
		return "jsonl", 0, nil
	case strings.HasSuffix(lower, ".json"):
		return "", 0, fmt.Errorf("%s: a JSON file must hold an array of objects or one object per line; it starts with %q", s.DataFile, string(first))
	}
	d := delimiterOf(text, lower)
	if d == '\t' {
		return "tsv", d, nil
	}
	return "csv", d, nil
}

// delimiterOf finds the delimiter that splits the first lines into the same
// number of fields, the most fields winning; the file's extension breaks
// ties. A file that no delimiter splits is one column of tsv.
func delimiterOf(text []byte, name string) byte {
	lines := firstLines(text, 20)
	best, bestN := byte('\t'), 1
	cands := []byte{'\t', ',', ';', '|'}
	if strings.HasSuffix(name, ".csv") {
		cands = []byte{',', '\t', ';', '|'}
	}
	for _, d := range cands {
		n := -1
		for _, l := range lines {
			k := len(splitLine(l, d, d != '\t'))
			if n >= 0 && k != n {
				n = -1
				break
			}
			n = k
		}
		if n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// firstLines returns up to n non-blank lines.
func firstLines(text []byte, n int) []string {
	var out []string
	for _, l := range strings.Split(string(text), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if out = append(out, l); len(out) == n {
			break
		}
	}
	return out
}

// splitLine splits one line; quoted is csv's quoting (a quoted field
// spanning lines is cut: good enough for counting).
func splitLine(l string, d byte, quoted bool) []string {
	if !quoted {
		return strings.Split(l, string(d))
	}
	r := csv.NewReader(strings.NewReader(l))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = rune(d), true, -1
	rec, err := r.Read()
	if err != nil {
		return strings.Split(l, string(d))
	}
	return rec
}

// skipLines drops the first n lines.
func skipLines(text []byte, n int) []byte {
	for ; n > 0 && len(text) > 0; n-- {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			return nil
		}
		text = text[i+1:]
	}
	return bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
}

// colStats accumulates what a column's values show.
type colStats struct {
	Column
	seen              map[string]bool
	ints, floats, bls int
	values, other     int
	json              bool // a JSON object or list was seen
}

func newColStats(name string) *colStats {
	return &colStats{Column: Column{Name: name}, seen: map[string]bool{}}
}

// add counts one text value.
func (c *colStats) add(v string) {
	t := strings.TrimSpace(v)
	if t == "" {
		c.Empty++
		return
	}
	if slices.Contains(nullTexts, t) {
		c.Empty++
		if !slices.Contains(c.Nulls, t) {
			c.Nulls = append(c.Nulls, t)
		}
		return
	}
	c.values++
	if !c.seen[v] {
		c.seen[v] = true
		if len(c.Examples) < 3 {
			c.Examples = append(c.Examples, v)
		}
	}
	switch {
	case leadingZero(v):
		c.other++ // "00123" is a code: a number would lose its zeros
	case isInt(v):
		c.ints++
	case isFloat(v):
		c.floats++
	case isBool(v):
		c.bls++
	default:
		c.other++
	}
}

func leadingZero(v string) bool {
	v = strings.TrimLeft(v, "+-")
	return len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9'
}

func isInt(v string) bool {
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

func isFloat(v string) bool {
	_, err := strconv.ParseFloat(v, 64)
	return err == nil && !strings.ContainsAny(strings.ToLower(v), "naif") // no nan, inf
}

func isBool(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "t", "f", "y", "n":
		return true
	}
	return false
}

// finish sets the type, distinct count and uniqueness over rows rows.
func (c *colStats) finish(rows int) Column {
	c.Distinct = len(c.seen)
	c.Unique = rows > 0 && c.Empty == 0 && c.Distinct == rows && !c.json
	switch {
	case c.json:
		c.Type = ""
	case c.values == 0 || c.other > 0:
		c.Type = "str"
	case c.ints == c.values:
		c.Type = "int"
	case c.ints+c.floats == c.values:
		c.Type = "float"
	case c.bls == c.values:
		c.Type = "bool"
	default:
		c.Type = "str"
	}
	if c.Type == "str" {
		c.Nulls = nil // "NA" in a text column is a text
	}
	return c.Column
}

// textColumns reads a tsv or csv sample: the header row, then the values.
func textColumns(text []byte, format string, d byte, skipped int) ([]Column, int, error) {
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = rune(d), -1, true
	var stats []*colStats
	rows, lineNo := 0, 0
	for {
		var rec []string
		var err error
		if format == "tsv" {
			rec, err = nextTSV(&text, &lineNo)
		} else {
			rec, err = r.Read()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, 0, fmt.Errorf("line %d, column %d: %v", pe.Line+skipped, pe.Column, pe.Err)
			}
			return nil, 0, err
		}
		if stats == nil {
			seen := map[string]int{}
			for i, h := range rec {
				if h == "" {
					return nil, 0, fmt.Errorf("line %d: column %d of the header row has no name: skip the lines before the header, or the file has no header", skipped+1, i+1)
				}
				if j, dup := seen[h]; dup {
					return nil, 0, fmt.Errorf("line %d: the header row names column %q twice (columns %d and %d)", skipped+1, h, j+1, i+1)
				}
				seen[h] = i
				stats = append(stats, newColStats(h))
			}
			continue
		}
		if len(rec) != len(stats) {
			continue // a bad row: the preview names it
		}
		rows++
		for i, v := range rec {
			stats[i].add(v)
		}
	}
	if stats == nil {
		return nil, 0, errors.New("no header row in the sample")
	}
	cols := make([]Column, len(stats))
	for i, c := range stats {
		cols[i] = c.finish(rows)
	}
	return cols, rows, nil
}

// nextTSV cuts the next non-blank line of text on tabs, counting lines.
func nextTSV(text *[]byte, lineNo *int) ([]string, error) {
	for len(*text) > 0 {
		*lineNo++
		l := *text
		if i := bytes.IndexByte(l, '\n'); i >= 0 {
			l, *text = l[:i], (*text)[i+1:]
		} else {
			*text = nil
		}
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		return strings.Split(string(l), "\t"), nil
	}
	return nil, io.EOF
}

// jsonColumns reads the top-level keys of a JSON array's or JSON lines'
// objects, in order of first appearance.
func jsonColumns(text []byte, format string, skipped int) ([]Column, int, error) {
	var objs []map[string]json.RawMessage
	var order []string
	add := func(m map[string]json.RawMessage, raw []byte) {
		objs = append(objs, m)
		for _, k := range keysInOrder(raw) {
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
		}
	}
	if format == "json" {
		var arr []json.RawMessage
		if err := json.Unmarshal(text, &arr); err != nil {
			return nil, 0, fmt.Errorf("not a JSON array: %w", err)
		}
		for i, el := range arr {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(el, &m); err != nil || m == nil {
				return nil, 0, fmt.Errorf("element %d is not a JSON object", i+1)
			}
			add(m, el)
		}
	} else {
		// A bad line is a rejected row of the upload, which the preview
		// shows; only a sample without any object is an error.
		var firstBad error
		for i, l := range bytes.Split(text, []byte("\n")) {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(l, &m); err != nil || m == nil {
				if firstBad == nil {
					firstBad = fmt.Errorf("line %d is not one JSON object: %s", i+1+skipped, shorten(string(l), 60))
				}
				continue
			}
			add(m, l)
		}
		if len(objs) == 0 && firstBad != nil {
			return nil, 0, firstBad
		}
	}
	stats := map[string]*colStats{}
	for _, k := range order {
		stats[k] = newColStats(k)
	}
	for _, m := range objs {
		for _, k := range order {
			raw, ok := m[k]
			c := stats[k]
			switch {
			case !ok || string(raw) == "null":
				c.Empty++
			case raw[0] == '{' || raw[0] == '[':
				c.json = true
				c.values++
			case raw[0] == '"':
				var s string
				_ = json.Unmarshal(raw, &s)
				c.add(s)
			default:
				c.add(string(raw))
			}
		}
	}
	cols := make([]Column, len(order))
	for i, k := range order {
		c := stats[k]
		cols[i] = c.finish(len(objs))
		cols[i].Nulls = nil
	}
	return cols, len(objs), nil
}

// keysInOrder lists an object's keys in the order they are written.
func keysInOrder(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
