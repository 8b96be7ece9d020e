package apiopts

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// defaults is what ParseQuery gives a route with no parameters.
func defaults(kind Route) Options {
	o := Options{AllFields: true, Size: 10, FacetSize: 10, Format: "json"}
	if kind == QueryPOST {
		o.Scopes = []string{"_id"}
	}
	return o
}

// wantErr describes an expected *Error; msg is a part of its message.
type wantErr struct {
	keyword, alias, missing, msg string
	max, num                     int // 0 = absent
}

var queryCases = []struct {
	name  string
	kind  Route
	query string // a URL query, or a JSON object when it starts with {
	edit  func(o *Options)
	err   *wantErr
}{
	// q
	{name: "no q", kind: QueryGET, query: ``, edit: func(o *Options) {}},
	{name: "q", kind: QueryGET, query: `q=cdk2`, edit: func(o *Options) { o.Q, o.QSet = "cdk2", true }},
	{name: "empty q", kind: QueryGET, query: `q=`, edit: func(o *Options) { o.QSet = true }},
	{name: "q __all__", kind: QueryGET, query: `q=__all__`, edit: func(o *Options) { o.Q, o.QSet = "__all__", true }},
	{name: "q lucene kept whole", kind: QueryGET, query: `q=` + url.QueryEscape(`symbol:CDK2 AND taxid:9606`), edit: func(o *Options) { o.Q, o.QSet = "symbol:CDK2 AND taxid:9606", true }},
	{name: "q repeated takes last", kind: QueryGET, query: `q=a&q=b`, edit: func(o *Options) { o.Q, o.QSet = "b", true }},
	// fields
	{name: "fields", kind: QueryGET, query: `fields=a,b.c`, edit: func(o *Options) { o.Fields, o.AllFields = []string{"a", "b.c"}, false }},
	{name: "field alias", kind: QueryGET, query: `field=a`, edit: func(o *Options) { o.Fields, o.AllFields = []string{"a"}, false }},
	{name: "_source alias", kind: AnnotationGET, query: `_source=a+b`, edit: func(o *Options) { o.Fields, o.AllFields = []string{"a", "b"}, false }},
	{name: "filter is not a fields alias", kind: AnnotationPOST, query: `ids=1&filter=a`, edit: func(o *Options) { o.IDs = []string{"1"} }},
	// filter, post_filter, jmespath, with_total, analyzer, dev
	{name: "filter", kind: QueryGET, query: `filter=taxid:9606&post_filter=type_of_gene:ncRNA`, edit: func(o *Options) { o.Filter, o.PostFilter = "taxid:9606", "type_of_gene:ncRNA" }},
	{name: "post filter on POST", kind: QueryPOST, query: `q=a&filter=taxid:9606&with_total=1&analyzer=whitespace`, edit: func(o *Options) {
		o.Q, o.QSet, o.IDs, o.Filter, o.WithTotal, o.Analyzer = "a", true, []string{"a"}, "taxid:9606", true, "whitespace"
	}},
	{name: "with_total not on GET", kind: QueryGET, query: `with_total=1&analyzer=x`, edit: func(o *Options) {}},
	{name: "jmespath bad", kind: QueryGET, query: `jmespath=alias|[?`, err: &wantErr{keyword: "jmespath", msg: "invalid expression"}},
	{name: "jmespath no bar", kind: AnnotationGET, query: `jmespath=alias`, err: &wantErr{keyword: "jmespath", msg: "path|expression"}},
	{name: "jmespath exclude bad", kind: AnnotationGET, query: `jmespath_exclude_empty=maybe`, err: &wantErr{keyword: "jmespath_exclude_empty", msg: "true or false"}},
	{name: "dev", kind: Metadata, query: `dev`, edit: func(o *Options) { o.Dev = true }},
	// typed terms
	{name: "json q typed", kind: QueryPOST, query: `{"q": [1017, "CDK2", true, ["1017", "cdk2"]], "scopes": [["_id", "entrezgene"], "symbol"]}`, edit: func(o *Options) {
		o.QSet, o.IDs = true, []string{"1017", "CDK2", "true", "1017 cdk2"}
		o.Terms = []any{json.Number("1017"), "CDK2", true, []any{"1017", "cdk2"}}
		o.Scopes, o.ScopeGroups = []string{"_id", "entrezgene", "symbol"}, [][]string{{"_id", "entrezgene"}, {"symbol"}}
	}},
	{name: "json ids number", kind: AnnotationPOST, query: `{"ids": 2}`, edit: func(o *Options) { o.IDs, o.Terms = []string{"2"}, []any{json.Number("2")} }},
	{name: "ids nested refused", kind: AnnotationPOST, query: `{"ids": [["1"]]}`, err: &wantErr{keyword: "ids", msg: "list of strings"}},
	{name: "fields repeated", kind: QueryGET, query: `fields=a&fields=b,c`, edit: func(o *Options) { o.Fields, o.AllFields = []string{"a", "b", "c"}, false }},
	{name: "fields all", kind: QueryGET, query: `fields=all`, edit: func(o *Options) {}},
	{name: "fields with all", kind: QueryGET, query: `fields=a,ALL`, edit: func(o *Options) {}},
	{name: "fields empty", kind: QueryGET, query: `fields=`, edit: func(o *Options) {}},
	{name: "fields keyword beats alias", kind: QueryGET, query: `fields=a&field=b`, edit: func(o *Options) { o.Fields, o.AllFields = []string{"a"}, false }},
	{name: "fields too many", kind: QueryGET, query: `fields=` + strings.Repeat("f,", 1001), err: &wantErr{keyword: "fields", max: 1000, num: 1001}},
	// size
	{name: "size", kind: QueryGET, query: `size=5`, edit: func(o *Options) { o.Size = 5 }},
	{name: "size 0", kind: QueryGET, query: `size=0`, edit: func(o *Options) { o.Size = 0 }},
	{name: "size max", kind: QueryGET, query: `size=1000`, edit: func(o *Options) { o.Size = 1000 }},
	{name: "limit alias", kind: QueryGET, query: `limit=7`, edit: func(o *Options) { o.Size = 7 }},
	{name: "size float form", kind: QueryGET, query: `size=20.0`, edit: func(o *Options) { o.Size = 20 }},
	{name: "size over", kind: QueryGET, query: `size=1001`, err: &wantErr{keyword: "size", max: 1000, num: 1001, msg: "at most 1000"}},
	{name: "limit over", kind: QueryGET, query: `limit=5000`, err: &wantErr{keyword: "size", alias: "limit", max: 1000, num: 5000}},
	{name: "size huge", kind: QueryGET, query: `size=99999999999999999999999`, err: &wantErr{keyword: "size", max: 1000}},
	{name: "size negative", kind: QueryGET, query: `size=-1`, err: &wantErr{keyword: "size", msg: "0 or more"}},
	{name: "size text", kind: QueryGET, query: `size=ten`, err: &wantErr{keyword: "size", msg: "whole number"}},
	{name: "size fraction", kind: QueryGET, query: `size=2.5`, err: &wantErr{keyword: "size", msg: "whole number"}},
	{name: "size empty", kind: QueryGET, query: `size=`, err: &wantErr{keyword: "size", msg: "whole number"}},
	{name: "size on annotation", kind: AnnotationGET, query: `size=3`, edit: func(o *Options) { o.Size = 3 }},
	// from
	{name: "from", kind: QueryGET, query: `from=20`, edit: func(o *Options) { o.From = 20 }},
	{name: "skip alias", kind: QueryGET, query: `skip=10000`, edit: func(o *Options) { o.From = 10000 }},
	{name: "from over", kind: QueryGET, query: `from=10001`, err: &wantErr{keyword: "from", max: 10000, num: 10001}},
	{name: "skip over", kind: QueryGET, query: `skip=10001`, err: &wantErr{keyword: "from", alias: "skip", max: 10000, num: 10001}},
	{name: "from ignored on POST", kind: QueryPOST, query: `q=a&from=99999`, edit: func(o *Options) { o.Q, o.QSet, o.IDs = "a", true, []string{"a"} }},
	// sort
	{name: "sort", kind: QueryGET, query: `sort=-taxid,symbol`, edit: func(o *Options) {
		o.Sort = []SortKey{{Field: "taxid", Desc: true}, {Field: "symbol"}}
	}},
	{name: "sort ten", kind: QueryGET, query: `sort=a,b,c,d,e,f,g,h,i,j`, edit: func(o *Options) {
		for _, f := range "abcdefghij" {
			o.Sort = append(o.Sort, SortKey{Field: string(f)})
		}
	}},
	{name: "sort eleven", kind: QueryGET, query: `sort=a,b,c,d,e,f,g,h,i,j,k`, err: &wantErr{keyword: "sort", max: 10, num: 11}},
	{name: "sort dash only", kind: QueryGET, query: `sort=-`, err: &wantErr{keyword: "sort", msg: "names no field"}},
	// facets
	{name: "facets", kind: QueryGET, query: `facets=taxid,type_of_gene`, edit: func(o *Options) { o.Facets = []string{"taxid", "type_of_gene"} }},
	{name: "aggs alias", kind: QueryGET, query: `aggs=taxid`, edit: func(o *Options) { o.Facets = []string{"taxid"} }},
	{name: "facet_size", kind: QueryGET, query: `facet_size=50`, edit: func(o *Options) { o.FacetSize = 50 }},
	{name: "facet_size over", kind: QueryGET, query: `facet_size=1001`, err: &wantErr{keyword: "facet_size", max: 1000, num: 1001}},
	// fetch_all, scroll_id
	{name: "fetch_all", kind: QueryGET, query: `fetch_all=true`, edit: func(o *Options) { o.FetchAll = true }},
	{name: "fetch_all bare", kind: QueryGET, query: `fetch_all`, edit: func(o *Options) { o.FetchAll = true }},
	{name: "fetch_all 1", kind: QueryGET, query: `fetch_all=1`, edit: func(o *Options) { o.FetchAll = true }},
	{name: "fetch_all YES", kind: QueryGET, query: `fetch_all=YES`, edit: func(o *Options) { o.FetchAll = true }},
	{name: "fetch_all False", kind: QueryGET, query: `fetch_all=False`, edit: func(o *Options) {}},
	{name: "fetch_all no", kind: QueryGET, query: `fetch_all=no`, edit: func(o *Options) {}},
	{name: "fetch_all 0", kind: QueryGET, query: `fetch_all=0`, edit: func(o *Options) {}},
	{name: "fetch_all bad", kind: QueryGET, query: `fetch_all=maybe`, err: &wantErr{keyword: "fetch_all", msg: "true or false"}},
	{name: "scroll_id", kind: QueryGET, query: `scroll_id=abc123`, edit: func(o *Options) { o.ScrollID = "abc123" }},
	// dotfield, always_list, allow_null
	{name: "dotfield", kind: QueryGET, query: `dotfield=true`, edit: func(o *Options) { o.DotField = true }},
	{name: "dotfield annotation", kind: AnnotationGET, query: `dotfield=on`, edit: func(o *Options) { o.DotField = true }},
	{name: "dotfield bad", kind: AnnotationGET, query: `dotfield=2x`, err: &wantErr{keyword: "dotfield"}},
	{name: "always_list", kind: QueryGET, query: `always_list=a,b`, edit: func(o *Options) { o.AlwaysList = []string{"a", "b"} }},
	{name: "allow_null", kind: AnnotationPOST, query: `ids=1&allow_null=x.y`, edit: func(o *Options) { o.IDs, o.AllowNull = []string{"1"}, []string{"x.y"} }},
	{name: "always_list too many", kind: QueryGET, query: `always_list=` + strings.Repeat("a,", 1001), err: &wantErr{keyword: "always_list", max: 1000, num: 1001}},
	// format
	{name: "format yaml", kind: QueryGET, query: `format=yaml`, edit: func(o *Options) { o.Format = "yaml" }},
	{name: "format HTML", kind: Metadata, query: `format=HTML`, edit: func(o *Options) { o.Format = "html" }},
	{name: "format msgpack", kind: AnnotationGET, query: `format=msgpack`, edit: func(o *Options) { o.Format = "msgpack" }},
	{name: "format empty", kind: QueryGET, query: `format=`, edit: func(o *Options) {}},
	{name: "format bad", kind: QueryGET, query: `format=xml`, err: &wantErr{keyword: "format", msg: "one of json, yaml, html, msgpack"}},
	{name: "out_format alias", kind: QueryGET, query: `out_format=xml`, err: &wantErr{keyword: "format", alias: "out_format"}},
	// POST /query
	{name: "post q", kind: QueryPOST, query: `q=1017,1018&scopes=entrezgene`, edit: func(o *Options) {
		o.Q, o.QSet, o.IDs, o.Scopes = "1017,1018", true, []string{"1017", "1018"}, []string{"entrezgene"}
	}},
	{name: "post q quoted", kind: QueryPOST, query: `q=` + url.QueryEscape(`"CDK2 kinase" CDK3|CDK4+CDK5`), edit: func(o *Options) {
		o.Q, o.QSet, o.IDs = `"CDK2 kinase" CDK3|CDK4+CDK5`, true, []string{"CDK2 kinase", "CDK3", "CDK4", "CDK5"}
	}},
	{name: "post q json in form", kind: QueryPOST, query: `q=` + url.QueryEscape(`["a b","c"]`), edit: func(o *Options) {
		o.QSet, o.IDs = true, []string{"a b", "c"}
	}},
	{name: "post q missing", kind: QueryPOST, query: `scopes=_id`, err: &wantErr{keyword: "q", missing: "q"}},
	{name: "post q empty", kind: QueryPOST, query: `q=`, err: &wantErr{keyword: "q", msg: "no terms"}},
	{name: "post q json empty list", kind: QueryPOST, query: `{"q": []}`, err: &wantErr{keyword: "q", msg: "no terms"}},
	{name: "post q too many", kind: QueryPOST, query: `q=` + strings.Repeat("x,", 1001), err: &wantErr{keyword: "q", max: 1000, num: 1001}},
	{name: "post scopes many", kind: QueryPOST, query: `q=a&scopes=symbol,alias,name`, edit: func(o *Options) {
		o.Q, o.QSet, o.IDs, o.Scopes = "a", true, []string{"a"}, []string{"symbol", "alias", "name"}
	}},
	{name: "post size", kind: QueryPOST, query: `q=a&size=1001`, err: &wantErr{keyword: "size", max: 1000, num: 1001}},
	// POST /<doc_type>
	{name: "ids", kind: AnnotationPOST, query: `ids=1017,1018`, edit: func(o *Options) { o.IDs = []string{"1017", "1018"} }},
	{name: "id alias", kind: AnnotationPOST, query: `id=1017`, edit: func(o *Options) { o.IDs = []string{"1017"} }},
	{name: "ids 1000", kind: AnnotationPOST, query: `ids=` + strings.Repeat("i,", 1000), edit: func(o *Options) { o.IDs = strings.Split(strings.Repeat("i,", 999)+"i", ",") }},
	{name: "ids 1001", kind: AnnotationPOST, query: `ids=` + strings.Repeat("i,", 1001), err: &wantErr{keyword: "ids", max: 1000, num: 1001}},
	{name: "ids missing", kind: AnnotationPOST, query: `fields=a`, err: &wantErr{keyword: "ids", missing: "ids", msg: "Missing required parameter ids"}},
	// metadata
	{name: "metadata ignores query params", kind: Metadata, query: `size=99999&fetch_all=bad`, edit: func(o *Options) {}},
	{name: "metadata fields search", kind: MetadataFields, query: `search=sym&prefix=ref`, edit: func(o *Options) { o.Search, o.Prefix = "sym", "ref" }},
	// unknown parameters
	{name: "unknown ignored", kind: QueryGET, query: `callback=x&foo=bar&explain=maybe`, edit: func(o *Options) {}},
	{name: "annotation ignores query-only", kind: AnnotationGET, query: `from=99999&sort=-`, edit: func(o *Options) {}},
	// JSON bodies
	{name: "json q list", kind: QueryPOST, query: `{"q": ["CDK2 kinase", 1017, true, null], "scopes": "symbol,entrezgene"}`, edit: func(o *Options) {
		o.QSet, o.IDs, o.Scopes = true, []string{"CDK2 kinase", "1017", "true"}, []string{"symbol", "entrezgene"}
	}},
	{name: "json q string", kind: QueryPOST, query: `{"q": "a b"}`, edit: func(o *Options) { o.Q, o.QSet, o.IDs = "a b", true, []string{"a", "b"} }},
	{name: "json ids", kind: AnnotationPOST, query: `{"ids": ["1017","1018"], "fields": ["symbol","name"], "dotfield": true, "size": 3}`, edit: func(o *Options) {
		o.IDs, o.Fields, o.AllFields, o.DotField, o.Size = []string{"1017", "1018"}, []string{"symbol", "name"}, false, true, 3
	}},
	{name: "json null is absent", kind: AnnotationPOST, query: `{"ids": null}`, err: &wantErr{keyword: "ids", missing: "ids"}},
	{name: "json nested list", kind: AnnotationPOST, query: `{"ids": [["a"]]}`, err: &wantErr{keyword: "ids", msg: "list of strings"}},
	{name: "json object for list", kind: AnnotationPOST, query: `{"ids": {"a": 1}}`, err: &wantErr{keyword: "ids", msg: "list of strings"}},
	{name: "json size number", kind: QueryPOST, query: `{"q": "a", "size": 1e3}`, edit: func(o *Options) { o.Q, o.QSet, o.IDs, o.Size = "a", true, []string{"a"}, 1000 }},
	{name: "json size list", kind: QueryPOST, query: `{"q": "a", "size": [1]}`, err: &wantErr{keyword: "size", msg: "whole number"}},
}

