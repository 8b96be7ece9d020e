package bleve

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"studio/internal/engine/search"
)

// defaultSize is the page size when a request gives none.
const defaultSize = 10

// maxFacetTerms bounds the distinct values a terms aggregation reads;
// the top buckets and "other" are computed from them.
const maxFacetTerms = 1 << 20

// Count counts the documents matching q.
func (e *Engine) Count(ctx context.Context, name string, q search.Query) (int64, error) {
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return 0, err
	}
	defer release()
	bq, err := ix.schema.translate(q)
	if err != nil {
		return 0, err
	}
	req := blevesearch.NewSearchRequestOptions(bq, 0, 0, false)
	req.Score = "none"
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("bleve: count in index %q: %w", ix.name, err)
	}
	return int64(res.Total), nil
}

// Search runs a search; see search.Engine.
func (e *Engine) Search(ctx context.Context, name string, req search.SearchRequest) (search.SearchResult, error) {
	start := time.Now()
	var out search.SearchResult
	err := e.search(ctx, name, req, func(ix *index, res *blevesearch.SearchResult, st *scrollState) error {
		var err error
		if out, err = ix.result(res, req.Fields); err != nil {
			return err
		}
		out.Aggs = ix.schema.aggs(req.Aggs, res.Facets)
		if st != nil {
			st.total, st.done = out.Total, len(res.Hits) == 0
			st.advance(res.Hits)
			out.ScrollID = e.scrolls.add(st)
		}
		return nil
	})
	if err != nil {
		return search.SearchResult{}, err
	}
	out.Took = time.Since(start)
	return out, nil
}

var _ search.RawSearcher = (*Engine)(nil)

// SearchRaw runs a search and returns the stored sources of the hits
// undecoded (decoded, filtered and encoded again when req.Fields is set).
func (e *Engine) SearchRaw(ctx context.Context, name string, req search.SearchRequest) (search.RawSearchResult, error) {
	if req.Scroll > 0 {
		return search.RawSearchResult{}, fmt.Errorf("bleve: raw search of index %q: a scroll goes through Search", name)
	}
	start := time.Now()
	var out search.RawSearchResult
	err := e.search(ctx, name, req, func(ix *index, res *blevesearch.SearchResult, _ *scrollState) error {
		var err error
		if out, err = ix.rawResult(res, req.Fields); err != nil {
			return err
		}
		out.Aggs = ix.schema.aggs(req.Aggs, res.Facets)
		return nil
	})
	if err != nil {
		return search.RawSearchResult{}, err
	}
	out.Took = time.Since(start)
	return out, nil
}

// search runs a search and hands the answer to result, with the index in
// use and, when req.Scroll is set, the state of the new scroll.
func (e *Engine) search(ctx context.Context, name string, req search.SearchRequest, result func(*index, *blevesearch.SearchResult, *scrollState) error) error {
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return err
	}
	defer release()
	size := req.Size
	if size == 0 {
		size = defaultSize
	}
	if size < 0 || req.From < 0 {
		return badQuery("from and size must not be negative")
	}
	if req.Scroll > 0 && req.From > 0 {
		return badQuery("using [from] is not allowed in a scroll context")
	}
	bq, err := ix.schema.translate(req.Query)
	if err != nil {
		return err
	}
	var seed uint64
	if req.RandomOrder {
		seed = randomSeed()
	}
	order, err := ix.schema.sortOrder(req.Sort, req.RandomOrder, seed, req.Scroll > 0)
	if err != nil {
		return err
	}
	br := blevesearch.NewSearchRequestOptions(bq, size, req.From, false)
	br.Sort = order
	br.Fields = []string{sourceField, versionField}
	for _, agg := range req.Aggs {
		fr, err := ix.schema.facet(agg)
		if err != nil {
			return err
		}
		br.AddFacet(agg.Field, fr)
	}
	res, err := ix.bi.SearchInContext(ctx, br)
	if err != nil {
		return fmt.Errorf("bleve: search index %q: %w", ix.name, err)
	}
	var st *scrollState
	if req.Scroll > 0 {
		st = &scrollState{index: ix.name, query: bq, order: order, size: size, fields: req.Fields, keepAlive: req.Scroll}
	}
	return result(ix, res, st)
}

