package bleve

import (
	"bytes"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/size"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// mapper turns a decoded document into the fields of its Bleve document
// as Bleve's mapping does (IndexMappingImpl.MapDocument) for the mappings
// Translate makes with "dynamic": false, without reflection, and with the
// values of one text field of a document (a list, or the values copied to
// it) in one field whose token frequencies are those Bleve's segment
// builder merges from one field per value: the index is the same, and
// Bleve has fewer fields to go through. The copy_to values are mapped as
// withCopies adds them. newMapper returns nil for a mapping it does not
// know how to follow (dynamic fields, nested documents, types other than
// text, number, boolean and datetime; dynamic mapping at the root); such
// an index maps its documents with MapDocument, as does mapDoc a document
// holding a member Bleve would map dynamically.
type mapper struct {
	im          *mapping.IndexMappingImpl
	existsPaths map[string]bool
	root        *mapNode
	fields      int // the number of field mappings
}

// mapNode is the mapping at one path.
type mapNode struct {
	props   map[string]*mapNode
	enabled bool
	dynamic bool // members without a mapping are mapped dynamically
	fields  []*mapField
	// exists is the path, recorded in _field_names when the document has
	// a value at or under it; "" when it is not recorded. existsTerm is
	// its token (nil when the path holds a line break).
	exists     string
	existsTerm []byte
}

// mapField is one field mapping at a path.
type mapField struct {
	id       int    // its place among the mapper's fields
	name     string // the Bleve field name (getFieldName)
	typ      string // text, number, boolean, datetime
	options  bleveindex.FieldIndexingOptions
	analyzer analysis.Analyzer
	dateFmt  string
}

func newMapper(im *mapping.IndexMappingImpl, existsPaths map[string]bool) *mapper {
	dm := im.DefaultMapping
	if dm == nil || !dm.Enabled || dm.Dynamic || len(im.TypeMapping) > 0 {
		return nil
	}
	if all := dm.Properties["_all"]; all == nil || all.Enabled {
		return nil // MapDocument would add the _all composite field
	}
	m := &mapper{im: im, existsPaths: existsPaths}
	root, ok := m.node(dm, nil, dm.DefaultAnalyzer)
	if !ok {
		return nil
	}
	m.root = root
	return m
}

// node follows the document mapping dm at path; defAnalyzer is the
// default analyzer of the path (DocumentMapping.defaultAnalyzerName).
func (m *mapper) node(dm *mapping.DocumentMapping, path []string, defAnalyzer string) (*mapNode, bool) {
	if dm.Nested {
		return nil, false
	}
	if dm.DefaultAnalyzer != "" {
		defAnalyzer = dm.DefaultAnalyzer
	}
	n := &mapNode{enabled: dm.Enabled, dynamic: dm.Dynamic}
	if p := strings.Join(path, pathSeparator); len(path) > 0 && m.existsPaths[p] {
		n.exists = p
		if !strings.Contains(p, "\n") {
			n.existsTerm = []byte(p)
		}
	}
	for _, fm := range dm.Fields {
		f := &mapField{id: m.fields, typ: fm.Type, options: fm.Options(), dateFmt: fm.DateFormat}
		m.fields++
		f.name = strings.Join(path, pathSeparator)
		if fm.Name != "" {
			f.name = fm.Name
			if len(path) > 1 {
				f.name = strings.Join(path[:len(path)-1], pathSeparator) + pathSeparator + fm.Name
			}
		}
		switch fm.Type {
		case "text":
			name := fm.Analyzer
			if name == "" {
				name = defAnalyzer
			}
			if name == "" {
				name = m.im.DefaultAnalyzer
			}
			if f.analyzer = m.im.AnalyzerNamed(name); f.analyzer == nil {
				return nil, false
			}
		case "datetime":
			if f.dateFmt == "" {
				f.dateFmt = m.im.DefaultDateTimeParser
			}
			if m.im.DateTimeParserNamed(f.dateFmt) == nil {
				return nil, false
			}
		case "number", "boolean":
		default:
			return nil, false
		}
		n.fields = append(n.fields, f)
	}
	for name, sub := range dm.Properties {
		child, ok := m.node(sub, append(path[:len(path):len(path)], name), defAnalyzer)
		if !ok {
			return nil, false
		}
		if n.props == nil {
			n.props = map[string]*mapNode{}
		}
		n.props[name] = child
	}
	return n, true
}

const pathSeparator = "."

// docFields collects the fields of one document.
type docFields struct {
	m      *mapper
	doc    *document.Document
	merged []*textValues // by field id
	buf    []byte        // the text values, for all of them
	order  []*textValues
	names  []*mapNode // with exists set, in the order found
	seen   map[*mapNode]bool
}

// mapDoc adds the fields of src, and of the values copied to the copy_to
// targets, to doc, as MapDocument(doc, s.withCopies(src)) adds them, and
// returns the _field_names of the paths fieldNames(src) returns (nil when
// none). It reports false, having
// added nothing, for a value of a type it does not know (decoded JSON
// only), a member Bleve would map dynamically, or a copy_to target src
// holds a value at (or a value that is not an object on the way to it,
// which withCopies replaces).
func (s *schema) mapDoc(doc *document.Document, src map[string]any) (*namesField, bool) {
	m := s.mapper
	if m == nil || s.dynamic {
		return nil, false
	}
	for _, path := range s.copyPaths {
		if !targetFree(src, path) {
			return nil, false
		}
	}
	w := docFields{m: m, doc: doc}
	if _, ok := w.object(m.root, src, nil); !ok {
		return nil, false
	}
	// The copies, as withCopies adds them: per target, a list of the
	// values of its sources in the order of the rules.
	var copies map[string][]any
	var targets []string
	for _, rule := range s.copyTo {
		vals := collect(src, rule.from, nil)
		if len(vals) == 0 {
			continue
		}
		for _, t := range rule.targets {
			if copies == nil {
				copies = map[string][]any{}
			}
			if _, ok := copies[t]; !ok {
				targets = append(targets, t)
			}
			copies[t] = append(copies[t], vals...)
		}
	}
	var names *namesField
	if len(w.names) > 0 {
		names = &namesField{terms: make([][]byte, len(w.names))}
		for i, n := range w.names {
			if names.terms[i] = n.existsTerm; n.existsTerm == nil {
				names.terms = nil // a path of several lines
				for _, n := range w.names {
					names.names = append(names.names, n.exists)
				}
				break
			}
		}
	}
	for _, t := range targets {
		n := m.root
		for _, p := range s.copyPaths[t] {
			if n != nil && !n.enabled {
				break
			}
			if n != nil {
				n = n.props[p]
			}
		}
		if n != nil {
			w.names = nil // the copies are not in src: not recorded
			w.value(n, copies[t], nil)
		}
	}
	for _, tv := range w.order {
		tv.text = w.buf
		doc.AddField(tv)
	}
	doc.SetIndexed()
	return names, true
}

// targetFree reports whether src holds nothing at path (a copy_to
// target) nor anything but objects on the way to it.
func targetFree(src map[string]any, path []string) bool {
	m := src
	for i, p := range path {
		v := m[p]
		if v == nil {
			return true
		}
		sub, isObject := v.(map[string]any)
		if i == len(path)-1 || !isObject {
			return false
		}
		m = sub
	}
	return true
}

// object maps the members of an object. found reports a member holding a
// path recorded in _field_names (see fieldNames).
func (w *docFields) object(n *mapNode, obj map[string]any, pos []uint64) (found, ok bool) {
	for k, v := range obj {
		child := n.props[k]
		if child == nil {
			if n.dynamic {
				return false, false // Bleve would map it dynamically
			}
			// Nothing under an unmapped member is indexed or recorded,
			// whatever it holds.
			continue
		}
		f, ok := w.value(child, v, pos)
		if !ok {
			return false, false
		}
		found = found || f
	}
	return found, true
}

// value maps the value at the path of n; pos are the positions of the
// lists it is in. found reports that the path of n is recorded in
// _field_names for it.
func (w *docFields) value(n *mapNode, v any, pos []uint64) (found, ok bool) {
	if !n.enabled {
		return w.namesOnly(n, v), true
	}
	switch x := v.(type) {
	case nil:
		return false, true
	case string:
		for _, f := range n.fields {
			w.text(f, x, pos)
		}
	case float64:
		w.number(n, x, pos)
	case int64:
		w.number(n, float64(x), pos)
	case bool:
		for _, f := range n.fields {
			if f.typ == "boolean" {
				w.doc.AddField(document.NewBooleanFieldWithIndexingOptions(f.name, pos, x, f.options))
			}
		}
	case map[string]any:
		if found, ok = w.object(n, x, pos); !ok {
			return false, false
		}
		return w.record(n, found), true
	case []any:
		for i, e := range x {
			p := make([]uint64, len(pos)+1)
			copy(p, pos)
			p[len(pos)] = uint64(i)
			f, ok := w.value(n, e, p)
			if !ok {
				return false, false
			}
			found = found || f
		}
		return found, true
	default:
		return false, false
	}
	return w.record(n, true), true
}

// namesOnly records the paths of v in _field_names, mapping nothing (n
// is not enabled).
func (w *docFields) namesOnly(n *mapNode, v any) bool {
	found := false
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range x {
			found = w.namesOnly(n, e) || found
		}
		return found
	case map[string]any:
		for k, e := range x {
			if child := n.props[k]; child != nil {
				found = w.namesOnly(child, e) || found
			}
		}
		return w.record(n, found)
	}
	return w.record(n, true)
}

