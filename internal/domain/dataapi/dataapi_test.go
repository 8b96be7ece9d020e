package dataapi

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
	"gopkg.in/yaml.v3"

	"studio/internal/engine/search"
)

// apiCase is one request to the fixture's server and what to check of
// its answer. Every answer must carry the CORS header.
type apiCase struct {
	name   string
	method string // GET when empty
	path   string
	ctype  string
	body   string
	status int
	check  func(t *testing.T, f *fixture, r *resp)
}

func TestAPI(t *testing.T) {
	cases := apiCases()
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
	}
	eachBackend(t, func(t *testing.T, f *fixture) { testAPI(t, f, cases) })
}

func testAPI(t *testing.T, f *fixture, cases []apiCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "GET"
			}
			r := do(t, f.srv.URL, method, c.path, c.ctype, c.body)
			if r.status != c.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, c.path, r.status, c.status, clip(r.body))
			}
			if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
			}
			if c.check != nil {
				c.check(t, f, r)
			}
		})
	}
}

// ---- checks

// isError checks BioThings' error form; keyword "" skips the keyword,
// max and num < 0 skip them.
func isError(keyword string, max, num int) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, _ *fixture, r *resp) {
		m := r.obj(t)
		if m["code"] != int64(r.status) || m["success"] != false {
			t.Errorf("error body %v: want code %d and success false", m, r.status)
		}
		if msg, _ := m["error"].(string); msg == "" {
			t.Errorf("error body %v has no error message", m)
		}
		if keyword != "" && m["keyword"] != keyword {
			t.Errorf("keyword = %v, want %s (%v)", m["keyword"], keyword, m)
		}
		if max >= 0 && m["max"] != int64(max) {
			t.Errorf("max = %v, want %d", m["max"], max)
		}
		if num >= 0 && m["num"] != int64(num) {
			t.Errorf("num = %v, want %d", m["num"], num)
		}
	}
}

func errorSays(msg string) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		isError("", -1, -1)(t, f, r)
		if got := r.obj(t)["error"]; got != msg {
			t.Errorf("error = %q, want %q", got, msg)
		}
	}
}

// matches checks a /query answer against the documents expected: total
// equal, each hit among them, and as many hits as size allows.
func matches(size int, want func(f *fixture) []rawDoc) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		m := r.obj(t)
		hs := hits(t, m)
		exp := want(f)
		if m["total"] != int64(len(exp)) {
			t.Errorf("total = %v, want %d", m["total"], len(exp))
		}
		if len(hs) != min(size, len(exp)) {
			t.Errorf("%d hits, want %d", len(hs), min(size, len(exp)))
		}
		ids := idsOf(exp)
		for _, h := range hs {
			if !slices.Contains(ids, h["_id"].(string)) {
				t.Errorf("hit %v is not expected", h["_id"])
			}
			if _, ok := h["_score"]; !ok {
				t.Errorf("hit %v has no _score", h["_id"])
			}
		}
	}
}

func where(pred func(d rawDoc) bool) func(f *fixture) []rawDoc {
	return func(f *fixture) []rawDoc { return f.where(pred) }
}

func all(f *fixture) []rawDoc { return f.docs }

// isDoc checks GET /<doc_type>/<id>: the raw document with _id and
// _version 1.
func isDoc(id string) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		got := r.obj(t)
		want := withoutKeys(f.byID[id])
		want["_id"], want["_version"] = id, int64(1)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("document %s differs from the raw one:\n got %s\nwant %s", id, clip(mustJSON(got)), clip(mustJSON(want)))
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// hasKeys checks that an object has exactly these keys.
func hasKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	if !sameSet(got, keys) {
		t.Errorf("keys %v, want %v", got, keys)
	}
}

// presentKeys returns those of keys that doc holds, plus extra.
func presentKeys(doc map[string]any, keys []string, extra ...string) []string {
	out := append([]string(nil), extra...)
	for _, k := range keys {
		if _, ok := doc[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// flatExpect is BioThings' dotfield, written independently: leaf values
// by dotted path through objects and lists, one value alone, several in a
// list.
func flatExpect(doc map[string]any) map[string]any {
	acc := map[string][]any{}
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				acc[p] = append(acc[p], x)
			}
			for k, e := range x {
				q := k
				if p != "" {
					q = p + "." + k
				}
				walk(q, e)
			}
		case []any:
			if len(x) == 0 {
				acc[p] = append(acc[p], x)
			}
			for _, e := range x {
				walk(p, e)
			}
		default:
			acc[p] = append(acc[p], v)
		}
	}
	walk("", doc)
	out := map[string]any{}
	for k, vs := range acc {
		if len(vs) == 1 {
			out[k] = vs[0]
		} else {
			out[k] = vs
		}
	}
	return out
}

