package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/buildconf"
	"studio/internal/domain/hub"
	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
	"studio/internal/temporal/progress"
)

// IndexPlan is what a full release indexes.
type IndexPlan struct {
	Build     string `json:"build"`
	Index     string `json:"index"`
	Total     int64  `json:"total"`
	StartedAt string `json:"started_at"`
}

// IndexPrepare creates the release's index from the build's mapping and
// _meta, with the release settings; an existing index is refused unless
// purge is asked, except the one this same workflow run created (a retry).
func (a *Activities) IndexPrepare(ctx context.Context, in IndexInput) (IndexPlan, error) {
	b, err := a.records().Build(ctx, in.Build)
	if errors.Is(err, docstore.ErrNotFound) {
		return IndexPlan{}, nonRetryable("NoBuild", fmt.Errorf("no build %q", in.Build))
	}
	if err != nil {
		return IndexPlan{}, err
	}
	if b.Status != hub.Success {
		return IndexPlan{}, nonRetryable("BuildNotDone", fmt.Errorf("build %s is %q: only a successful build can be released", in.Build, b.Status))
	}
	plan := IndexPlan{Build: in.Build, Index: in.Index, StartedAt: hub.Now()}
	if plan.Index == "" {
		plan.Index = in.Build
	}
	run := activity.GetInfo(ctx).WorkflowExecution.RunID
	if b.Index[plan.Index].RunID == run {
		// A retry of this run: the index is ours, carry on.
		plan.Total, err = a.Target.C(in.Build).Count(ctx)
		return plan, err
	}
	conf, err := buildconf.FromRecord(b.BuildConfig)
	if err != nil {
		return plan, nonRetryable("BadBuildConfig", fmt.Errorf("build %s: %w", in.Build, err))
	}
	if err := conf.CheckIndexSettings(a.Search); err != nil {
		return plan, nonRetryable("BadIndexSettings", fmt.Errorf("index %s: extra_index_settings of build configuration %s: %w", plan.Index, conf.Name, err))
	}
	spec := conf.ReleaseSpec(b.Mapping, b.Meta)
	err = a.Search.CreateIndex(ctx, plan.Index, spec)
	if errors.Is(err, search.ErrIndexExists) {
		if !in.Purge {
			return plan, nonRetryable("IndexExists", fmt.Errorf("index %s exists: release with purge to replace it", plan.Index))
		}
		if err := a.Search.DeleteIndex(ctx, plan.Index); err != nil {
			return plan, fmt.Errorf("purge index %s: %w", plan.Index, err)
		}
		err = a.Search.CreateIndex(ctx, plan.Index, spec)
	}
	if errors.Is(err, search.ErrInvalidSpec) {
		return plan, nonRetryable("BadMapping", fmt.Errorf("index %s: %w", plan.Index, err))
	}
	if err != nil {
		return plan, fmt.Errorf("create index %s: %w", plan.Index, err)
	}
	if plan.Total, err = a.Target.C(in.Build).Count(ctx); err != nil {
		return plan, err
	}
	err = a.records().ReleaseStarted(ctx, in.Build, plan.Index, run, plan.StartedAt)
	return plan, err
}

// indexBatch is the number of documents IndexDocs sends to the engine
// at a time: several of the engines' bulk requests (1,000 documents), so
// that Bleve indexes them side by side; the store is read in pages of
// scanPage.
const (
	indexBatch = 4000
	scanPage   = 1000
)

// IndexDocs indexes the build's documents in _id order, in bulk batches,
// heartbeating the count and the last _id; a retry resumes after it
// (re-indexing a document is idempotent, so a lagging heartbeat duplicates
// nothing). When the store hands out its stored JSON and the engine takes
// JSON, the documents go through undecoded (indexRaw). The next batch is
// read from the store while the engine indexes one (readAhead).
func (a *Activities) IndexDocs(ctx context.Context, plan IndexPlan) (IndexStats, error) {
	var st IndexStats
	var last progress.Progress
	if activity.HasHeartbeatDetails(ctx) {
		if activity.GetHeartbeatDetails(ctx, &last) == nil {
			st.LastID, st.Indexed = last.Resume, last.Done
		}
	}
	// A bulk can take longer than the heartbeat timeout on a loaded
	// machine (Bleve merging segments, a busy cluster): the beater repeats
	// the last progress while one is in flight.
	beat := keepBeating(ctx, last)
	defer beat.close()
	meter := progress.NewMeter("index", "docs", plan.Total)
	opts := docstore.ScanOptions{After: st.LastID, Batch: scanPage}
	coll := a.Target.C(plan.Build)
	if rs, ok := coll.(docstore.RawScanner); ok {
		if rb, ok := a.Search.(search.RawBulker); ok {
			return indexRaw(ctx, plan, rs.ScanRaw(ctx, opts), rb, st, meter, beat)
		}
	}
	err := readAhead(ctx, func(emit func(readBatch[search.BulkOp]) bool) error {
		b := readBatch[search.BulkOp]{items: make([]search.BulkOp, 0, indexBatch)}
		for d, err := range coll.Scan(ctx, opts) {
			if err != nil {
				return fmt.Errorf("read build %s: %w", plan.Build, err)
			}
			id, doc, ok := indexable(&b.rejects, d)
			if !ok {
				continue
			}
			if !b.push(search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: doc}, emit) {
				return nil
			}
		}
		emit(b)
		return nil
	}, sendBatches(ctx, plan.Index, &st, beat, meter, func(op search.BulkOp) string { return op.ID }, a.Search.Bulk))
	return st, err
}

