package bleve

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"studio/internal/engine/search"
)

// bulkChunk is the most operations sent to Bleve in one batch.
const bulkChunk = 1000

var _ search.RawBulker = (*Engine)(nil)

// bulkItem is one operation of Bulk or BulkRaw.
type bulkItem struct {
	kind search.BulkKind
	id   string
	doc  map[string]any // Bulk: the decoded document
	src  []byte         // BulkRaw: the document's JSON
	raw  bool
}

// Bulk indexes and deletes documents. Each document is stored whole (as
// the JSON of _source) beside its fields, with its _version (1 when new,
// one more on each re-index), the values of copy_to fields copied to
// their targets, and the paths it has values for (for exists queries).
func (e *Engine) Bulk(ctx context.Context, name string, ops []search.BulkOp) (search.BulkResult, error) {
	items := make([]bulkItem, len(ops))
	for i, op := range ops {
		items[i] = bulkItem{kind: op.Kind, id: op.ID, doc: op.Doc}
	}
	return e.bulk(ctx, name, items)
}

// BulkRaw indexes documents given as JSON, as Bulk indexes decoded ones:
// the source is stored as it is, and decoded once for its fields. A
// source that is not a JSON object is a failed item.
func (e *Engine) BulkRaw(ctx context.Context, name string, docs []search.RawDoc) (search.BulkResult, error) {
	items := make([]bulkItem, len(docs))
	for i, d := range docs {
		items[i] = bulkItem{kind: search.BulkIndex, id: d.ID, src: d.Source, raw: true}
	}
	return e.bulk(ctx, name, items)
}

// maxInFlight is the most batches of one Bulk call Bleve indexes at
// once: each builds its segment on a core of its own.
const maxInFlight = 2

// bulk applies the items in batches of bulkChunk. The Bleve documents of
// a batch are built on every core; while Bleve indexes a batch, the
// documents of the next are built, and up to maxInFlight batches whose
// _ids differ are indexed at once (the order of two batches matters only
// for an _id they share). Versions assigned by this call are kept in
// known, so that a batch not yet indexed is never read for them.
func (e *Engine) bulk(ctx context.Context, name string, items []bulkItem) (search.BulkResult, error) {
	var res search.BulkResult
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return res, err
	}
	defer release()
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	known := map[string]int64{}
	var flight inFlight
	defer func() { _ = flight.waitAll() }()
	for start := 0; start < len(items); start += bulkChunk {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		end := min(start+bulkChunk, len(items))
		chunk := items[start:end]
		batch, err := ix.prepare(chunk, known, &res)
		if err != nil {
			return res, fmt.Errorf("bleve: bulk into index %q: %w", ix.name, err)
		}
		if err := flight.start(ix.bi, batch, chunk); err != nil {
			return res, fmt.Errorf("bleve: bulk into index %q: %w", ix.name, err)
		}
	}
	if err := flight.waitAll(); err != nil {
		return res, fmt.Errorf("bleve: bulk into index %q: %w", ix.name, err)
	}
	return res, nil
}

// inFlight are the batches of a Bulk call Bleve is indexing, oldest
// first.
type inFlight []flying

type flying struct {
	done chan error
	ids  map[string]bool
}

// start indexes batch (of chunk) beside the batches in flight, after
// waiting for the oldest when maxInFlight are, or for all when one of
// them shares an _id with chunk.
func (f *inFlight) start(bi blevesearch.Index, batch *blevesearch.Batch, chunk []bulkItem) error {
	ids := make(map[string]bool, len(chunk))
	shared := false
	for _, it := range chunk {
		ids[it.id] = true
		for _, fl := range *f {
			shared = shared || fl.ids[it.id]
		}
	}
	if shared {
		if err := f.waitAll(); err != nil {
			return err
		}
	}
	for len(*f) >= maxInFlight {
		if err := f.waitOldest(); err != nil {
			return err
		}
	}
	done := make(chan error, 1)
	go func() { done <- bi.Batch(batch) }()
	*f = append(*f, flying{done: done, ids: ids})
	return nil
}

func (f *inFlight) waitOldest() error {
	err := <-(*f)[0].done
	*f = (*f)[1:]
	if err != nil {
		_ = f.waitAll()
	}
	return err
}