// record notes that the document has a value at or under n, when found
// and n's path is recorded; it reports whether it is (as fieldNames'
// walk does, a value under a path not recorded does not count).
func (w *docFields) record(n *mapNode, found bool) bool {
	if !found || n.exists == "" {
		return false
	}
	if w.seen != nil {
		if !w.seen[n] {
			w.seen[n] = true
			w.names = append(w.names, n)
		}
		return true
	}
	for _, have := range w.names {
		if have == n {
			return true
		}
	}
	w.names = append(w.names, n)
	if len(w.names) > 16 {
		// Many paths: a map finds them faster than a scan.
		w.seen = make(map[*mapNode]bool, 2*len(w.names))
		for _, have := range w.names {
			w.seen[have] = true
		}
	}
	return true
}

func (w *docFields) number(n *mapNode, f float64, pos []uint64) {
	for _, fm := range n.fields {
		if fm.typ == "number" {
			w.doc.AddField(document.NewNumericFieldWithIndexingOptions(fm.name, pos, f, fm.options))
		}
	}
}

// text maps a string to a field, as FieldMapping.processString does.
func (w *docFields) text(f *mapField, s string, pos []uint64) {
	switch f.typ {
	case "text":
		if f.options.IsStored() {
			// Stored values are kept one by one.
			w.doc.AddField(document.NewTextFieldCustom(f.name, pos, []byte(s), f.options, f.analyzer))
			return
		}
		if w.merged == nil {
			w.merged = make([]*textValues, w.m.fields)
		}
		tv := w.merged[f.id]
		if tv == nil {
			tv = &textValues{name: f.name, options: f.options, analyzer: f.analyzer}
			w.merged[f.id] = tv
			w.order = append(w.order, tv)
		}
		tv.add(&w.buf, s, pos)
	case "datetime":
		parser := w.m.im.DateTimeParserNamed(f.dateFmt)
		if t, layout, err := parser.ParseDateTime(s); err == nil {
			if field, err := document.NewDateTimeFieldWithIndexingOptions(f.name, pos, t, layout, f.options); err == nil {
				w.doc.AddField(field)
			}
		}
	}
}

