// Package inspect reads documents and infers what they are made of: a type
// tree, statistics per field, and an Elasticsearch mapping, the way
// BioThings' inspector does (SPEC section 4).
//
// An Inspector accumulates documents with Add; partial Inspectors combine
// with Merge (associative and commutative, so documents can be inspected in
// parallel in any order and split); Result renders what was seen. Documents
// hold the document store's normalised types: string, bool, nil, int64,
// float64, []any and map[string]any.
//
// # Type tree (mode "type")
//
// Result.Types mirrors the documents. Each field maps to a node, an object
// whose "_type" is the type name seen at that place ("str", "int",
// "float", "bool", "null", "dict", "list"), or a sorted list of names when
// several were seen (e.g. ["dict","list"] for a field that is sometimes one
// object and sometimes a list of them). A dict node also holds its fields
// as keys beside "_type"; a list node holds "_items", the node of all the
// elements of all the lists seen there:
//
//	{"_id":  {"_type": "str"},
//	 "cgi":  {"_type": ["dict", "list"],
//	          "drug": {"_type": "str"},
//	          "_items": {"_type": "dict", "drug": {"_type": "str"}}}}
//
// So that fields cannot be mistaken for these keys, a field named "_type" or
// "_items", or whose name starts with "__", is written with one more
// leading underscore ("_type" -> "__type"); drop one to read it back.
//
// The top-level "_id" is in the type tree and the statistics like any
// field, but never in the mapping.
//
// # Statistics (mode "stats")
//
// Result.Stats is flat: dotted field path -> statistics. Paths go through
// lists as Elasticsearch does ("cgi.drug" whether cgi is an object or a
// list of objects). For each path:
//
//	_count         values that are neither null nor a list (list elements count one by one)
//	_none          null values
//	_min, _max     smallest and largest number (int64 when all numbers were integers, else float64; NaN and infinities left out)
//	_min_len, _max_len            shortest and longest string, in characters
//	_list_count                   lists found at the path
//	_min_list_len, _max_list_len  shortest and longest of those lists
//
// Keys that do not apply (no numbers, no strings, no lists) are left out.
//
// # Mapping (mode "mapping") and errors
//
// Result.Mapping is an Elasticsearch "properties" tree. Lists are
// transparent, nulls are ignored, int -> integer (long beyond 32 bits),
// float -> float (double beyond float32's range; float wins over int),
// bool -> boolean, strings -> text when a value holds several words, else a
// lower-cased keyword. Any other mix of types at one path is an error in
// Result.Errors, and the field is left out of the mapping. NaN and
// infinities are errors too (the field keeps its type in the mapping), and
// so are missing, empty or non-string _id values. Errors are listed
// whatever the modes.
package inspect

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Mode selects a part of the Result.
type Mode string

// The modes, named as in BioThings.
const (
	ModeType    Mode = "type"
	ModeStats   Mode = "stats"
	ModeMapping Mode = "mapping"
)

// AllModes lists every mode, in the order BioThings shows them.
var AllModes = []Mode{ModeType, ModeStats, ModeMapping}

// ParseMode checks a mode given by a user.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(AllModes, m) {
		return m, nil
	}
	return "", fmt.Errorf("inspect: unknown mode %q: use one of type, stats, mapping", s)
}

// Issue is a problem found in the documents: Path is the dotted field path
// (through lists, as in the mapping), SampleID the smallest _id of a
// document showing it (empty when none has a usable _id; for a bad _id, the
// value itself as JSON). Count is how many values showed it: documents for
// _id problems, and for mixed types the values of the rarest type, the one
// SampleID holds.
type Issue struct {
	Path     string `json:"path"`
	Problem  string `json:"problem"`
	SampleID string `json:"sample_id,omitempty"`
	Count    int64  `json:"count"`
}

// Result is what an inspection found. Types, Stats and Mapping are made
// only of JSON types (map[string]any, []any, string, bool, int64, float64)
// and are set only for the modes asked for.
type Result struct {
	Count   int64          `json:"count"`
	Types   map[string]any `json:"type,omitempty"`
	Stats   map[string]any `json:"stats,omitempty"`
	Mapping map[string]any `json:"mapping,omitempty"`
	// Fields are the statistics for charts, per dotted path (mode stats).
	Fields map[string]FieldStats `json:"fields,omitempty"`
	Errors []Issue               `json:"errors,omitempty"`
}

