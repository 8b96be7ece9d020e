package uploadstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"studio/internal/engine/docstore"
)

// Parallel uploads: the jobs of a manifest's parallelizer each run a parser
// at the same time, possibly on different workers, and write into one temp
// collection that FinishJobs makes live. See the package documentation.

// JobStats count what one job's writer did with its documents.
type JobStats struct {
	Seen       int64 `json:"seen"`       // documents the parser produced
	Valid      int64 `json:"valid"`      // documents with an acceptable _id
	Rejected   int64 `json:"rejected"`   // documents refused (bad _id, unstorable value)
	Stored     int64 `json:"stored"`     // documents this job stored (provisional after a resume)
	Duplicates int64 `json:"duplicates"` // repeated _ids met (provisional)
	// RejectSamples holds the first reasons, e.g. "job 2, document 12: _id missing".
	RejectSamples []string `json:"reject_samples,omitempty"`
}

// Add sums o into s, keeping the first reject samples.
func (s *JobStats) Add(o JobStats) {
	s.Seen += o.Seen
	s.Valid += o.Valid
	s.Rejected += o.Rejected
	s.Stored += o.Stored
	s.Duplicates += o.Duplicates
	for _, r := range o.RejectSamples {
		if len(s.RejectSamples) < maxRejectSamples {
			s.RejectSamples = append(s.RejectSamples, r)
		}
	}
}

// NewTemp repairs an interrupted switch of the uploader name and returns a
// fresh temp collection name for the jobs of a parallel upload. The
// collection itself is created by the first write (see stage).
func NewTemp(ctx context.Context, db docstore.Store, name string) (string, error) {
	if err := docstore.CheckName(name); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	w := &Writer{db: db, names: names(name)}
	cols, err := db.Collections(ctx)
	if err != nil {
		return "", fmt.Errorf("store: list collections: %w", err)
	}
	if err := w.start(ctx, cols); err != nil {
		return "", err
	}
	return w.temp, nil
}

// ErrCountMismatch is wrapped by FinishJobs when, under "error", the temp
// collection does not hold exactly the documents the jobs accepted.
var ErrCountMismatch = errors.New("count mismatch")

// ErrTempGone is wrapped by NewJobWriter when a retried job's temp
// collection no longer exists.
var ErrTempGone = errors.New("temp collection gone")

// DropTemp drops the temp collection of a failed parallel upload and its
// side collection, and puts the live collection back if a switch was
// interrupted between its renames.
func DropTemp(ctx context.Context, db docstore.Store, name, temp string) error {
	n := names(name)
	if !n.isTemp(temp) {
		return fmt.Errorf("store: %q is not a temp collection of %q", temp, name)
	}
	cols, err := db.Collections(ctx)
	if err != nil {
		return fmt.Errorf("store: list collections: %w", err)
	}
	if _, err := restoreLive(ctx, db, n, cols); err != nil {
		return err
	}
	for _, c := range []string{dupsName(temp), temp} {
		if err := db.Drop(ctx, c); err != nil {
			return fmt.Errorf("store: drop %q: %w", c, err)
		}
	}
	return nil
}

// dupsName is the side collection holding, under "merge", the documents
// of a parallel upload whose _id was already stored, until FinishJobs
// merges them in.
func dupsName(temp string) string { return temp + "_dups" }

// maxRaces bounds how often a batch is tried again when other jobs keep
// storing its _ids between the look-up and the insert.
const maxRaces = 20

// JobWriter receives the documents of one job of a parallel upload in
// order and writes them in batches into the upload's temp collection. It
// is not safe for concurrent use; the jobs each have their own.
type JobWriter struct {
	db    docstore.Store
	names names
	opts  Options
	temp  string
	job   int
	coll  docstore.Collection

	resumed bool  // a retry: documents after skip may already be stored by this job
	staged  bool  // the temp collection is created (stage)
	skip    int64 // documents not to write again
	done    int64 // documents settled by the last successful write
	batch   []pending

	stats JobStats
	err   error
}