// readBatch is a batch of documents read for the engine, with the
// documents rejected while reading it, counted when it is sent so that
// the counts and samples come in the order of the documents.
type readBatch[T any] struct {
	items   []T
	rejects rejects
}

// push appends item to the batch; a full batch goes to emit and a new one
// starts. It reports false when the reader should stop.
func (b *readBatch[T]) push(item T, emit func(readBatch[T]) bool) bool {
	b.items = append(b.items, item)
	if len(b.items) < indexBatch {
		return true
	}
	full := *b
	*b = readBatch[T]{items: make([]T, 0, indexBatch)}
	return emit(full)
}

// sendBatches is the sending half of a release: it counts each batch's
// rejects, sends its documents with bulk, counts what the engine took and
// heartbeats the progress.
func sendBatches[T any](ctx context.Context, index string, st *IndexStats, beat *beater, meter *progress.Meter,
	idOf func(T) string, bulk func(context.Context, string, []T) (search.BulkResult, error)) func(readBatch[T]) error {
	return func(b readBatch[T]) error {
		b.rejects.addTo(st)
		if len(b.items) == 0 {
			return nil
		}
		res, err := bulk(ctx, index, b.items)
		if err != nil {
			return fmt.Errorf("index %s: bulk: %w", index, err)
		}
		countSent(st, res, idOf(b.items[len(b.items)-1]))
		beat.set(meter.At(st.Indexed, st.LastID))
		return nil
	}
}

// rejects are documents a release cannot index, in order.
type rejects []string

func (r *rejects) add(reason string) { *r = append(*r, reason) }

func (r rejects) addTo(st *IndexStats) {
	for _, reason := range r {
		countReject(st, reason)
	}
}

