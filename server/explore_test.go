package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"studio/internal/app/config"
	"studio/internal/domain/hub"
	"studio/internal/domain/inspect"
	"studio/internal/engine"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/testenv/escluster"
	"studio/server"
)

func TestMain(m *testing.M) { escluster.Main(m) }

// exploreDocs are CGI-like variants: cgi is an object or a list of them.
func exploreDocs() []docstore.Doc {
	return []docstore.Doc{
		{"_id": "chr9:g.133738363G>A", "cgi": []any{map[string]any{"gene": "ABL1", "drug": "Imatinib", "evidence": int64(3)}, map[string]any{"gene": "ABL1", "drug": "Nilotinib", "evidence": int64(2)}}},
		{"_id": "chr9:g.133748283C>T", "cgi": map[string]any{"gene": "ABL1", "drug": "Dasatinib", "evidence": int64(1)}},
		{"_id": "chr4:g.55599321A>T", "cgi": map[string]any{"gene": "KIT", "drug": "Imatinib", "evidence": int64(3)}},
		{"_id": "chr7:g.140453136A>T", "cgi": map[string]any{"gene": "BRAF", "drug": "Vemurafenib", "evidence": int64(1)}},
	}
}

// exploreServer is a hub server on real engines (SQLite and the search
// engine given) holding the docs as build "b1" (inspected with mode stats),
// a build "b2" with one document less, the source "cgi" inspected, and an
// index with the docs.
func exploreServer(t *testing.T, eng search.Engine, index string) *server.Server {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	e, err := engine.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if eng == nil {
		eng = e.Search
	}
	docs := exploreDocs()
	inspected := func(docs []docstore.Doc) map[string]any {
		in := inspect.New(inspect.ModeStats)
		for _, d := range docs {
			in.Add(d)
		}
		var m map[string]any
		b, _ := json.Marshal(in.Result())
		_ = json.Unmarshal(b, &m)
		return map[string]any{"status": "success", "results": m, "last_success": "2026-12-04T10:00:00"}
	}
	for id, ds := range map[string][]docstore.Doc{"b1": docs, "b2": docs[1:]} {
		if err := e.Target.C(id).Upsert(ctx, ds); err != nil {
			t.Fatal(err)
		}
		if err := e.Hub.C(hub.SrcBuild).Upsert(ctx, []docstore.Doc{{"_id": id, "inspect": inspected(ds)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Hub.C(hub.SrcDump).Upsert(ctx, []docstore.Doc{{"_id": "cgi", "inspect": map[string]any{"jobs": map[string]any{"cgi": inspected(docs)}}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Hub.C(hub.SrcDump).Upsert(ctx, []docstore.Doc{{"_id": "bare"}}); err != nil {
		t.Fatal(err)
	}
	spec := search.IndexSpec{
		Mapping: map[string]any{"properties": map[string]any{"cgi": map[string]any{"properties": map[string]any{
			"gene":     map[string]any{"type": "keyword"},
			"drug":     map[string]any{"type": "keyword"},
			"evidence": map[string]any{"type": "integer"},
		}}}},
		Meta: map[string]any{"biothing_type": "variant"},
	}
	if err := eng.CreateIndex(ctx, index, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.DeleteIndex(context.Background(), index) })
	ops := make([]search.BulkOp, len(docs))
	for i, d := range docs {
		id, _ := docstore.ID(d)
		body := map[string]any{}
		for k, v := range d {
			if k != "_id" {
				body[k] = v
			}
		}
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: body}
	}
	if _, err := eng.Bulk(ctx, index, ops); err != nil {
		t.Fatal(err)
	}
	if err := eng.Refresh(ctx, index); err != nil {
		t.Fatal(err)
	}
	return server.New(server.Deps{Hub: e.Hub, Src: e.Src, Target: e.Target, Search: eng})
}

// get calls the server without a listener and returns the status and body,
// checked against the hub API's OpenAPI document.
func get(t *testing.T, srv *server.Server, path string) (int, string) {
	t.Helper()
	res, err := srv.App().Test(httptest.NewRequest("GET", path, nil), -1)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	b, _ := io.ReadAll(res.Body)
	checkAnswer(t, "GET", "http://hub"+path, res.StatusCode, res.Header, b)
	return res.StatusCode, string(b)
}

func TestExploreIndex(t *testing.T) {
	backends := map[string]func(t *testing.T) (search.Engine, string){
		"bleve": func(t *testing.T) (search.Engine, string) { return nil, "cgi_explore" },
		"elasticsearch": func(t *testing.T) (search.Engine, string) {
			eng, err := elasticsearch.Open(context.Background(), escluster.Shared(t).URL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eng.Close() })
			b := make([]byte, 4)
			_, _ = rand.Read(b)
			return eng, "explore-" + hex.EncodeToString(b)
		},
	}
	for _, name := range []string{"bleve", "elasticsearch"} {
		t.Run(name, func(t *testing.T) {
			eng, index := backends[name](t)
			srv := exploreServer(t, eng, index)
			base := "/explore/index/" + url.PathEscape(index)
			tests := []struct {
				name, path string
				code       int
				want       []string // substrings of the answer
			}{
				{"indexes", "/explore/indexes", 200, []string{`"name":"` + index + `"`}},
				{"query with a facet", base + "/v1/query?q=cgi.gene:ABL1&facets=cgi.drug&size=1", 200, []string{`"total":2`, `"term":"Imatinib"`, `"facets"`}},
				{"query bare", base + "/query?q=cgi.gene:KIT&fields=cgi.gene", 200, []string{`"total":1`, `"_id":"chr4:g.55599321A>T"`}},
				{"paging", base + "/v1/query?q=__all__&from=3&size=2", 200, []string{`"total":4`}},
				{"a document", base + "/v1/variant/" + url.PathEscape("chr9:g.133748283C>T"), 200, []string{`"drug":"Dasatinib"`}},
				{"metadata fields", base + "/v1/metadata/fields", 200, []string{`"cgi.gene"`}},
				{"a bad query is the data API's 400", base + "/v1/query?q=%22unbalanced", 400, []string{`"success":false`}},
				{"no such index", "/explore/index/nope/v1/query?q=x", 404, []string{`no index \"nope\"`}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, body := get(t, srv, tt.path)
					if code != tt.code {
						t.Fatalf("GET %s = %d %s, want %d", tt.path, code, body, tt.code)
					}
					for _, w := range tt.want {
						if !strings.Contains(body, w) {
							t.Errorf("GET %s = %s\nwant it to hold %s", tt.path, body, w)
						}
					}
				})
			}
		})
	}
}

func TestExploreBuildAndFields(t *testing.T) {
	srv := exploreServer(t, nil, "cgi_fields")
	type page struct {
		Total int64            `json:"total"`
		Hits  []map[string]any `json:"hits"`
		Next  string           `json:"next"`
	}
	ids := func(p page) string {
		var out []string
		for _, h := range p.Hits {
			out = append(out, h["_id"].(string))
		}
		return strings.Join(out, " ")
	}
	filter := func(f string) string { return url.QueryEscape(f) }
	pages := []struct {
		name, query string
		code        int
		want        page
		wantIDs     string
	}{
		{"first page", "size=2", 200, page{Total: 4, Next: "chr7:g.140453136A>T"}, "chr4:g.55599321A>T chr7:g.140453136A>T"},
		{"next page", "size=2&after=chr7:g.140453136A>T", 200, page{Total: 4}, "chr9:g.133738363G>A chr9:g.133748283C>T"},
		{"an id", "id=" + url.QueryEscape("chr9:g.133748283C>T"), 200, page{Total: 1}, "chr9:g.133748283C>T"},
		{"a missing id", "id=nope", 200, page{}, ""},
		{"a filter through a list", "filter=" + filter(`{"cgi.drug":"Imatinib"}`), 200, page{Total: 2}, "chr4:g.55599321A>T chr9:g.133738363G>A"},
		{"a filter on a number, paged", "size=1&filter=" + filter(`{"cgi.evidence":1}`), 200, page{Total: 2, Next: "chr7:g.140453136A>T"}, "chr7:g.140453136A>T"},
		{"two filters", "filter=" + filter(`{"cgi.gene":"ABL1","cgi.evidence":3}`), 200, page{Total: 1}, "chr9:g.133738363G>A"},
		{"a bad size", "size=0", 400, page{}, ""},
		{"a bad filter", "filter=" + filter(`{"cgi":{"gene":"x"}}`), 400, page{}, ""},
		{"not JSON", "filter=gene", 400, page{}, ""},
	}
	for _, tt := range pages {
		t.Run("docs/"+tt.name, func(t *testing.T) {
			code, body := get(t, srv, "/explore/build/b1/docs?"+tt.query)
			if code != tt.code {
				t.Fatalf("GET docs?%s = %d %s, want %d", tt.query, code, body, tt.code)
			}
			if code != 200 {
				return
			}
			var env struct{ Result page }
			if err := json.Unmarshal([]byte(body), &env); err != nil {
				t.Fatal(err)
			}
			p := env.Result
			if p.Total != tt.want.Total || p.Next != tt.want.Next || ids(p) != tt.wantIDs {
				t.Errorf("GET docs?%s: total %d next %q ids %q; want %d %q %q", tt.query, p.Total, p.Next, ids(p), tt.want.Total, tt.want.Next, tt.wantIDs)
			}
		})
	}

	fields := []struct {
		name, path string
		code       int
		want       []string
	}{
		{"a build", "/explore/fields/build/b1", 200, []string{`"count":4`, `"cgi.gene":{"types":{"str":5},"docs":4,"distinct":3,"top":[{"value":"ABL1","count":3}`, `"histogram":[{"from":1,"to":2,"count":2},{"from":2,"to":3,"count":1},{"from":3,"to":4,"count":2}]`}},
		{"a source", "/explore/fields/source/cgi", 200, []string{`"cgi.drug":{"types":{"str":5},"docs":4`}},
		{"two builds", "/explore/fields/compare/b1/b2", 200, []string{`"field":"cgi.gene","status":"changed"`, `"docs":-1`, `{"value":"ABL1","old":3,"new":1}`, `"field":"_id","status":"changed"`}},
		{"a source not inspected", "/explore/fields/source/bare", 404, []string{`inspect it with mode stats`}},
		{"no such build", "/explore/fields/build/nope", 404, []string{`no build \"nope\"`}},
		{"docs of no such build", "/explore/build/nope/docs", 404, []string{`no build \"nope\"`}},
	}
	for _, tt := range fields {
		t.Run("fields/"+tt.name, func(t *testing.T) {
			code, body := get(t, srv, tt.path)
			if code != tt.code {
				t.Fatalf("GET %s = %d %s, want %d", tt.path, code, body, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s = %s\nwant it to hold %s", tt.path, body, w)
				}
			}
		})
	}
}
