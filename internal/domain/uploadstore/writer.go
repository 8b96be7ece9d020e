package uploadstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"studio/internal/engine/docstore"
)

// The on_duplicates policies.
const (
	OnDuplicatesError  = "error"
	OnDuplicatesIgnore = "ignore"
	OnDuplicatesMerge  = "merge"
)

// Defaults of Options.
const (
	DefaultBatchSize    = 1000
	DefaultKeepArchives = 3
	maxRejectSamples    = 10
)

// ErrNoDocuments is wrapped by Switch when the temp collection is empty.
var ErrNoDocuments = errors.New("parser produced no documents")

// Options tune a Writer; the zero value is the default.
type Options struct {
	OnDuplicates string // "error" (default), "ignore" (keep the first), "merge" (see Merge)
	BatchSize    int    // documents per write, default 1000
	// KeepArchives is how many archives (newest first) survive a switch:
	// 0 means the default, 3; a negative number keeps none.
	KeepArchives int
	// Resume, when set, continues an interrupted run into this existing
	// temp collection, skipping the first ResumeAfter documents (see the
	// package documentation).
	Resume      string
	ResumeAfter int64
}

// Stats count what a Writer did with the documents it received.
type Stats struct {
	Stored     int64 `json:"stored"`     // documents in the temp collection
	Rejected   int64 `json:"rejected"`   // documents refused (bad _id, unstorable value)
	Duplicates int64 `json:"duplicates"` // repeated _ids met (ignored or merged)
	// RejectSamples holds the first reasons, e.g. "document 12: _id missing".
	RejectSamples []string `json:"reject_samples,omitempty"`
	Temp          string   `json:"temp"` // the temp collection written
}

// DuplicateIDError fails an upload whose on_duplicates policy is "error"
// when an _id repeats.
type DuplicateIDError struct {
	ID    string
	Doc   int64 // number of the repeating document
	First int64 // number of the earlier document with this _id; 0 when unknown
	// Job is the parallelizer job (from 1) whose document repeats; 0 when
	// the upload is one parser call.
	Job int
}

func (e *DuplicateIDError) Error() string {
	earlier := "an earlier document"
	switch {
	case e.First > 0:
		earlier = fmt.Sprintf("document %d", e.First)
	case e.Job > 0:
		earlier = "a document stored before, by this job or another job of the parallelizer"
	}
	where := fmt.Sprintf("document %d", e.Doc)
	if e.Job > 0 {
		where = fmt.Sprintf("job %d, document %d", e.Job, e.Doc)
	}
	return fmt.Sprintf(`%s: _id %q repeats %s (on_duplicates is "error": fix the parser, or set on_duplicates to "ignore" or "merge")`,
		where, e.ID, earlier)
}

type state int

const (
	open state = iota
	switched
	aborted
)

// pending is a valid document waiting for the next write: decoded (doc),
// or JSON text (AddJSON) at raw[start:end] of the writer's buffer.
type pending struct {
	num        int64
	id         string
	doc        docstore.Doc
	start, end int
	window     bool // may have been written by the interrupted run (error policy)
}

// Writer receives an uploader's documents in order and writes them in
// batches into a temp collection, which Switch makes live. It is not safe
// for concurrent use.
type Writer struct {
	db    docstore.Store
	names names
	opts  Options
	temp  string
	coll  docstore.Collection

	seen      int64 // documents received
	done      int64 // documents settled by the last successful write
	valid     int64 // documents with an acceptable _id
	skip      int64 // documents not to write again (resume)
	windowEnd int64 // error policy, resumed: valid documents already stored
	// checkResume asks the first document written after a resume to
	// check that the heartbeat did not claim more than was stored.
	checkResume bool
	batch       []pending
	batchIDs    map[string]int64 // error policy: _id -> document number in batch
	raw         []byte           // the JSON text of the batch's AddJSON documents
	rawDocs     int              // how many of the batch's documents are text

	staged bool // the temp collection is created (stage)

	stats Stats
	state state
	err   error // the failure that stopped the writer
}

