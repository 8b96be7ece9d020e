package searchtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"studio/internal/engine/search"
)

// differences are the numbered differences of docs/search-backends.md:
// each shows what every backend does, one subtest per number. Number 13
// (one process per Bleve index folder) needs two engines on one store:
// Elasticsearch's side is TestTwoEnginesShareTheCluster in its package.
var differences = []struct {
	n    int
	name string
	run  func(t *testing.T, e search.Engine, n *names)
}{
	{1, "field types", diffFieldTypes},
	{2, "multi-fields and null_value", diffMultiFields},
	{3, "dotted field names", diffDottedNames},
	{4, "dynamic templates and runtime fields", diffDynamicTemplates},
	{5, "analysis components", diffAnalysis},
	{6, "ignore_above", diffIgnoreAbove},
	{7, "dynamic strict", diffStrict},
	{8, "index settings", diffSettings},
	{9, "copy_to", diffCopyTo},
	{10, "longs above 2^53", diffBigLongs},
	{11, "default search fields", diffDefaultFields},
	{12, "dates", diffDates},
	{14, "stop words", diffStopWords},
	{15, "nested fields", diffNested},
	{16, "scores", diffScores},
	{17, "ties and scroll order", diffTies},
	{18, "_version after a delete", diffVersionAfterDelete},
	{19, "type errors", diffTypeErrors},
	{20, "query strings", diffQueryStrings},
	{21, "_exists_ and unindexed fields", diffExists},
	{22, "terms aggregation order", diffAggOrder},
	{23, "scrolls", diffScrolls},
	{24, "random order", diffRandom},
	{25, "aliases", diffAliases},
	{26, "put mapping changes", diffPutMapping},
	{27, "refresh", diffRefresh},
	{28, "stats", diffStats},
	{29, "sorts and aggregations on text", diffTextSortAgg},
	{30, "_all", diffAll},
	{31, "raw documents", diffRawGetter},
	{32, "sorts on _id", diffSortID},
	{33, "the result window", diffResultWindow},
}

func testDifferences(t *testing.T, e search.Engine, n *names) {
	for _, d := range differences {
		t.Run(fmt.Sprintf("%02d %s", d.n, d.name), func(t *testing.T) { d.run(t, e, n) })
	}
}

// small is a one-shard index without replicas, so that Elasticsearch's
// internal order is the order of indexing.
type small struct {
	t    *testing.T
	e    search.Engine
	name string
}

// oneShard are the settings of a small index.
func oneShard(more map[string]any) map[string]any {
	index := map[string]any{"number_of_shards": 1, "number_of_replicas": 0}
	maps.Copy(index, more)
	return map[string]any{"index": index}
}

// createSmall creates a small index with these properties; mapping adds
// keys to the mapping, settings to the index settings.
func createSmall(t *testing.T, e search.Engine, n *names, suffix string, props, mapping, settings map[string]any) (*small, error) {
	t.Helper()
	m := map[string]any{"properties": props}
	maps.Copy(m, mapping)
	name := n.get(suffix)
	err := e.CreateIndex(context.Background(), name, search.IndexSpec{Settings: oneShard(settings), Mapping: m})
	return &small{t: t, e: e, name: name}, err
}

// mustSmall is createSmall that fails the test on an error.
func mustSmall(t *testing.T, e search.Engine, n *names, suffix string, props map[string]any) *small {
	t.Helper()
	s, err := createSmall(t, e, n, suffix, props, nil, nil)
	if err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	return s
}

// index indexes docs in order and refreshes.
func (s *small) index(docs ...Doc) search.BulkResult {
	s.t.Helper()
	ops := make([]search.BulkOp, len(docs))
	for i, d := range docs {
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: d.Src}
	}
	res, err := s.e.Bulk(context.Background(), s.name, ops)
	if err != nil {
		s.t.Fatalf("Bulk: %v", err)
	}
	if err := s.e.Refresh(context.Background(), s.name); err != nil {
		s.t.Fatalf("Refresh: %v", err)
	}
	return res
}

// mustIndex is index that fails the test when an item fails.
func (s *small) mustIndex(docs ...Doc) {
	s.t.Helper()
	if res := s.index(docs...); len(res.Failed) > 0 || res.Indexed != len(docs) {
		s.t.Fatalf("Bulk = %+v, want %d indexed", res, len(docs))
	}
}

// q is a query string without default fields, terms joined by AND.
func q(s string) search.QueryString {
	return search.QueryString{Query: s, DefaultOperator: search.And}
}

// ids returns the ids a search finds, in its order.
func (s *small) ids(req search.SearchRequest) []string {
	s.t.Helper()
	res, err := s.e.Search(context.Background(), s.name, req)
	if err != nil {
		s.t.Fatalf("Search(%+v): %v", req, err)
	}
	return hitIDs(res.Hits)
}

// count counts the documents q matches, failing the test on an error.
func (s *small) count(q search.Query) int64 {
	s.t.Helper()
	c, err := s.e.Count(context.Background(), s.name, q)
	if err != nil {
		s.t.Fatalf("Count(%#v): %v", q, err)
	}
	return c
}