// textValues is the values of one text field of a document, indexed as
// Bleve indexes one field per value: its token frequencies are those the
// segment builder makes of the fields of the values (the first one's,
// then TokenFrequencies.MergeAll of each next one), and its length their
// sum.
type textValues struct {
	name      string
	text      []byte // the document's text values one after the other
	bounds    []int  // where each value of the field starts and ends in text
	positions [][]uint64
	options   bleveindex.FieldIndexingOptions
	analyzer  analysis.Analyzer
	length    int
	freqs     bleveindex.TokenFrequencies
}

var _ document.Field = (*textValues)(nil)

func (f *textValues) Name() string                                          { return f.name }
func (f *textValues) ArrayPositions() []uint64                              { return nil }
func (f *textValues) Options() bleveindex.FieldIndexingOptions              { return f.options }
func (f *textValues) EncodedFieldType() byte                                { return 't' }
func (f *textValues) AnalyzedLength() int                                   { return f.length }
func (f *textValues) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }

// add records a value at the positions pos, appended to the document's
// text (the buffer every text field of the document shares).
func (f *textValues) add(text *[]byte, s string, pos []uint64) {
	start := len(*text)
	*text = append(*text, s...)
	if f.bounds == nil {
		f.bounds = make([]int, 0, 4)
		f.positions = make([][]uint64, 0, 2)
	}
	f.bounds = append(f.bounds, start, len(*text))
	f.positions = append(f.positions, pos)
}

// values is the number of values.
func (f *textValues) values() int { return len(f.bounds) / 2 }

// value is the i-th value.
func (f *textValues) value(i int) []byte {
	end := f.bounds[2*i+1]
	return f.text[f.bounds[2*i]:end:end]
}

// Value is the first value: the field is never stored.
func (f *textValues) Value() []byte { return f.value(0) }

