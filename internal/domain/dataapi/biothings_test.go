package dataapi

// Behaviours of biothings.web 1.2.2 beyond the SPEC's core: filter and
// post_filter, jmespath, nested facets, null values under always_list,
// allow_null and dotfield, typed and combined POST terms, with_total,
// analyzer, dev, _license, YAML rendering and the per-instance settings.
// Each case is a request and its expected answer, run on Bleve and
// Elasticsearch.

import (
	"encoding/json"
	"flag"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"studio/internal/testsupport/shareddata"
)

// extraIndex is a small index beside the fixture's: document 1017, a
// document with nulls, and a _meta with licenses, a private key and a
// source mapping.
type extraIndex struct {
	name string
	err  error
	once sync.Once
}

var extras = map[string]*extraIndex{bleveBackend: {}, esBackend: {}}

// nullsDoc is a mygene-like document holding nulls.
func nullsDoc() map[string]any {
	return map[string]any{
		"symbol": "NULLS", "taxid": int64(9606), "alias": nil, "name": nil,
		"genomic_pos": []any{map[string]any{"chr": "12", "start": int64(1)}, map[string]any{"chr": nil, "start": int64(0)}},
		"exac":        map[string]any{"transcript": nil},
	}
}

func extraMeta() map[string]any {
	m := testMeta()
	m["_private"] = "hidden unless dev"
	m["src"] = map[string]any{
		"ensembl": map[string]any{"version": "110", "license_url_short": "http://short/ensembl", "license_url": "http://long/ensembl"},
		"exac":    map[string]any{"version": "1", "license_url": "http://exac/license"},
		"entrez": map[string]any{"version": "20260110", "mapping": map[string]any{
			"symbol": map[string]any{"type": "keyword"}, "genomic_pos": map[string]any{"properties": map[string]any{"chr": map[string]any{"type": "keyword"}}}}},
	}
	return m
}

// extraOn builds the extra index of f's backend once.
func extraOn(t *testing.T, f *fixture) string {
	t.Helper()
	x := extras[f.backend]
	x.once.Do(func() {
		spec, _, err := mygeneSpec(shareddataPath(t), extraMeta())
		if err != nil {
			x.err = err
			return
		}
		x.name = f.name("mygene_extra")
		docs := []rawDoc{{ID: "1017", Doc: f.byID["1017"]}, {ID: "nulls", Doc: nullsDoc()}}
		x.err = loadIndex(f.eng, x.name, spec, docs)
	})
	if x.err != nil {
		t.Fatal(x.err)
	}
	return x.name
}

func shareddataPath(t *testing.T) string {
	t.Helper()
	return shareddata.Path(t, "mygene", "test_mapping.json")
}

// serve starts a data API on f's engine with cfg's settings (index: the
// fixture's unless set) for the test's lifetime.
func serve(t *testing.T, f *fixture, cfg Config) string {
	t.Helper()
	cfg.Engine = f.eng
	if cfg.Index == "" {
		cfg.Index = f.index
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// bcase is one request and the check of its answer.
type bcase struct {
	name         string
	method, path string
	ctype, body  string
	status       int
	check        func(t *testing.T, f *fixture, r *resp)
}

func runB(t *testing.T, f *fixture, base string, cases []bcase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "GET"
			}
			r := do(t, base, method, c.path, c.ctype, c.body)
			if r.status != c.status {
				t.Fatalf("%s %s: status %d, want %d: %s", method, c.path, r.status, c.status, clip(r.body))
			}
			if c.check != nil {
				c.check(t, f, r)
			}
		})
	}
}

const ctJSON = "application/json"

// idsAre checks the hits' ids, in any order.
func idsAre(want func(f *fixture) []rawDoc) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		got := hitIDs(hits(t, r.obj(t)))
		if w := idsOf(want(f)); !sameSet(got, w) {
			t.Errorf("ids %v, want %v", got, w)
		}
	}
}

func totalIs(want func(f *fixture) int) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		if got := r.obj(t)["total"]; got != int64(want(f)) {
			t.Errorf("total %v, want %d", got, want(f))
		}
	}
}

func bodyIs(want string) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, _ *fixture, r *resp) {
		if string(r.body) != want {
			t.Errorf("body\n%s\nwant\n%s", r.body, want)
		}
	}
}