// readAhead runs read on a goroutine of its own, which hands batches over
// one ahead: while send works on one batch, the next is read. Batches are
// sent in the order they are read. emit reports false when the reader
// should stop (send failed or ctx ended); a read error is returned after
// the batches read before it are sent.
func readAhead[T any](ctx context.Context, read func(emit func(T) bool) error, send func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan T, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- read(func(b T) bool {
			select {
			case batches <- b:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	defer func() {
		cancel()
		for range batches { // let the reader end before returning
		}
	}()
	for b := range batches {
		if err := send(b); err != nil {
			return err
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	return ctx.Err()
}

// indexRaw is IndexDocs sending the stored JSON of the documents through
// without decoding it: jsonenc.AppendCanonical cuts the top-level "_id"
// out and writes the rest as search.MarshalDoc writes the decoded
// document, so the engine gets the very bytes of the decoded path. A
// document it cannot vouch for that way (see AppendCanonical), or whose
// "_id" member is not its stored _id or too long, is decoded and goes the
// decoded path's way; both paths index, reject and report alike.
func indexRaw(ctx context.Context, plan IndexPlan, docs iter.Seq2[docstore.RawDoc, error], rb search.RawBulker, st IndexStats, meter *progress.Meter, beat *beater) (IndexStats, error) {
	err := readAhead(ctx, func(emit func(readBatch[search.RawDoc]) bool) error {
		b := readBatch[search.RawDoc]{items: make([]search.RawDoc, 0, indexBatch)}
		var arena, quoted []byte // arena holds the sources, several to a buffer
		for r, err := range docs {
			if err != nil {
				return fmt.Errorf("read build %s: %w", plan.Build, err)
			}
			if cap(arena)-len(arena) < len(r.JSON)+64 {
				arena = make([]byte, 0, max(256<<10, 2*len(r.JSON)))
			}
			start := len(arena)
			out, idJSON, err := jsonenc.AppendCanonical(arena, r.JSON, "_id")
			quoted = jsonenc.AppendString(quoted[:0], r.ID)
			id, src := r.ID, []byte(nil)
			if err == nil && bytes.Equal(idJSON, quoted) && id != "" && len(id) <= maxIDBytes {
				arena = out
				src = out[start:len(out):len(out)]
			} else {
				v, err := docstore.DecodeJSON(r.JSON)
				if err != nil {
					return fmt.Errorf("read build %s: _id %q: %w", plan.Build, r.ID, err)
				}
				d, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("read build %s: _id %q: stored document is a %T, not an object", plan.Build, r.ID, v)
				}
				if id, src, ok = decodedSource(&b.rejects, d); !ok {
					continue
				}
			}
			if !b.push(search.RawDoc{ID: id, Source: src}, emit) {
				return nil
			}
		}
		emit(b)
		return nil
	}, sendBatches(ctx, plan.Index, &st, beat, meter, func(d search.RawDoc) string { return d.ID }, rb.BulkRaw))
	return st, err
}

// maxIDBytes is the longest _id a release indexes (Elasticsearch's limit).
const maxIDBytes = 512

// indexable returns the _id of a stored document and the document to
// index (without "_id"), or records why it cannot be indexed.
func indexable(rj *rejects, d docstore.Doc) (string, map[string]any, bool) {
	id, ok := d["_id"].(string)
	if !ok || id == "" || len(id) > maxIDBytes {
		rj.add(fmt.Sprintf("_id %v: want a non-empty string of at most %d bytes", d["_id"], maxIDBytes))
		return "", nil, false
	}
	doc := make(map[string]any, len(d))
	for k, v := range d {
		if k != "_id" {
			doc[k] = v
		}
	}
	return id, doc, true
}

// decodedSource is the _id and the source the decoded path sends for a
// decoded stored document, or false when it rejects it.
func decodedSource(rj *rejects, d docstore.Doc) (string, []byte, bool) {
	id, doc, ok := indexable(rj, d)
	if !ok {
		return "", nil, false
	}
	src, _, err := search.MarshalDoc(doc)
	if err != nil { // as Engine.Bulk reports it
		rj.add(id + ": encode the document: " + err.Error())
		return "", nil, false
	}
	return id, src, true
}

// countSent counts a bulk request's answer; lastID is its last document's.
func countSent(st *IndexStats, res search.BulkResult, lastID string) {
	st.Indexed += int64(res.Indexed)
	for _, f := range res.Failed {
		countReject(st, f.ID+": "+f.Reason)
	}
	st.LastID = lastID
}

func countReject(st *IndexStats, reason string) {
	st.Rejected++
	if len(st.Samples) < 10 {
		st.Samples = append(st.Samples, reason)
	}
}

// IndexFinishInput closes a full release.
type IndexFinishInput struct {
	Plan  IndexPlan  `json:"plan"`
	Stats IndexStats `json:"stats"`
}

// IndexFinish refreshes the index and records it under
// src_build.index.<name>.
func (a *Activities) IndexFinish(ctx context.Context, in IndexFinishInput) (IndexResult, error) {
	if err := a.Search.Refresh(ctx, in.Plan.Index); err != nil {
		return IndexResult{}, fmt.Errorf("refresh index %s: %w", in.Plan.Index, err)
	}
	n, err := a.Search.Count(ctx, in.Plan.Index, search.MatchAll{})
	if err != nil {
		return IndexResult{}, fmt.Errorf("count index %s: %w", in.Plan.Index, err)
	}
	info, _ := a.Search.Info(ctx)
	started, _ := time.Parse(time.RFC3339, in.Plan.StartedAt)
	err = a.records().ReleaseDone(ctx, in.Plan.Build, in.Plan.Index, hub.Release{
		Count: n, Environment: info.Backend, CreatedAt: hub.Now(),
		Rejected: in.Stats.Rejected, RejectSamples: in.Stats.Samples,
		Time: time.Since(started).Round(time.Millisecond).Seconds(),
	})
	return IndexResult{Index: in.Plan.Index, Count: n, Stats: in.Stats}, err
}

// IndexFailed records a failed release.
func (a *Activities) IndexFailed(ctx context.Context, build, index, reason string) error {
	if index == "" {
		index = build
	}
	return a.records().ReleaseFailed(ctx, build, index, reason)
}