func params(t *testing.T, query string) map[string][]string {
	t.Helper()
	if strings.HasPrefix(query, "{") {
		p, err := FromJSON([]byte(query))
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", query, err)
		}
		return p
	}
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("ParseQuery(%s): %v", query, err)
	}
	return FromForm(v)
}

func TestParseQuery(t *testing.T) {
	for _, c := range queryCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseQuery(c.kind, params(t, c.query))
			if c.err != nil {
				checkErr(t, err, c.err)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err.JSON())
			}
			want := defaults(c.kind)
			c.edit(&want)
			// Terms and ScopeGroups are checked by the cases that set them.
			if want.Terms == nil {
				got.Terms = nil
			}
			if want.ScopeGroups == nil {
				got.ScopeGroups = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func checkErr(t *testing.T, err *Error, w *wantErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want keyword %q", w.keyword)
	}
	ptr := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	if err.Code != 400 || err.Keyword != w.keyword || err.Alias != w.alias || err.Missing != w.missing ||
		ptr(err.Max) != w.max || ptr(err.Num) != w.num || !strings.Contains(err.Message, w.msg) {
		t.Fatalf("got %v; want %+v", err.JSON(), *w)
	}
}

func TestErrorJSON(t *testing.T) {
	_, err := ParseQuery(QueryGET, map[string][]string{"size": {"1001"}})
	b, jerr := json.Marshal(err.JSON())
	if jerr != nil {
		t.Fatal(jerr)
	}
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	want := map[string]any{"code": 400.0, "success": false, "error": "size must be at most 1000; got 1001.",
		"keyword": "size", "max": 1000.0, "num": 1001.0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %s", b)
	}
	_, err = ParseQuery(QueryGET, map[string][]string{"limit": {"x"}})
	if m := err.JSON(); m["alias"] != "limit" || m["reason"] != "Expect type int." || m["max"] != nil {
		t.Fatalf("got %v", m)
	}
	_, err = ParseQuery(QueryGET, map[string][]string{"format": {"xml"}})
	if m := err.JSON(); !reflect.DeepEqual(m["allowed"], Formats) {
		t.Fatalf("got %v", m)
	}
}