func both(checks ...func(t *testing.T, f *fixture, r *resp)) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		for _, c := range checks {
			c(t, f, r)
		}
	}
}

func byTaxid(n int64) func(f *fixture) []rawDoc {
	return func(f *fixture) []rawDoc { return f.where(func(d rawDoc) bool { return taxid(d) == n }) }
}

// TestFilters: filter narrows hits and facets (a bool filter clause),
// post_filter only the hits; both are query strings with OR between
// terms; filter is no longer an alias of fields.
func TestFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		pig := byTaxid(9823)
		pigOrRat := func(f *fixture) []rawDoc {
			return f.where(func(d rawDoc) bool { return taxid(d) == 9823 || taxid(d) == 10116 })
		}
		runB(t, f, f.srv.URL, []bcase{
			{name: "filter narrows hits", path: "/v1/query?q=__all__&size=100&filter=taxid:9823", status: 200,
				check: both(idsAre(pig), totalIs(func(f *fixture) int { return len(pig(f)) }))},
			{name: "filter default operator is OR", path: "/v1/query?q=__all__&size=100&filter=taxid:9823+taxid:10116", status: 200, check: idsAre(pigOrRat)},
			{name: "filter narrows facets", path: "/v1/query?q=__all__&size=0&filter=taxid:9823&facets=taxid", status: 200,
				check: facetIs("taxid", 10, false, pig)},
			{name: "post_filter narrows hits only", path: "/v1/query?q=__all__&size=100&post_filter=taxid:9823&facets=taxid&facet_size=3", status: 200,
				check: both(idsAre(pig), totalIs(func(f *fixture) int { return len(pig(f)) }),
					facetIs("taxid", 3, false, func(f *fixture) []rawDoc { return f.docs }))},
			{name: "post_filter without facets", path: "/v1/query?q=__all__&size=100&post_filter=taxid:9823", status: 200, check: idsAre(pig)},
			{name: "filter and post_filter", path: "/v1/query?q=__all__&size=100&filter=taxid:9823+taxid:10116&post_filter=taxid:10116&facets=taxid", status: 200,
				check: both(idsAre(byTaxid(10116)), facetIs("taxid", 10, false, pigOrRat))},
			{name: "filter on POST /query", method: "POST", path: "/v1/query", ctype: ctJSON,
				body: `{"q": ["9823", "10116"], "scopes": ["taxid"], "filter": "taxid:10116"}`, status: 200,
				check: func(t *testing.T, f *fixture, r *resp) {
					l := r.list(t)
					if len(l) != 2 || l[0].(map[string]any)["notfound"] != true || l[1].(map[string]any)["_id"] != idsOf(byTaxid(10116)(f))[0] {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
			{name: "bad filter", path: "/v1/query?q=cdk2&filter=(taxid:9606", status: 400, check: isError("filter", -1, -1)},
			{name: "bad post_filter", path: "/v1/query?q=cdk2&post_filter=%22taxid", status: 400, check: isError("post_filter", -1, -1)},
			{name: "filter is not fields", path: "/v1/query?q=_id:1017&filter=taxid:9606", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
				hs := hits(t, r.obj(t))
				if len(hs) != 1 || hs[0]["symbol"] != "CDK2" {
					t.Errorf("hits %s: want the whole document 1017", clip(r.body))
				}
			}},
		})
	})
}