// NewJobWriter prepares job (numbered from 1) of a parallel upload of the
// uploader name to write into temp (from NewTemp). A retry of the job sets
// opts.Resume to temp, and opts.ResumeAfter to the documents settled by
// the interrupted attempt (0 when it reported none): the parser is
// replayed from the start and the first ResumeAfter documents are skipped.
// A retry that finds temp gone fails wrapping ErrTempGone: the documents
// it would skip are lost, and only a new upload can bring them back.
func NewJobWriter(ctx context.Context, db docstore.Store, name, temp string, job int, opts Options) (*JobWriter, error) {
	if err := docstore.CheckName(name); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := opts.fill(); err != nil {
		return nil, err
	}
	n := names(name)
	if !n.isTemp(temp) {
		return nil, fmt.Errorf("store: %q is not a temp collection of %q (%s)", temp, name, n.temp("<8 hex>"))
	}
	if opts.Resume != "" && opts.Resume != temp {
		return nil, fmt.Errorf("store: job %d resumes into %q, but the upload writes into %q", job, opts.Resume, temp)
	}
	if opts.ResumeAfter > 0 {
		cols, err := db.Collections(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: list collections: %w", err)
		}
		if !slices.Contains(cols, temp) {
			return nil, fmt.Errorf("store: job %d cannot resume after document %d: %q is gone; upload again: %w", job, opts.ResumeAfter, temp, ErrTempGone)
		}
	}
	return &JobWriter{
		db: db, names: n, opts: opts, temp: temp, job: job, coll: db.C(temp),
		resumed: opts.Resume != "", skip: opts.ResumeAfter,
	}, nil
}

// Add takes the job's next document. As with Writer.Add, a document with
// an unacceptable _id is counted as rejected; an error means the job
// cannot go on (a repeated _id under "error", a failed write).
func (w *JobWriter) Add(ctx context.Context, doc map[string]any) error {
	if w.err != nil {
		return w.err
	}
	w.stats.Seen++
	num := w.stats.Seen
	id, norm, reason := accept(doc)
	if reason != "" {
		w.stats.Rejected++
		if len(w.stats.RejectSamples) < maxRejectSamples {
			w.stats.RejectSamples = append(w.stats.RejectSamples, fmt.Sprintf("job %d, document %d: %s", w.job, num, reason))
		}
		w.settle()
		return nil
	}
	w.stats.Valid++
	if num <= w.skip {
		w.stats.Stored++ // provisional: FinishJobs counts the collection
		w.settle()
		return nil
	}
	w.batch = append(w.batch, pending{num: num, id: id, doc: norm})
	if len(w.batch) >= w.opts.BatchSize {
		return w.Flush(ctx)
	}
	return nil
}

func (w *JobWriter) settle() {
	if len(w.batch) == 0 {
		w.done = w.stats.Seen
	}
}

// Flush writes the documents waiting in the current batch.
func (w *JobWriter) Flush(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if len(w.batch) > 0 {
		if !w.staged {
			if err := stage(ctx, w.db, w.temp); err != nil {
				w.err = err
				return err
			}
			w.staged = true
		}
		var err error
		if w.opts.OnDuplicates == OnDuplicatesError {
			err = w.insertStrict(ctx)
		} else {
			err = w.insertNew(ctx)
		}
		if err != nil {
			w.err = err
			return err
		}
		w.batch = w.batch[:0]
	}
	w.done = w.stats.Seen
	return nil
}

// insertStrict writes a batch under "error": the store refuses an _id that
// another job, or this one, stored before. A retried job first takes the
// identical documents it finds stored as written by its interrupted
// attempt (FinishJobs checks the total count).
func (w *JobWriter) insertStrict(ctx context.Context) error {
	seen := make(map[string]int64, len(w.batch))
	for _, p := range w.batch {
		if first, ok := seen[p.id]; ok {
			return &DuplicateIDError{ID: p.id, Doc: p.num, First: first, Job: w.job}
		}
		seen[p.id] = p.num
	}
	todo := w.batch
	if w.resumed {
		stored, err := w.lookup(ctx, todo)
		if err != nil {
			return err
		}
		rest := todo[:0:0]
		for _, p := range todo {
			s, ok := stored[p.id]
			switch {
			case !ok:
				rest = append(rest, p)
			case same(s, p.doc):
				w.stats.Stored++
			default:
				return &DuplicateIDError{ID: p.id, Doc: p.num, Job: w.job}
			}
		}
		todo = rest
	}
	if err := w.coll.Insert(ctx, docsOf(todo)); err != nil {
		var dup *docstore.DuplicateError
		if errors.As(err, &dup) {
			for _, p := range todo {
				if p.id == dup.ID {
					return &DuplicateIDError{ID: p.id, Doc: p.num, Job: w.job}
				}
			}
		}
		return w.writeErr(err)
	}
	w.stats.Stored += int64(len(todo))
	return nil
}