// wantCount checks the count of each query.
func (s *small) wantCount(want map[string]int64) {
	s.t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got := s.count(q(k)); got != want[k] {
			s.t.Errorf("Count(%s) = %d, want %d", k, got, want[k])
		}
	}
}

func doc(id string, kv ...any) Doc {
	src := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		src[kv[i].(string)] = kv[i+1]
	}
	return Doc{ID: id, Src: src}
}

func kw() map[string]any   { return map[string]any{"type": "keyword"} }
func text() map[string]any { return map[string]any{"type": "text"} }
func typ(t string, kv ...any) map[string]any {
	m := map[string]any{"type": t}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// refusedByBleve checks that Bleve refuses a definition, naming the path,
// and that Elasticsearch creates the index; it returns the index on
// Elasticsearch, nil on Bleve.
func refusedByBleve(t *testing.T, e search.Engine, n *names, suffix, path string, props, mapping, settings map[string]any) *small {
	t.Helper()
	s, err := createSmall(t, e, n, suffix, props, mapping, settings)
	if expect(t, e, map[string]bool{Bleve: true, Elasticsearch: false}) {
		if !errors.Is(err, search.ErrInvalidSpec) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "bleve") {
			t.Errorf("CreateIndex = %v; want ErrInvalidSpec naming %s and the bleve backend", err, path)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	return s
}

func diffFieldTypes(t *testing.T, e search.Engine, n *names) {
	for _, c := range []struct {
		def   map[string]any
		value any
		query string
	}{
		{typ("geo_point"), map[string]any{"lat": 48.85, "lon": 2.35}, "_exists_:f"},
		{typ("ip"), "192.168.1.7", `f:"192.168.0.0/16"`},
		{typ("dense_vector", "dims", 3), []any{0.5, 1.0, 2.0}, "_exists_:f"},
		{typ("flattened"), map[string]any{"a": "x", "b": map[string]any{"c": "y"}}, "f.b.c:y"},
	} {
		t.Run(c.def["type"].(string), func(t *testing.T) {
			s := refusedByBleve(t, e, n, "d01-"+strings.ReplaceAll(c.def["type"].(string), "_", "-"), "f", map[string]any{"f": c.def}, nil, nil)
			if s == nil {
				return
			}
			s.mustIndex(doc("1", "f", c.value))
			s.wantCount(map[string]int64{c.query: 1})
		})
	}
}

func diffMultiFields(t *testing.T, e search.Engine, n *names) {
	s := refusedByBleve(t, e, n, "d02-fields", "symbol", map[string]any{
		"symbol": typ("text", "fields", map[string]any{"raw": kw()})}, nil, nil)
	if s != nil {
		s.mustIndex(doc("1", "symbol", "Cyclin A"))
		s.wantCount(map[string]int64{"symbol:cyclin": 1, `symbol.raw:"Cyclin A"`: 1, "symbol.raw:cyclin": 0})
	}
	s = refusedByBleve(t, e, n, "d02-null", "status", map[string]any{"status": typ("keyword", "null_value", "NONE")}, nil, nil)
	if s != nil {
		s.mustIndex(doc("1", "status", nil), doc("2", "status", "ok"))
		s.wantCount(map[string]int64{"status:NONE": 1, "_exists_:status": 2})
	}
}

func diffDottedNames(t *testing.T, e search.Engine, n *names) {
	s := refusedByBleve(t, e, n, "d03", "cgi.gene", map[string]any{"cgi.gene": kw()}, nil, nil)
	if s == nil {
		return
	}
	got, err := e.GetIndex(context.Background(), s.name)
	if err != nil {
		t.Fatal(err)
	}
	props, _ := got.Mapping["properties"].(map[string]any)
	cgi, _ := props["cgi"].(map[string]any)
	if sub, _ := cgi["properties"].(map[string]any); sub["gene"] == nil {
		t.Errorf("mapping = %v, want cgi.gene expanded into an object", got.Mapping)
	}
	s.mustIndex(doc("1", "cgi", map[string]any{"gene": "BRAF"}))
	s.wantCount(map[string]int64{"cgi.gene:BRAF": 1})
}

func diffDynamicTemplates(t *testing.T, e search.Engine, n *names) {
	s := refusedByBleve(t, e, n, "d04-templates", "dynamic_templates", map[string]any{}, map[string]any{
		"dynamic_templates": []any{map[string]any{"strings": map[string]any{
			"match_mapping_type": "string", "mapping": kw()}}}}, nil)
	if s != nil {
		s.mustIndex(doc("1", "color", "Dark Red"))
		s.wantCount(map[string]int64{`color:"Dark Red"`: 1, "color:dark": 0})
	}
	s = refusedByBleve(t, e, n, "d04-runtime", "runtime", map[string]any{}, map[string]any{"dynamic": "runtime"}, nil)
	if s != nil {
		s.mustIndex(doc("1", "color", "red"))
		s.wantCount(map[string]int64{"color:red": 1})
	}
}

func diffAnalysis(t *testing.T, e search.Engine, n *names) {
	settings := map[string]any{"analysis": map[string]any{"analyzer": map[string]any{
		"no_stop": map[string]any{"tokenizer": "standard", "filter": []any{"lowercase", "stop"}}}}}
	s := refusedByBleve(t, e, n, "d05", "stop", map[string]any{"name": typ("text", "analyzer", "no_stop")}, nil, settings)
	if s != nil {
		s.mustIndex(doc("1", "name", "The kinase of the cell"))
		s.wantCount(map[string]int64{"name:kinase": 1, "name:the": 0})
	}
}

func diffIgnoreAbove(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d06", map[string]any{"k": typ("keyword", "ignore_above", 4)})
	s.mustIndex(doc("short", "k", "abc"), doc("long", "k", "abcdef"))
	s.wantCount(map[string]int64{
		"k:abc":        1,
		"k:abcdef":     expect(t, e, map[string]int64{Bleve: 1, Elasticsearch: 0}),
		"_exists_:k":   expect(t, e, map[string]int64{Bleve: 2, Elasticsearch: 1}),
		"_id:long":     1,
		"NOT k:abcdef": expect(t, e, map[string]int64{Bleve: 1, Elasticsearch: 2}),
	})
	if h, err := e.Get(context.Background(), s.name, "long"); err != nil || h.Source["k"] != "abcdef" {
		t.Errorf("Get(long) = %v, %v; want the value kept in _source", h.Source, err)
	}
}

func diffStrict(t *testing.T, e search.Engine, n *names) {
	s, err := createSmall(t, e, n, "d07", map[string]any{"a": kw()}, map[string]any{"dynamic": "strict"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := s.index(doc("known", "a", "x"), doc("unknown", "a", "y", "b", "z"))
	if expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true}) {
		if res.Indexed != 1 || len(res.Failed) != 1 || res.Failed[0].ID != "unknown" || !strings.Contains(res.Failed[0].Reason, "strict") {
			t.Errorf("Bulk = %+v; want the document with an unmapped field refused", res)
		}
		return
	}
	if res.Indexed != 2 || len(res.Failed) != 0 {
		t.Errorf("Bulk = %+v; want both indexed", res)
	}
	s.wantCount(map[string]int64{"a:y": 1, "b:z": 0})
}

func diffSettings(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	name := n.get("d08")
	settings := map[string]any{"index": map[string]any{"number_of_shards": 2, "number_of_replicas": 0, "refresh_interval": "5s"}}
	if err := e.CreateIndex(ctx, name, search.IndexSpec{Settings: settings}); err != nil {
		t.Fatal(err)
	}
	got, err := e.GetIndex(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	shards, _ := search.Setting(got.Settings, "number_of_shards")
	uuid, _ := search.Setting(got.Settings, "uuid")
	want := expect(t, e, map[string][2]any{Bleve: {2.0, nil}, Elasticsearch: {"2", "set"}})
	if fmt.Sprint(shards) != fmt.Sprint(want[0]) || (uuid != nil) != (want[1] != nil) {
		t.Errorf("settings = %v; want number_of_shards %v, uuid %v", got.Settings, want[0], want[1])
	}
	err = e.CreateIndex(ctx, n.get("d08-unknown"), search.IndexSpec{Settings: map[string]any{"index": map[string]any{"no_such_setting": 1}}})
	if expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true}) {
		if !errors.Is(err, search.ErrInvalidSpec) || !strings.Contains(err.Error(), "no_such_setting") {
			t.Errorf("CreateIndex with an unknown setting = %v; want ErrInvalidSpec naming it", err)
		}
	} else if err != nil {
		t.Errorf("CreateIndex with an unknown setting = %v; want it accepted", err)
	}
}

func diffCopyTo(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d09", map[string]any{
		"n":             typ("integer", "copy_to", []any{search.AllField}),
		"b":             typ("boolean", "copy_to", search.AllField),
		"g":             typ("keyword", "copy_to", []any{search.AllField, "genes"}),
		"genes":         kw(),
		search.AllField: text(),
	})
	s.mustIndex(doc("1", "n", int64(9606), "b", true, "g", "BRAF"))
	s.wantCount(map[string]int64{"all:9606": 1, "all:true": 1, "all:braf": 1, "genes:BRAF": 1, "genes:braf": 0})
	h, err := e.Get(context.Background(), s.name, "1")
	if err != nil || h.Source["all"] != nil || h.Source["genes"] != nil || len(h.Source) != 3 {
		t.Errorf("Get = %v, %v; want the source as indexed, without the copies", h.Source, err)
	}
}

