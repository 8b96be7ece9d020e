package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"studio/internal/engine/search"
)

// TestFetchAll pages through the 100 documents with fetch_all and
// scroll_id, in pages of testPageSize, then gets "No more results".
func TestFetchAll(t *testing.T) { eachBackend(t, testFetchAll) }

func testFetchAll(t *testing.T, f *fixture) {
	r := do(t, f.srv.URL, "GET", "/v1/query?fetch_all=true&fields=symbol", "", "")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var sizes []int
	var ids []string
	m := r.obj(t)
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("too many pages")
		}
		hs := hits(t, m)
		if m["total"] != int64(len(f.docs)) {
			t.Errorf("page %d: total %v", page, m["total"])
		}
		sizes = append(sizes, len(hs))
		ids = append(ids, hitIDs(hs)...)
		fieldsOnly("symbol")(t, f, &resp{body: r.body})
		sid, _ := m["_scroll_id"].(string)
		if sid == "" {
			t.Fatalf("page %d has no _scroll_id", page)
		}
		r = do(t, f.srv.URL, "GET", "/v1/query?scroll_id="+url.QueryEscape(sid), "", "")
		if r.status != 200 {
			t.Fatalf("scroll page %d: status %d: %s", page+1, r.status, r.body)
		}
		m = r.obj(t)
		if m["success"] == false {
			want := map[string]any{"success": false, "error": "No more results to return."}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("end of scroll: %v, want %v", m, want)
			}
			break
		}
	}
	if want := []int{30, 30, 30, 10}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("page sizes %v, want %v", sizes, want)
	}
	if !sameSet(ids, idsOf(f.docs)) || len(ids) != len(f.docs) {
		t.Errorf("fetch_all returned %d ids, want the %d documents once each", len(ids), len(f.docs))
	}
}

// TestFetchAllDefaultPage: with the default page of 1000, the 100
// documents come in one page, and the next call says there is no more.
func TestFetchAllDefaultPage(t *testing.T) { eachBackend(t, testFetchAllDefaultPage) }

func testFetchAllDefaultPage(t *testing.T, f *fixture) {
	r := do(t, f.full.URL, "GET", "/v1/query?q=__all__&fetch_all=1&size=5", "", "")
	m := r.obj(t)
	if hs := hits(t, m); len(hs) != len(f.docs) {
		t.Fatalf("first page has %d hits, want %d", len(hs), len(f.docs))
	}
	sid, _ := m["_scroll_id"].(string)
	r = do(t, f.full.URL, "GET", "/query/?scroll_id="+url.QueryEscape(sid), "", "")
	if r.status != 200 || r.obj(t)["error"] != "No more results to return." {
		t.Errorf("after the last page: %d %s", r.status, r.body)
	}
}

// TestFetchAllQuery: fetch_all follows q and sort.
func TestFetchAllQuery(t *testing.T) { eachBackend(t, testFetchAllQuery) }

func testFetchAllQuery(t *testing.T, f *fixture) {
	want := idsOf(f.where(func(d rawDoc) bool { return taxid(d) == 9823 }))
	symbol := func(id string) string { s, _ := f.byID[id]["symbol"].(string); return strings.ToLower(s) }
	r := do(t, f.srv.URL, "GET", "/v1/query?q=taxid:9823&fetch_all=true&sort=-symbol", "", "")
	got := hitIDs(hits(t, r.obj(t)))
	if !sameSet(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
	for i := 1; i < len(got); i++ {
		if symbol(got[i-1]) < symbol(got[i]) {
			t.Errorf("not sorted by -symbol: %v", got)
		}
	}
	// Sorting on _id: Elasticsearch 8 refuses it (docs/search-backends.md, 32).
	r = do(t, f.srv.URL, "GET", "/v1/query?q=taxid:9823&fetch_all=true&sort=-_id", "", "")
	if f.backend == esBackend {
		if msg, _ := r.obj(t)["error"].(string); r.status != 400 || !strings.Contains(msg, "_id") {
			t.Errorf("sort=-_id: %d %s; want a 400 naming _id", r.status, clip(r.body))
		}
		return
	}
	got = hitIDs(hits(t, r.obj(t)))
	if !sameSet(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] < got[i] {
			t.Errorf("not sorted by -_id: %v", got)
		}
	}
}