// rawResult is result with the sources undecoded.
func (ix *index) rawResult(res *blevesearch.SearchResult, fields []string) (search.RawSearchResult, error) {
	out := search.RawSearchResult{Total: int64(res.Total), MaxScore: res.MaxScore, Hits: make([]search.RawHit, 0, len(res.Hits))}
	if math.IsNaN(out.MaxScore) {
		out.MaxScore = 0
	}
	for _, dm := range res.Hits {
		h := search.RawHit{ID: dm.ID, Score: dm.Score, Version: 1, Found: true}
		if v, ok := dm.Fields[versionField].(float64); ok {
			h.Version = int64(v)
		}
		src, _ := dm.Fields[sourceField].(string)
		h.Source = []byte(src)
		if len(fields) > 0 {
			doc, err := search.DecodeDoc(h.Source)
			if err != nil {
				return out, fmt.Errorf("bleve: index %q: document %q: decode the stored source: %w", ix.name, dm.ID, err)
			}
			if h.Source, _, err = search.MarshalDoc(search.FilterSource(doc, fields)); err != nil {
				return out, fmt.Errorf("bleve: index %q: document %q: %w", ix.name, dm.ID, err)
			}
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

func (ix *index) result(res *blevesearch.SearchResult, fields []string) (search.SearchResult, error) {
	out := search.SearchResult{Total: int64(res.Total), MaxScore: res.MaxScore, Hits: make([]search.Hit, 0, len(res.Hits))}
	if math.IsNaN(out.MaxScore) {
		out.MaxScore = 0
	}
	for _, dm := range res.Hits {
		h, err := hitOf(dm.ID, dm.Score, dm.Fields, fields)
		if err != nil {
			return out, fmt.Errorf("bleve: index %q: document %q: %w", ix.name, dm.ID, err)
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

// sortOrder translates the sort. Ties are broken by _id, so that pages
// and scrolls are stable. Scrolls without a sort go by _id alone.
func (s *schema) sortOrder(fields []search.SortField, random bool, seed uint64, scroll bool) (bsearch.SortOrder, error) {
	var order bsearch.SortOrder
	hasID := false
	if random {
		order = append(order, &randomSort{seed: seed})
	}
	for _, f := range fields {
		switch f.Field {
		case "_score":
			order = append(order, &bsearch.SortScore{Desc: f.Desc})
			continue
		case "_id":
			order = append(order, &bsearch.SortDocID{Desc: f.Desc})
			hasID = true
			continue
		}
		sf := &bsearch.SortField{Field: f.Field, Desc: f.Desc, Mode: bsearch.SortFieldMin, Missing: bsearch.SortFieldMissingLast}
		if f.Desc {
			sf.Mode = bsearch.SortFieldMax
		}
		switch s.kind(f.Field) {
		case kindKeyword, kindBool:
			sf.Type = bsearch.SortFieldAsString
		case kindNumber, kindInteger:
			sf.Type = bsearch.SortFieldAsNumber
		case kindDate:
			sf.Type = bsearch.SortFieldAsDate
		case kindText:
			return nil, badQuery("cannot sort on the text field %q: text fields are not optimised for operations that require per-document field data like aggregations and sorting; sort on a keyword field", f.Field)
		default:
			return nil, badQuery("no mapping found for [%s] in order to sort on", f.Field)
		}
		order = append(order, sf)
	}
	if len(fields) == 0 && !random && !scroll {
		order = append(order, &bsearch.SortScore{Desc: true})
	}
	if !hasID {
		order = append(order, &bsearch.SortDocID{})
	}
	return order, nil
}

// randomSort orders documents by a hash of their id and a seed: a
// shuffle that stays the same for one seed (so scrolls work).
type randomSort struct{ seed uint64 }

func (r *randomSort) UpdateVisitor(string, []byte) {}

func (r *randomSort) Value(d *bsearch.DocumentMatch) string {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], r.seed)
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte(d.ID))
	binary.BigEndian.PutUint64(b[:], h.Sum64())
	return hex.EncodeToString(b[:])
}

func (r *randomSort) DecodeValue(v string) string  { return v }
func (r *randomSort) Descending() bool             { return false }
func (r *randomSort) RequiresDocID() bool          { return true }
func (r *randomSort) RequiresScoring() bool        { return false }
func (r *randomSort) RequiresFields() []string     { return nil }
func (r *randomSort) Reverse()                     {}
func (r *randomSort) Copy() bsearch.SearchSort     { c := *r; return &c }
func (r *randomSort) MarshalJSON() ([]byte, error) { return []byte(`"_random"`), nil }
func (r *randomSort) String() string               { return fmt.Sprintf("random(%d)", r.seed) }
func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// facet builds the Bleve facet of a terms aggregation.
func (s *schema) facet(agg search.TermsAgg) (*blevesearch.FacetRequest, error) {
	fr := blevesearch.NewFacetRequest(agg.Field, maxFacetTerms)
	switch s.kind(agg.Field) {
	case kindText:
		return nil, badQuery("cannot aggregate on the text field %q: text fields are not optimised for operations that require per-document field data like aggregations and sorting; use a keyword field", agg.Field)
	case kindNumber, kindInteger, kindDate:
		fr.TermPrefix = string([]byte{numeric.ShiftStartInt64}) // full-precision terms only
	case kindID:
		return nil, badQuery("cannot aggregate on _id")
	}
	return fr, nil
}

// aggs turns facets into terms aggregation results: buckets by count
// (ties by key), the top Size, the rest summed in Other.
func (s *schema) aggs(aggs []search.TermsAgg, facets bsearch.FacetResults) map[string]search.TermsAggResult {
	if len(aggs) == 0 {
		return nil
	}
	out := make(map[string]search.TermsAggResult, len(aggs))
	for _, agg := range aggs {
		fr := facets[agg.Field]
		var r search.TermsAggResult
		if fr == nil {
			out[agg.Field] = r
			continue
		}
		k := s.kind(agg.Field)
		for _, tf := range fr.Terms.Terms() {
			key, ok := s.bucketKey(k, agg.Field, tf.Term)
			if ok {
				r.Buckets = append(r.Buckets, search.Bucket{Key: key, Count: int64(tf.Count)})
			}
		}
		slices.SortFunc(r.Buckets, func(a, b search.Bucket) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return compareKeys(a.Key, b.Key)
		})
		size := agg.Size
		if size <= 0 {
			size = defaultSize
		}
		if len(r.Buckets) > size {
			for _, b := range r.Buckets[size:] {
				r.Other += b.Count
			}
			r.Buckets = r.Buckets[:size]
		}
		r.Missing = int64(fr.Missing)
		out[agg.Field] = r
	}
	return out
}

func (s *schema) bucketKey(k kind, field, term string) (any, bool) {
	switch k {
	case kindNumber, kindInteger, kindDate:
		i, err := numeric.PrefixCoded(term).Int64()
		if err != nil {
			return nil, false
		}
		f := numeric.Int64ToFloat64(i)
		if k == kindInteger || k == kindDate {
			return int64(f), true
		}
		return f, true
	case kindBool:
		return term == "T", true
	}
	return term, true
}

func compareKeys(a, b any) int {
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		return cmp.Compare(x, y)
	case int64:
		y, _ := b.(int64)
		return cmp.Compare(x, y)
	case float64:
		y, _ := b.(float64)
		return cmp.Compare(x, y)
	case bool:
		y, _ := b.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	}
	return 0
}

// ---- scrolls

// scrolls holds the open scrolls of an engine, in memory.
type scrolls struct {
	mu sync.Mutex
	m  map[string]*scrollState
}

// scrollState is where a scroll stands: the query, its sort (which ends
// with _id, so "after" is a position in a total order) and the sort
// values of the last hit served.
type scrollState struct {
	mu        sync.Mutex
	index     string
	query     query.Query
	order     bsearch.SortOrder
	size      int
	fields    []string
	keepAlive time.Duration
	expires   atomic.Int64 // unix nanoseconds; read by sweep without mu
	total     int64
	served    int      // hits served so far
	after     []string // decoded sort values of the last hit
	byOffset  bool
	done      bool
}

// advance records a page served. The next page starts after the last hit
// (search_after); when that hit had no value for a sort field, Bleve
// cannot encode the position, and the scroll pages by offset from then on.
func (st *scrollState) advance(hits bsearch.DocumentMatchCollection) {
	st.served += len(hits)
	if len(hits) == 0 {
		st.done = true
		return
	}
	if st.byOffset {
		return
	}
	last := hits[len(hits)-1]
	for _, v := range last.Sort {
		if v == bsearch.HighTerm || v == bsearch.LowTerm {
			st.after, st.byOffset = nil, true
			return
		}
	}
	st.after = last.DecodedSort
}

func (sc *scrolls) add(st *scrollState) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	id := "bleve-" + hex.EncodeToString(b)
	st.expires.Store(time.Now().Add(st.keepAlive).UnixNano())
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.sweep()
	sc.m[id] = st
	return id
}

