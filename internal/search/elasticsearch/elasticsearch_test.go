package elasticsearch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"studio/internal/search"
	"studio/internal/search/searchtest"
	"studio/internal/testenv/escluster"
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

// fakeES answers the few requests the backend makes, the way Elasticsearch
// 8 does, to test the client side without a cluster.
type fakeES struct {
	mu      sync.Mutex
	indexes map[string]json.RawMessage // name -> mappings
	lastPut map[string]any
}

func (f *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	name := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodGet && name == "":
		io.WriteString(w, `{"name":"fake","version":{"number":"8.15.3"},"tagline":"You Know, for Search"}`)
	case r.Method == http.MethodGet && name == "_cat/indices":
		io.WriteString(w, `[{"index":".kibana_1","docs.count":"5"},{"index":"zeta","docs.count":"12"},{"index":"closed","docs.count":null}`)
		for n := range f.indexes {
			io.WriteString(w, `,{"index":"`+n+`","docs.count":"0"}`)
		}
		io.WriteString(w, `]`)
	case r.Method == http.MethodPut:
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.lastPut = body
		if _, ok := f.indexes[name]; ok {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"root_cause":[{"type":"resource_already_exists_exception","reason":"index [`+name+`/x] already exists"}],"type":"resource_already_exists_exception","reason":"index [`+name+`/x] already exists"},"status":400}`)
			return
		}
		if strings.Contains(mustJSON(body), "no_such_type") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"root_cause":[{"type":"mapper_parsing_exception","reason":"No handler for type [no_such_type] declared on field [drug]"}],"type":"mapper_parsing_exception","reason":"Failed to parse mapping: No handler for type [no_such_type] declared on field [drug]","caused_by":{"type":"mapper_parsing_exception","reason":"No handler for type [no_such_type] declared on field [drug]"}},"status":400}`)
			return
		}
		f.indexes[name] = json.RawMessage(mustJSON(body["mappings"]))
		io.WriteString(w, `{"acknowledged":true,"shards_acknowledged":true,"index":"`+name+`"}`)
	case r.Method == http.MethodGet || r.Method == http.MethodDelete:
		m, ok := f.indexes[name]
		if !ok {
			w.WriteHeader(404)
			io.WriteString(w, `{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [`+name+`]"}],"type":"index_not_found_exception","reason":"no such index [`+name+`]","index":"`+name+`"},"status":404}`)
			return
		}
		if r.Method == http.MethodDelete {
			delete(f.indexes, name)
			io.WriteString(w, `{"acknowledged":true}`)
			return
		}
		io.WriteString(w, `{"`+name+`":{"aliases":{},"mappings":`+string(m)+`,"settings":{"index":{"number_of_shards":"1","uuid":"u"}}}}`)
	default:
		w.WriteHeader(405)
		io.WriteString(w, `{"error":"Incorrect HTTP method","status":405}`)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func openFake(t *testing.T) (*Engine, *fakeES, string) {
	t.Helper()
	f := &fakeES{indexes: map[string]json.RawMessage{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	e, err := Open(context.Background(), strings.Replace(srv.URL, "http://", "http://elastic:secret@", 1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, f, srv.URL
}

func TestAgainstFakeCluster(t *testing.T) {
	ctx := context.Background()
	e, f, url := openFake(t)

	info, err := e.Info(ctx)
	if err != nil || info != (search.Info{Backend: "elasticsearch", Version: "8.15.3", Where: url}) {
		t.Errorf("Info = %+v, %v (credentials must not show)", info, err)
	}

	spec := searchtest.CGISpec()
	if err := e.CreateIndex(ctx, "cgi", spec); err != nil {
		t.Fatal(err)
	}
	sent, _ := f.lastPut["mappings"].(map[string]any)
	if !searchtest.JSONEqual(sent["_meta"], spec.Meta) || sent["dynamic"] != "false" || f.lastPut["settings"] == nil {
		t.Errorf("create body = %v: want settings, and the mapping with _meta", f.lastPut)
	}
	got, err := e.GetIndex(ctx, "cgi")
	if err != nil || !searchtest.JSONEqual(got.Meta, spec.Meta) || got.Mapping["_meta"] != nil {
		t.Errorf("GetIndex = %+v, %v", got, err)
	}

	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"create twice", e.CreateIndex(ctx, "cgi", spec), search.ErrIndexExists},
		{"delete missing", e.DeleteIndex(ctx, "missing"), search.ErrIndexNotFound},
		{"get missing", func() error { _, err := e.GetIndex(ctx, "missing"); return err }(), search.ErrIndexNotFound},
		{"invalid name", e.DeleteIndex(ctx, "*"), search.ErrInvalidName},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}

	err = e.CreateIndex(ctx, "bad", search.IndexSpec{Mapping: map[string]any{
		"properties": map[string]any{"drug": map[string]any{"type": "no_such_type"}}}})
	var ee *search.EngineError
	if !errors.As(err, &ee) || !errors.Is(err, search.ErrInvalidSpec) ||
		ee.Type != "mapper_parsing_exception" ||
		ee.Reason != "Failed to parse mapping: No handler for type [no_such_type] declared on field [drug]" {
		t.Errorf("rejected mapping: %#v, want the engine's reason", err)
	}

	list, err := e.ListIndexes(ctx)
	want := []search.IndexInfo{{Name: "cgi"}, {Name: "closed"}, {Name: "zeta", Docs: 12}}
	if err != nil || !searchtest.JSONEqual(list, want) {
		t.Errorf("ListIndexes = %+v, %v; want %+v (no dot-indexes, sorted)", list, err, want)
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