func TestFromJSONErrors(t *testing.T) {
	for _, body := range []string{``, `  `, `{`, `{"q": }`, `[1,2]`, `"q"`, `null`, `{"q":1} {"q":2}`, `{"q":1}}`} {
		_, err := FromJSON([]byte(body))
		if err == nil || err.Code != 400 || err.Message != "Invalid JSON body." {
			t.Errorf("FromJSON(%q) = %v; want Invalid JSON body.", body, err)
		}
	}
}

func TestMerge(t *testing.T) {
	query := map[string][]string{"limit": {"5"}, "q": {"url"}}
	body := map[string][]string{"size": {"7"}, "q": {"body"}, "fields": {"a"}}
	got := Merge(query, body)
	o, err := ParseQuery(QueryGET, got)
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != 5 || o.Q != "url" || len(o.Fields) != 1 {
		t.Fatalf("got %+v from %v", o, got)
	}
}

func TestOptionsQ(t *testing.T) {
	cases := []struct {
		query              string
		all, none, anyRand bool
	}{
		{"", true, false, false},
		{"q=__all__", true, false, false},
		{"q=", false, true, false},
		{"q=%20%20", false, true, false},
		{"q=__any__", false, false, true},
		{"q=cdk2", false, false, false},
	}
	for _, c := range cases {
		o, err := ParseQuery(QueryGET, params(t, c.query))
		if err != nil {
			t.Fatal(err)
		}
		if o.MatchAll() != c.all || o.MatchNone() != c.none || o.Random() != c.anyRand {
			t.Errorf("%q: MatchAll=%v MatchNone=%v Random=%v", c.query, o.MatchAll(), o.MatchNone(), o.Random())
		}
	}
}