// Inspector accumulates documents. It is not safe for concurrent use: give
// each goroutine its own and Merge them (see Parallel).
type Inspector struct {
	modes  map[Mode]bool
	count  int64
	root   *node
	issues map[issueKey]*issueAcc
	path   []string // field names from the document to the value being added
	// fieldStats: gather FieldStats (mode stats), which costs a map per field.
	fieldStats bool
}

type issueKey struct{ path, problem string }

type issueAcc struct {
	count  int64
	sample string
}

// New returns an empty Inspector for the given modes (all of them when none
// is given). Unknown modes are ignored; check user input with ParseMode.
// Everything is accumulated whatever the modes, so that Inspectors with
// different modes merge; the modes only choose what Result shows.
func New(modes ...Mode) *Inspector {
	if len(modes) == 0 {
		modes = AllModes
	}
	in := &Inspector{modes: map[Mode]bool{}, root: &node{}, issues: map[issueKey]*issueAcc{}}
	for _, m := range modes {
		if slices.Contains(AllModes, m) {
			in.modes[m] = true
		}
	}
	in.fieldStats = in.modes[ModeStats]
	return in
}

// Add inspects one document.
func (in *Inspector) Add(doc map[string]any) {
	in.count++
	id := in.checkID(doc)
	in.path = in.path[:0]
	in.root.addDict(doc, id, in)
}

// checkID returns the document's _id, or "" after recording why it cannot
// be used.
func (in *Inspector) checkID(doc map[string]any) string {
	raw, ok := doc["_id"]
	switch id, isString := raw.(string); {
	case !ok:
		in.issue("_id", "missing _id: every document needs a string _id", "")
	case !isString:
		in.issue("_id", fmt.Sprintf("_id is not a string (%s): make the parser emit _id as a string", kindOf(raw)), sampleOf(raw))
	case id == "":
		in.issue("_id", "empty _id: every document needs a non-empty string _id", "")
	default:
		return id
	}
	return ""
}

// issue records a problem at an explicit path.
func (in *Inspector) issue(path, problem, sample string) {
	k := issueKey{path, problem}
	acc := in.issues[k]
	if acc == nil {
		acc = &issueAcc{}
		in.issues[k] = acc
	}
	acc.count++
	acc.sample = minID(acc.sample, sample)
}

// issueHere records a problem at the path of the value being added.
func (in *Inspector) issueHere(problem, sample string) {
	in.issue(strings.Join(in.path, "."), problem, sample)
}

// Merge adds what other has seen to in. other is left unchanged and may
// still be used; the modes of in become the union of both.
func (in *Inspector) Merge(other *Inspector) {
	if other == in {
		other = other.clone()
	}
	for m := range other.modes {
		in.modes[m] = true
	}
	in.fieldStats = in.modes[ModeStats]
	in.count += other.count
	in.root.merge(other.root)
	for k, o := range other.issues {
		acc := in.issues[k]
		if acc == nil {
			acc = &issueAcc{}
			in.issues[k] = acc
		}
		acc.count += o.count
		acc.sample = minID(acc.sample, o.sample)
	}
}

func (in *Inspector) clone() *Inspector {
	c := New()
	c.modes = map[Mode]bool{}
	c.Merge(in)
	return c
}

// Result renders what was seen so far; the Inspector may keep accumulating.
func (in *Inspector) Result() Result {
	r := Result{Count: in.count}
	var issues []Issue
	if in.modes[ModeType] {
		r.Types = in.root.typeFields()
	}
	flat := in.root.flatten()
	if in.modes[ModeStats] {
		r.Stats = map[string]any{}
		flat.stats("", r.Stats)
		r.Fields = map[string]FieldStats{}
		flat.fieldStatsTree("", r.Fields)
	}
	props := flat.properties("", &issues)
	if in.modes[ModeMapping] {
		r.Mapping = props
	}
	for k, acc := range in.issues {
		issues = append(issues, Issue{Path: k.path, Problem: k.problem, SampleID: acc.sample, Count: acc.count})
	}
	slices.SortFunc(issues, func(a, b Issue) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Problem, b.Problem))
	})
	r.Errors = issues
	return r
}

// sampleOf shows a non-string _id as JSON, cut short.
func sampleOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 64 {
		return string(b[:61]) + "..."
	}
	return string(b)
}

// minID keeps the smaller of two sample ids, "" meaning none.
func minID(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}

// kindOf names the type of a value for messages.
func kindOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case string:
		return "str"
	case int64, int, int32:
		return "int"
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "non-finite float"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}