// TestJMESPath: jmespath=path|expression replaces the value at path with
// the expression's result; jmespath_exclude_empty drops the hits whose
// result is empty.
func TestJMESPath(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		// Hits kept with alias|[?@=='CDKN2'] and exclude_empty: those
		// without an alias (nothing to transform) and those whose alias
		// list holds CDKN2; a string alias filters to null and is dropped.
		kept := func(f *fixture) []rawDoc {
			return f.where(func(d rawDoc) bool {
				alias, has := d.Doc["alias"]
				if !has {
					return true
				}
				l, _ := alias.([]any)
				for _, a := range l {
					if a == "CDKN2" {
						return true
					}
				}
				return false
			})
		}
		runB(t, f, f.srv.URL, []bcase{
			{name: "target field", path: "/v1/gene/1017?fields=alias,symbol&jmespath=alias|[0]", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"alias":"CDKN2","symbol":"CDK2"}`)},
			{name: "whole document", path: "/v1/query?q=_id:1017&jmespath=|{s:+symbol,+t:+taxid}", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				hs, _ := r.obj(t)["hits"].([]any)
				// The transform replaces the hit, _id and _score included.
				if len(hs) != 1 || !reflect.DeepEqual(hs[0], map[string]any{"s": "CDK2", "t": int64(9606)}) {
					t.Errorf("hits %s", clip(r.body))
				}
				if !strings.Contains(string(r.body), `"t":9606}`) {
					t.Errorf("an integer must stay an integer: %s", clip(r.body))
				}
			}},
			{name: "nested path", path: "/v1/gene/1017?fields=exac.nonpsych&jmespath=exac.nonpsych|n_syn", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"exac":{"nonpsych":36.0}}`)},
			{name: "function", path: "/v1/gene/1017?fields=other_names&jmespath=other_names|length(@)", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"other_names":4}`)},
			{name: "exclude empty", path: "/v1/query?q=__all__&size=100&fields=alias&jmespath=alias|[?@=='CDKN2']&jmespath_exclude_empty=true", status: 200,
				check: both(idsAre(kept), totalIs(func(f *fixture) int { return len(f.docs) }))},
			{name: "empty result kept without exclude", path: "/v1/gene/1017?fields=alias&jmespath=alias|[?@=='none']", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"alias":[]}`)},
			{name: "excluded document is not found", path: "/v1/gene/1017?jmespath=alias|[?@=='none']&jmespath_exclude_empty=1", status: 404},
			{name: "excluded on POST is not found", method: "POST", path: "/v1/gene", ctype: ctJSON, body: `{"ids": ["1017", "362817"], "jmespath": "alias|[?@=='none']", "jmespath_exclude_empty": true, "fields": "symbol,alias"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					l := r.list(t)
					if len(l) != 2 || !reflect.DeepEqual(l[0], map[string]any{"query": "1017", "notfound": true}) || l[1].(map[string]any)["_id"] != "362817" {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
			{name: "excluded on POST /query is not found", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": ["1017"], "jmespath": "alias|[?@=='none']", "jmespath_exclude_empty": true}`, status: 200,
				check: bodyIs(`[{"query":"1017","notfound":true}]`)},
			{name: "bad expression", path: "/v1/query?q=cdk2&jmespath=alias|[?", status: 400, check: isError("jmespath", -1, -1)},
			{name: "no bar", path: "/v1/gene/1017?jmespath=alias", status: 400, check: isError("jmespath", -1, -1)},
			{name: "biothings functions are not available", path: "/v1/gene/1017?jmespath=alias|unique(@)", status: 400, check: isError("jmespath", -1, -1)},
			{name: "whole document must stay an object", path: "/v1/gene/1017?jmespath=|alias", status: 400, check: isError("jmespath", -1, -1)},
		})
	})
}