func TestSplitTerms(t *testing.T) {
	cases := map[string][]string{
		``:                             {},
		`  , | + `:                     {},
		`CDK2 CDK3`:                    {"CDK2", "CDK3"},
		`a,b|c+d	e` + "\n" + `f`:       {"a", "b", "c", "d", "e", "f"},
		`"CDK2 CDK3"` + "\n" + ` CDK4`: {"CDK2 CDK3", "CDK4"},
		`"a,b"|c`:                      {"a,b", "c"},
		`x"a b"y z`:                    {"xa by", "z"},
		`"unclosed a b`:                {"unclosed a b"},
		`""`:                           {},
		`5'UTR chr9:g.133748283C>T`:    {"5'UTR", "chr9:g.133748283C>T"},
		`" padded "`:                   {"padded"},
	}
	for in, want := range cases {
		if got := SplitTerms(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitTerms(%q) = %q; want %q", in, got, want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, c := range queryCases {
		f.Add(c.query)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var sources []map[string][]string
		if v, err := url.ParseQuery(s); err == nil {
			sources = append(sources, FromForm(v))
		}
		if p, err := FromJSON([]byte(s)); err == nil {
			sources = append(sources, p)
		} else if err.Code != 400 {
			t.Fatalf("FromJSON error code %d", err.Code)
		}
		sources = append(sources, map[string][]string{"q": {s}, "ids": {s}, "size": {s}, "sort": {s}, "format": {s}, "fetch_all": {s}})
		for _, p := range sources {
			for kind := QueryGET; kind <= MetadataFields; kind++ {
				o, err := ParseQuery(kind, p)
				if err != nil {
					if err.Code != 400 || err.Message == "" {
						t.Fatalf("bad error %+v", err)
					}
					continue
				}
				if o.Size < 0 || o.Size > MaxSize || o.From < 0 || o.From > MaxFrom || len(o.Sort) > MaxSortKeys ||
					o.FacetSize < 0 || o.FacetSize > MaxFacetSize || len(o.IDs) > MaxListItems {
					t.Fatalf("limits not enforced: %+v", o)
				}
			}
		}
		for _, term := range SplitTerms(s) {
			if term == "" || strings.TrimSpace(term) != term {
				t.Fatalf("SplitTerms(%q) gave %q", s, term)
			}
		}
	})
}
