package elasticsearch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"studio/internal/engine/search"
	"studio/internal/engine/search/searchtest"
	"studio/internal/testsupport/testenv/escluster"
)

func TestMain(m *testing.M) { escluster.Main(m) }

// clusterURL is ES_URL when set, else the URL of the real Elasticsearch
// cluster the tests start (package escluster).
func clusterURL(t *testing.T) string {
	if url := os.Getenv("ES_URL"); url != "" {
		return url
	}
	return escluster.Shared(t).URL()
}

// openCluster opens an engine on the test cluster, closed when the test
// ends, and returns a prefix for the test's index names, whose indexes
// are deleted then.
func openCluster(t *testing.T) (*Engine, string) {
	t.Helper()
	e, err := Open(context.Background(), clusterURL(t))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := "estest-" + hex.EncodeToString(b) + "-"
	t.Cleanup(func() {
		ctx := context.Background()
		if infos, err := e.ListIndexes(ctx); err == nil {
			for _, ix := range infos {
				if strings.HasPrefix(ix.Name, prefix) {
					_ = e.DeleteIndex(ctx, ix.Name)
				}
			}
		}
		_ = e.Close()
	})
	return e, prefix
}

// TestConformance runs the shared suite against a real cluster.
func TestConformance(t *testing.T) {
	url := clusterURL(t)
	searchtest.Run(t, func(t *testing.T) search.Engine {
		e, err := Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

// TestTwoEnginesShareTheCluster is Elasticsearch's side of difference 13:
// engines of several processes (here two clients) work on the same
// indexes, and a scroll opened by one goes on in the other.
func TestTwoEnginesShareTheCluster(t *testing.T) {
	ctx := context.Background()
	a, prefix := openCluster(t)
	b, _ := openCluster(t)
	name := prefix + "shared"
	if err := a.CreateIndex(ctx, name, search.IndexSpec{}); err != nil {
		t.Fatal(err)
	}
	var ops []search.BulkOp
	for i := range 5 {
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: fmt.Sprint(i), Doc: map[string]any{"n": int64(i)}})
	}
	if res, err := b.Bulk(ctx, name, ops); err != nil || res.Indexed != 5 {
		t.Fatalf("Bulk through the second engine = %+v, %v", res, err)
	}
	if err := b.Refresh(ctx, name); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Count(ctx, name, nil); err != nil || n != 5 {
		t.Errorf("Count through the first engine = %d, %v; want 5", n, err)
	}
	res, err := a.Search(ctx, name, search.SearchRequest{Size: 2, Scroll: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	seen := len(res.Hits)
	for len(res.Hits) > 0 {
		if res, err = b.ScrollNext(ctx, res.ScrollID); err != nil {
			t.Fatalf("ScrollNext in the other engine: %v", err)
		}
		seen += len(res.Hits)
	}
	if seen != 5 {
		t.Errorf("the scroll went through %d documents, want 5", seen)
	}
	if err := b.ClearScroll(ctx, res.ScrollID); err != nil {
		t.Errorf("ClearScroll: %v", err)
	}
}

// TestEngineWords checks that errors keep the engine's own words.
func TestEngineWords(t *testing.T) {
	ctx := context.Background()
	e, prefix := openCluster(t)

	err := e.CreateIndex(ctx, prefix+"bad", search.IndexSpec{Mapping: map[string]any{
		"properties": map[string]any{"drug": map[string]any{"type": "no_such_type"}}}})
	var ee *search.EngineError
	if !errors.As(err, &ee) || !errors.Is(err, search.ErrInvalidSpec) || ee.Type != "mapper_parsing_exception" ||
		!strings.Contains(ee.Reason, "The mapper type [no_such_type] declared on field [drug] does not exist") {
		t.Errorf("rejected mapping: %#v, want the engine's reason", err)
	}

	name := prefix + "words"
	if err := e.CreateIndex(ctx, name, search.IndexSpec{Settings: search.DefaultSettings(1, 0), Mapping: map[string]any{
		"properties": map[string]any{"name": map[string]any{"type": "text"}, "taxid": map[string]any{"type": "integer"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateIndex(ctx, name, search.IndexSpec{}); !errors.Is(err, search.ErrIndexExists) {
		t.Errorf("create twice = %v, want ErrIndexExists", err)
	}
	// A failed search says "all shards failed"; the user reads why.
	for q, want := range map[string]string{
		"taxid:abc": `failed to create query: For input string: "abc"`,
		"name:x~5":  "failed to create query: Valid edit distances are [0, 1, 2] but was [5]",
	} {
		_, err := e.Search(ctx, name, search.SearchRequest{Query: search.QueryString{Query: q}})
		var qe *search.QueryError
		if !errors.As(err, &qe) || qe.Reason != want {
			t.Errorf("Search(%s) = %v; want a QueryError saying %q", q, err, want)
		}
	}
	for what, err := range map[string]error{
		"search":       func() error { _, err := e.Search(ctx, prefix+"missing", search.SearchRequest{}); return err }(),
		"count":        func() error { _, err := e.Count(ctx, prefix+"missing", nil); return err }(),
		"get":          func() error { _, err := e.Get(ctx, prefix+"missing", "1"); return err }(),
		"mget":         func() error { _, err := e.MGet(ctx, prefix+"missing", []string{"1"}); return err }(),
		"put mapping":  e.PutMapping(ctx, prefix+"missing", map[string]any{"x": map[string]any{"type": "keyword"}}, nil),
		"stats":        func() error { _, err := e.Stats(ctx, prefix+"missing"); return err }(),
		"delete index": e.DeleteIndex(ctx, prefix+"missing"),
		"put alias":    e.PutAlias(ctx, prefix+"missing", prefix+"alias"),
		"delete alias": e.DeleteAlias(ctx, prefix+"missing", prefix+"alias"),
	} {
		if !errors.Is(err, search.ErrIndexNotFound) {
			t.Errorf("%s on a missing index = %v, want ErrIndexNotFound", what, err)
		}
	}
}

// TestListIndexes lists closed indexes (without a count) and leaves out
// Elasticsearch's own dot-indexes.
func TestListIndexes(t *testing.T) {
	ctx := context.Background()
	e, prefix := openCluster(t)
	open, closed, dot := prefix+"open", prefix+"closed", "."+prefix+"dot"
	for _, name := range []string{open, closed} {
		if err := e.CreateIndex(ctx, name, search.IndexSpec{Settings: search.DefaultSettings(1, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := e.Bulk(ctx, open, []search.BulkOp{{Kind: search.BulkIndex, ID: "1", Doc: map[string]any{"a": "b"}}}); err != nil || res.Indexed != 1 {
		t.Fatalf("Bulk = %+v, %v", res, err)
	}
	if err := e.Refresh(ctx, open); err != nil {
		t.Fatal(err)
	}
	if err := e.call(ctx, "close", http.MethodPost, indexPath(closed, "_close"), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.call(ctx, "create", http.MethodPut, "/"+dot, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.call(ctx, "delete", http.MethodDelete, "/"+dot, nil, nil, nil) })
	infos, err := e.ListIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []search.IndexInfo
	for _, ix := range infos {
		if strings.Contains(ix.Name, prefix) {
			mine = append(mine, ix)
		}
	}
	want := []search.IndexInfo{{Name: closed}, {Name: open, Docs: 1}}
	if !searchtest.JSONEqual(mine, want) {
		t.Errorf("ListIndexes = %+v; want %+v (no dot-index, sorted)", mine, want)
	}
}

// TestBulkSplits sends more operations than one _bulk request takes.
func TestBulkSplits(t *testing.T) {
	ctx := context.Background()
	e, prefix := openCluster(t)
	name := prefix + "bulk"
	if err := e.CreateIndex(ctx, name, search.IndexSpec{Settings: search.DefaultSettings(1, 0)}); err != nil {
		t.Fatal(err)
	}
	ops := make([]search.BulkOp, 2*bulkMaxOps+10)
	for i := range ops {
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: fmt.Sprint(i), Doc: map[string]any{"n": int64(i)}}
	}
	ops[7].ID = ""
	res, err := e.Bulk(ctx, name, ops)
	if err != nil || res.Indexed != len(ops)-1 || len(res.Failed) != 1 || res.Failed[0].Reason != "the document has no _id" {
		t.Fatalf("Bulk = %d indexed, %+v, %v; want %d and one without an _id", res.Indexed, res.Failed, err, len(ops)-1)
	}
	if err := e.Refresh(ctx, name); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Count(ctx, name, nil); err != nil || n != int64(len(ops)-1) {
		t.Errorf("Count = %d, %v", n, err)
	}
}

// TestBulkRaw indexes documents given as JSON and reads them back as
// Bulk's documents: the same values, and a failed item for each source
// the engine cannot take, beside the others.
func TestBulkRaw(t *testing.T) {
	ctx := context.Background()
	e, prefix := openCluster(t)
	raw, decoded := prefix+"raw", prefix+"decoded"
	for _, ix := range []string{raw, decoded} {
		if err := e.CreateIndex(ctx, ix, search.IndexSpec{Settings: search.DefaultSettings(1, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	good := []search.RawDoc{
		{ID: "plain", Source: []byte(`{"name":"cdk2","taxid":9606,"score":1.5,"exact":2.0}`)},
		{ID: "unicode", Source: []byte(`{"name":"é漢字🧬 \"q\" \\ \u2028","tags":["α","β"]}`)},
		{ID: "big", Source: []byte(`{"n":9007199254740993,"neg":-9223372036854775808}`)},
		{ID: "nested", Source: []byte(`{"a":{"b":{"c":[{"d":null,"e":true},{"d":"x","f":[1,2]}]}},"empty":{},"list":[]}`)},
		{ID: "odd/ é?#%\"\\&<>", Source: []byte(`{"name":"odd"}`)},
		{ID: "lines", Source: []byte("{\n  \"name\": \"on lines\",\n  \"n\": [1,\n 2]\n}\n")},
	}
	bad := []search.RawDoc{
		{ID: "", Source: []byte(`{"name":"no id"}`)},
		{ID: "empty", Source: nil},
		{ID: "cut", Source: []byte("{\"a\":\n")},
		{ID: "not-json", Source: []byte(`{"a":}`)},
	}
	res, err := e.BulkRaw(ctx, raw, append(slices.Clone(good), bad...))
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed != len(good) || len(res.Failed) != len(bad) {
		t.Fatalf("BulkRaw = %d indexed, failed %+v; want %d indexed and %d failed", res.Indexed, res.Failed, len(good), len(bad))
	}
	for _, f := range res.Failed {
		if f.Reason == "" {
			t.Errorf("failed item %q without a reason", f.ID)
		}
	}
	ops := make([]search.BulkOp, len(good))
	for i, d := range good {
		doc, err := search.DecodeDoc(d.Source)
		if err != nil {
			t.Fatal(err)
		}
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: doc}
	}
	if res, err := e.Bulk(ctx, decoded, ops); err != nil || res.Indexed != len(ops) {
		t.Fatalf("Bulk = %+v, %v", res, err)
	}
	for _, op := range ops {
		got, err := e.Get(ctx, raw, op.ID)
		if err != nil {
			t.Fatalf("Get %q: %v", op.ID, err)
		}
		want, err := e.Get(ctx, decoded, op.ID)
		if err != nil {
			t.Fatalf("Get %q: %v", op.ID, err)
		}
		if !reflect.DeepEqual(got.Source, op.Doc) || !reflect.DeepEqual(got.Source, want.Source) {
			t.Errorf("document %q: raw %v, decoded %v; want %v", op.ID, got.Source, want.Source, op.Doc)
		}
	}
	if _, err := e.BulkRaw(ctx, prefix+"missing", good); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("BulkRaw into a missing index = %v, want ErrIndexNotFound", err)
	}
	// More documents than one request takes.
	many := make([]search.RawDoc, 2*bulkMaxOps+10)
	for i := range many {
		many[i] = search.RawDoc{ID: fmt.Sprint("m", i), Source: fmt.Appendf(nil, `{"n":%d}`, i)}
	}
	if res, err := e.BulkRaw(ctx, raw, many); err != nil || res.Indexed != len(many) || len(res.Failed) != 0 {
		t.Fatalf("BulkRaw of %d = %+v, %v", len(many), res, err)
	}
	if err := e.Refresh(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Count(ctx, raw, nil); err != nil || n != int64(len(good)+len(many)) {
		t.Errorf("Count = %d, %v; want %d", n, err, len(good)+len(many))
	}
}

// TestCredentials checks, on a fake server (the test cluster has no
// security), that credentials in the URL are sent and never shown.
func TestCredentials(t *testing.T) {
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		auth = append(auth, user+":"+pass)
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"name":"fake","version":{"number":"8.19.21"},"tagline":"You Know, for Search"}`)
	}))
	defer srv.Close()
	e, err := Open(context.Background(), strings.Replace(srv.URL, "http://", "http://elastic:secret@", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info, err := e.Info(context.Background())
	if err != nil || info != (search.Info{Backend: "elasticsearch", Version: "8.19.21", Where: srv.URL}) {
		t.Errorf("Info = %+v, %v (credentials must not show)", info, err)
	}
	if len(auth) == 0 || auth[0] != "elastic:secret" {
		t.Errorf("basic auth sent: %q", auth)
	}
}

func TestEngineError(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		is     error
		text   string
	}{
		{404, `{"error":{"type":"index_not_found_exception","reason":"no such index [x]"},"status":404}`, search.ErrIndexNotFound, "index not found"},
		{400, `{"error":{"type":"resource_already_exists_exception","reason":"index [x/u] already exists"},"status":400}`, search.ErrIndexExists, "index already exists"},
		{400, `{"error":{"type":"illegal_argument_exception","reason":"unknown setting [index.foo]"},"status":400}`, search.ErrInvalidSpec,
			"elasticsearch: illegal_argument_exception: unknown setting [index.foo]"},
		{400, `{"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query: Cannot search on field [x] since it is not indexed."}],
			"type":"search_phase_execution_exception","reason":"all shards failed","phase":"query"},"status":400}`, search.ErrInvalidSpec,
			"elasticsearch: search_phase_execution_exception: failed to create query: Cannot search on field [x] since it is not indexed."},
		{503, "<html>\n<body>Bad gateway</body>\n</html>", nil, "elasticsearch (status 503): <html> <body>Bad gateway</body> </html>"},
		{405, `{"error":"Incorrect HTTP method","status":405}`, nil, `elasticsearch (status 405): {"error":"Incorrect HTTP method","status":405}`},
	} {
		err := engineError(c.status, []byte(c.body))
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%d %s: %v, want %v", c.status, c.body, err, c.is)
		}
		if c.is == nil && errors.Is(err, search.ErrInvalidSpec) {
			t.Errorf("%d: %v matches ErrInvalidSpec", c.status, err)
		}
		if err.Error() != c.text {
			t.Errorf("%d: error text %q, want %q", c.status, err, c.text)
		}
	}
}

func TestOpenFailsFast(t *testing.T) {
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()

	notES := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version":{"number":"2.0.0"}}`) // no X-Elastic-Product header
	}))
	defer notES.Close()

	for _, c := range []struct{ name, url, want string }{
		{"unreachable", url, url},
		{"not elasticsearch", notES.URL, notES.URL},
		{"not a URL", "localhost:9200", `"localhost:9200" is not a URL`},
	} {
		_, err := Open(context.Background(), c.url)
		if err == nil {
			t.Errorf("%s: Open succeeded", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q: want one line naming %s", c.name, err, c.want)
		}
	}
}