// sameAsJSON fetches the path again as JSON and compares the two after
// decoding the other format with decodeOther.
func sameAsJSON(path, ctype string, decodeOther func(data []byte) (any, error)) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, ctype) {
			t.Errorf("Content-Type = %q, want %s", got, ctype)
		}
		other, err := decodeOther(r.body)
		if err != nil {
			t.Fatalf("cannot decode: %v\n%s", err, clip(r.body))
		}
		j := do(t, f.srv.URL, "GET", path, "", "")
		want := numbersAsFloat(dropTook(decode(t, j.body)))
		got := numbersAsFloat(dropTook(other))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decoded answer differs from the JSON one:\n got %s\nwant %s", clip(mustJSON(got)), clip(mustJSON(want)))
		}
	}
}

func dropTook(v any) any {
	if m, ok := v.(map[string]any); ok {
		return withoutKeys(m, "took")
	}
	if m, ok := v.(map[any]any); ok {
		delete(m, "took")
	}
	return v
}

func yamlDecode(data []byte) (any, error) {
	var v any
	err := yaml.Unmarshal(data, &v)
	return v, err
}

func msgpackDecode(data []byte) (any, error) {
	var v any
	err := msgpack.Unmarshal(data, &v)
	return v, err
}

var preRE = regexp.MustCompile(`(?s)<pre>(.*)</pre>`)

func htmlDecode(data []byte) (any, error) {
	m := preRE.FindSubmatch(data)
	if m == nil {
		return nil, fmt.Errorf("no <pre> in the page")
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(html.UnescapeString(string(m[1]))))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return search.NormalizeNumbers(v), nil
}

// facetIs checks one facet of a /query answer against raw counts.
func facetIs(field string, size int, lower bool, docs func(f *fixture) []rawDoc) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		sub := &fixture{docs: docs(f)}
		want := sub.facetOf(field, size, lower)
		facets, ok := r.obj(t)["facets"].(map[string]any)
		if !ok {
			t.Fatalf("no facets in the answer")
		}
		got, ok := facets[field].(map[string]any)
		if !ok {
			t.Fatalf("no facet %s in %v", field, facets)
		}
		if got["_type"] != "terms" {
			t.Errorf("_type = %v", got["_type"])
		}
		terms, _ := got["terms"].([]any)
		var gotTerms []facetTerm
		for _, tm := range terms {
			m := tm.(map[string]any)
			gotTerms = append(gotTerms, facetTerm{m["term"], m["count"].(int64)})
		}
		if !reflect.DeepEqual(gotTerms, want.Terms) {
			t.Errorf("terms = %v, want %v", gotTerms, want.Terms)
		}
		for k, w := range map[string]int64{"total": want.Total, "other": want.Other, "missing": want.Missing} {
			if got[k] != w {
				t.Errorf("%s = %v, want %d", k, got[k], w)
			}
		}
	}
}

// postEntries checks a POST answer: per term, in order, the documents
// expected (any order within a term), or notfound.
func postEntries(terms []string, want func(f *fixture, term string) []rawDoc, fields ...string) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		l := r.list(t)
		i := 0
		for _, term := range terms {
			exp := want(f, term)
			if len(exp) == 0 {
				if i >= len(l) {
					t.Fatalf("answer ends before term %q", term)
				}
				e := l[i].(map[string]any)
				if !reflect.DeepEqual(e, map[string]any{"query": term, "notfound": true}) {
					t.Errorf("term %q: %v, want notfound", term, e)
				}
				i++
				continue
			}
			var got []string
			for range exp {
				if i >= len(l) {
					t.Fatalf("answer ends within term %q", term)
				}
				e := l[i].(map[string]any)
				i++
				if e["query"] != term {
					t.Errorf("entry %d: query %v, want %q", i-1, e["query"], term)
					continue
				}
				id := e["_id"].(string)
				got = append(got, id)
				_, scored := e["_score"]
				_, versioned := e["_version"]
				if !scored && !versioned {
					t.Errorf("entry %v has neither _score nor _version", e)
				}
				body := withoutKeys(e, "query", "_id", "_score", "_version")
				if len(fields) > 0 {
					hasKeys(t, body, presentKeys(f.byID[id], fields)...)
					continue
				}
				if !reflect.DeepEqual(body, f.byID[id]) {
					t.Errorf("term %q: document %s differs from the raw one", term, id)
				}
			}
			if !sameSet(got, idsOf(exp)) {
				t.Errorf("term %q: ids %v, want %v", term, got, idsOf(exp))
			}
		}
		if i != len(l) {
			t.Errorf("%d entries, want %d", len(l), i)
		}
	}
}

func byID(f *fixture, term string) []rawDoc {
	if d, ok := f.byID[term]; ok {
		return []rawDoc{{ID: term, Doc: d}}
	}
	return nil
}