func diffBigLongs(t *testing.T, e search.Engine, n *names) {
	const big = int64(1)<<53 + 1
	s := mustSmall(t, e, n, "d10", map[string]any{"v": typ("long")})
	s.mustIndex(doc("odd", "v", big), doc("even", "v", big-1))
	if got, want := s.count(search.Term{Field: "v", Value: big}), expect(t, e, map[string]int64{Bleve: 2, Elasticsearch: 1}); got != want {
		t.Errorf("Count(v = 2^53+1) = %d, want %d", got, want)
	}
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{Aggs: []search.TermsAgg{{Field: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Aggs["v"].Buckets), expect(t, e, map[string]int{Bleve: 1, Elasticsearch: 2}); got != want {
		t.Errorf("buckets %+v, want %d", res.Aggs["v"].Buckets, want)
	}
	if h, err := e.Get(context.Background(), s.name, "odd"); err != nil || h.Source["v"] != big {
		t.Errorf("Get(odd).v = %#v, %v; want %d exactly", h.Source["v"], err, big)
	}
}

func diffDefaultFields(t *testing.T, e search.Engine, n *names) {
	props := map[string]any{"name": text(), "taxid": typ("integer"), search.AllField: text()}
	plain := mustSmall(t, e, n, "d11-plain", props)
	plain.mustIndex(doc("d1", "name", "kinase", "taxid", int64(9606)))
	// Without default fields: Bleve searches _id and all, Elasticsearch
	// every field ("*").
	plain.wantCount(map[string]int64{
		"kinase": expect(t, e, map[string]int64{Bleve: 0, Elasticsearch: 1}),
		"d1":     expect(t, e, map[string]int64{Bleve: 1, Elasticsearch: 0}),
	})
	// Searching "*", Elasticsearch is lenient: a value that does not fit
	// its field matches nothing instead of failing.
	c, err := e.Count(context.Background(), plain.name, q("taxid:abc"))
	if expect(t, e, map[string]bool{Bleve: true, Elasticsearch: false}) {
		if !errors.Is(err, search.ErrBadQuery) {
			t.Errorf("Count(taxid:abc) = %d, %v; want a bad query", c, err)
		}
	} else if err != nil || c != 0 {
		t.Errorf("Count(taxid:abc) = %d, %v; want 0 (lenient)", c, err)
	}
	// With default fields, from the request or the index, both search them.
	for _, query := range []search.QueryString{
		{Query: "kinase", DefaultFields: []string{"name"}},
		{Query: "d1", DefaultFields: []string{"_id", search.AllField}},
	} {
		if got := plain.count(query); got != 1 {
			t.Errorf("Count(%+v) = %d, want 1", query, got)
		}
	}
	if _, err := plain.e.Count(context.Background(), plain.name, search.QueryString{Query: "taxid:abc", DefaultFields: []string{"name"}}); !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("Count(taxid:abc) with default fields = %v, want a bad query on both", err)
	}
	set, err := createSmall(t, e, n, "d11-set", props, nil, map[string]any{"query": map[string]any{"default_field": []any{"name"}}})
	if err != nil {
		t.Fatal(err)
	}
	set.mustIndex(doc("d1", "name", "kinase"))
	set.wantCount(map[string]int64{"kinase": 1, "d1": 0})
}

func diffDates(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d12", map[string]any{"d": typ("date"), "k": kw()})
	res := s.index(
		doc("day", "d", "2024-01-02", "k", "x"),
		doc("time", "d", "2024-01-02T03:04:05Z", "k", "x"),
		doc("millis", "d", int64(1704164645000), "k", "x"), // 2024-01-02T03:04:05Z
		doc("slashes", "d", "2024/01/02", "k", "x"),
	)
	in := search.Range{Field: "d", Gte: "2024-01-01", Lt: "2024-01-03"}
	want := expect(t, e, map[string]struct {
		failed []string
		inDay  int64
	}{
		Bleve:         {nil, 2},
		Elasticsearch: {[]string{"slashes"}, 3},
	})
	var failed []string
	for _, f := range res.Failed {
		failed = append(failed, f.ID)
	}
	if !slices.Equal(failed, want.failed) {
		t.Errorf("failed items %v, want %v", failed, want.failed)
	}
	if got := s.count(in); got != want.inDay {
		t.Errorf("Count(%+v) = %d, want %d", in, got, want.inDay)
	}
}

func diffStopWords(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d14", map[string]any{"name": text(), "std": typ("text", "analyzer", "standard")})
	s.mustIndex(doc("1", "name", "The kinase of the cell", "std", "To be or not to be"))
	s.wantCount(map[string]int64{"name:the": 1, `name:"kinase of the cell"`: 1, "std:be": 1, `std:"or not to"`: 1})
}

func nestedIndex(t *testing.T, e search.Engine, n *names, suffix string) *small {
	s := mustSmall(t, e, n, suffix, map[string]any{
		"symbol": kw(),
		"pos":    map[string]any{"type": "nested", "properties": map[string]any{"chr": kw(), "start": typ("long")}},
	})
	s.mustIndex(
		doc("a", "symbol", "A", "pos", []any{map[string]any{"chr": "1", "start": int64(10)}, map[string]any{"chr": "X", "start": int64(5)}}),
		doc("b", "symbol", "B", "pos", map[string]any{"chr": "2", "start": int64(7)}),
		doc("c", "symbol", "C"),
	)
	return s
}

func diffNested(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := nestedIndex(t, e, n, "d15")
	es := expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true})
	pick := func(bleve, elastic int64) int64 {
		if es {
			return elastic
		}
		return bleve
	}
	s.wantCount(map[string]int64{"pos.chr:1": pick(1, 0), "pos.start:[6 TO 8]": pick(1, 0), "_exists_:pos": pick(2, 0), "symbol:A": 1})
	if got := s.count(search.Exists{Field: "pos.chr"}); got != pick(2, 0) {
		t.Errorf("Count(exists pos.chr) = %d, want %d", got, pick(2, 0))
	}
	res, err := e.Search(ctx, s.name, search.SearchRequest{Sort: []search.SortField{{Field: "pos.start"}}})
	if es {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "nested") {
			t.Errorf("sort on a nested field = %v; want a bad query saying nested", err)
		}
	} else if ids := hitIDs(res.Hits); err != nil || !slices.Equal(ids, []string{"a", "b", "c"}) {
		t.Errorf("sort on a nested field = %v, %v; want a (5), b (7), c (none)", ids, err)
	}
	res, err = e.Search(ctx, s.name, search.SearchRequest{Aggs: []search.TermsAgg{{Field: "pos.chr"}}})
	if err != nil {
		t.Fatal(err)
	}
	agg := res.Aggs["pos.chr"]
	want := search.TermsAggResult{Buckets: []search.Bucket{{Key: "1", Count: 1}, {Key: "2", Count: 1}, {Key: "X", Count: 1}}, Missing: 1}
	if es {
		want = search.TermsAggResult{Buckets: []search.Bucket{}, Missing: 3}
	}
	if !JSONEqual(agg, want) {
		t.Errorf("aggregation on a nested field = %+v, want %+v", agg, want)
	}
}