// TestNestedFacets: with nested aggregations on, facets=a(b) counts b
// under each bucket of a, as a key named b of the bucket.
func TestNestedFacets(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		nested := serve(t, f, Config{NestedAggs: true})
		sub := func(t *testing.T, f *fixture, bucket map[string]any, outer, field string, size int, lower bool) {
			t.Helper()
			in := f.where(func(d rawDoc) bool {
				for _, v := range values(d.Doc, strings.Split(outer, ".")) {
					if s, ok := v.(string); ok && lower {
						v = strings.ToLower(s)
					}
					if v == bucket["term"] {
						return true
					}
				}
				return false
			})
			body, _ := json.Marshal(map[string]any{"facets": map[string]any{field: bucket[field]}})
			facetIs(field, size, lower, func(*fixture) []rawDoc { return in })(t, f, &resp{body: body})
		}
		runB(t, f, nested, []bcase{
			{name: "two levels", path: "/v1/query?q=__all__&size=0&facets=type_of_gene(taxid)&facet_size=3", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
				facetIs("type_of_gene", 3, true, func(f *fixture) []rawDoc { return f.docs })(t, f, r)
				top := r.obj(t)["facets"].(map[string]any)["type_of_gene"].(map[string]any)
				for _, b := range top["terms"].([]any) {
					sub(t, f, b.(map[string]any), "type_of_gene", "taxid", 3, true)
				}
			}},
			{name: "three levels and a flat one", path: "/v1/query?q=__all__&size=0&facets=type_of_gene(taxid(symbol)),taxid&facet_size=2", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
				facetIs("taxid", 2, false, func(f *fixture) []rawDoc { return f.docs })(t, f, r)
				top := r.obj(t)["facets"].(map[string]any)["type_of_gene"].(map[string]any)
				b := top["terms"].([]any)[0].(map[string]any)
				sub(t, f, b, "type_of_gene", "taxid", 2, true)
				tx := b["taxid"].(map[string]any)["terms"].([]any)[0].(map[string]any)
				sym, ok := tx["symbol"].(map[string]any)
				if !ok || sym["_type"] != "terms" || len(sym["terms"].([]any)) == 0 {
					t.Errorf("third level: %v", tx)
				}
			}},
			{name: "nested under filter", path: "/v1/query?q=__all__&size=0&facets=type_of_gene(taxid)&filter=taxid:9823", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
				top := r.obj(t)["facets"].(map[string]any)["type_of_gene"].(map[string]any)
				b := top["terms"].([]any)[0].(map[string]any)
				n := b["count"]
				want := map[string]any{"_type": "terms", "terms": []any{map[string]any{"term": int64(9823), "count": n}}, "total": n, "other": int64(0), "missing": int64(0)}
				if !reflect.DeepEqual(b["taxid"], want) {
					t.Errorf("taxid under %v: %v, want %v", b["term"], b["taxid"], want)
				}
			}},
			{name: "empty field", path: "/v1/query?q=__all__&facets=(taxid)", status: 400, check: isError("facets", -1, -1)},
			{name: "empty parentheses end the chain", path: "/v1/query?q=__all__&size=0&facets=taxid()&facet_size=2", status: 200,
				check: facetIs("taxid", 2, false, func(f *fixture) []rawDoc { return f.docs })},
		})
		h, err := New(Config{Engine: f.eng, Index: f.index, NestedAggs: true})
		if err != nil {
			t.Fatal(err)
		}
		h.(*api).nestedBudget = 5
		small := httptest.NewServer(h)
		defer small.Close()
		runB(t, f, small.URL, []bcase{
			{name: "too many nested searches", path: "/v1/query?q=__all__&size=0&facets=taxid(symbol)&facet_size=6", status: 400, check: isError("facets", -1, -1)},
			{name: "within the budget", path: "/v1/query?q=__all__&size=0&facets=taxid(symbol)&facet_size=5", status: 200},
		})
		// Off by default, as in biothings.web: the item is one field name.
		runB(t, f, f.srv.URL, []bcase{
			{name: "off by default", path: "/v1/query?q=__all__&size=0&facets=type_of_gene(taxid)", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				facets := r.obj(t)["facets"].(map[string]any)
				fc, ok := facets["type_of_gene(taxid)"].(map[string]any)
				if !ok || len(fc["terms"].([]any)) != 0 {
					t.Errorf("facets %v: want one empty facet named type_of_gene(taxid)", facets)
				}
			}},
		})
	})
}

// TestNullValues: always_list, allow_null and dotfield on a document with
// nulls, as biothings.web's formatter gives them (checked against it).
func TestNullValues(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		base := serve(t, f, Config{Index: extraOn(t, f)})
		runB(t, f, base, []bcase{
			{name: "always_list and allow_null", path: "/v1/gene/nulls?always_list=alias,name,genomic_pos.chr,symbol&allow_null=exac.nothere,nope.x,genomic_pos.end,MIM", status: 200,
				check: bodyIs(`{"_id":"nulls","_version":1,"MIM":null,"alias":[],"exac":{"_license":"http://exac/license","nothere":null,"transcript":null},"genomic_pos":[{"chr":["12"],"end":null,"start":1},{"chr":[],"end":null,"start":0}],"name":[],"symbol":["NULLS"],"taxid":9606}`)},
			{name: "dotfield", path: "/v1/gene/nulls?dotfield=true", status: 200,
				check: bodyIs(`{"_id":"nulls","_version":1,"alias":null,"exac._license":"http://exac/license","exac.transcript":null,"genomic_pos.chr":["12"],"genomic_pos.start":[1],"name":null,"symbol":"NULLS","taxid":9606}`)},
			{name: "dotfield always_list allow_null", path: "/v1/gene/nulls?dotfield=1&always_list=name,exac.transcript,symbol&allow_null=genomic_pos.end,exac.x", status: 200,
				check: bodyIs(`{"_id":"nulls","_version":1,"alias":null,"exac._license":"http://exac/license","exac.transcript":[],"exac.x":null,"genomic_pos.chr":["12"],"genomic_pos.end":[],"genomic_pos.start":[1],"name":[],"symbol":["NULLS"],"taxid":9606}`)},
		})
	})
}

