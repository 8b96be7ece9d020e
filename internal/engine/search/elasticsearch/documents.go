package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/typedapi/types"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/search"
)

// bulkMaxBytes and bulkMaxOps bound one _bulk request.
const (
	bulkMaxBytes = 5 << 20
	bulkMaxOps   = 1000
)

// answer is a raw answer of the cluster.
type answer struct {
	status int
	body   []byte
}

// raw sends a request with a JSON body through the client's transport
// (retries, credentials, product check) and returns the answer whatever
// its status; err is a transport error.
func (e *Engine) raw(ctx context.Context, method, path string, query url.Values, body any) (answer, error) {
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case []byte:
			rd = bytes.NewReader(b)
		default:
			data, err := json.Marshal(body)
			if err != nil {
				return answer{}, fmt.Errorf("elasticsearch: encode the request: %w", err)
			}
			rd = bytes.NewReader(data)
		}
	}
	// path is escaped (see indexPath): a document id may hold '/', '?',
	// '%', ... which must reach the engine as they are.
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return answer{}, fmt.Errorf("elasticsearch: %s %s: %w", method, path, err)
	}
	u := &url.URL{Path: unescaped, RawPath: path, RawQuery: query.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.tc.Perform(req)
	if err != nil {
		return answer{}, &transportError{where: e.where, what: method + " " + path, err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, fmt.Errorf("elasticsearch at %s: %s %s: read the answer: %w", e.where, method, path, err)
	}
	return answer{status: res.StatusCode, body: data}, nil
}

// call is raw for requests whose non-2xx answers are plain errors; a 2xx
// answer is decoded into out (when not nil).
func (e *Engine) call(ctx context.Context, what, method, path string, query url.Values, body, out any) error {
	a, err := e.raw(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	if a.status < 200 || a.status > 299 {
		return fmt.Errorf("elasticsearch: %s: %w", what, engineError(a.status, a.body))
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("elasticsearch at %s: %s: decode the answer: %w", e.where, what, err)
	}
	return nil
}

// queryCall is call for searches: a 400 answer is the user's query's
// fault and matches search.ErrBadQuery.
func (e *Engine) queryCall(ctx context.Context, what, path string, query url.Values, body, out any) error {
	err := e.call(ctx, what, http.MethodPost, path, query, body, out)
	if ee := (*search.EngineError)(nil); asEngineError(err, &ee) && ee.Status == http.StatusBadRequest {
		return &search.QueryError{Reason: ee.Reason, Err: err}
	}
	return err
}

// indexPath is the escaped path of an index's endpoint; parts are path
// segments as they are (escaped here), e.g. indexPath(ix, "_doc", id).
func indexPath(index string, parts ...string) string {
	var b strings.Builder
	b.WriteString("/" + pathSegment(index))
	for _, p := range parts {
		b.WriteString("/" + pathSegment(p))
	}
	return b.String()
}

// pathSegment escapes one segment, dots too when it is "." or "..", which
// HTTP stacks would read as the folder itself or its parent.
func pathSegment(s string) string {
	if s != "" && strings.Trim(s, ".") == "" {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// Bulk sends the operations in _bulk requests of at most bulkMaxOps
// operations and bulkMaxBytes bytes.
func (e *Engine) Bulk(ctx context.Context, index string, ops []search.BulkOp) (search.BulkResult, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.BulkResult{}, fmt.Errorf("elasticsearch: %w", err)
	}
	if len(ops) == 0 {
		return search.BulkResult{}, nil
	}
	if err := e.mustExist(ctx, index); err != nil {
		return search.BulkResult{}, err
	}
	b := bulkBody{e: e, index: index}
	for _, op := range ops {
		if op.ID == "" {
			b.res.Failed = append(b.res.Failed, search.ItemError{Reason: "the document has no _id"})
			continue
		}
		action := "index"
		if op.Kind == search.BulkDelete {
			action = "delete"
		} else if op.Kind != search.BulkIndex {
			b.res.Failed = append(b.res.Failed, search.ItemError{ID: op.ID, Reason: fmt.Sprintf("unknown bulk operation %d", op.Kind)})
			continue
		}
		var doc []byte
		if action == "index" {
			var err error
			if doc, _, err = search.MarshalDoc(op.Doc); err != nil {
				b.res.Failed = append(b.res.Failed, search.ItemError{ID: op.ID, Reason: "encode the document: " + err.Error()})
				continue
			}
		}
		if err := b.add(ctx, action, op.ID, doc); err != nil {
			return b.res, err
		}
	}
	return b.res, b.flush(ctx)
}

var _ search.RawBulker = (*Engine)(nil)

// BulkRaw indexes documents given as JSON, sent as they are in the same
// _bulk requests as Bulk's.
func (e *Engine) BulkRaw(ctx context.Context, index string, docs []search.RawDoc) (search.BulkResult, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.BulkResult{}, fmt.Errorf("elasticsearch: %w", err)
	}
	if len(docs) == 0 {
		return search.BulkResult{}, nil
	}
	if err := e.mustExist(ctx, index); err != nil {
		return search.BulkResult{}, err
	}
	b := bulkBody{e: e, index: index}
	size := 0
	for _, d := range docs {
		size += len(d.Source) + len(d.ID) + 24
	}
	b.buf.Grow(min(size, bulkMaxBytes+64<<10))
	for _, d := range docs {
		if d.ID == "" {
			b.res.Failed = append(b.res.Failed, search.ItemError{Reason: "the document has no _id"})
			continue
		}
		src := d.Source
		if bytes.IndexByte(src, '\n') >= 0 {
			// A _bulk body is lines: a line break between tokens would cut
			// the document in two.
			var c bytes.Buffer
			if err := json.Compact(&c, src); err != nil {
				b.res.Failed = append(b.res.Failed, search.ItemError{ID: d.ID, Reason: "the document is not JSON: " + err.Error()})
				continue
			}
			src = c.Bytes()
		}
		if len(bytes.TrimSpace(src)) == 0 {
			b.res.Failed = append(b.res.Failed, search.ItemError{ID: d.ID, Reason: "the document is empty"})
			continue
		}
		if err := b.add(ctx, "index", d.ID, src); err != nil {
			return b.res, err
		}
	}
	return b.res, b.flush(ctx)
}

// bulkBody fills the bodies of _bulk requests, of at most bulkMaxOps
// operations and bulkMaxBytes bytes, and sends each when it is full.
type bulkBody struct {
	e     *Engine
	index string
	buf   bytes.Buffer
	ids   []string
	res   search.BulkResult
}

// add appends an action on id and its source (nil for a delete).
func (b *bulkBody) add(ctx context.Context, action, id string, source []byte) error {
	meta := b.buf.AvailableBuffer()
	meta = append(meta, `{"`...)
	meta = append(meta, action...)
	meta = append(meta, `":{"_id":`...)
	meta = jsonenc.AppendString(meta, id)
	meta = append(meta, "}}\n"...)
	b.buf.Write(meta)
	if source != nil {
		b.buf.Write(source)
		b.buf.WriteByte('\n')
	}
	b.ids = append(b.ids, id)
	if len(b.ids) >= bulkMaxOps || b.buf.Len() >= bulkMaxBytes {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulkBody) flush(ctx context.Context) error {
	if len(b.ids) == 0 {
		return nil
	}
	err := b.e.bulk(ctx, b.index, b.buf.Bytes(), b.ids, &b.res)
	b.buf.Reset()
	b.ids = b.ids[:0]
	return err
}

// mustExist returns search.ErrIndexNotFound when the index (or alias) does
// not exist. _bulk would create a missing index with a mapping guessed
// from the documents (action.auto_create_index), which is never what a
// release or a sync into an index deleted meanwhile wants.
func (e *Engine) mustExist(ctx context.Context, index string) error {
	a, err := e.raw(ctx, http.MethodHead, indexPath(index), nil, nil)
	if err != nil {
		return err
	}
	switch {
	case a.status == http.StatusNotFound:
		return fmt.Errorf("elasticsearch: index %q: %w", index, search.ErrIndexNotFound)
	case a.status < 200 || a.status > 299:
		return fmt.Errorf("elasticsearch: index %q: %w", index, engineError(a.status, a.body))
	}
	return nil
}

// bulkAnswerFilter keeps of a _bulk answer what bulk reads: the cluster
// writes and sends less, and the answer decodes faster.
var bulkAnswerFilter = url.Values{"filter_path": {"errors,items.*.status,items.*.error.type,items.*.error.reason"}}

// bulk sends one _bulk request, retrying while the cluster is too busy.
func (e *Engine) bulk(ctx context.Context, index string, body []byte, ids []string, res *search.BulkResult) error {
	var a answer
	var err error
	for attempt, wait := 0, 500*time.Millisecond; ; attempt, wait = attempt+1, wait*2 {
		a, err = e.raw(ctx, http.MethodPost, indexPath(index, "_bulk"), bulkAnswerFilter, body)
		if err != nil {
			return err
		}
		if (a.status != http.StatusTooManyRequests && a.status != http.StatusServiceUnavailable) || attempt == 4 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	if a.status < 200 || a.status > 299 {
		return fmt.Errorf("elasticsearch: bulk into index %q: %w", index, engineError(a.status, a.body))
	}
	var answer struct {
		Items []map[string]struct {
			Status int `json:"status"`
			Error  *struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"error"`
		} `json:"items"`
	}
	if err := json.Unmarshal(a.body, &answer); err != nil {
		return fmt.Errorf("elasticsearch: bulk into index %q: decode the answer: %w", index, err)
	}
	if len(answer.Items) != len(ids) {
		return fmt.Errorf("elasticsearch: bulk into index %q: %d items answered for %d sent", index, len(answer.Items), len(ids))
	}
	for i, item := range answer.Items {
		for action, r := range item {
			switch {
			case r.Error != nil:
				res.Failed = append(res.Failed, search.ItemError{ID: ids[i], Reason: r.Error.Type + ": " + r.Error.Reason})
			case action == "delete" && r.Status == http.StatusNotFound:
				res.NotFound++
			case action == "delete":
				res.Deleted++
			case r.Status >= 200 && r.Status <= 299:
				res.Indexed++
			default:
				res.Failed = append(res.Failed, search.ItemError{ID: ids[i], Reason: fmt.Sprintf("status %d", r.Status)})
			}
		}
	}
	return nil
}

// Refresh makes the index's recent writes searchable.
func (e *Engine) Refresh(ctx context.Context, index string) error {
	if err := search.ValidateIndexName(index); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	return e.call(ctx, "refresh index "+strconv.Quote(index), http.MethodPost, indexPath(index, "_refresh"), nil, nil, nil)
}

// esDoc is a document in a get, mget or search answer.
type esDoc struct {
	ID      string          `json:"_id"`
	Version int64           `json:"_version"`
	Score   *float64        `json:"_score"`
	Found   *bool           `json:"found"`
	Source  json.RawMessage `json:"_source"`
	// Error is set on a document of an _mget answer that failed: an _mget
	// on a missing index answers 200 with an index_not_found_exception for
	// each id.
	Error *types.ErrorCause `json:"error"`
}

func (d esDoc) hit() (search.Hit, error) {
	if d.Error != nil {
		if d.Error.Type == "index_not_found_exception" {
			return search.Hit{}, fmt.Errorf("document %q: %w", d.ID, search.ErrIndexNotFound)
		}
		return search.Hit{}, fmt.Errorf("document %q: %w", d.ID, &search.EngineError{Backend: Backend, Type: d.Error.Type, Reason: reason(*d.Error)})
	}
	h := search.Hit{ID: d.ID, Version: d.Version, Found: d.Found == nil || *d.Found}
	if d.Score != nil {
		h.Score = *d.Score
	}
	if h.Found && len(d.Source) > 0 {
		src, err := search.DecodeDoc(d.Source)
		if err != nil {
			return h, fmt.Errorf("document %q: decode _source: %w", d.ID, err)
		}
		h.Source = src
	}
	return h, nil
}

// Get reads one document.
func (e *Engine) Get(ctx context.Context, index, id string) (search.Hit, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.Hit{}, fmt.Errorf("elasticsearch: %w", err)
	}
	a, err := e.raw(ctx, http.MethodGet, indexPath(index, "_doc", id), nil, nil)
	if err != nil {
		return search.Hit{}, err
	}
	var d esDoc
	if a.status == http.StatusNotFound && json.Unmarshal(a.body, &d) == nil && d.Found != nil && !*d.Found {
		return search.Hit{ID: id}, fmt.Errorf("elasticsearch: index %q: document %q: %w", index, id, search.ErrNotFound)
	}
	if a.status != http.StatusOK {
		return search.Hit{}, fmt.Errorf("elasticsearch: get %q from index %q: %w", id, index, engineError(a.status, a.body))
	}
	if err := json.Unmarshal(a.body, &d); err != nil {
		return search.Hit{}, fmt.Errorf("elasticsearch: get %q: decode the answer: %w", id, err)
	}
	return d.hit()
}

var _ search.RawGetter = (*Engine)(nil)

// GetRaw reads one document with its _source as the cluster sends it.
func (e *Engine) GetRaw(ctx context.Context, index, id string) (search.RawHit, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.RawHit{}, fmt.Errorf("elasticsearch: %w", err)
	}
	a, err := e.raw(ctx, http.MethodGet, indexPath(index, "_doc", id), nil, nil)
	if err != nil {
		return search.RawHit{}, err
	}
	var d esDoc
	if a.status == http.StatusNotFound && json.Unmarshal(a.body, &d) == nil && d.Found != nil && !*d.Found {
		return search.RawHit{ID: id}, fmt.Errorf("elasticsearch: index %q: document %q: %w", index, id, search.ErrNotFound)
	}
	if a.status != http.StatusOK {
		return search.RawHit{}, fmt.Errorf("elasticsearch: get %q from index %q: %w", id, index, engineError(a.status, a.body))
	}
	if err := json.Unmarshal(a.body, &d); err != nil {
		return search.RawHit{}, fmt.Errorf("elasticsearch: get %q: decode the answer: %w", id, err)
	}
	return d.rawHit(id)
}

// MGetRaw reads documents in the order of ids, their _source as the
// cluster sends it.
func (e *Engine) MGetRaw(ctx context.Context, index string, ids []string) ([]search.RawHit, error) {
	// An empty _id names no document (Elasticsearch refuses the request).
	asked := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			asked = append(asked, id)
		}
	}
	docs, err := e.mget(ctx, index, asked)
	if err != nil {
		return nil, err
	}
	out := make([]search.RawHit, len(ids))
	for i, id := range ids {
		if id == "" {
			continue
		}
		if out[i], err = docs[0].rawHit(id); err != nil {
			return nil, fmt.Errorf("elasticsearch: mget from index %q: %w", index, err)
		}
		docs = docs[1:]
	}
	return out, nil
}

// rawHit is the document of a get or mget answer, undecoded.
func (d esDoc) rawHit(id string) (search.RawHit, error) {
	if d.Error != nil {
		_, err := d.hit()
		return search.RawHit{}, err
	}
	h := search.RawHit{ID: id, Version: d.Version, Found: d.Found == nil || *d.Found}
	if h.Found {
		h.Source = d.Source
	}
	if h.Found && len(h.Source) == 0 {
		h.Source = []byte("{}")
	}
	return h, nil
}

// mget sends an _mget of ids.
func (e *Engine) mget(ctx context.Context, index string, ids []string) ([]esDoc, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var ans struct {
		Docs []esDoc `json:"docs"`
	}
	a, err := e.raw(ctx, http.MethodPost, indexPath(index, "_mget"), nil, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("elasticsearch: mget from index %q: %w", index, engineError(a.status, a.body))
	}
	if err := json.Unmarshal(a.body, &ans); err != nil || len(ans.Docs) != len(ids) {
		return nil, fmt.Errorf("elasticsearch: mget from index %q: %d documents answered for %d ids (%v)", index, len(ans.Docs), len(ids), err)
	}
	return ans.Docs, nil
}

// MGet reads documents in the order of ids.
func (e *Engine) MGet(ctx context.Context, index string, ids []string) ([]search.Hit, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}
	if len(ids) == 0 {
		return []search.Hit{}, nil
	}
	docs, err := e.mget(ctx, index, ids)
	if err != nil {
		return nil, err
	}
	out := make([]search.Hit, len(ids))
	for i, d := range docs {
		h, err := d.hit()
		if err != nil {
			return nil, fmt.Errorf("elasticsearch: mget from index %q: %w", index, err)
		}
		h.ID = ids[i]
		out[i] = h
	}
	return out, nil
}

// Count counts the documents matching q.
func (e *Engine) Count(ctx context.Context, index string, q search.Query) (int64, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return 0, fmt.Errorf("elasticsearch: %w", err)
	}
	dsl, err := QueryDSL(q)
	if err != nil {
		return 0, err
	}
	var ans struct {
		Count int64 `json:"count"`
	}
	err = e.queryCall(ctx, "count in index "+strconv.Quote(index), indexPath(index, "_count"), nil, map[string]any{"query": dsl}, &ans)
	return ans.Count, err
}

// searchAnswer is the answer of _search and _search/scroll.
type searchAnswer struct {
	Took     int64  `json:"took"`
	ScrollID string `json:"_scroll_id"`
	Hits     struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		MaxScore *float64 `json:"max_score"`
		Hits     []esDoc  `json:"hits"`
	} `json:"hits"`
	Aggregations map[string]json.RawMessage `json:"aggregations"`
}

func (a *searchAnswer) result(aggs []search.TermsAgg) (search.SearchResult, error) {
	out := search.SearchResult{Total: a.Hits.Total.Value, ScrollID: a.ScrollID, Took: time.Duration(a.Took) * time.Millisecond,
		Hits: make([]search.Hit, 0, len(a.Hits.Hits))}
	if a.Hits.MaxScore != nil {
		out.MaxScore = *a.Hits.MaxScore
	}
	for _, d := range a.Hits.Hits {
		h, err := d.hit()
		if err != nil {
			return out, fmt.Errorf("elasticsearch: %w", err)
		}
		out.Hits = append(out.Hits, h)
	}
	var err error
	out.Aggs, err = a.aggs(aggs)
	return out, err
}

// aggs decodes the answer's aggregations (nil when none was asked).
func (a *searchAnswer) aggs(aggs []search.TermsAgg) (map[string]search.TermsAggResult, error) {
	if len(aggs) == 0 {
		return nil, nil
	}
	out := map[string]search.TermsAggResult{}
	for i, agg := range aggs {
		r, err := decodeAgg(a.Aggregations["t"+strconv.Itoa(i)], a.Aggregations["m"+strconv.Itoa(i)])
		if err != nil {
			return out, fmt.Errorf("elasticsearch: aggregation on %q: %w", agg.Field, err)
		}
		out[agg.Field] = r
	}
	return out, nil
}

func decodeAgg(terms, missing json.RawMessage) (search.TermsAggResult, error) {
	var t struct {
		Other   int64 `json:"sum_other_doc_count"`
		Buckets []struct {
			Key         json.RawMessage `json:"key"`
			KeyAsString *string         `json:"key_as_string"`
			DocCount    int64           `json:"doc_count"`
		} `json:"buckets"`
	}
	var m struct {
		DocCount int64 `json:"doc_count"`
	}
	if err := json.Unmarshal(terms, &t); err != nil {
		return search.TermsAggResult{}, err
	}
	if err := json.Unmarshal(missing, &m); err != nil {
		return search.TermsAggResult{}, err
	}
	r := search.TermsAggResult{Other: t.Other, Missing: m.DocCount, Buckets: make([]search.Bucket, 0, len(t.Buckets))}
	for _, b := range t.Buckets {
		var key any
		dec := json.NewDecoder(bytes.NewReader(b.Key))
		dec.UseNumber()
		if err := dec.Decode(&key); err != nil {
			return r, err
		}
		key = search.NormalizeNumbers(key)
		if b.KeyAsString != nil && (*b.KeyAsString == "true" || *b.KeyAsString == "false") {
			key = *b.KeyAsString == "true" // a boolean field
		}
		r.Buckets = append(r.Buckets, search.Bucket{Key: key, Count: b.DocCount})
	}
	return r, nil
}

// Search runs a search; see search.Engine.
func (e *Engine) Search(ctx context.Context, index string, req search.SearchRequest) (search.SearchResult, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.SearchResult{}, fmt.Errorf("elasticsearch: %w", err)
	}
	body, err := SearchBody(req)
	if err != nil {
		return search.SearchResult{}, err
	}
	var params url.Values
	if req.Scroll > 0 {
		params = url.Values{"scroll": {keepAlive(req.Scroll)}}
	}
	var ans searchAnswer
	if err := e.queryCall(ctx, "search index "+strconv.Quote(index), indexPath(index, "_search"), params, body, &ans); err != nil {
		return search.SearchResult{}, err
	}
	out, err := ans.result(req.Aggs)
	if err != nil {
		return out, err
	}
	if req.Scroll > 0 {
		e.rememberScroll(out.ScrollID, req.Scroll)
	}
	return out, nil
}

var _ search.RawSearcher = (*Engine)(nil)

// SearchRaw runs a search as Search does and returns the hits' _source as
// the cluster sends it, undecoded.
func (e *Engine) SearchRaw(ctx context.Context, index string, req search.SearchRequest) (search.RawSearchResult, error) {
	if err := search.ValidateIndexName(index); err != nil {
		return search.RawSearchResult{}, fmt.Errorf("elasticsearch: %w", err)
	}
	if req.Scroll > 0 {
		return search.RawSearchResult{}, fmt.Errorf("elasticsearch: raw search of index %q: a scroll goes through Search", index)
	}
	body, err := SearchBody(req)
	if err != nil {
		return search.RawSearchResult{}, err
	}
	var ans searchAnswer
	if err := e.queryCall(ctx, "search index "+strconv.Quote(index), indexPath(index, "_search"), nil, body, &ans); err != nil {
		return search.RawSearchResult{}, err
	}
	out := search.RawSearchResult{Total: ans.Hits.Total.Value, Took: time.Duration(ans.Took) * time.Millisecond,
		Hits: make([]search.RawHit, 0, len(ans.Hits.Hits))}
	if ans.Hits.MaxScore != nil {
		out.MaxScore = *ans.Hits.MaxScore
	}
	for _, d := range ans.Hits.Hits {
		if d.Error != nil {
			if _, err := d.hit(); err != nil {
				return out, fmt.Errorf("elasticsearch: %w", err)
			}
		}
		h := search.RawHit{ID: d.ID, Version: d.Version, Source: d.Source, Found: true}
		if d.Score != nil {
			h.Score = *d.Score
		}
		out.Hits = append(out.Hits, h)
	}
	aggs, err := ans.aggs(req.Aggs)
	out.Aggs = aggs
	return out, err
}

func keepAlive(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10) + "s"
}

// SearchBody is the _search body of a request.
func SearchBody(req search.SearchRequest) (map[string]any, error) {
	q, err := QueryDSL(req.Query)
	if err != nil {
		return nil, err
	}
	if req.RandomOrder {
		q = map[string]any{"function_score": map[string]any{"query": q, "random_score": map[string]any{}, "boost_mode": "replace"}}
	}
	size := req.Size
	if size == 0 {
		size = 10
	}
	body := map[string]any{"query": q, "size": size, "version": true, "track_total_hits": true}
	if req.From > 0 {
		body["from"] = req.From
	}
	if len(req.Fields) > 0 {
		body["_source"] = req.Fields
	}
	if len(req.Sort) > 0 {
		var sorts []any
		for _, s := range req.Sort {
			order := "asc"
			if s.Desc {
				order = "desc"
			}
			sorts = append(sorts, map[string]any{s.Field: map[string]any{"order": order}})
		}
		body["sort"] = sorts
	} else if req.Scroll > 0 && !req.RandomOrder {
		body["sort"] = []any{"_doc"} // the cheapest order for a scroll
	}
	if len(req.Aggs) > 0 {
		aggs := map[string]any{}
		for i, a := range req.Aggs {
			size := a.Size
			if size <= 0 {
				size = 10
			}
			aggs["t"+strconv.Itoa(i)] = map[string]any{"terms": map[string]any{"field": a.Field, "size": size}}
			aggs["m"+strconv.Itoa(i)] = map[string]any{"missing": map[string]any{"field": a.Field}}
		}
		body["aggs"] = aggs
	}
	return body, nil
}

// scrollReq is what ScrollNext needs to know about the search that opened
// a scroll.
type scrollReq struct {
	keepAlive time.Duration
	expires   time.Time
}

// rememberScroll records the keep-alive of a scroll and forgets the
// expired ones.
func (e *Engine) rememberScroll(id string, keep time.Duration) {
	e.scrollMu.Lock()
	defer e.scrollMu.Unlock()
	now := time.Now()
	for k, sr := range e.scrollReqs {
		if now.After(sr.expires) {
			delete(e.scrollReqs, k)
		}
	}
	e.scrollReqs[id] = scrollReq{keepAlive: keep, expires: now.Add(keep)}
}

// ScrollNext continues a scroll.
func (e *Engine) ScrollNext(ctx context.Context, scrollID string) (search.SearchResult, error) {
	e.scrollMu.Lock()
	sr, ok := e.scrollReqs[scrollID]
	e.scrollMu.Unlock()
	if !ok {
		sr.keepAlive = time.Minute // opened by another process
	}
	a, err := e.raw(ctx, http.MethodPost, "/_search/scroll", nil, map[string]any{"scroll": keepAlive(sr.keepAlive), "scroll_id": scrollID})
	if err != nil {
		return search.SearchResult{}, err
	}
	if a.status == http.StatusNotFound || a.status == http.StatusBadRequest {
		e.forgetScroll(scrollID)
		return search.SearchResult{}, fmt.Errorf("elasticsearch: %w: %v", search.ErrBadScrollID, engineError(a.status, a.body))
	}
	if a.status != http.StatusOK {
		return search.SearchResult{}, fmt.Errorf("elasticsearch: scroll: %w", engineError(a.status, a.body))
	}
	var ans searchAnswer
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	if err := dec.Decode(&ans); err != nil {
		return search.SearchResult{}, fmt.Errorf("elasticsearch: scroll: decode the answer: %w", err)
	}
	out, err := ans.result(nil)
	if err != nil {
		return out, err
	}
	if ok {
		e.forgetScroll(scrollID)
		e.rememberScroll(out.ScrollID, sr.keepAlive)
	}
	return out, nil
}

// ClearScroll releases a scroll.
func (e *Engine) ClearScroll(ctx context.Context, scrollID string) error {
	e.forgetScroll(scrollID)
	a, err := e.raw(ctx, http.MethodDelete, "/_search/scroll", nil, map[string]any{"scroll_id": []string{scrollID}})
	if err != nil {
		return err
	}
	if a.status != http.StatusOK && a.status != http.StatusNotFound && a.status != http.StatusBadRequest {
		return fmt.Errorf("elasticsearch: clear scroll: %w", engineError(a.status, a.body))
	}
	return nil
}

func (e *Engine) forgetScroll(id string) {
	e.scrollMu.Lock()
	delete(e.scrollReqs, id)
	e.scrollMu.Unlock()
}

// PutMapping adds fields and replaces _meta.
func (e *Engine) PutMapping(ctx context.Context, index string, properties, meta map[string]any) error {
	if err := search.ValidateIndexName(index); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	body := map[string]any{"properties": properties}
	if properties == nil {
		body["properties"] = map[string]any{}
	}
	if meta != nil {
		body["_meta"] = meta
	}
	return e.call(ctx, "put mapping of index "+strconv.Quote(index), http.MethodPut, indexPath(index, "_mapping"), nil, body, nil)
}

// PutAlias points alias at index, removing it from the indexes it named,
// in one atomic request.
func (e *Engine) PutAlias(ctx context.Context, index, alias string) error {
	for _, n := range []string{index, alias} {
		if err := search.ValidateIndexName(n); err != nil {
			return fmt.Errorf("elasticsearch: %w", err)
		}
	}
	have, err := e.ListAliases(ctx)
	if err != nil {
		return err
	}
	var actions []any
	for _, a := range have {
		if a.Alias == alias && a.Index != index {
			actions = append(actions, map[string]any{"remove": map[string]any{"index": a.Index, "alias": alias}})
		}
	}
	actions = append(actions, map[string]any{"add": map[string]any{"index": index, "alias": alias}})
	return e.call(ctx, "put alias "+strconv.Quote(alias), http.MethodPost, "/_aliases", nil, map[string]any{"actions": actions}, nil)
}

// DeleteAlias removes alias from index.
func (e *Engine) DeleteAlias(ctx context.Context, index, alias string) error {
	if err := search.ValidateIndexName(index); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	a, err := e.raw(ctx, http.MethodDelete, indexPath(index, "_alias", alias), nil, nil)
	if err != nil {
		return err
	}
	if a.status == http.StatusNotFound && !bytes.Contains(a.body, []byte("index_not_found_exception")) {
		return fmt.Errorf("elasticsearch: alias %q of index %q: %w", alias, index, search.ErrAliasNotFound)
	}
	if a.status < 200 || a.status > 299 {
		return fmt.Errorf("elasticsearch: delete alias %q: %w", alias, engineError(a.status, a.body))
	}
	return nil
}

// ListAliases lists the aliases of the indexes (not of Elasticsearch's own
// dot-indexes).
func (e *Engine) ListAliases(ctx context.Context) ([]search.Alias, error) {
	var ans map[string]struct {
		Aliases map[string]json.RawMessage `json:"aliases"`
	}
	if err := e.call(ctx, "list aliases", http.MethodGet, "/_alias", nil, nil, &ans); err != nil {
		return nil, err
	}
	out := []search.Alias{}
	for index, ix := range ans {
		if strings.HasPrefix(index, ".") {
			continue
		}
		for alias := range ix.Aliases {
			if !strings.HasPrefix(alias, ".") {
				out = append(out, search.Alias{Alias: alias, Index: index})
			}
		}
	}
	slices.SortFunc(out, func(a, b search.Alias) int {
		return cmp2(a.Alias, b.Alias, a.Index, b.Index)
	})
	return out, nil
}

func cmp2(a1, b1, a2, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// Stats counts the documents (as searches see them) and the bytes of the
// primary shards.
func (e *Engine) Stats(ctx context.Context, index string) (search.IndexStats, error) {
	n, err := e.Count(ctx, index, nil)
	if err != nil {
		return search.IndexStats{}, err
	}
	var ans struct {
		All struct {
			Primaries struct {
				Store struct {
					Size int64 `json:"size_in_bytes"`
				} `json:"store"`
			} `json:"primaries"`
		} `json:"_all"`
	}
	err = e.call(ctx, "stats of index "+strconv.Quote(index), http.MethodGet, indexPath(index, "_stats", "store"), nil, nil, &ans)
	return search.IndexStats{Docs: n, SizeBytes: ans.All.Primaries.Store.Size}, err
}