func diffScores(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d16", map[string]any{"name": text(), "k": kw()})
	s.mustIndex(doc("1", "name", "kinase kinase", "k", "x"), doc("2", "name", "kinase of cells", "k", "x"), doc("3", "name", "cell", "k", "y"))
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{Query: search.Bool{Filter: []search.Query{search.Term{Field: "k", Value: "x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := hitIDs(res.Hits)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"1", "2"}) {
		t.Errorf("filter found %v, want 1 and 2", ids)
	}
	filterScores := expect(t, e, map[string]bool{Bleve: true, Elasticsearch: false})
	for _, h := range res.Hits {
		if (h.Score != 0) != filterScores {
			t.Errorf("hit %s of a filter alone has score %v; want a score: %v", h.ID, h.Score, filterScores)
		}
	}
	res, err = e.Search(context.Background(), s.name, search.SearchRequest{Query: q("name:kinase")})
	if err != nil || len(res.Hits) != 2 || res.MaxScore <= 0 || res.Hits[0].Score != res.MaxScore || res.Hits[0].Score < res.Hits[1].Score {
		t.Errorf("search by score = %+v, %v; want 2 hits, best first", res, err)
	}
}

func diffTies(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d17", map[string]any{"k": kw()})
	s.mustIndex(doc("c", "k", "same"), doc("a", "k", "same"), doc("b", "k", "same"), doc("d", "k", "other"))
	want := expect(t, e, map[string][]string{Bleve: {"a", "b", "c", "d"}, Elasticsearch: {"c", "a", "b", "d"}})
	if got := s.ids(search.SearchRequest{Sort: []search.SortField{{Field: "k", Desc: true}}}); !slices.Equal(got, want) {
		t.Errorf("sort with ties = %v, want %v", got, want)
	}
	res, err := e.Search(ctx, s.name, search.SearchRequest{Size: 2, Scroll: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(res.Hits) > 0 {
		got = append(got, hitIDs(res.Hits)...)
		if res, err = e.ScrollNext(ctx, res.ScrollID); err != nil {
			t.Fatal(err)
		}
	}
	want = expect(t, e, map[string][]string{Bleve: {"a", "b", "c", "d"}, Elasticsearch: {"c", "a", "b", "d"}})
	if !slices.Equal(got, want) {
		t.Errorf("scroll without a sort = %v, want %v", got, want)
	}
}

func diffVersionAfterDelete(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d18", map[string]any{"k": kw()})
	s.mustIndex(doc("1", "k", "a"))
	if res, err := e.Bulk(ctx, s.name, []search.BulkOp{{Kind: search.BulkDelete, ID: "1"}}); err != nil || res.Deleted != 1 {
		t.Fatalf("delete = %+v, %v", res, err)
	}
	s.mustIndex(doc("1", "k", "b"))
	h, err := e.Get(ctx, s.name, "1")
	if want := expect(t, e, map[string]int64{Bleve: 1, Elasticsearch: 3}); err != nil || h.Version != want {
		t.Errorf("_version after index, delete, index = %d, %v; want %d", h.Version, err, want)
	}
}

func diffTypeErrors(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d19", map[string]any{"taxid": typ("integer"), "symbol": kw(), "flag": typ("boolean")})
	res := s.index(
		doc("word", "taxid", "abc", "symbol", "W"),
		doc("numeric-string", "taxid", "9606", "symbol", "S"),
		doc("fraction", "taxid", 10.7, "symbol", "F"),
		doc("flag-word", "flag", "yes", "symbol", "Y"),
		doc("with-id", "_id", "x", "symbol", "I"),
	)
	var failed []string
	for _, f := range res.Failed {
		failed = append(failed, f.ID)
	}
	slices.Sort(failed)
	want := expect(t, e, map[string][]string{
		Bleve:         {"with-id"},
		Elasticsearch: {"flag-word", "with-id", "word"},
	})
	if !slices.Equal(failed, want) {
		t.Errorf("failed items %v (%+v), want %v", failed, res.Failed, want)
	}
	counts := expect(t, e, map[string]map[string]int64{
		// Bleve skips the values it cannot index; exists queries find
		// the fields a document held.
		Bleve: {"symbol:W": 1, "symbol:Y": 1, "taxid:9606": 0, "taxid:10": 0, "taxid:[10 TO 11]": 1, "_exists_:taxid": 3},
		// Elasticsearch coerces numeric strings and truncates fractions
		// for integer fields.
		Elasticsearch: {"symbol:W": 0, "symbol:Y": 0, "taxid:9606": 1, "taxid:10": 1, "taxid:[10 TO 11]": 1, "_exists_:taxid": 2},
	})
	s.wantCount(counts)
}

func diffQueryStrings(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d20", map[string]any{"name": text(), "symbol": kw(), "taxid": typ("integer")})
	s.mustIndex(doc("cdk2", "name", "cyclin dependent kinase 2", "symbol", "cdk2", "taxid", int64(9606)),
		doc("cdk10", "name", "cyclin kinase", "symbol", "cdk10"))
	es := expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true})
	pick := func(bleve, elastic int64) int64 {
		if es {
			return elastic
		}
		return bleve
	}
	s.wantCount(map[string]int64{
		`name:"cyclin kinase"`:    1,
		`name:"cyclin kinase"~1`:  pick(1, 2), // slop
		"name:kinaze~1":           2,
		"name:kinazz~2":           2,
		"name:kiinazz~2":          0, // 3 edits
		"symbol:/cdk[0-9]+/":      2,
		"symbol:/cdk<1-5>/":       pick(0, 1), // Lucene's numeric interval
		`symbol:/cdk\d/`:          1,
		"_id:cdk*":                0, // ids match whole
		"_id:cdk2":                1,
		"taxid:9606":              1,
		`symbol:cdk2 OR symbol:x`: 1,
	})
	// Fuzziness above 2: Bleve takes 2, Elasticsearch refuses it.
	c, err := e.Count(context.Background(), s.name, q("name:kinazz~5"))
	if es {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "edit distance") {
			t.Errorf("Count(name:kinazz~5) = %d, %v; want a bad query about the edit distance", c, err)
		}
	} else if err != nil || c != 2 {
		t.Errorf("Count(name:kinazz~5) = %d, %v; want 2", c, err)
	}
	for _, bad := range []string{"taxid:abc", `name:"open`} {
		if _, err := e.Count(context.Background(), s.name, search.QueryString{Query: bad, DefaultFields: []string{"name"}}); !errors.Is(err, search.ErrBadQuery) {
			t.Errorf("Count(%s) = %v, want a bad query", bad, err)
		}
	}
}

func diffExists(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s, err := createSmall(t, e, n, "d21", map[string]any{
		"t": typ("text", "index", false), "k": typ("keyword", "index", false), "n": typ("integer", "index", false), "s": kw()},
		map[string]any{"dynamic": "false"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.mustIndex(doc("before", "t", "first", "k", "plus", "n", int64(3), "s", "x", "late", "v"))
	if err := e.PutMapping(ctx, s.name, map[string]any{"late": kw()}, nil); err != nil {
		t.Fatal(err)
	}
	s.mustIndex(doc("after", "s", "y", "late", "v"))
	es := expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true})
	pick := func(bleve, elastic int64) int64 {
		if es {
			return elastic
		}
		return bleve
	}
	s.wantCount(map[string]int64{
		"_exists_:late": 1, // the field added later: not in the document indexed before
		"late:v":        1,
		"_exists_:t":    0, // text without index: nothing to find
		// keywords and numbers without index keep doc values: exists
		// queries find them on both, and Elasticsearch searches them.
		"_exists_:k": 1,
		"k:plus":     pick(0, 1),
		"_exists_:n": 1,
		"n:3":        pick(0, 1),
	})
	// A query on the unindexed text field: nothing on Bleve; Elasticsearch
	// refuses it, unless it searches "*" (no default fields), where it is
	// lenient.
	if got := s.count(q("t:first")); got != 0 {
		t.Errorf("Count(t:first) without default fields = %d, want 0", got)
	}
	c, err := e.Count(ctx, s.name, search.QueryString{Query: "t:first", DefaultFields: []string{"s"}})
	if es {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "not indexed") {
			t.Errorf("Count(t:first) = %d, %v; want a bad query saying the field is not indexed", c, err)
		}
	} else if err != nil || c != 0 {
		t.Errorf("Count(t:first) = %d, %v; want 0", c, err)
	}
}

func diffAggOrder(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d22", map[string]any{"k": kw(), "b": typ("boolean")})
	var docs []Doc
	for i, v := range []string{"b", "a", "c", "c", "b", "a", "d", "e"} {
		docs = append(docs, doc(fmt.Sprint(i), "k", v, "b", i%3 == 0))
	}
	docs = append(docs, doc("none"))
	s.mustIndex(docs...)
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{Aggs: []search.TermsAgg{{Field: "k", Size: 4}, {Field: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := search.TermsAggResult{Buckets: []search.Bucket{{Key: "a", Count: 2}, {Key: "b", Count: 2}, {Key: "c", Count: 2}, {Key: "d", Count: 1}}, Other: 1, Missing: 1}
	if !reflect.DeepEqual(res.Aggs["k"], want) {
		t.Errorf("aggregation = %+v, want %+v (by count, ties by key)", res.Aggs["k"], want)
	}
	// Booleans: keys are bools on both.
	want = search.TermsAggResult{Buckets: []search.Bucket{{Key: false, Count: 5}, {Key: true, Count: 3}}, Missing: 1}
	if !reflect.DeepEqual(res.Aggs["b"], want) {
		t.Errorf("aggregation on a boolean = %+v, want %+v", res.Aggs["b"], want)
	}
}

func diffScrolls(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d23", map[string]any{"k": kw()})
	s.mustIndex(doc("1", "k", "a"), doc("2", "k", "b"), doc("3", "k", "c"))
	start := func() search.SearchResult {
		res, err := e.Search(ctx, s.name, search.SearchRequest{Size: 1, Scroll: time.Minute})
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("scroll = %+v, %v", res, err)
		}
		return res
	}
	// A mapping change: Elasticsearch's scroll goes on over what it saw.
	res := start()
	if err := e.PutMapping(ctx, s.name, map[string]any{"more": kw()}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.ScrollNext(ctx, res.ScrollID)
	if expect(t, e, map[string]bool{Bleve: true, Elasticsearch: false}) {
		if !errors.Is(err, search.ErrBadScrollID) {
			t.Errorf("ScrollNext after PutMapping = %v, want ErrBadScrollID", err)
		}
	} else if err != nil {
		t.Errorf("ScrollNext after PutMapping = %v, want the next page", err)
	}
	// The index deleted: the scroll ends on both.
	res = start()
	if err := e.DeleteIndex(ctx, s.name); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ScrollNext(ctx, res.ScrollID); !errors.Is(err, search.ErrBadScrollID) {
		t.Errorf("ScrollNext after DeleteIndex = %v, want ErrBadScrollID", err)
	}
}

func diffRandom(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d24", map[string]any{"k": kw()})
	var docs []Doc
	for i := range 20 {
		docs = append(docs, doc(fmt.Sprintf("%02d", i), "k", []string{"a", "b"}[i%2]))
	}
	s.mustIndex(docs...)
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{Query: search.Term{Field: "k", Value: "a"}, Size: 20, RandomOrder: true})
	if err != nil || len(res.Hits) != 10 {
		t.Fatalf("random order = %d hits, %v; want the 10 matching", len(res.Hits), err)
	}
	if backendOf(t, e) == Elasticsearch {
		for i, h := range res.Hits {
			if h.Score < 0 || h.Score > 1 || (i > 0 && h.Score > res.Hits[i-1].Score) {
				t.Errorf("hit %d has score %v: want random_score values, in decreasing order", i, h.Score)
			}
		}
	}
}

func diffAliases(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d25", map[string]any{"k": kw()})
	alias := n.get("d25-alias")
	if err := e.PutAlias(ctx, s.name, alias); err != nil {
		t.Fatal(err)
	}
	err := e.DeleteIndex(ctx, alias)
	if !errors.Is(err, expect(t, e, map[string]error{Bleve: search.ErrIndexNotFound, Elasticsearch: search.ErrInvalidSpec})) {
		t.Errorf("DeleteIndex(alias) = %v; want it refused", err)
	}
	if _, err := e.GetIndex(ctx, s.name); err != nil {
		t.Errorf("the index behind the alias: %v", err)
	}
	if err := e.DeleteIndex(ctx, s.name); err != nil {
		t.Fatal(err)
	}
	list, err := e.ListAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Alias == alias {
			t.Errorf("alias %s outlived its index", alias)
		}
	}
}

func diffPutMapping(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d26", map[string]any{"k": typ("keyword", "ignore_above", 10)})
	err := e.PutMapping(ctx, s.name, map[string]any{"k": typ("keyword", "ignore_above", 20)}, nil)
	if expect(t, e, map[string]bool{Bleve: true, Elasticsearch: false}) {
		if !errors.Is(err, search.ErrInvalidSpec) {
			t.Errorf("PutMapping changing ignore_above = %v, want ErrInvalidSpec", err)
		}
	} else if err != nil {
		t.Errorf("PutMapping changing ignore_above = %v, want it accepted", err)
	}
	if err := e.PutMapping(ctx, s.name, map[string]any{"k": typ("long")}, nil); !errors.Is(err, search.ErrInvalidSpec) {
		t.Errorf("PutMapping changing a type = %v, want ErrInvalidSpec on both", err)
	}
}

func diffRefresh(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s, err := createSmall(t, e, n, "d27", map[string]any{"k": kw()}, nil, map[string]any{"refresh_interval": "-1"})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.Bulk(ctx, s.name, []search.BulkOp{{Kind: search.BulkIndex, ID: "1", Doc: map[string]any{"k": "a"}}}); err != nil || res.Indexed != 1 {
		t.Fatalf("Bulk = %+v, %v", res, err)
	}
	if got, want := s.count(nil), expect(t, e, map[string]int64{Bleve: 1, Elasticsearch: 0}); got != want {
		t.Errorf("Count before Refresh = %d, want %d", got, want)
	}
	// Reading by id sees the write at once on both.
	if h, err := e.Get(ctx, s.name, "1"); err != nil || h.Source["k"] != "a" {
		t.Errorf("Get before Refresh = %+v, %v", h, err)
	}
	if hits, err := e.MGet(ctx, s.name, []string{"1"}); err != nil || !hits[0].Found {
		t.Errorf("MGet before Refresh = %+v, %v", hits, err)
	}
	if err := e.Refresh(ctx, s.name); err != nil {
		t.Fatal(err)
	}
	if got := s.count(nil); got != 1 {
		t.Errorf("Count after Refresh = %d, want 1", got)
	}
}

func diffStats(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := nestedIndex(t, e, n, "d28")
	st, err := e.Stats(ctx, s.name)
	if err != nil || st.Docs != 3 || st.SizeBytes <= 0 {
		t.Errorf("Stats = %+v, %v; want 3 documents (nested objects are not counted) and a size", st, err)
	}
	if info := find(t, e, s.name); info == nil || info.Docs != 3 {
		t.Errorf("ListIndexes: %+v, want 3 documents", info)
	}
}

func diffTextSortAgg(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "d29", map[string]any{"name": text()})
	s.mustIndex(doc("1", "name", "kinase"))
	for what, req := range map[string]search.SearchRequest{
		"sort":        {Sort: []search.SortField{{Field: "name"}}},
		"aggregation": {Aggs: []search.TermsAgg{{Field: "name"}}},
	} {
		_, err := e.Search(ctx, s.name, req)
		var qe *search.QueryError
		if !errors.Is(err, search.ErrBadQuery) || !errors.As(err, &qe) || !strings.Contains(qe.Reason, "name") {
			t.Errorf("%s on a text field = %v; want a bad query naming the field", what, err)
		}
	}
}

func diffAll(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d30", map[string]any{"g": typ("keyword", "copy_to", search.AllField), "other": kw(), search.AllField: text()})
	s.mustIndex(doc("1", "g", "BRAF", "other", "KRAS"))
	s.wantCount(map[string]int64{"_all:braf": 0, "_all:kras": 0, "all:braf": 1, "all:kras": 0})
}

func diffRawGetter(t *testing.T, e search.Engine, _ *names) {
	_, getter := e.(search.RawGetter)
	_, searcher := e.(search.RawSearcher)
	_, bulker := e.(search.RawBulker)
	if want := expect(t, e, map[string]bool{Bleve: true, Elasticsearch: true}); getter != want || searcher != want || bulker != want {
		t.Errorf("implements search.RawGetter %v, RawSearcher %v, RawBulker %v; want %v", getter, searcher, bulker, want)
	}
}

func diffSortID(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d32", map[string]any{"k": kw()})
	s.mustIndex(doc("b", "k", "x"), doc("c", "k", "x"), doc("a", "k", "x"))
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{Sort: []search.SortField{{Field: "_id", Desc: true}}})
	if expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true}) {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "_id") {
			t.Errorf("sort on _id = %v, %v; want a bad query naming _id", hitIDs(res.Hits), err)
		}
		return
	}
	if ids := hitIDs(res.Hits); err != nil || !slices.Equal(ids, []string{"c", "b", "a"}) {
		t.Errorf("sort on _id = %v, %v; want c, b, a", ids, err)
	}
}

func diffResultWindow(t *testing.T, e search.Engine, n *names) {
	s := mustSmall(t, e, n, "d33", map[string]any{"k": kw()})
	s.mustIndex(doc("1", "k", "x"))
	res, err := e.Search(context.Background(), s.name, search.SearchRequest{From: 9995, Size: 10})
	if expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true}) {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "max_result_window") {
			t.Errorf("from 9995, size 10 = %v; want a bad query naming max_result_window", err)
		}
	} else if err != nil || len(res.Hits) != 0 || res.Total != 1 {
		t.Errorf("from 9995, size 10 = %+v, %v; want no hits of 1", res, err)
	}
	if res, err := e.Search(context.Background(), s.name, search.SearchRequest{From: 9990, Size: 10}); err != nil || res.Total != 1 {
		t.Errorf("from 9990, size 10 = %+v, %v; want no hits of 1", res, err)
	}
}