func byField(field string) func(f *fixture, term string) []rawDoc {
	return func(f *fixture, term string) []rawDoc {
		return f.where(func(d rawDoc) bool { return lowerEq(d, field, term) })
	}
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// hasPhrase: the words of the phrase appear in a row in the field.
func hasPhrase(d rawDoc, field, phrase string) bool {
	want := strings.Join(wordRE.FindAllString(strings.ToLower(phrase), -1), " ")
	for _, v := range values(d.Doc, strings.Split(field, ".")) {
		s, _ := v.(string)
		words := " " + strings.Join(wordRE.FindAllString(strings.ToLower(s), -1), " ") + " "
		if strings.Contains(words, " "+want+" ") {
			return true
		}
	}
	return false
}

func manyTerms(n int) string {
	terms := make([]string, n)
	for i := range terms {
		terms[i] = strconv.Quote("t" + strconv.Itoa(i))
	}
	return "[" + strings.Join(terms, ",") + "]"
}

func sortOrder(desc bool, from, size int) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		want := idsOf(f.sortedByTaxid(desc))
		want = want[min(from, len(want)):min(from+size, len(want))]
		if got := hitIDs(hits(t, r.obj(t))); !reflect.DeepEqual(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
	}
}

func fieldsOnly(fields ...string) func(t *testing.T, f *fixture, r *resp) {
	return func(t *testing.T, f *fixture, r *resp) {
		hs := hits(t, r.obj(t))
		if len(hs) == 0 {
			t.Fatal("no hits")
		}
		for _, h := range hs {
			hasKeys(t, h, presentKeys(f.byID[h["_id"].(string)], fields, "_id", "_score")...)
		}
	}
}