// TestPostTerms: POST /query keeps each term's JSON type in "query",
// takes combined queries over scope groups, and refuses an empty q.
func TestPostTerms(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		runB(t, f, f.srv.URL, []bcase{
			{name: "empty q form", method: "POST", path: "/v1/query", ctype: "application/x-www-form-urlencoded", body: "q=", status: 400, check: isError("q", -1, -1)},
			{name: "empty q json", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": ""}`, status: 400, check: isError("q", -1, -1)},
			{name: "empty q list", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": []}`, status: 400, check: isError("q", -1, -1)},
			{name: "number echo", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": [1017, "nope"], "scopes": "entrezgene", "fields": "symbol"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					if !strings.HasPrefix(string(r.body), `[{"query":1017,"_id":"1017",`) || !strings.HasSuffix(string(r.body), `,{"query":"nope","notfound":true}]`) {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
			{name: "scalar number q", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": 1017, "fields": "symbol"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					if !strings.HasPrefix(string(r.body), `[{"query":1017,"_id":"1017",`) {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
			{name: "ids number echo", method: "POST", path: "/v1/gene", ctype: ctJSON, body: `{"ids": 1017, "fields": "symbol"}`, status: 200,
				check: bodyIs(`[{"query":1017,"_id":"1017","_version":1,"symbol":"CDK2"}]`)},
			{name: "ids string echo", method: "POST", path: "/v1/gene", ctype: ctJSON, body: `{"ids": ["1017"], "fields": "symbol"}`, status: 200,
				check: bodyIs(`[{"query":"1017","_id":"1017","_version":1,"symbol":"CDK2"}]`)},
			{name: "combined", method: "POST", path: "/v1/query", ctype: ctJSON,
				body: `{"q": [["1017", "CDK2"], ["1017", "CDK3"], ["cdk2", "9606"]], "scopes": [["_id", "entrezgene"], "symbol"], "fields": "symbol"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					l := r.list(t)
					if len(l) != 3 {
						t.Fatalf("answer %s", clip(r.body))
					}
					first := withoutKeys(l[0].(map[string]any), "_score")
					if !reflect.DeepEqual(first, map[string]any{"query": []any{"1017", "CDK2"}, "_id": "1017", "symbol": "CDK2"}) {
						t.Errorf("first %v", first)
					}
					for _, e := range l[1:] {
						if e.(map[string]any)["notfound"] != true {
							t.Errorf("want notfound: %v", e)
						}
					}
				}},
			{name: "combined groups mismatch", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": [["1017"]], "scopes": [["_id"], "symbol"]}`, status: 400, check: isError("q", -1, -1)},
		})
	})
}

// TestWithTotal: with_total wraps POST /query's hits with max_total and a
// message; POST /<doc_type> has no with_total.
func TestWithTotal(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		runB(t, f, f.srv.URL, []bcase{
			{name: "over size", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": ["9823", "1017"], "scopes": ["taxid", "_id"], "size": 2, "with_total": true, "fields": "_id"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					m := r.obj(t)
					if m["max_total"] != int64(3) || m["msg"] != "1 query terms return > 2 hits, using from=2 to retrieve the remaining hits" {
						t.Errorf("answer %s", clip(r.body))
					}
					if l, _ := m["hits"].([]any); len(l) != 3 {
						t.Errorf("hits: %s", clip(r.body))
					}
				}},
			{name: "within size", method: "POST", path: "/v1/query", ctype: "application/x-www-form-urlencoded", body: `q=1017,nope&with_total=1&fields=symbol`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					m := r.obj(t)
					if _, has := m["msg"]; has || m["max_total"] != int64(1) || len(m["hits"].([]any)) != 2 {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
			{name: "not on annotations", method: "POST", path: "/v1/gene", ctype: ctJSON, body: `{"ids": ["1017"], "with_total": true, "fields": "symbol"}`, status: 200,
				check: bodyIs(`[{"query":"1017","_id":"1017","_version":1,"symbol":"CDK2"}]`)},
		})
	})
}

// TestAnalyzer: analyzer analyzes POST /query terms on Elasticsearch; the
// Bleve engine refuses it, naming the parameter.
func TestAnalyzer(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		body := `{"q": ["CDK2", "cyclin dependent kinase 2"], "scopes": ["symbol", "name"], "analyzer": "standard", "fields": "symbol"}`
		if f.backend == bleveBackend {
			runB(t, f, f.srv.URL, []bcase{{name: "refused", method: "POST", path: "/v1/query", ctype: ctJSON, body: body, status: 400, check: isError("analyzer", -1, -1)}})
			return
		}
		runB(t, f, f.srv.URL, []bcase{
			{name: "standard", method: "POST", path: "/v1/query", ctype: ctJSON, body: body, status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				l := r.list(t)
				if len(l) < 2 || l[0].(map[string]any)["_id"] != "1017" {
					t.Errorf("answer %s", clip(r.body))
				}
				for _, e := range l {
					if e.(map[string]any)["notfound"] == true {
						t.Errorf("a term found nothing: %s", clip(r.body))
					}
				}
			}},
			{name: "unknown analyzer", method: "POST", path: "/v1/query", ctype: ctJSON, body: `{"q": "CDK2", "scopes": "symbol", "analyzer": "nosuchanalyzer"}`, status: 200,
				check: func(t *testing.T, _ *fixture, r *resp) {
					// As any query the engine refuses for one term: notfound
					// with the engine's reason.
					l := r.list(t)
					if e := l[0].(map[string]any); e["notfound"] != true || !strings.Contains(e["error"].(string), "nosuchanalyzer") {
						t.Errorf("answer %s", clip(r.body))
					}
				}},
		})
	})
}