// waitAll waits for every batch in flight and returns the first error.
func (f *inFlight) waitAll() error {
	var first error
	for len(*f) > 0 {
		if err := f.waitOldest(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// prepare builds the Bleve batch of a chunk of items, counting what it
// does in res, in the order of the items. known holds the versions this
// Bulk call assigned so far and gets those of the chunk.
func (ix *index) prepare(items []bulkItem, known map[string]int64, res *search.BulkResult) (*blevesearch.Batch, error) {
	versions, err := ix.versions(items, known)
	if err != nil {
		return nil, err
	}
	// An _id met twice in the chunk is built in order below: its version
	// depends on what came before it. The others are built in parallel.
	seen := make(map[string]int, len(items))
	for _, it := range items {
		seen[it.id]++
	}
	docs := make([]*document.Document, len(items))
	errs := make([]error, len(items))
	parallelFor(len(items), func(i int) {
		it := &items[i]
		if it.kind == search.BulkIndex && it.id != "" && seen[it.id] == 1 {
			docs[i], errs[i] = ix.buildDoc(it, versions[it.id]+1)
		}
	})
	batch := ix.bi.NewBatch()
	for i := range items {
		it := &items[i]
		if it.id == "" {
			res.Failed = append(res.Failed, search.ItemError{Reason: "the document has no _id"})
			continue
		}
		switch it.kind {
		case search.BulkDelete:
			if versions[it.id] == 0 {
				res.NotFound++
				continue
			}
			batch.Delete(it.id)
			versions[it.id] = 0
			res.Deleted++
		case search.BulkIndex:
			doc, err := docs[i], errs[i]
			if seen[it.id] > 1 {
				doc, err = ix.buildDoc(it, versions[it.id]+1)
			}
			if err == nil {
				err = batch.IndexAdvanced(doc)
			}
			if err != nil {
				res.Failed = append(res.Failed, search.ItemError{ID: it.id, Reason: err.Error()})
				continue
			}
			versions[it.id]++
			res.Indexed++
		default:
			res.Failed = append(res.Failed, search.ItemError{ID: it.id, Reason: fmt.Sprintf("unknown bulk operation %d", it.kind)})
		}
	}
	for id, v := range versions {
		known[id] = v
	}
	return batch, nil
}

// versions returns the current _version of the documents of items (0 for
// those that do not exist): from known when this Bulk call set it, else
// read from the index.
func (ix *index) versions(items []bulkItem, known map[string]int64) (map[string]int64, error) {
	out := make(map[string]int64, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		if _, ok := out[it.id]; ok || it.id == "" {
			continue
		}
		v, ok := known[it.id]
		out[it.id] = v
		if !ok {
			ids = append(ids, it.id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	if n, err := ix.bi.DocCount(); err != nil || n == 0 {
		return out, err
	}
	// Which exist, from one pass over each segment's _ids (most of a
	// release's are new), then the versions of those only.
	ids, err := ix.existing(ids)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	hits, err := ix.rawDocs(context.Background(), ids)
	if err != nil {
		return nil, err
	}
	for _, h := range hits {
		if h.Found {
			out[h.ID] = h.Version
		}
	}
	return out, nil
}

// existing returns the ids of documents the index holds.
func (ix *index) existing(ids []string) ([]string, error) {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	dr, err := r.DocIDReaderOnly(ids)
	if err != nil {
		return nil, err
	}
	defer dr.Close()
	var out []string
	for {
		internal, err := dr.Next()
		if err != nil {
			return nil, err
		}
		if internal == nil {
			return out, nil
		}
		id, err := r.ExternalID(internal)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
}

// buildDoc builds the Bleve document of an index operation. A panic
// while mapping the document fails the item, not the process.
func (ix *index) buildDoc(it *bulkItem, version int64) (doc *document.Document, err error) {
	defer func() {
		if v := recover(); v != nil {
			doc, err = nil, fmt.Errorf("map the document: %v", v)
		}
	}()
	var data []byte
	var src map[string]any
	if it.raw {
		data = it.src
		if src, err = search.DecodeDoc(data); err != nil {
			return nil, fmt.Errorf("decode the document: %w", err)
		}
	} else {
		var sawNumber bool
		if data, sawNumber, err = search.MarshalDoc(it.doc); err != nil {
			return nil, fmt.Errorf("encode the document: %w", err)
		}
		src = it.doc
		if sawNumber {
			if src, err = search.DecodeDoc(data); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := src["_id"]; ok {
		return nil, fmt.Errorf("field [_id] is a metadata field and cannot be added inside a document")
	}
	return ix.schema.document(it.id, src, data, version)
}

// document is the Bleve document of src, whose JSON is data: its fields
// (copy_to values added), the source and version stored, the paths it has
// values at (for exists queries).
func (s *schema) document(id string, src map[string]any, data []byte, version int64) (*document.Document, error) {
	doc := document.NewDocument(id)
	names, mapped := s.mapDoc(doc, src)
	if !mapped {
		doc = document.NewDocument(id)
		if err := s.im.MapDocument(doc, s.withCopies(src)); err != nil {
			return nil, err
		}
		if paths := s.fieldNames(src); len(paths) > 0 {
			names = &namesField{names: paths}
		}
	}
	addStored(doc, data, version)
	if names != nil {
		doc.AddField(names)
	}
	return doc, nil
}

// addStored adds the source and the version to doc.
func addStored(doc *document.Document, data []byte, version int64) {
	doc.AddField(document.NewTextFieldWithIndexingOptions(sourceField, nil, data, bleveindex.StoreField))
	if version != 1 {
		// A document without _version is at version 1: most never are
		// indexed again, and each stored field costs.
		doc.AddField(document.NewNumericFieldWithIndexingOptions(versionField, nil, float64(version), bleveindex.StoreField))
	}
}

// parallelFor calls f(0..n-1) on as many goroutines as there are cores,
// blocks of items at a time.
func parallelFor(n int, f func(i int)) {
	const block = 16
	workers := min(runtime.GOMAXPROCS(0), (n+block-1)/block)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(block)) - block
				if start >= n {
					return
				}
				for i := start; i < min(start+block, n); i++ {
					f(i)
				}
			}
		})
	}
	wg.Wait()
}