// TestJSONLayout: answers read like BioThings': bookkeeping keys first.
func TestJSONLayout(t *testing.T) { eachBackend(t, testJSONLayout) }

func testJSONLayout(t *testing.T, f *fixture) {
	for path, prefix := range map[string]string{
		"/v1/gene/1017":              `{"_id":"1017","_version":1,`,
		"/v1/query?q=taxid:9606":     `{"took":`,
		"/v1/gene/nosuch":            `{"code":404,"success":false,"error":"Not Found."}`,
		"/v1/query?q=taxid:9606&x=1": `{"took":`,
	} {
		r := do(t, f.srv.URL, "GET", path, "", "")
		if !strings.HasPrefix(string(r.body), prefix) {
			t.Errorf("%s: answer starts %q, want %q", path, clip(r.body), prefix)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
	}
	r := do(t, f.srv.URL, "GET", "/v1/query?q=taxid:9606", "", "")
	if !bytes.Contains(r.body, []byte(`"hits":[{"_id":"1017","_score":`)) {
		t.Errorf("hit layout: %s", clip(r.body))
	}
}

// TestRandomOrder: __any__ returns every document, not always in the
// same order.
func TestRandomOrder(t *testing.T) { eachBackend(t, testRandomOrder) }

func testRandomOrder(t *testing.T, f *fixture) {
	first := hitIDs(hits(t, do(t, f.srv.URL, "GET", "/v1/query?q=__any__&size=100", "", "").obj(t)))
	differs := false
	for range 5 {
		again := hitIDs(hits(t, do(t, f.srv.URL, "GET", "/v1/query?q=__any__&size=100", "", "").obj(t)))
		if !sameSet(again, first) {
			t.Fatalf("__any__ returned other documents")
		}
		differs = differs || !reflect.DeepEqual(again, first)
	}
	if !differs {
		t.Error("six __any__ answers came in the same order")
	}
}

func TestNew(t *testing.T) { eachBackend(t, testNew) }

func testNew(t *testing.T, f *fixture) {
	if _, err := New(Config{Index: "x"}); err == nil {
		t.Error("New without an engine succeeded")
	}
	if _, err := New(Config{Engine: f.eng}); err == nil {
		t.Error("New without an index succeeded")
	}
	if _, err := New(Config{Engine: f.eng, Index: f.name("nosuchindex")}); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("New on a missing index: %v, want ErrIndexNotFound", err)
	}
	if _, err := New(Config{Engine: f.eng, Index: f.index, DocType: "query"}); err == nil {
		t.Error("New with doc type query succeeded")
	}
	h, err := New(Config{Engine: f.eng, Index: f.index, DocType: "variant", Prefix: "/api/"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, status := range map[string]int{
		"/api/variant/1017": 200, "/variant/1017": 200, "/api/gene/1017": 404, "/v1/variant/1017": 404, "/api/query?q=1017": 200,
	} {
		if r := do(t, srv.URL, "GET", path, "", ""); r.status != status {
			t.Errorf("%s: status %d, want %d", path, r.status, status)
		}
	}
	h, err = New(Config{Engine: f.eng, Index: f.index, Prefix: "/"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/gene/1017", nil))
	if rec.Code != 200 {
		t.Errorf("no prefix: /gene/1017 status %d", rec.Code)
	}
}

// TestDocTypeDefault: without biothing_type in _meta the route is "doc",
// and /metadata fills biothing_type in.
func TestDocTypeDefault(t *testing.T) { eachBackend(t, testDocTypeDefault) }

func testDocTypeDefault(t *testing.T, f *fixture) {
	ctx := context.Background()
	plain := f.name("plain_test")
	spec := search.ReleaseSpec(map[string]any{"k": map[string]any{"type": "keyword"}}, map[string]any{"build_version": "1"}, 1, 0)
	if err := f.eng.CreateIndex(ctx, plain, spec); err != nil {
		t.Fatal(err)
	}
	if err := loadIndex2(f.eng, plain, map[string]map[string]any{"a": {"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Engine: f.eng, Index: plain})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/doc/a", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"k":"v"`) {
		t.Errorf("/v1/doc/a: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/metadata", nil))
	if !strings.Contains(rec.Body.String(), `"biothing_type":"doc"`) {
		t.Errorf("/v1/metadata: %s", rec.Body)
	}
}

func loadIndex2(eng search.Engine, name string, docs map[string]map[string]any) error {
	var ops []search.BulkOp
	for id, d := range docs {
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: d})
	}
	if _, err := eng.Bulk(context.Background(), name, ops); err != nil {
		return err
	}
	return eng.Refresh(context.Background(), name)
}

// brokenEngine fails or panics where told, to check the answers that no
// user input may reach.
type brokenEngine struct {
	search.Engine
	panicOnGet bool
	err        error
}

func (b *brokenEngine) Get(ctx context.Context, index, id string) (search.Hit, error) {
	if b.panicOnGet {
		panic("boom")
	}
	return b.Engine.Get(ctx, index, id)
}

func (b *brokenEngine) Search(ctx context.Context, index string, req search.SearchRequest) (search.SearchResult, error) {
	if b.err != nil {
		return search.SearchResult{}, b.err
	}
	return b.Engine.Search(ctx, index, req)
}

func (b *brokenEngine) Count(ctx context.Context, index string, q search.Query) (int64, error) {
	if b.err != nil {
		return 0, b.err
	}
	return b.Engine.Count(ctx, index, q)
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestPanicAndEngineFailure(t *testing.T) { eachBackend(t, testPanicAndEngineFailure) }

func testPanicAndEngineFailure(t *testing.T, f *fixture) {
	var logs logBuffer
	eng := &brokenEngine{Engine: f.eng, panicOnGet: true, err: errors.New("connection refused")}
	h, err := New(Config{Engine: eng, Index: f.index, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for path, status := range map[string]int{"/v1/gene/1017": 500, "/v1/query?q=cdk2": 500, "/v1/status": 503} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var m map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &m)
		if rec.Code != status || m["success"] != false || m["code"] != float64(status) {
			t.Errorf("%s: %d %s, want %d in the error form", path, rec.Code, rec.Body, status)
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", path)
		}
	}
	for _, want := range []string{"panic while answering", "boom", "search engine failed", "connection refused"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestPanicInTermWorker: a panic in one of the goroutines of a POST
// reaches the handler's recover instead of killing the process.
func TestPanicInTermWorker(t *testing.T) {
	defer func() {
		if v := recover(); v != "boom" {
			t.Errorf("recovered %v, want boom", v)
		}
	}()
	parallel(20, func(i int) {
		if i == 7 {
			panic("boom")
		}
	})
}

func TestAppendJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "a>b<c&d", "quote\" back\\ nl\n tab\t cr\r bell\x07", "\u2028\u2029", "héllo 日本",
		int64(0), int64(-42), int64(math.MaxInt64), 0.0, 38.0, -2.5, 1e-7, 3.45583178284e-06, 1e21, 123456789.125, math.SmallestNonzeroFloat64,
		[]any{}, map[string]any{}, []any{int64(1), "x", map[string]any{"b": 1.5, "a": nil}},
		map[string]any{"z": int64(1), "_id": "x", "query": "q", "A": true, "_score": 1.0},
	}
	for _, v := range values {
		got := appendJSON(nil, v)
		var back, want any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%#v: invalid JSON %s: %v", v, got, err)
			continue
		}
		wantJSON, _ := json.Marshal(v)
		_ = json.Unmarshal(wantJSON, &want)
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%#v: %s decodes to %#v, want %#v", v, got, back, want)
		}
	}
	for v, want := range map[any]string{
		38.0: "38.0", 1e-7: "1e-7", 1e21: "1e+21", "a>b": `"a>b"`, "\x01": `"\u0001"`, "\xff": `"\ufffd"`, math.NaN(): "null",
	} {
		if got := string(appendJSON(nil, v)); got != want {
			t.Errorf("%#v: %s, want %s", v, got, want)
		}
	}
	got := string(appendJSON(nil, map[string]any{"z": 1, "_id": "x", "query": "q", "A": true, "_score": 1.0}))
	if want := `{"query":"q","_id":"x","_score":1.0,"A":true,"z":1}`; got != want {
		t.Errorf("key order %s, want %s", got, want)
	}
}

func TestShape(t *testing.T) {
	doc := map[string]any{
		"a": map[string]any{"b": int64(1), "c": []any{int64(2), int64(3)}},
		"l": []any{map[string]any{"x": "1"}, map[string]any{"x": "2", "y": "3"}},
		"s": "v",
		"e": []any{},
	}
	orig := mustJSON(doc)
	flat, _, _ := shape{dotField: true}.apply(doc)
	want := map[string]any{"a.b": int64(1), "a.c": []any{int64(2), int64(3)}, "l.x": []any{"1", "2"}, "l.y": "3", "s": "v", "e": []any{}}
	if !reflect.DeepEqual(flat, want) {
		t.Errorf("dotfield %v, want %v", flat, want)
	}
	got, _, _ := shape{alwaysList: []string{"s", "a.b", "l.y", "a.c", "nope.x"}, allowNull: []string{"l.z", "n", "a.b", "q.r"}}.apply(doc)
	// As biothings.web: allow_null does not create the objects on the way
	// (q.r is not added).
	want2 := map[string]any{
		"a": map[string]any{"b": []any{int64(1)}, "c": []any{int64(2), int64(3)}},
		"l": []any{map[string]any{"x": "1", "z": nil}, map[string]any{"x": "2", "y": []any{"3"}, "z": nil}},
		"s": []any{"v"}, "e": []any{}, "n": nil,
	}
	if !reflect.DeepEqual(got, want2) {
		t.Errorf("always_list/allow_null:\n got %v\nwant %v", got, want2)
	}
	if !bytes.Equal(mustJSON(doc), orig) {
		t.Error("shape modified the document it was given")
	}
}

// TestScopeQuery: the query each scope type gets.
func TestScopeQuery(t *testing.T) {
	types := map[string]string{"sym": "keyword", "n": "integer", "name": "text", "ok": "boolean"}
	if q := scopeQuery("x", []string{"n", "ok"}, types); !reflect.DeepEqual(q, search.MatchNone{}) {
		t.Errorf("non-numeric term on numeric and boolean scopes: %#v", q)
	}
	if q := scopeQuery(`a "b\`, []string{"name"}, types); !reflect.DeepEqual(q, search.QueryString{Query: `"a \"b\\"`, DefaultFields: []string{"name"}, DefaultOperator: search.And}) {
		t.Errorf("text scope: %#v", q)
	}
	q := scopeQuery("12", []string{"_id", "sym", "n"}, types)
	want := search.Bool{Should: []search.Query{search.IDs{Values: []string{"12"}}, search.Term{Field: "sym", Value: "12"}, search.Term{Field: "n", Value: 12.0}}}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("mixed scopes: %#v", q)
	}
}

// TestBodyLimits: a body over MaxBodyBytes is a 413, a bad form a 400.
func TestBodyLimits(t *testing.T) { eachBackend(t, testBodyLimits) }

func testBodyLimits(t *testing.T, f *fixture) {
	big := "ids=" + strings.Repeat("1", MaxBodyBytes)
	r := do(t, f.srv.URL, "POST", "/v1/gene", "application/x-www-form-urlencoded", big)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d %s", r.status, clip(r.body))
	}
	r = do(t, f.srv.URL, "POST", "/v1/gene", "application/x-www-form-urlencoded", "ids=%zz")
	if r.status != 400 || r.obj(t)["error"] != "Invalid form body." {
		t.Errorf("bad form: %d %s", r.status, r.body)
	}
	r = do(t, f.srv.URL, "POST", "/v1/gene", "multipart/form-data", "x")
	if r.status != 400 {
		t.Errorf("multipart without boundary: %d %s", r.status, r.body)
	}
}

// TestCache: with CacheTTL, GET answers are served again until they
// expire; fetch_all is never cached.
func TestCache(t *testing.T) { eachBackend(t, testCache) }

func testCache(t *testing.T, f *fixture) {
	ctx := context.Background()
	cacheIx := f.name("cache_test")
	spec := search.ReleaseSpec(map[string]any{"k": map[string]any{"type": "keyword"}}, map[string]any{"biothing_type": "thing"}, 1, 0)
	if err := f.eng.CreateIndex(ctx, cacheIx, spec); err != nil {
		t.Fatal(err)
	}
	if err := loadIndex2(f.eng, cacheIx, map[string]map[string]any{"a": {"k": "v1"}}); err != nil {
		t.Fatal(err)
	}
	// Long enough for a write and a refresh on a busy cluster in between.
	const ttl = 2 * time.Second
	h, err := New(Config{Engine: f.eng, Index: cacheIx, CacheTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Body.String()
	}
	if b := get("/v1/thing/a"); !strings.Contains(b, `"v1"`) {
		t.Fatalf("first answer %s", b)
	}
	cached := time.Now() // the answer was cached before this
	if err := loadIndex2(f.eng, cacheIx, map[string]map[string]any{"a": {"k": "v2"}}); err != nil {
		t.Fatal(err)
	}
	if b := get("/v1/thing/a"); !strings.Contains(b, `"v1"`) {
		t.Errorf("within the TTL (%v after): %s, want the cached v1", time.Since(cached), b)
	}
	if b := get("/v1/thing/a?fields=k"); !strings.Contains(b, `"v2"`) {
		t.Errorf("another query string: %s, want v2", b)
	}
	if a, b := get("/v1/query?fetch_all=true"), get("/v1/query?fetch_all=true"); a == b {
		t.Errorf("fetch_all answered twice the same scroll: %s", a)
	}
	time.Sleep(time.Until(cached.Add(ttl + 50*time.Millisecond)))
	if b := get("/v1/thing/a"); !strings.Contains(b, `"v2"`) {
		t.Errorf("after the TTL: %s, want v2", b)
	}
}

// TestResultWindow: from and size within their limits but past
// Elasticsearch's max_result_window are a 400 with its reason there, and
// an empty page on Bleve (docs/search-backends.md, 33).
func TestResultWindow(t *testing.T) { eachBackend(t, testResultWindow) }

func testResultWindow(t *testing.T, f *fixture) {
	r := do(t, f.srv.URL, "GET", "/v1/query?from=9500&size=1000", "", "")
	if f.backend == esBackend {
		if msg, _ := r.obj(t)["error"].(string); r.status != 400 || !strings.Contains(msg, "max_result_window") {
			t.Errorf("from 9500, size 1000: %d %s; want a 400 naming max_result_window", r.status, clip(r.body))
		}
		return
	}
	if r.status != 200 || len(hits(t, r.obj(t))) != 0 {
		t.Errorf("from 9500, size 1000: %d %s; want an empty page", r.status, clip(r.body))
	}
}