func (f *textValues) NumPlainTextBytes() uint64 {
	var n int
	for i := 0; i < len(f.bounds); i += 2 {
		n += f.bounds[i+1] - f.bounds[i]
	}
	return uint64(n)
}

func (f *textValues) Size() int {
	n := size.SizeOfPtr + len(f.name) + int(f.NumPlainTextBytes()) + len(f.bounds)*size.SizeOfInt
	for _, p := range f.positions {
		n += len(p) * size.SizeOfUint64
	}
	for _, tf := range f.freqs {
		n += tf.Size()
	}
	return n
}

// Analyze analyzes the values and merges their token frequencies as
// TokenFrequency and MergeAll would, without a map per value: a term's
// frequency is summed over the values and its locations (with the
// positions of the lists each value is in) follow one another in the
// order of the values.
func (f *textValues) Analyze() {
	vectors := f.options.IncludeTermVectors()
	counts := !f.options.SkipFreqNorm()
	// The tokens of every value first, so that the frequencies, the
	// locations and the map are allocated once each at their size.
	streams := make([]analysis.TokenStream, f.values())
	for i := range streams {
		streams[i] = f.analyzer.Analyze(f.value(i))
		f.length += len(streams[i])
	}
	f.freqs = make(bleveindex.TokenFrequencies, f.length)
	freqs := make([]bleveindex.TokenFreq, f.length)
	var locs []bleveindex.TokenLocation
	if vectors {
		locs = make([]bleveindex.TokenLocation, f.length)
	}
	k := 0
	for i, tokens := range streams {
		for _, token := range tokens {
			tf := f.freqs[string(token.Term)]
			if tf == nil {
				tf = &freqs[k]
				tf.Term = token.Term
				f.freqs[string(token.Term)] = tf
			}
			if vectors {
				locs[k] = bleveindex.TokenLocation{ArrayPositions: f.positions[i], Start: token.Start, End: token.End, Position: token.Position}
				tf.Locations = append(tf.Locations, &locs[k])
			}
			if counts {
				tf.SetFrequency(tf.Frequency() + 1)
			}
			k++
		}
	}
}

// namesField is _field_names: one token per path a document has values
// at (exists queries look them up), neither stored nor with term vectors.
// It is indexed as a text field of the paths one per line would be. The
// paths are names, or terms when none holds a line break (and then
// Analyze takes them as they are).
type namesField struct {
	names  []string
	terms  [][]byte
	length int
	freqs  bleveindex.TokenFrequencies
}

var _ document.Field = (*namesField)(nil)

func (f *namesField) Name() string                                          { return fieldNamesField }
func (f *namesField) ArrayPositions() []uint64                              { return nil }
func (f *namesField) Options() bleveindex.FieldIndexingOptions              { return bleveindex.IndexField }
func (f *namesField) EncodedFieldType() byte                                { return 't' }
func (f *namesField) AnalyzedLength() int                                   { return f.length }
func (f *namesField) AnalyzedTokenFrequencies() bleveindex.TokenFrequencies { return f.freqs }
func (f *namesField) Value() []byte {
	if f.terms != nil {
		return bytes.Join(f.terms, []byte("\n"))
	}
	return []byte(strings.Join(f.names, "\n"))
}

func (f *namesField) NumPlainTextBytes() uint64 {
	n := len(f.names) + len(f.terms)
	for _, name := range f.names {
		n += len(name)
	}
	for _, t := range f.terms {
		n += len(t)
	}
	return uint64(n)
}

func (f *namesField) Size() int {
	n := size.SizeOfPtr + int(f.NumPlainTextBytes())
	for _, tf := range f.freqs {
		n += tf.Size()
	}
	return n
}

// Analyze makes a token of each line of each name (a path holding a line
// break makes several, as a text of the paths one per line would).
func (f *namesField) Analyze() {
	f.freqs = make(bleveindex.TokenFrequencies, len(f.names)+len(f.terms))
	for _, t := range f.terms { // distinct paths: each once
		if len(t) > 0 {
			f.length++
			tf := &bleveindex.TokenFreq{Term: t}
			tf.SetFrequency(1)
			f.freqs[string(t)] = tf
		}
	}
	for _, name := range f.names {
		for line := range strings.SplitSeq(name, "\n") {
			if line == "" {
				continue
			}
			f.length++
			tf := f.freqs[line]
			if tf == nil {
				tf = &bleveindex.TokenFreq{Term: []byte(line)}
				f.freqs[line] = tf
			}
			tf.SetFrequency(tf.Frequency() + 1)
		}
	}
}