func apiCases() []apiCase {
	form := "application/x-www-form-urlencoded"
	jsonCT := "application/json"
	var cases []apiCase
	add := func(c ...apiCase) { cases = append(cases, c...) }

	// /status, /metadata, /metadata/fields, /spec, routing.
	add(
		apiCase{name: "status", path: "/v1/status", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			if m["success"] != true || m["docs"] != int64(len(f.docs)) {
				t.Errorf("status %v", m)
			}
		}},
		apiCase{name: "status bare", path: "/status", status: 200},
		apiCase{name: "status HEAD", method: "HEAD", path: "/v1/status", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
			if len(r.body) != 0 {
				t.Errorf("HEAD answered a body: %q", r.body)
			}
		}},
		apiCase{name: "status HEAD bare slash", method: "HEAD", path: "/status/", status: 200},
		apiCase{name: "metadata", path: "/v1/metadata", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			if got := r.obj(t); !reflect.DeepEqual(got, f.meta) {
				t.Errorf("metadata %v, want %v", got, f.meta)
			}
		}},
		apiCase{name: "metadata bare slash", path: "/metadata/", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			for _, k := range []string{"build_date", "build_version", "biothing_type", "src", "stats"} {
				if _, ok := m[k]; !ok {
					t.Errorf("metadata lacks %s", k)
				}
			}
		}},
		apiCase{name: "metadata fields", path: "/v1/metadata/fields", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			want := slices.DeleteFunc(leafPaths(f.mapping, ""), func(p string) bool { return p == "all" })
			var got []string
			for k := range m {
				got = append(got, k)
			}
			if !sameSet(got, want) {
				t.Errorf("%d fields, want %d", len(got), len(want))
			}
			for path, exp := range map[string]map[string]any{
				"symbol":            {"type": "keyword", "index": true, "searched_by_default": true},
				"taxid":             {"type": "integer", "index": true, "searched_by_default": false},
				"map_location":      {"type": "text", "index": false, "searched_by_default": false},
				"exac.all":          {"type": "object", "index": false, "searched_by_default": false},
				"genomic_pos.start": {"type": "long", "index": true, "searched_by_default": false},
				"name":              {"type": "text", "index": true, "searched_by_default": true},
			} {
				if !reflect.DeepEqual(m[path], exp) {
					t.Errorf("%s = %v, want %v", path, m[path], exp)
				}
			}
		}},
		fieldsCase("metadata fields search", "/v1/metadata/fields?search=GENOMIC", func(p string) bool { return strings.Contains(p, "genomic") }),
		fieldsCase("metadata fields prefix", "/metadata/fields/?prefix=go.", func(p string) bool { return strings.HasPrefix(p, "go.") }),
		apiCase{name: "openapi spec", path: "/v1/spec", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
			m := r.obj(t)
			paths, _ := m["paths"].(map[string]any)
			if m["openapi"] != "3.0.3" || paths["/gene/{id}"] == nil || paths["/query"] == nil || paths["/gene"] == nil {
				t.Errorf("spec %s", clip(r.body))
			}
		}},
		apiCase{name: "unknown route", path: "/v1/nothing", status: 404, check: errorSays("Not Found.")},
		apiCase{name: "method not allowed", method: "DELETE", path: "/v1/query", status: 405, check: func(t *testing.T, f *fixture, r *resp) {
			isError("", -1, -1)(t, f, r)
			if !strings.Contains(r.header.Get("Allow"), "POST") {
				t.Errorf("Allow = %q", r.header.Get("Allow"))
			}
		}},
		apiCase{name: "annotation without id", path: "/v1/gene", status: 400, check: isError("", -1, -1)},
		apiCase{name: "CORS preflight", method: "OPTIONS", path: "/v1/query", status: 204, check: func(t *testing.T, _ *fixture, r *resp) {
			if m := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "POST") || !strings.Contains(m, "GET") {
				t.Errorf("Access-Control-Allow-Methods = %q", m)
			}
		}},
	)

	// GET /<doc_type>/<id>
	add(
		apiCase{name: "doc", path: "/v1/gene/1017", status: 200, check: isDoc("1017")},
		apiCase{name: "doc bare", path: "/gene/1017", status: 200, check: isDoc("1017")},
		apiCase{name: "doc trailing slash", path: "/v1/gene/1017/", status: 200, check: isDoc("1017")},
		apiCase{name: "doc ensembl id", path: "/gene/ENSCCNG00000016292", status: 200, check: isDoc("ENSCCNG00000016292")},
		apiCase{name: "doc not found", path: "/v1/gene/nosuchgene", status: 404, check: func(t *testing.T, _ *fixture, r *resp) {
			want := map[string]any{"code": int64(404), "success": false, "error": "Not Found."}
			if got := r.obj(t); !reflect.DeepEqual(got, want) {
				t.Errorf("404 body %v, want %v", got, want)
			}
		}},
		apiCase{name: "doc fields", path: "/v1/gene/1017?fields=symbol,taxid", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			hasKeys(t, m, "_id", "_version", "symbol", "taxid")
			if m["symbol"] != f.byID["1017"]["symbol"] || m["taxid"] != f.byID["1017"]["taxid"] {
				t.Errorf("values %v", m)
			}
		}},
		apiCase{name: "doc fields dotted", path: "/v1/gene/1017?fields=genomic_pos.chr", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			hasKeys(t, m, "_id", "_version", "genomic_pos")
			want := map[string]any{"chr": values(f.byID["1017"], []string{"genomic_pos", "chr"})[0]}
			if !reflect.DeepEqual(m["genomic_pos"], want) {
				t.Errorf("genomic_pos = %v, want %v", m["genomic_pos"], want)
			}
		}},
		apiCase{name: "doc field alias", path: "/v1/gene/1017?field=symbol", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
			hasKeys(t, r.obj(t), "_id", "_version", "symbol")
		}},
		apiCase{name: "doc _source alias", path: "/v1/gene/1017?_source=symbol,name", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
			hasKeys(t, r.obj(t), "_id", "_version", "symbol", "name")
		}},
		apiCase{name: "doc filter is not a fields alias", path: "/v1/gene/1017?filter=taxid", status: 200, check: isDoc("1017")},
		apiCase{name: "doc fields all", path: "/v1/gene/1017?fields=all", status: 200, check: isDoc("1017")},
		apiCase{name: "doc dotfield", path: "/v1/gene/1017?dotfield=true", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			want := flatExpect(f.byID["1017"])
			want["_id"], want["_version"] = "1017", int64(1)
			if got := r.obj(t); !reflect.DeepEqual(got, want) {
				t.Errorf("dotfield:\n got %s\nwant %s", clip(mustJSON(got)), clip(mustJSON(want)))
			}
		}},
		apiCase{name: "doc dotfield fields", path: "/v1/gene/1017?dotfield=1&fields=genomic_pos", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			want := flatExpect(map[string]any{"genomic_pos": f.byID["1017"]["genomic_pos"]})
			want["_id"], want["_version"] = "1017", int64(1)
			if got := r.obj(t); !reflect.DeepEqual(got, want) {
				t.Errorf("dotfield: got %v, want %v", got, want)
			}
		}},
		apiCase{name: "doc always_list", path: "/v1/gene/1017?always_list=symbol,taxid,alias,nothere", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m, raw := r.obj(t), f.byID["1017"]
			if !reflect.DeepEqual(m["symbol"], []any{raw["symbol"]}) || !reflect.DeepEqual(m["taxid"], []any{raw["taxid"]}) {
				t.Errorf("symbol %v taxid %v, want lists", m["symbol"], m["taxid"])
			}
			if !reflect.DeepEqual(m["alias"], raw["alias"]) {
				t.Errorf("alias %v, want %v unchanged", m["alias"], raw["alias"])
			}
			if _, ok := m["nothere"]; ok {
				t.Errorf("always_list added a missing field")
			}
		}},
		apiCase{name: "doc allow_null", path: "/v1/gene/1017?allow_null=nothere,symbol,genomic_pos.nothere", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m, raw := r.obj(t), f.byID["1017"]
			if v, ok := m["nothere"]; !ok || v != nil {
				t.Errorf("nothere = %v (present %v), want null", v, ok)
			}
			if m["symbol"] != raw["symbol"] {
				t.Errorf("symbol changed: %v", m["symbol"])
			}
			want := withoutKeys(raw["genomic_pos"].(map[string]any))
			want["nothere"] = nil
			if !reflect.DeepEqual(m["genomic_pos"], want) {
				t.Errorf("genomic_pos = %v, want %v", m["genomic_pos"], want)
			}
		}},
		apiCase{name: "doc dotfield always_list allow_null", path: "/v1/gene/1017?dotfield=true&always_list=genomic_pos.chr&allow_null=x.y,genomic_pos.nothere", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			m := r.obj(t)
			chr := values(f.byID["1017"], []string{"genomic_pos", "chr"})
			if !reflect.DeepEqual(m["genomic_pos.chr"], chr) {
				t.Errorf("genomic_pos.chr = %v, want %v", m["genomic_pos.chr"], chr)
			}
			// As biothings.web: allow_null only adds a key to an object
			// that is there.
			if v, ok := m["x.y"]; ok {
				t.Errorf("x.y = %v, want it absent", v)
			}
			if v, ok := m["genomic_pos.nothere"]; !ok || v != nil {
				t.Errorf("genomic_pos.nothere = %v, want null", v)
			}
		}},
		apiCase{name: "doc yaml", path: "/v1/gene/1017?format=yaml", status: 200, check: sameAsJSON("/v1/gene/1017", "text/x-yaml", yamlDecode)},
		apiCase{name: "doc msgpack", path: "/v1/gene/1017?format=msgpack", status: 200, check: sameAsJSON("/v1/gene/1017", "application/x-msgpack", msgpackDecode)},
		apiCase{name: "doc html", path: "/v1/gene/1017?format=html", status: 200, check: sameAsJSON("/v1/gene/1017", "text/html", htmlDecode)},
		apiCase{name: "doc out_format alias", path: "/v1/gene/1017?out_format=yaml", status: 200, check: sameAsJSON("/v1/gene/1017", "text/x-yaml", yamlDecode)},
		apiCase{name: "bad format", path: "/v1/gene/1017?format=xml", status: 400, check: isError("format", -1, -1)},
		apiCase{name: "bad boolean", path: "/v1/gene/1017?dotfield=maybe", status: 400, check: isError("dotfield", -1, -1)},
		apiCase{name: "not found in yaml", path: "/v1/gene/nosuchgene?format=yaml", status: 404, check: func(t *testing.T, _ *fixture, r *resp) {
			v, err := yamlDecode(r.body)
			m, _ := v.(map[string]any)
			if err != nil || m["code"] != 404 || m["success"] != false {
				t.Errorf("yaml 404 body %q (%v)", r.body, err)
			}
		}},
	)

	// POST /<doc_type>
	add(
		apiCase{name: "post ids form", method: "POST", path: "/v1/gene", ctype: form, body: "ids=1017,12566,nosuchgene", status: 200,
			check: postEntries([]string{"1017", "12566", "nosuchgene"}, byID)},
		apiCase{name: "post ids json", method: "POST", path: "/gene", ctype: jsonCT, body: `{"ids":["ENSCCNG00000016292","1017"]}`, status: 200,
			check: postEntries([]string{"ENSCCNG00000016292", "1017"}, byID)},
		apiCase{name: "post ids fields", method: "POST", path: "/v1/gene/", ctype: jsonCT, body: `{"ids":"1017,12566","fields":"symbol,taxid"}`, status: 200,
			check: postEntries([]string{"1017", "12566"}, byID, "symbol", "taxid")},
		apiCase{name: "post ids separators", method: "POST", path: "/v1/gene", ctype: form, body: url.Values{"ids": {"1017 12566|101544122+103746495"}}.Encode(), status: 200,
			check: postEntries([]string{"1017", "12566", "101544122", "103746495"}, byID)},
		apiCase{name: "post ids url wins", method: "POST", path: "/v1/gene?ids=1017", ctype: form, body: "ids=12566", status: 200,
			check: postEntries([]string{"1017"}, byID)},
		apiCase{name: "post ids duplicates", method: "POST", path: "/v1/gene", ctype: form, body: "ids=1017,1017", status: 200,
			check: postEntries([]string{"1017", "1017"}, byID)},
		apiCase{name: "post ids multipart", method: "POST", path: "/v1/gene", ctype: "multipart/form-data; boundary=XyZ",
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"ids\"\r\n\r\n1017,12566\r\n--XyZ--\r\n", status: 200,
			check: postEntries([]string{"1017", "12566"}, byID)},
		apiCase{name: "post ids no content type", method: "POST", path: "/v1/gene", body: `{"ids":["1017"]}`, status: 200,
			check: postEntries([]string{"1017"}, byID)},
		apiCase{name: "post ids over 1000", method: "POST", path: "/v1/gene", ctype: jsonCT, body: `{"ids":` + manyTerms(1001) + `}`, status: 400,
			check: isError("ids", 1000, 1001)},
		apiCase{name: "post ids missing", method: "POST", path: "/v1/gene", ctype: form, body: "fields=symbol", status: 400, check: isError("ids", -1, -1)},
		apiCase{name: "post malformed json", method: "POST", path: "/v1/gene", ctype: jsonCT, body: `{"ids": [`, status: 400, check: errorSays("Invalid JSON body.")},
		apiCase{name: "post to doc id", method: "POST", path: "/v1/gene/1017", ctype: form, body: "ids=1017", status: 405},
	)

	// GET /query
	add(
		apiCase{name: "query no q", path: "/v1/query", status: 200, check: matches(10, all)},
		apiCase{name: "query __all__", path: "/v1/query?q=__all__", status: 200, check: matches(10, all)},
		apiCase{name: "query empty q", path: "/v1/query?q=", status: 200, check: matches(10, where(func(rawDoc) bool { return false }))},
		apiCase{name: "query __any__", path: "/v1/query?q=__any__&size=1000", status: 200, check: matches(1000, all)},
		apiCase{name: "query field", path: "/v1/query?q=taxid:9606", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			matches(10, where(func(d rawDoc) bool { return taxid(d) == 9606 }))(t, f, r)
			for _, h := range hits(t, r.obj(t)) {
				if !reflect.DeepEqual(withoutKeys(h, "_id", "_score"), f.byID[h["_id"].(string)]) {
					t.Errorf("hit %v differs from the raw document", h["_id"])
				}
			}
		}},
		apiCase{name: "query id", path: "/v1/query?q=1017", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			hs := hits(t, r.obj(t))
			if len(hs) == 0 || !slices.Contains(hitIDs(hs), "1017") {
				t.Errorf("q=1017 did not find 1017: %v", hitIDs(hs))
			}
		}},
		apiCase{name: "query keyword case-insensitive", path: "/v1/query?q=symbol:cdk2&size=1000", status: 200,
			check: matches(1000, where(func(d rawDoc) bool { return lowerEq(d, "symbol", "cdk2") }))},
		apiCase{name: "query wildcard", path: "/v1/query?q=symbol:cdk*&size=1000", status: 200,
			check: matches(1000, where(func(d rawDoc) bool { return strings.HasPrefix(strings.ToLower(d.Doc["symbol"].(string)), "cdk") }))},
		apiCase{name: "query range", path: "/v1/query?" + url.Values{"q": {"taxid:[9000 TO 10000]"}, "size": {"1000"}}.Encode(), status: 200,
			check: matches(1000, where(func(d rawDoc) bool { return taxid(d) >= 9000 && taxid(d) <= 10000 }))},
		apiCase{name: "query exists", path: "/v1/query?q=_exists_:entrezgene&size=1000", status: 200,
			check: matches(1000, where(func(d rawDoc) bool { return d.Doc["entrezgene"] != nil }))},
		apiCase{name: "query NOT", path: "/v1/query?" + url.Values{"q": {"NOT _exists_:entrezgene"}, "size": {"1000"}}.Encode(), status: 200,
			check: matches(1000, where(func(d rawDoc) bool { return d.Doc["entrezgene"] == nil }))},
		apiCase{name: "query OR", path: "/v1/query?" + url.Values{"q": {"taxid:9606 OR taxid:10090"}}.Encode(), status: 200,
			check: matches(10, where(func(d rawDoc) bool { return taxid(d) == 9606 || taxid(d) == 10090 }))},
		apiCase{name: "query default AND", path: "/v1/query?" + url.Values{"q": {"taxid:9606 taxid:10090"}}.Encode(), status: 200,
			check: matches(10, where(func(d rawDoc) bool { return false }))},
		apiCase{name: "query AND", path: "/v1/query?" + url.Values{"q": {"taxid:9823 AND type_of_gene:protein-coding"}}.Encode(), status: 200,
			check: matches(10, where(func(d rawDoc) bool { return taxid(d) == 9823 && lowerEq(d, "type_of_gene", "protein-coding") }))},
		apiCase{name: "query unbalanced quotes", path: "/v1/query?" + url.Values{"q": {`"cyclin dependent`}}.Encode(), status: 400, check: isError("q", -1, -1)},
		apiCase{name: "query unclosed paren", path: "/v1/query?" + url.Values{"q": {`(cdk2 OR`}}.Encode(), status: 400, check: isError("q", -1, -1)},
		apiCase{name: "query size 0", path: "/v1/query?size=0", status: 200, check: matches(0, all)},
		apiCase{name: "query size over max", path: "/v1/query?size=1001", status: 400, check: isError("size", 1000, 1001)},
		apiCase{name: "query limit over max", path: "/v1/query?limit=1001", status: 400, check: func(t *testing.T, f *fixture, r *resp) {
			isError("size", 1000, 1001)(t, f, r)
			if r.obj(t)["alias"] != "limit" {
				t.Errorf("alias = %v", r.obj(t)["alias"])
			}
		}},
		apiCase{name: "query size not a number", path: "/v1/query?size=ten", status: 400, check: isError("size", -1, -1)},
		apiCase{name: "query from over max", path: "/v1/query?from=10001", status: 400, check: isError("from", 10000, 10001)},
		apiCase{name: "query skip negative", path: "/v1/query?skip=-1", status: 400, check: isError("from", -1, -1)},
		apiCase{name: "query sort", path: "/v1/query?sort=taxid&size=100", status: 200, check: sortOrder(false, 0, 100)},
		apiCase{name: "query sort desc from", path: "/v1/query?sort=-taxid&size=20&from=5", status: 200, check: sortOrder(true, 5, 20)},
		apiCase{name: "query limit skip", path: "/v1/query?sort=taxid&limit=7&skip=3", status: 200, check: sortOrder(false, 3, 7)},
		apiCase{name: "query sort text field", path: "/v1/query?sort=name", status: 400, check: isError("", -1, -1)},
		apiCase{name: "query sort unknown field", path: "/v1/query?sort=nosuchfield", status: 400, check: isError("", -1, -1)},
		apiCase{name: "query sort too many", path: "/v1/query?sort=a,b,c,d,e,f,g,h,i,j,k", status: 400, check: isError("sort", 10, 11)},
		apiCase{name: "query fields", path: "/v1/query?fields=symbol,taxid&size=100", status: 200, check: fieldsOnly("symbol", "taxid")},
		apiCase{name: "query fields repeated", path: "/v1/query?fields=symbol&fields=entrezgene&size=100", status: 200, check: fieldsOnly("symbol", "entrezgene")},
		apiCase{name: "query dotfield", path: "/v1/query?q=taxid:9606&dotfield=true", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			hs := hits(t, r.obj(t))
			want := flatExpect(f.byID["1017"])
			if len(hs) != 1 || !reflect.DeepEqual(withoutKeys(hs[0], "_id", "_score"), want) {
				t.Errorf("dotfield hit differs")
			}
		}},
		apiCase{name: "query always_list allow_null", path: "/v1/query?q=taxid:9606&always_list=symbol&allow_null=nothere", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			hs := hits(t, r.obj(t))
			if len(hs) != 1 || !reflect.DeepEqual(hs[0]["symbol"], []any{"CDK2"}) {
				t.Fatalf("always_list: %v", hs)
			}
			if v, ok := hs[0]["nothere"]; !ok || v != nil {
				t.Errorf("allow_null: nothere = %v", v)
			}
		}},
		apiCase{name: "query facets", path: "/v1/query?facets=taxid,type_of_gene&facet_size=5", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			facetIs("taxid", 5, false, all)(t, f, r)
			facetIs("type_of_gene", 5, true, all)(t, f, r)
		}},
		apiCase{name: "query facets default size", path: "/v1/query?facets=taxid", status: 200, check: facetIs("taxid", 10, false, all)},
		apiCase{name: "query aggs alias", path: "/v1/query?aggs=type_of_gene", status: 200, check: facetIs("type_of_gene", 10, true, all)},
		apiCase{name: "query facets normalized", path: "/v1/query?facets=symbol", status: 200, check: facetIs("symbol", 10, true, all)},
		apiCase{name: "query facets on q", path: "/v1/query?q=taxid:9823&facets=type_of_gene", status: 200,
			check: facetIs("type_of_gene", 10, true, func(f *fixture) []rawDoc { return f.where(func(d rawDoc) bool { return taxid(d) == 9823 }) })},
		apiCase{name: "query facets nested field", path: "/v1/query?facets=genomic_pos.chr&facet_size=3", status: 200, check: func(t *testing.T, f *fixture, r *resp) {
			if f.backend == esBackend {
				// Elasticsearch aggregates nested fields only inside a
				// nested aggregation, which Studio does not send: no
				// buckets, every document missing (docs/search-backends.md, 15).
				noValue := func(f *fixture) []rawDoc { return make([]rawDoc, len(f.docs)) }
				facetIs("genomic_pos.chr", 3, true, noValue)(t, f, r)
				return
			}
			facetIs("genomic_pos.chr", 3, true, all)(t, f, r)
		}},
		apiCase{name: "query facet_size 0", path: "/v1/query?facets=taxid&facet_size=0", status: 200, check: facetIs("taxid", 0, false, all)},
		apiCase{name: "query facet text field", path: "/v1/query?facets=name", status: 400, check: isError("", -1, -1)},
		apiCase{name: "query facet_size over max", path: "/v1/query?facets=taxid&facet_size=1001", status: 400, check: isError("facet_size", 1000, 1001)},
		apiCase{name: "query bad scroll id", path: "/v1/query?scroll_id=nosuchscroll", status: 400, check: isError("scroll_id", -1, -1)},
		apiCase{name: "query bad fetch_all", path: "/v1/query?fetch_all=sometimes", status: 400, check: isError("fetch_all", -1, -1)},
		apiCase{name: "query unknown parameter", path: "/v1/query?q=taxid:9606&bogus=1", status: 200,
			check: matches(10, where(func(d rawDoc) bool { return taxid(d) == 9606 }))},
		apiCase{name: "query bare slash", path: "/query/?q=taxid:9606", status: 200,
			check: matches(10, where(func(d rawDoc) bool { return taxid(d) == 9606 }))},
		apiCase{name: "query yaml", path: "/v1/query?q=taxid:9606&format=yaml", status: 200, check: sameAsJSON("/v1/query?q=taxid:9606", "text/x-yaml", yamlDecode)},
		apiCase{name: "query msgpack", path: "/v1/query?q=taxid:9823&format=msgpack", status: 200, check: sameAsJSON("/v1/query?q=taxid:9823", "application/x-msgpack", msgpackDecode)},
		apiCase{name: "query html", path: "/v1/query?q=taxid:9606&format=html", status: 200, check: sameAsJSON("/v1/query?q=taxid:9606", "text/html", htmlDecode)},
	)

	// POST /query
	symbolCDK2 := func(f *fixture, term string) []rawDoc { return byField("symbol")(f, term) }
	add(
		apiCase{name: "post query ids", method: "POST", path: "/v1/query", ctype: form, body: "q=1017,12566,nosuchgene", status: 200,
			check: postEntries([]string{"1017", "12566", "nosuchgene"}, byID)},
		apiCase{name: "post query symbol", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":["CDK2"],"scopes":["symbol"],"size":1000}`, status: 200,
			check: postEntries([]string{"CDK2"}, symbolCDK2)},
		apiCase{name: "post query symbol size", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":"CDK2","scopes":"symbol","size":5}`, status: 200,
			check: func(t *testing.T, _ *fixture, r *resp) {
				if l := r.list(t); len(l) != 5 {
					t.Errorf("%d entries, want 5", len(l))
				}
			}},
		apiCase{name: "post query entrezgene", method: "POST", path: "/v1/query", ctype: form, body: "q=1017,12566,999999999&scopes=entrezgene", status: 200,
			check: postEntries([]string{"1017", "12566", "999999999"}, byField("entrezgene"))},
		apiCase{name: "post query scopes _id and entrezgene", method: "POST", path: "/query", ctype: jsonCT, body: `{"q":["1017","ENSCCNG00000016292"],"scopes":["_id","entrezgene"],"fields":"symbol"}`, status: 200,
			check: postEntries([]string{"1017", "ENSCCNG00000016292"}, func(f *fixture, term string) []rawDoc {
				return f.where(func(d rawDoc) bool { return d.ID == term || lowerEq(d, "entrezgene", term) })
			}, "symbol")},
		apiCase{name: "post query numeric scope", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":["9823","abc"],"scopes":["taxid"]}`, status: 200,
			check: postEntries([]string{"9823", "abc"}, func(f *fixture, term string) []rawDoc {
				return f.where(func(d rawDoc) bool { return strconv.FormatInt(taxid(d), 10) == term })
			})},
		apiCase{name: "post query text scope", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":["cyclin dependent kinase 2"],"scopes":"name","size":1000}`, status: 200,
			check: postEntries([]string{"cyclin dependent kinase 2"}, func(f *fixture, term string) []rawDoc {
				return f.where(func(d rawDoc) bool { return hasPhrase(d, "name", term) })
			})},
		apiCase{name: "post query quoted terms", method: "POST", path: "/v1/query", ctype: form, body: url.Values{"q": {`"p33(CDK2)" CDKN2`}, "scopes": {"alias"}}.Encode(), status: 200,
			check: postEntries([]string{"p33(CDK2)", "CDKN2"}, byField("alias"))},
		apiCase{name: "post query fetch_all", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":["cdk2","nosuch"],"scopes":"symbol","fetch_all":true}`, status: 200,
			check: postEntries([]string{"cdk2", "nosuch"}, symbolCDK2)},
		apiCase{name: "post query bad fetch_all", method: "POST", path: "/v1/query", ctype: form, body: "q=1017&fetch_all=sometimes", status: 400, check: isError("fetch_all", -1, -1)},
		apiCase{name: "post query over 1000 terms", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q":` + manyTerms(1001) + `}`, status: 400, check: isError("q", 1000, 1001)},
		apiCase{name: "post query malformed json", method: "POST", path: "/v1/query", ctype: jsonCT, body: `{"q": "1017",`, status: 400, check: errorSays("Invalid JSON body.")},
		apiCase{name: "post query missing q", method: "POST", path: "/v1/query/", ctype: form, body: "scopes=symbol", status: 400, check: isError("q", -1, -1)},
		apiCase{name: "post query msgpack", method: "POST", path: "/v1/query?format=msgpack", ctype: form, body: "q=1017,nosuch", status: 200, check: func(t *testing.T, _ *fixture, r *resp) {
			v, err := msgpackDecode(r.body)
			l, _ := v.([]any)
			if err != nil || len(l) != 2 {
				t.Fatalf("msgpack list: %v %v", v, err)
			}
		}},
	)
	return cases
}

// leafPaths lists the fields of a mapping's properties as
// /metadata/fields should: dotted, objects walked into.
func leafPaths(props map[string]any, prefix string) []string {
	var out []string
	for name, d := range props {
		def := d.(map[string]any)
		if sub, ok := def["properties"].(map[string]any); ok {
			out = append(out, leafPaths(sub, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}

// fieldsCase asks /metadata/fields at path and wants exactly the mapping's
// leaf paths that match (at least one).
func fieldsCase(name, path string, match func(string) bool) apiCase {
	return apiCase{name: name, path: path, status: 200, check: func(t *testing.T, f *fixture, r *resp) {
		var want []string
		for _, p := range leafPaths(f.mapping, "") {
			if match(p) {
				want = append(want, p)
			}
		}
		var got []string
		for k := range r.obj(t) {
			got = append(got, k)
		}
		if len(want) == 0 || !sameSet(got, want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	}}
}