// NewWriter prepares to write the documents of the uploader name. A new
// writer first repairs a switch of an earlier upload interrupted between its
// renames (see the package documentation).
func NewWriter(ctx context.Context, db docstore.Store, name string, opts Options) (*Writer, error) {
	if err := docstore.CheckName(name); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := opts.fill(); err != nil {
		return nil, err
	}
	w := &Writer{db: db, names: names(name), opts: opts, batchIDs: map[string]int64{}}
	cols, err := db.Collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list collections: %w", err)
	}
	if opts.Resume != "" {
		err = w.resume(ctx, cols)
	} else {
		err = w.start(ctx, cols)
	}
	if err != nil {
		return nil, err
	}
	w.coll = db.C(w.temp)
	w.stats.Temp = w.temp
	return w, nil
}

func (o *Options) fill() error {
	switch o.OnDuplicates {
	case "":
		o.OnDuplicates = OnDuplicatesError
	case OnDuplicatesError, OnDuplicatesIgnore, OnDuplicatesMerge:
	default:
		return fmt.Errorf(`store: on_duplicates %q: use "error", "ignore" or "merge"`, o.OnDuplicates)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.KeepArchives == 0 {
		o.KeepArchives = DefaultKeepArchives
	}
	o.KeepArchives = max(o.KeepArchives, 0)
	if o.ResumeAfter < 0 || o.ResumeAfter > 0 && o.Resume == "" {
		return fmt.Errorf("store: ResumeAfter %d needs Resume and must not be negative", o.ResumeAfter)
	}
	return nil
}

// start picks a fresh temp collection after repairing an interrupted switch.
func (w *Writer) start(ctx context.Context, cols []string) error {
	if _, err := restoreLive(ctx, w.db, w.names, cols); err != nil {
		return err
	}
	for {
		w.temp = w.names.temp(randHex8())
		if !slices.Contains(cols, w.temp) {
			break
		}
	}
	return docstore.CheckName(w.temp)
}

// inOrder reports whether the first batch's _ids come mostly in ascending
// order (three pairs of neighbours in four or more): a sorted input, or
// sorted runs merged (tableparse's grouping), or a few interleaved sorted
// streams. Their inserts land on a few places of the _id order, which a
// collection keyed by _id takes as fast as appends, so it is not staged.
func inOrder(batch []pending) bool {
	up := 0
	for i := 1; i < len(batch); i++ {
		if batch[i-1].id < batch[i].id {
			up++
		}
	}
	return 4*up >= 3*(len(batch)-1)
}

// stage creates the temp collection before its first write, laid out for
// loading where the store offers it (docstore.Stager): an upload's
// documents come in the parser's order, and Switch's rename lays them out
// in _id order. A temp collection that exists is left as it is.
func stage(ctx context.Context, db docstore.Store, temp string) error {
	s, ok := db.(docstore.Stager)
	if !ok {
		return nil
	}
	if err := s.Stage(ctx, temp); err != nil {
		return fmt.Errorf("store: create %q: %w", temp, err)
	}
	return nil
}

// resume continues into opts.Resume. When it no longer exists nothing can
// be skipped, so the run starts over into the same name.
func (w *Writer) resume(ctx context.Context, cols []string) error {
	if !w.names.isTemp(w.opts.Resume) {
		return fmt.Errorf("store: cannot resume into %q: it is not a temp collection of %q (%s)", w.opts.Resume, w.names.live(), w.names.temp("<8 hex>"))
	}
	w.temp = w.opts.Resume
	if !slices.Contains(cols, w.temp) {
		return nil
	}
	w.skip = w.opts.ResumeAfter
	if w.opts.OnDuplicates != OnDuplicatesError {
		return nil
	}
	n, err := w.db.C(w.temp).Count(ctx)
	if err != nil {
		return fmt.Errorf("store: resume into %q: %w", w.temp, err)
	}
	w.windowEnd, w.checkResume = n, true
	return nil
}

// Add takes the next document. A document with an unacceptable _id is
// counted as rejected and is not an error; an error means the upload
// cannot go on (a repeated _id under "error", a failed write). The
// document is copied, so the caller may reuse it.
func (w *Writer) Add(ctx context.Context, doc map[string]any) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.seen++
	id, norm, reason := accept(doc)
	if reason != "" {
		w.reject(w.seen, reason)
		return nil
	}
	return w.add(ctx, pending{num: w.seen, id: id, doc: norm})
}