// TestDev: ?dev adds software information to /metadata (and keeps the
// private keys and source mappings it hides otherwise) and to /status.
func TestDev(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		base := serve(t, f, Config{Index: extraOn(t, f)})
		runB(t, f, base, []bcase{
			{name: "metadata", path: "/v1/metadata", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				m := r.obj(t)
				entrez := m["src"].(map[string]any)["entrez"].(map[string]any)
				if _, has := m["software"]; has || m["_private"] != nil || entrez["mapping"] != nil || entrez["fields"] != nil {
					t.Errorf("metadata %s", clip(r.body))
				}
			}},
			{name: "metadata dev", path: "/v1/metadata?dev", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				m := r.obj(t)
				sw, _ := m["software"].(map[string]any)
				if goInfo, _ := sw["go-info"].(map[string]any); goInfo["version"] == nil {
					t.Errorf("software %v", sw)
				}
				entrez := m["src"].(map[string]any)["entrez"].(map[string]any)
				if m["_private"] != "hidden unless dev" || !reflect.DeepEqual(entrez["fields"], []any{"genomic_pos", "genomic_pos.chr", "symbol"}) || entrez["mapping"] != nil {
					t.Errorf("metadata %s", clip(r.body))
				}
			}},
			{name: "status", path: "/v1/status", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				if _, has := r.obj(t)["software"]; has {
					t.Errorf("status %s", r.body)
				}
			}},
			{name: "status dev", path: "/v1/status?dev", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
				m := r.obj(t)
				if m["engine"] != f.backend || m["version"] == nil || m["software"] == nil || m["success"] != true {
					t.Errorf("status %s", clip(r.body))
				}
			}},
		})
	})
}