// get returns a live scroll; the caller must lock it.
func (sc *scrolls) get(id string) (*scrollState, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.sweep()
	st, ok := sc.m[id]
	return st, ok
}

// sweep forgets expired scrolls; the caller holds sc.mu.
func (sc *scrolls) sweep() {
	now := time.Now().UnixNano()
	for id, st := range sc.m {
		if now > st.expires.Load() {
			delete(sc.m, id)
		}
	}
}

func (sc *scrolls) remove(id string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	delete(sc.m, id)
}

// dropIndex forgets the scrolls of an index that is deleted or reopened.
func (sc *scrolls) dropIndex(name string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for id, st := range sc.m {
		if st.index == name {
			delete(sc.m, id)
		}
	}
}

// ScrollNext returns the next page of a scroll.
func (e *Engine) ScrollNext(ctx context.Context, scrollID string) (search.SearchResult, error) {
	start := time.Now()
	st, ok := e.scrolls.get(scrollID)
	if !ok {
		return search.SearchResult{}, fmt.Errorf("bleve: scroll %q: %w", shortID(scrollID), search.ErrBadScrollID)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if time.Now().UnixNano() > st.expires.Load() {
		e.scrolls.remove(scrollID)
		return search.SearchResult{}, fmt.Errorf("bleve: scroll %q: %w", shortID(scrollID), search.ErrBadScrollID)
	}
	st.expires.Store(time.Now().Add(st.keepAlive).UnixNano())
	out := search.SearchResult{Total: st.total, Hits: []search.Hit{}, ScrollID: scrollID}
	if st.done {
		out.Took = time.Since(start)
		return out, nil
	}
	ix, release, err := e.use(ctx, st.index)
	if err != nil {
		e.scrolls.remove(scrollID)
		return search.SearchResult{}, fmt.Errorf("bleve: scroll %q: %w (%v)", shortID(scrollID), search.ErrBadScrollID, err)
	}
	defer release()
	br := blevesearch.NewSearchRequestOptions(st.query, st.size, 0, false)
	br.Sort = st.order
	br.Fields = []string{sourceField, versionField}
	if st.byOffset {
		br.From = st.served
	} else {
		br.SearchAfter = st.after
	}
	res, err := ix.bi.SearchInContext(ctx, br)
	if err != nil {
		return search.SearchResult{}, fmt.Errorf("bleve: scroll index %q: %w", ix.name, err)
	}
	page, err := ix.result(res, st.fields)
	if err != nil {
		return search.SearchResult{}, err
	}
	out.Hits, out.MaxScore = page.Hits, page.MaxScore
	st.advance(res.Hits)
	out.Took = time.Since(start)
	return out, nil
}

// ClearScroll forgets a scroll.
func (e *Engine) ClearScroll(ctx context.Context, scrollID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.scrolls.remove(scrollID)
	return nil
}

func shortID(id string) string {
	if len(id) > 16 {
		return id[:16] + "..."
	}
	return id
}