// AddJSON takes the next document as JSON text, as Add takes it decoded:
// raw must be text that jsonenc.Verbatim accepts, id the _id it reports.
// Under "error" and "ignore", on a store that keeps documents as JSON text
// (docstore.RawInserter), the text is stored as it is, which spares a
// decode and an encode; otherwise (and under "merge") it is decoded first.
// raw is copied, so the caller may reuse it.
func (w *Writer) AddJSON(ctx context.Context, id string, raw []byte) error {
	if err := w.usable(); err != nil {
		return err
	}
	w.seen++
	if reason := checkIDString(id); reason != "" {
		w.reject(w.seen, reason)
		return nil
	}
	if _, ok := w.coll.(docstore.RawInserter); !ok || w.opts.OnDuplicates == OnDuplicatesMerge {
		doc, err := decodeRaw(raw)
		if err != nil {
			w.reject(w.seen, "cannot be stored: "+err.Error())
			return nil
		}
		return w.add(ctx, pending{num: w.seen, id: id, doc: doc})
	}
	p := pending{num: w.seen, id: id}
	if p.num > w.skip { // else it is counted, not written
		p.start = len(w.raw)
		w.raw = append(w.raw, raw...)
		p.end = len(w.raw)
		w.rawDocs++
	}
	return w.add(ctx, p)
}

// decodeRaw decodes an AddJSON document.
func decodeRaw(raw []byte) (docstore.Doc, error) {
	v, err := docstore.DecodeJSON(raw)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("document is a %T, not an object", v)
	}
	return doc, nil
}

// add takes a valid document (p.num is w.seen).
func (w *Writer) add(ctx context.Context, p pending) error {
	w.valid++
	if p.num <= w.skip {
		w.stats.Stored++ // provisional; Switch counts the collection
		w.settle()
		return nil
	}
	if w.checkResume {
		w.checkResume = false
		if w.valid-1 > w.windowEnd {
			return w.fail(fmt.Errorf("store: cannot resume into %q: the heartbeat says %d valid documents were written but it holds %d; start the upload over",
				w.temp, w.valid-1, w.windowEnd))
		}
	}
	if w.opts.OnDuplicates == OnDuplicatesError {
		if first, ok := w.batchIDs[p.id]; ok {
			return w.fail(&DuplicateIDError{ID: p.id, Doc: p.num, First: first})
		}
		w.batchIDs[p.id] = p.num
	}
	p.window = w.valid <= w.windowEnd
	w.batch = append(w.batch, p)
	if len(w.batch) >= w.opts.BatchSize {
		return w.Flush(ctx)
	}
	return nil
}

func (w *Writer) reject(num int64, reason string) {
	w.stats.Rejected++
	if len(w.stats.RejectSamples) < maxRejectSamples {
		w.stats.RejectSamples = append(w.stats.RejectSamples, fmt.Sprintf("document %d: %s", num, reason))
	}
	w.settle()
}

// settle moves the resume point when no document is waiting to be written.
func (w *Writer) settle() {
	if len(w.batch) == 0 {
		w.done = w.seen
	}
}

func (w *Writer) usable() error {
	switch w.state {
	case switched:
		return fmt.Errorf("store: %q was already switched live", w.temp)
	case aborted:
		return fmt.Errorf("store: the upload into %q was aborted", w.temp)
	}
	return w.err
}

func (w *Writer) fail(err error) error {
	w.err = err
	return err
}

