package tableparse

import (
	"fmt"
	"unicode/utf8"
)

// layout kinds.
const (
	tabularKind uint8 = iota
	jsonLinesKind
	jsonArrayKind
)

// layout says how to read the records of one file; it does not change once
// records refer to it, so workers share it.
type layout struct {
	kind   uint8
	header []string // tabular: column names
	idx    []int    // tabular: plan slot -> column index
	delim  byte
}

// record is one record as read from a file, before it becomes a document.
type record struct {
	lay    *layout
	text   string         // an unquoted tsv/csv line, or a jsonl line
	fields []string       // a tsv/csv record already split (quoted, or the first)
	obj    map[string]any // a json array element
	line   int64          // line number, or element number in a json array
	offset int64          // json array: byte offset of the element
	size   int            // bytes in the file
	err    string         // a bad record found while reading
}

func (r *record) where() string {
	if r.lay == jsonArray {
		return fmt.Sprintf("element %d (byte %d)", r.line, r.offset)
	}
	return fmt.Sprintf("line %d", r.line)
}

// outcome is what a worker made of a record.
type outcome struct {
	doc     map[string]any // with "_id"
	id      string
	skipped bool   // left out by where or skip
	msg     string // why the record is rejected
}

// worker turns records into documents; each has its own scratch space, and
// shares only the read-only plan.
type worker struct {
	spec    *Spec
	plan    *plan
	cells   []cell
	vals    []any
	has     []bool
	buf     []byte
	fields  []string // the current record's columns
	scratch []string
	obj     map[string]any
}

func newWorker(s *Spec) *worker {
	return &worker{
		spec:  s,
		plan:  s.plan,
		cells: make([]cell, len(s.plan.cols)),
		vals:  make([]any, len(s.plan.fields)),
		has:   make([]bool, len(s.plan.fields)),
	}
}

func (w *worker) build(rec *record) outcome {
	if rec.err != "" {
		return outcome{msg: rec.err}
	}
	if msg := w.fill(rec); msg != "" {
		return outcome{msg: msg}
	}
	p := w.plan
	for i := range p.where {
		if !p.where[i].holds(w.cells) {
			return outcome{skipped: true}
		}
	}
	for i := range p.skip {
		if p.skip[i].holds(w.cells) {
			return outcome{skipped: true}
		}
	}
	id, emptyCol := p.id.render(w.cells, &w.buf)
	if id == "" {
		return outcome{msg: fmt.Sprintf("empty _id: column %q is empty", emptyCol)}
	}
	if len(id) > maxIDBytes {
		return outcome{msg: fmt.Sprintf("_id longer than %d bytes", maxIDBytes)}
	}
	var doc map[string]any
	if p.all {
		var msg string
		if doc, msg = w.all(rec); msg != "" {
			return outcome{msg: msg}
		}
	} else {
		for i := range p.fields {
			v, ok, msg := p.fields[i].value(w.cells, &w.buf)
			if msg != "" {
				clear(w.vals)
				return outcome{msg: msg}
			}
			w.vals[i], w.has[i] = v, ok
		}
		doc = build(p.tree, w.vals, w.has)
		clear(w.vals)
		if doc == nil {
			doc = make(map[string]any, 1)
		}
	}
	doc["_id"] = id
	return outcome{doc: doc, id: id}
}

// fill puts the record's columns into the plan's slots.
func (w *worker) fill(rec *record) string {
	lay := rec.lay
	switch lay.kind {
	case jsonLinesKind, jsonArrayKind:
		w.obj = rec.obj
		if lay.kind == jsonLinesKind {
			var msg string
			if w.obj, msg = decodeLine(rec.text); msg != "" {
				return msg
			}
		}
		for i, col := range w.plan.cols {
			w.cells[i] = jsonCell(lookup(w.obj, col, w.plan.colPaths[i]))
		}
		return ""
	}
	w.fields = rec.fields
	if w.fields == nil {
		if !utf8.ValidString(rec.text) {
			return fmt.Sprintf("invalid UTF-8 at byte %d of the line", validPrefix([]byte(rec.text)))
		}
		w.scratch = splitPlain(rec.text, lay.delim, w.scratch[:0])
		w.fields = w.scratch
	}
	if len(w.fields) != len(lay.header) {
		return fmt.Sprintf("%d columns, expected %d", len(w.fields), len(lay.header))
	}
	for i, j := range lay.idx {
		w.cells[i] = cell{kind: text, s: w.fields[j]}
	}
	return ""
}

func jsonCell(v any, ok bool) cell {
	switch x := v.(type) {
	case nil:
		if ok {
			return cell{kind: null}
		}
		return cell{}
	case string:
		return cell{kind: text, s: x}
	}
	return cell{kind: value, v: v}
}

// all is the record as a document, for specs without fields.
func (w *worker) all(rec *record) (map[string]any, string) {
	if rec.lay.kind != tabularKind {
		v, err := normalizeJSON(w.obj, w.spec.KeepEmpty)
		if err != nil {
			return nil, err.Error()
		}
		if v == nil {
			return map[string]any{}, ""
		}
		return v.(map[string]any), ""
	}
	doc := make(map[string]any, len(rec.lay.header)+1)
	for i, name := range rec.lay.header {
		if v := w.fields[i]; v != "" || w.spec.KeepEmpty {
			doc[name] = v
		}
	}
	return doc, ""
}