// insertNew writes a batch under "ignore" or "merge": documents whose _id
// is not stored yet are inserted; the others are duplicates, kept aside
// under "merge" for FinishJobs to merge in. An insert refused because
// another job stored one of the _ids meanwhile is tried again.
func (w *JobWriter) insertNew(ctx context.Context) error {
	for range maxRaces {
		stored, err := w.lookup(ctx, w.batch)
		if err != nil {
			return err
		}
		var fresh, dups []pending
		taken := make(map[string]bool, len(w.batch))
		for _, p := range w.batch {
			if _, ok := stored[p.id]; ok || taken[p.id] {
				dups = append(dups, p)
				continue
			}
			taken[p.id] = true
			fresh = append(fresh, p)
		}
		err = w.coll.Insert(ctx, docsOf(fresh))
		var dup *docstore.DuplicateError
		if errors.As(err, &dup) {
			continue // another job stored one of these _ids meanwhile
		}
		if err != nil {
			return w.writeErr(err)
		}
		if err := w.keepDups(ctx, dups); err != nil {
			return err
		}
		w.stats.Stored += int64(len(fresh))
		w.stats.Duplicates += int64(len(dups))
		return nil
	}
	return fmt.Errorf("store: job %d: documents %d to %d: other jobs kept storing the same _ids during %d tries; upload again",
		w.job, w.batch[0].num, w.batch[len(w.batch)-1].num, maxRaces)
}

// keepDups stores the duplicates of a batch in the side collection under
// "merge", keyed by _id, job and document number, so that a retry writes
// the same entries again rather than new ones.
func (w *JobWriter) keepDups(ctx context.Context, dups []pending) error {
	if w.opts.OnDuplicates != OnDuplicatesMerge || len(dups) == 0 {
		return nil
	}
	side := make([]docstore.Doc, len(dups))
	for i, p := range dups {
		side[i] = docstore.Doc{
			"_id": fmt.Sprintf("%s\x1f%09d\x1f%012d", p.id, w.job, p.num),
			"id":  p.id, "doc": p.doc,
		}
	}
	if err := w.db.C(dupsName(w.temp)).Upsert(ctx, side); err != nil {
		return w.writeErr(err)
	}
	return nil
}

// lookup returns the stored documents of the batch's _ids.
func (w *JobWriter) lookup(ctx context.Context, batch []pending) (map[string]docstore.Doc, error) {
	ids := make([]string, 0, len(batch))
	for _, p := range batch {
		ids = append(ids, p.id)
	}
	slices.Sort(ids)
	found, err := w.coll.GetMany(ctx, slices.Compact(ids))
	if err != nil {
		return nil, w.writeErr(err)
	}
	out := make(map[string]docstore.Doc, len(found))
	for _, d := range found {
		id, _ := docstore.ID(d)
		out[id] = d
	}
	return out, nil
}

func (w *JobWriter) writeErr(err error) error {
	return fmt.Errorf("store: job %d: write documents %d to %d into %q: %w", w.job, w.batch[0].num, w.batch[len(w.batch)-1].num, w.temp, err)
}

// Position returns the temp collection and the number of documents
// settled by the last successful write: the ResumeAfter of a retry.
func (w *JobWriter) Position() (temp string, docsSeen int64) { return w.temp, w.done }

// Stats returns the job's counts so far.
func (w *JobWriter) Stats() JobStats {
	s := w.stats
	s.RejectSamples = slices.Clone(s.RejectSamples)
	return s
}

func docsOf(ps []pending) []docstore.Doc {
	docs := make([]docstore.Doc, len(ps))
	for i, p := range ps {
		docs[i] = p.doc
	}
	return docs
}