// Flush writes the documents waiting in the current batch.
func (w *Writer) Flush(ctx context.Context) error {
	if err := w.usable(); err != nil {
		return err
	}
	if len(w.batch) > 0 {
		if !w.staged {
			if !inOrder(w.batch) {
				if err := stage(ctx, w.db, w.temp); err != nil {
					return w.fail(err)
				}
			}
			w.staged = true
		}
		var err error
		if w.opts.OnDuplicates == OnDuplicatesError {
			err = w.insert(ctx)
		} else {
			err = w.upsert(ctx)
		}
		if err != nil {
			return w.fail(err)
		}
		w.batch = w.batch[:0]
		w.raw, w.rawDocs = w.raw[:0], 0
		clear(w.batchIDs)
	}
	w.done = w.seen
	return nil
}

// insert writes a batch under the "error" policy: Insert refuses an _id
// already stored.
func (w *Writer) insert(ctx context.Context) error {
	todo := w.batch
	if todo[0].window {
		var err error
		if todo, err = w.dropWritten(ctx, todo); err != nil {
			return err
		}
	}
	var err error
	if ri, ok := w.coll.(docstore.RawInserter); ok && w.rawDocs == len(w.batch) {
		docs := make([]docstore.RawDoc, len(todo))
		for i, p := range todo {
			docs[i] = docstore.RawDoc{ID: p.id, JSON: w.raw[p.start:p.end]}
		}
		err = ri.InsertRaw(ctx, docs)
	} else {
		docs := make([]docstore.Doc, len(todo))
		for i, p := range todo {
			if docs[i], err = w.decoded(p); err != nil {
				return w.writeErr(err)
			}
		}
		err = w.coll.Insert(ctx, docs)
	}
	if err != nil {
		var dup *docstore.DuplicateError
		if errors.As(err, &dup) {
			for _, p := range todo {
				if p.id == dup.ID {
					return &DuplicateIDError{ID: p.id, Doc: p.num}
				}
			}
		}
		return w.writeErr(err)
	}
	w.stats.Stored += int64(len(todo))
	return nil
}

// decoded returns a pending document decoded.
func (w *Writer) decoded(p pending) (docstore.Doc, error) {
	if p.doc != nil {
		return p.doc, nil
	}
	doc, err := decodeRaw(w.raw[p.start:p.end])
	if err != nil {
		return nil, fmt.Errorf("document %d (_id %q): %w", p.num, p.id, err)
	}
	return doc, nil
}

// dropWritten removes from a batch the lag-window documents the interrupted
// run already stored; a different stored document is a real duplicate.
func (w *Writer) dropWritten(ctx context.Context, batch []pending) ([]pending, error) {
	var ids []string
	for _, p := range batch {
		if p.window {
			ids = append(ids, p.id)
		}
	}
	found, err := w.coll.GetMany(ctx, ids)
	if err != nil {
		return nil, w.writeErr(err)
	}
	stored := make(map[string]docstore.Doc, len(found))
	for _, d := range found {
		id, _ := docstore.ID(d)
		stored[id] = d
	}
	rest := make([]pending, 0, len(batch))
	for _, p := range batch {
		s, ok := stored[p.id]
		if !p.window || !ok {
			rest = append(rest, p)
			continue
		}
		doc, err := w.decoded(p)
		if err != nil {
			return nil, w.writeErr(err)
		}
		switch {
		case same(s, doc):
			w.stats.Stored++
		default:
			return nil, &DuplicateIDError{ID: p.id, Doc: p.num}
		}
	}
	return rest, nil
}