// TestLicense: objects at a field whose source has a license URL in the
// index _meta (license_url_short first) get _license; the configured map
// adds fields and overrides.
func TestLicense(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		index := extraOn(t, f)
		meta := serve(t, f, Config{Index: index})
		configured := serve(t, f, Config{Index: index, Licenses: map[string]string{"exac.nonpsych": "http://np", "exac": "http://mine"}})
		licenseAt := func(path string, want any) func(t *testing.T, f *fixture, r *resp) {
			return func(t *testing.T, _ *fixture, r *resp) {
				var v any = r.obj(t)
				if hs, isQuery := v.(map[string]any)["hits"].([]any); isQuery {
					v = hs[0]
				}
				for _, p := range strings.Split(path, ".") {
					v = v.(map[string]any)[p]
				}
				if v.(map[string]any)["_license"] != want {
					t.Errorf("%s._license = %v, want %v", path, v.(map[string]any)["_license"], want)
				}
			}
		}
		runB(t, f, meta, []bcase{
			{name: "short url first", path: "/v1/gene/1017?fields=ensembl.gene,exac.transcript,symbol", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"ensembl":{"_license":"http://short/ensembl","gene":"ENSG00000123374"},"exac":{"_license":"http://exac/license","transcript":"ENST00000266970.4"},"symbol":"CDK2"}`)},
			{name: "on query hits", path: "/v1/query?q=_id:1017&fields=exac.transcript", status: 200, check: licenseAt("exac", "http://exac/license")},
			{name: "not on a null", path: "/v1/gene/nulls?fields=exac,symbol", status: 200, check: licenseAt("exac", "http://exac/license")},
		})
		runB(t, f, configured, []bcase{
			{name: "configured", path: "/v1/gene/1017?fields=exac.nonpsych.n_syn,exac.transcript", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"exac":{"_license":"http://mine","nonpsych":{"_license":"http://np","n_syn":36.0},"transcript":"ENST00000266970.4"}}`)},
			{name: "with dotfield", path: "/v1/gene/1017?fields=exac.transcript&dotfield=true", status: 200,
				check: bodyIs(`{"_id":"1017","_version":1,"exac._license":"http://mine","exac.transcript":"ENST00000266970.4"}`)},
		})
	})
}

// TestYAMLOutput: format=yaml is written byte for byte as biothings.web's
// PyYAML dump writes it (expected texts made with it).
func TestYAMLOutput(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		runB(t, f, f.srv.URL, []bcase{
			{name: "document", path: "/v1/gene/1017?fields=symbol,MIM,taxid,alias,name,summary&format=yaml", status: 200,
				check: bodyIs("MIM: '116953'\n_id: '1017'\n_version: 1\nalias:\n- CDKN2\n- p33(CDK2)\nname: cyclin dependent kinase 2\nsummary: This gene encodes a member of a family of serine/threonine protein kinases\n  that participate in cell cycle regulation. The encoded protein is the catalytic\n  subunit of the cyclin-dependent protein kinase complex, which regulates progression\n  through the cell cycle. Activity of this protein is especially critical during the\n  G1 to S phase transition. This protein associates with and regulated by other subunits\n  of the complex including cyclin A or E, CDK inhibitor p21Cip1 (CDKN1A), and p27Kip1\n  (CDKN1B). Alternative splicing results in multiple transcript variants. [provided\n  by RefSeq, Mar 2014].\nsymbol: CDK2\ntaxid: 9606\n")},
			{name: "list", method: "POST", path: "/v1/gene", ctype: ctJSON,
				body:   `{"ids": [1017, "nope"], "fields": ["symbol", "exac.transcript", "exac.n_exons", "exac.nonpsych.p_rec", "exac.nonpsych.mu_syn"], "format": "yaml"}`,
				status: 200,
				check:  bodyIs("- _id: '1017'\n  _version: 1\n  exac:\n    n_exons: 7\n    nonpsych:\n      mu_syn: 3.45583178284e-06\n      p_rec: 0.0125163566160399\n    transcript: ENST00000266970.4\n  query: 1017\n  symbol: CDK2\n- notfound: true\n  query: nope\n")},
			{name: "error", path: "/v1/gene/nosuchgene?format=yaml", status: 404, check: bodyIs("code: 404\nerror: Not Found.\nsuccess: false\n")},
		})
	})
}