// FinishJobs ends a parallel upload whose jobs all wrote into temp, with
// totals the sum of their JobStats: under "merge" it merges the kept
// duplicates into the stored documents, then makes temp live as Switch
// does. Stored is the temp collection's count and Duplicates the valid
// documents beyond it, so the counts equal those of one parser call
// producing every job's documents. Called again after a failure, it
// retries; after a success (temp gone, the jobs having stored documents)
// it returns the live collection's count.
func FinishJobs(ctx context.Context, db docstore.Store, name, temp string, opts Options, totals JobStats) (Stats, error) {
	if err := opts.fill(); err != nil {
		return Stats{}, err
	}
	st := Stats{Rejected: totals.Rejected, RejectSamples: totals.RejectSamples, Temp: temp}
	cols, err := db.Collections(ctx)
	if err != nil {
		return st, fmt.Errorf("store: list collections: %w", err)
	}
	if !slices.Contains(cols, temp) && totals.Valid > 0 && slices.Contains(cols, name) && !slices.Contains(cols, dupsName(temp)) {
		return finished(ctx, db, name, st, totals)
	}
	if opts.OnDuplicates == OnDuplicatesMerge && slices.Contains(cols, dupsName(temp)) {
		if err := mergeDups(ctx, db, temp, opts.BatchSize); err != nil {
			return st, err
		}
	}
	w := &Writer{db: db, names: names(name), opts: opts, temp: temp, coll: db.C(temp)}
	w.stats = st
	n, err := w.coll.Count(ctx)
	if err != nil {
		return st, fmt.Errorf("store: count %q: %w", temp, err)
	}
	if n == 0 {
		return w.Stats(), w.noDocuments(ctx)
	}
	if opts.OnDuplicates == OnDuplicatesError && n != totals.Valid {
		return st, fmt.Errorf("store: %q holds %d documents but the jobs accepted %d: an _id repeated identically in a job that resumed after a crash, or a resume point was wrong; upload again: %w", temp, n, totals.Valid, ErrCountMismatch)
	}
	w.stats.Stored, w.stats.Duplicates = n, max(totals.Valid-n, 0)
	if err := w.rename(ctx); err != nil {
		return w.Stats(), err
	}
	w.state = switched
	return w.Stats(), w.prune(ctx)
}

// finished is FinishJobs after a switch that already happened.
func finished(ctx context.Context, db docstore.Store, name string, st Stats, totals JobStats) (Stats, error) {
	n, err := db.C(name).Count(ctx)
	if err != nil {
		return st, fmt.Errorf("store: count %q: %w", name, err)
	}
	st.Stored, st.Duplicates = n, max(totals.Valid-n, 0)
	return st, nil
}

// mergeDups merges the duplicates kept aside into the stored documents, in
// the order of _id, job and document number, then drops the side
// collection. Run again after a crash, it merges them again, which changes
// nothing (see Merge), with the exception the package documentation names.
func mergeDups(ctx context.Context, db docstore.Store, temp string, batch int) error {
	side := db.C(dupsName(temp))
	var chunk []docstore.Doc
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		err := mergeChunk(ctx, db.C(temp), chunk)
		chunk = chunk[:0]
		return err
	}
	for d, err := range side.Scan(ctx, docstore.ScanOptions{Batch: batch}) {
		if err != nil {
			return fmt.Errorf("store: read the duplicates kept in %q: %w", side.Name(), err)
		}
		if chunk = append(chunk, d); len(chunk) >= batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := db.Drop(ctx, side.Name()); err != nil {
		return fmt.Errorf("store: drop %q: %w", side.Name(), err)
	}
	return nil
}

// mergeChunk merges kept duplicates into their stored documents.
func mergeChunk(ctx context.Context, coll docstore.Collection, chunk []docstore.Doc) error {
	var ids []string
	for _, d := range chunk {
		if id, _ := d["id"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	found, err := coll.GetMany(ctx, ids)
	if err != nil {
		return fmt.Errorf("store: merge duplicates into %q: %w", coll.Name(), err)
	}
	acc := make(map[string]docstore.Doc, len(found))
	for _, d := range found {
		id, _ := docstore.ID(d)
		acc[id] = d
	}
	changed := map[string]bool{}
	for _, d := range chunk {
		id, _ := d["id"].(string)
		doc, _ := d["doc"].(map[string]any)
		cur, ok := acc[id]
		if !ok || doc == nil {
			return fmt.Errorf("store: merge duplicates into %q: the kept duplicate %q has no stored document to merge into; upload again", coll.Name(), id)
		}
		if m := Merge(cur, doc); !same(m, cur) {
			acc[id], changed[id] = m, true
		}
	}
	var docs []docstore.Doc
	for _, id := range ids {
		if changed[id] {
			docs = append(docs, acc[id])
		}
	}
	if err := coll.Upsert(ctx, docs); err != nil {
		return fmt.Errorf("store: merge duplicates into %q: %w", coll.Name(), err)
	}
	return nil
}