// upsert writes a batch under "ignore" or "merge". The first document of
// each _id in the batch is inserted where the _id is new, in one write and
// without a lookup first (docstore's InsertNew), so a batch of new _ids,
// the common case, costs what an insert costs. Under "merge" only the _ids
// the store already held, and those repeated within the batch, are read
// back and merged, in the order the parser gave them.
func (w *Writer) upsert(ctx context.Context) error {
	if ri, ok := w.coll.(docstore.RawInserter); ok && w.opts.OnDuplicates == OnDuplicatesIgnore && w.rawDocs == len(w.batch) {
		return w.ignoreText(ctx, ri)
	}
	ids := make([]string, 0, len(w.batch))
	first := make(map[string]docstore.Doc, len(w.batch))
	var repeated []string
	for _, p := range w.batch {
		if _, ok := first[p.id]; ok {
			repeated = append(repeated, p.id)
			continue
		}
		first[p.id] = p.doc
		ids = append(ids, p.id)
	}
	docs := make([]docstore.Doc, len(ids))
	for i, id := range ids {
		docs[i] = first[id]
	}
	left, err := w.coll.InsertNew(ctx, docs)
	if err != nil {
		return w.writeErr(err)
	}
	w.stats.Stored += int64(len(ids) - len(left))
	if w.opts.OnDuplicates != OnDuplicatesMerge {
		w.stats.Duplicates += int64(len(left) + len(repeated))
		return nil
	}
	// cur holds the document stored for each _id to merge into: the one
	// found in the store for an _id it held, the one just inserted for an
	// _id repeated in the batch.
	cur := make(map[string]docstore.Doc, len(left)+len(repeated))
	var found []docstore.Doc
	if len(left) > 0 {
		if found, err = w.coll.GetMany(ctx, left); err != nil {
			return w.writeErr(err)
		}
	}
	for _, d := range found {
		id, _ := docstore.ID(d)
		cur[id] = d
	}
	held := make(map[string]bool, len(left))
	for _, id := range left {
		held[id] = true
	}
	for _, id := range repeated {
		if _, ok := cur[id]; !ok && !held[id] {
			cur[id] = first[id]
		}
	}
	changed := make(map[string]bool, len(cur))
	seen := make(map[string]bool, len(cur))
	for _, p := range w.batch {
		c, ok := cur[p.id]
		if !ok {
			continue
		}
		if !held[p.id] && !seen[p.id] {
			seen[p.id] = true // the first of a new _id: it is c itself
			continue
		}
		if m := Merge(c, p.doc); !same(m, c) {
			cur[p.id], changed[p.id] = m, true
		}
		w.stats.Duplicates++
	}
	out := make([]docstore.Doc, 0, len(changed))
	for _, id := range ids {
		if changed[id] {
			out = append(out, cur[id])
		}
	}
	if err := w.coll.Upsert(ctx, out); err != nil {
		return w.writeErr(err)
	}
	return nil
}

// ignoreText writes a batch of JSON text under "ignore", as upsert does:
// the first of each _id not stored yet is inserted, the others are
// duplicates.
func (w *Writer) ignoreText(ctx context.Context, ri docstore.RawInserter) error {
	docs := make([]docstore.RawDoc, 0, len(w.batch))
	seen := make(map[string]bool, len(w.batch))
	var repeated int64
	for _, p := range w.batch {
		if seen[p.id] {
			repeated++
			continue
		}
		seen[p.id] = true
		docs = append(docs, docstore.RawDoc{ID: p.id, JSON: w.raw[p.start:p.end]})
	}
	left, err := ri.InsertNewRaw(ctx, docs)
	if err != nil {
		return w.writeErr(err)
	}
	w.stats.Stored += int64(len(docs) - len(left))
	w.stats.Duplicates += int64(len(left)) + repeated
	return nil
}

func (w *Writer) writeErr(err error) error {
	return fmt.Errorf("store: write documents %d to %d into %q: %w", w.batch[0].num, w.batch[len(w.batch)-1].num, w.temp, err)
}

// Position returns the temp collection and the number of documents settled
// by the last successful write: the ResumeAfter of a retry.
func (w *Writer) Position() (temp string, docsSeen int64) {
	return w.temp, w.done
}

// Stats returns the counts so far. After a resume, Stored and Duplicates
// are exact only once Switch has counted the temp collection.
func (w *Writer) Stats() Stats {
	s := w.stats
	s.RejectSamples = slices.Clone(s.RejectSamples)
	return s
}

// accept checks a parser's document for storing: its _id, then its values.
// reason says why it is rejected ("" when it is not); norm is the document
// as the store keeps it.
func accept(doc map[string]any) (id string, norm docstore.Doc, reason string) {
	id, reason = checkID(doc)
	if reason != "" {
		return id, nil, reason
	}
	norm, err := docstore.NormalizeDoc(doc)
	if err != nil {
		return id, nil, "cannot be stored: " + err.Error()
	}
	return id, norm, ""
}