// TestYAMLScalars: the quoting and spelling of scalars, as PyYAML's.
func TestYAMLScalars(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{"", "''"}, {"1017", "'1017'"}, {"true", "'true'"}, {"ON", "'ON'"}, {"12q13.2", "12q13.2"}, {"1.5", "'1.5'"},
		{"1e5", "1e5"}, {"2020-01-01", "'2020-01-01'"}, {"~", "'~'"}, {"null", "'null'"}, {"x: y", "'x: y'"},
		{"a:b", "a:b"}, {"- a", "'- a'"}, {"it's", "it's"}, {"'q", "'''q'"}, {"#h", "'#h'"}, {"a #b", "'a #b'"},
		{" lead", "' lead'"}, {"trail ", "'trail '"}, {"héllo", `"h\xE9llo"`}, {"日本", `"\u65E5\u672C"`},
		{"tab\there", `"tab\there"`}, {"0x1F", "'0x1F'"}, {"012", "'012'"}, {"@at", "'@at'"}, {"--- x", "'--- x'"},
		{int64(9606), "9606"}, {38.0, "38.0"}, {1e-7, "1.0e-07"}, {1e21, "1.0e+21"}, {-2.5, "-2.5"}, {0.0001, "0.0001"},
		{5e-5, "5.0e-05"}, {nil, "null"}, {true, "true"}, {[]any{}, "[]"}, {map[string]any{}, "{}"},
	}
	for _, c := range cases {
		got := string(appendYAML(map[string]any{"k": c.in}))
		if want := "k: " + c.want + "\n"; got != want {
			t.Errorf("%#v: %q, want %q", c.in, got, want)
		}
	}
	if got, want := string(appendYAML([]any{[]any{int64(1), "a"}, []any{}, map[string]any{"b": []any{int64(2)}}})), "- - 1\n  - a\n- []\n- b:\n  - 2\n"; got != want {
		t.Errorf("nested lists: %q, want %q", got, want)
	}
}

// TestSettings: a data API's settings (scroll size, facet size limit)
// and their forms: flags, hub records, validation.
func TestSettings(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		base := serve(t, f, Config{ScrollSize: 7, MaxFacetSize: 5})
		runB(t, f, base, []bcase{
			{name: "scroll size", path: "/v1/query?q=__all__&fetch_all=true", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
				m := r.obj(t)
				if len(m["hits"].([]any)) != 7 || m["_scroll_id"] == nil {
					t.Errorf("page of %d hits", len(m["hits"].([]any)))
				}
			}},
			{name: "facet size limit", path: "/v1/query?q=__all__&facets=taxid&facet_size=6", status: 400, check: isError("facet_size", 5, 6)},
			{name: "facet size within", path: "/v1/query?q=__all__&size=0&facets=taxid&facet_size=5", status: 200, check: facetIs("taxid", 5, false, func(f *fixture) []rawDoc { return f.docs })},
		})
	})
	t.Run("flags", func(t *testing.T) {
		var s Settings
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s.Flags(fs)
		if err := fs.Parse([]string{"--scroll-size", "50", "--max-facet-size", "20", "--nested-aggs", "--license", "exac=http://e", "--license", "a.b=http://ab"}); err != nil {
			t.Fatal(err)
		}
		want := Settings{ScrollSize: 50, MaxFacetSize: 20, NestedAggs: true, Licenses: map[string]string{"exac": "http://e", "a.b": "http://ab"}}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("flags: %+v", s)
		}
		if back := SettingsOf(s.Doc()); !reflect.DeepEqual(back, want) {
			t.Errorf("record round trip: %+v", back)
		}
		if err := fs.Parse([]string{"--license", "nourl"}); err == nil {
			t.Error("--license without = accepted")
		}
	})
	t.Run("validate", func(t *testing.T) {
		for _, bad := range []Settings{{ScrollSize: -1}, {ScrollSize: 10001}, {MaxFacetSize: 1001}, {Licenses: map[string]string{"": "u"}}} {
			if bad.Validate() == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
		if err := (Settings{}).Validate(); err != nil {
			t.Error(err)
		}
		if len((Settings{}).Doc()) != 0 || !reflect.DeepEqual(SettingsOf(map[string]any{"port": int64(1)}), Settings{}) {
			t.Error("defaults are not the empty record")
		}
	})
}
