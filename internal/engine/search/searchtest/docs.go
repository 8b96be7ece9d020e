package searchtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"studio/internal/engine/search"
)

// dataCases run on one index loaded with the mygene documents, in order
// (the last ones change it).
var dataCases = []struct {
	name string
	run  func(t *testing.T, f *fixture)
}{
	{"get returns the exact source and _version", testGet},
	{"mget keeps the input order", testMGet},
	{"raw get and mget return the stored source (RawGetter)", testRawGet},
	{"raw search returns Search's hits (RawSearcher)", testRawSearch},
	{"count", testCount},
	{"queries", testQueries},
	{"query string syntax errors are bad queries", testSyntaxError},
	{"sort", testSort},
	{"from and size", testPaging},
	{"source filtering", testSourceFilter},
	{"terms aggregations", testAggs},
	{"scroll through everything", testScroll},
	{"random order", testRandom},
	{"stats", testStats},
	{"aliases", testAliases},
	{"re-index bumps _version", testReindex},
	{"bulk delete", testBulkDelete},
	{"bulk item failures", testBulkFailures},
	{"put mapping adds a field", testPutMapping},
}

// fixture is the loaded mygene index.
type fixture struct {
	e     search.Engine
	n     *names
	index string
	spec  search.IndexSpec
	docs  []Doc
	byID  map[string]Doc
}

func (f *fixture) ids(pred func(Doc) bool) []string {
	var out []string
	for _, d := range f.docs {
		if pred(d) {
			out = append(out, d.ID)
		}
	}
	slices.Sort(out)
	return out
}

func testMyGeneData(t *testing.T, e search.Engine, n *names) {
	f := &fixture{e: e, n: n, index: n.get("mygene-data"), spec: MyGeneSpec(t), docs: MyGeneDocs(t)}
	f.byID = map[string]Doc{}
	for _, d := range f.docs {
		f.byID[d.ID] = d
	}
	if len(f.docs) != 100 {
		t.Fatalf("read %d mygene documents, want 100", len(f.docs))
	}
	load(t, e, f.index, f.spec, f.docs)
	for _, c := range dataCases {
		if !t.Run(c.name, func(t *testing.T) { c.run(t, f) }) && strings.HasPrefix(c.name, "get") {
			return
		}
	}
}

// load creates the index and indexes docs through Bulk in two calls.
func load(t *testing.T, e search.Engine, name string, spec search.IndexSpec, docs []Doc) {
	t.Helper()
	ctx := context.Background()
	if err := e.CreateIndex(ctx, name, spec); err != nil {
		t.Fatalf("CreateIndex(%s): %v", name, err)
	}
	half := len(docs) / 2
	for _, part := range [][]Doc{docs[:half], docs[half:]} {
		ops := make([]search.BulkOp, len(part))
		for i, d := range part {
			ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: d.Src}
		}
		res, err := e.Bulk(ctx, name, ops)
		if err != nil {
			t.Fatalf("Bulk: %v", err)
		}
		if res.Indexed != len(part) || len(res.Failed) != 0 {
			t.Fatalf("Bulk = %+v, want %d indexed and no failure", res, len(part))
		}
	}
	if err := e.Refresh(ctx, name); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
}

func testGet(t *testing.T, f *fixture) {
	ctx := context.Background()
	for _, d := range f.docs {
		h, err := f.e.Get(ctx, f.index, d.ID)
		if err != nil {
			t.Fatalf("Get(%s): %v", d.ID, err)
		}
		if !h.Found || h.ID != d.ID || h.Version != 1 {
			t.Errorf("Get(%s) = found %v, id %q, version %d; want found, 1", d.ID, h.Found, h.ID, h.Version)
		}
		if !reflect.DeepEqual(h.Source, d.Src) {
			t.Fatalf("Get(%s).Source differs from the indexed document (types included):\n got %v\nwant %v", d.ID, h.Source, d.Src)
		}
	}
	// Types survive: integral JSON numbers as int64, others (38.0) float64.
	h, _ := f.e.Get(ctx, f.index, "1017")
	if v := h.Source["taxid"]; v != int64(9606) {
		t.Errorf("taxid = %#v, want int64(9606)", v)
	}
	if v := values(h.Source, "exac.nonpsych.n_mis"); len(v) != 1 || v[0] != 38.0 {
		t.Errorf("exac.nonpsych.n_mis = %#v, want float64(38)", v)
	}
	if _, err := f.e.Get(ctx, f.index, "no-such-id"); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if _, err := f.e.Get(ctx, f.n.get("no-such-index"), "1017"); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("Get on a missing index = %v, want ErrIndexNotFound", err)
	}
}

func testMGet(t *testing.T, f *fixture) {
	ids := []string{"12566", "no-such-id", "1017", "ENSCCNG00000016292", "12566"}
	hits, err := f.e.MGet(context.Background(), f.index, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.MGet(context.Background(), f.n.get("no-such-index"), ids); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("MGet on a missing index = %v, want ErrIndexNotFound", err)
	}
	if len(hits) != len(ids) {
		t.Fatalf("MGet returned %d hits, want %d", len(hits), len(ids))
	}
	for i, id := range ids {
		want, ok := f.byID[id]
		if hits[i].ID != id || hits[i].Found != ok {
			t.Errorf("MGet[%d] = id %q found %v, want %q found %v", i, hits[i].ID, hits[i].Found, id, ok)
		}
		if ok && (!reflect.DeepEqual(hits[i].Source, want.Src) || hits[i].Version != 1) {
			t.Errorf("MGet[%d] (%s): wrong source or version %d", i, id, hits[i].Version)
		}
	}
}

// testRawGet checks the optional RawGetter: the stored source decodes to
// the indexed document, versions and order are MGet's.
func testRawGet(t *testing.T, f *fixture) {
	rg, ok := f.e.(search.RawGetter)
	if want := expect(t, f.e, map[string]bool{Bleve: true, Elasticsearch: true}); ok != want {
		t.Fatalf("the engine implements search.RawGetter: %v, want %v (difference 31)", ok, want)
	}
	if !ok {
		return
	}
	ctx := context.Background()
	for _, d := range f.docs {
		h, err := rg.GetRaw(ctx, f.index, d.ID)
		if err != nil {
			t.Fatalf("GetRaw(%s): %v", d.ID, err)
		}
		src, err := search.DecodeDoc(h.Source)
		if err != nil || !h.Found || h.ID != d.ID || h.Version != 1 || !reflect.DeepEqual(src, d.Src) {
			t.Fatalf("GetRaw(%s) = found %v, id %q, version %d, source %s (%v); want the indexed document, version 1", d.ID, h.Found, h.ID, h.Version, h.Source, err)
		}
	}
	if _, err := rg.GetRaw(ctx, f.index, "no-such-id"); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("GetRaw(missing) = %v, want ErrNotFound", err)
	}
	if _, err := rg.GetRaw(ctx, f.n.get("no-such-index"), "1017"); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("GetRaw on a missing index = %v, want ErrIndexNotFound", err)
	}
	ids := []string{"12566", "no-such-id", "1017", "", "ENSCCNG00000016292", "12566"}
	hits, err := rg.MGetRaw(ctx, f.index, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != len(ids) {
		t.Fatalf("MGetRaw returned %d hits, want %d", len(hits), len(ids))
	}
	for i, id := range ids {
		want, ok := f.byID[id]
		if hits[i].ID != id || hits[i].Found != ok {
			t.Errorf("MGetRaw[%d] = id %q found %v, want %q found %v", i, hits[i].ID, hits[i].Found, id, ok)
			continue
		}
		if !ok {
			if hits[i].Source != nil {
				t.Errorf("MGetRaw[%d] (%q): a missing document with a source %s", i, id, hits[i].Source)
			}
			continue
		}
		src, err := search.DecodeDoc(hits[i].Source)
		if err != nil || !reflect.DeepEqual(src, want.Src) || hits[i].Version != 1 {
			t.Errorf("MGetRaw[%d] (%s): wrong source or version %d (%v)", i, id, hits[i].Version, err)
		}
	}
	if hits, err := rg.MGetRaw(ctx, f.index, nil); err != nil || len(hits) != 0 {
		t.Errorf("MGetRaw(no ids) = %d hits, %v", len(hits), err)
	}
}

func testCount(t *testing.T, f *fixture) {
	ctx := context.Background()
	for _, c := range []struct {
		q    search.Query
		want int
	}{
		{nil, len(f.docs)},
		{search.MatchAll{}, len(f.docs)},
		{search.MatchNone{}, 0},
		{search.Term{Field: "type_of_gene", Value: "protein-coding"}, len(f.ids(func(d Doc) bool {
			return slices.Contains(lowerStrings(d.Src, "type_of_gene"), "protein-coding")
		}))},
	} {
		got, err := f.e.Count(ctx, f.index, c.q)
		if err != nil || got != int64(c.want) {
			t.Errorf("Count(%#v) = %d, %v; want %d", c.q, got, err, c.want)
		}
	}
}

// queryCase is a query and the documents it must find, decided from the
// raw documents.
type queryCase struct {
	name string
	q    search.Query
	want func(d Doc) bool
}

func qs(q string) search.QueryString {
	return search.QueryString{Query: q, DefaultFields: []string{"_id", search.AllField}, DefaultOperator: search.And}
}

func queryCases(f *fixture) []queryCase {
	allFields := copyToAll(f.spec)
	inAll := func(d Doc, word string) bool {
		for _, p := range allFields {
			if textHas(d.Src, p, word) {
				return true
			}
		}
		return false
	}
	kw := func(p, v string) func(Doc) bool {
		return func(d Doc) bool { return slices.Contains(lowerStrings(d.Src, p), strings.ToLower(v)) }
	}
	taxid := func(pred func(float64) bool) func(Doc) bool {
		return func(d Doc) bool { return anyNumber(d.Src, "taxid", pred) }
	}
	not := func(p func(Doc) bool) func(Doc) bool { return func(d Doc) bool { return !p(d) } }
	and := func(a, b func(Doc) bool) func(Doc) bool { return func(d Doc) bool { return a(d) && b(d) } }
	or := func(a, b func(Doc) bool) func(Doc) bool { return func(d Doc) bool { return a(d) || b(d) } }
	coding := kw("type_of_gene", "protein-coding")
	mid := taxid(func(x float64) bool { return x >= 9000 && x <= 10000 })
	return []queryCase{
		{"q=CDK2 through all", qs("CDK2"), func(d Doc) bool { return d.ID == "CDK2" || inAll(d, "cdk2") }},
		{"a word through all", qs("kinase"), func(d Doc) bool { return inAll(d, "kinase") }},
		{"an id through _id", qs("ENSCCNG00000016292"), func(d Doc) bool { return d.ID == "ENSCCNG00000016292" || inAll(d, "ENSCCNG00000016292") }},
		{"two words, default AND", qs("cyclin 2"), func(d Doc) bool { return inAll(d, "cyclin") && inAll(d, "2") }},
		{"keyword, case-insensitive", qs("type_of_gene:PROTEIN-CODING"), coding},
		{"keyword term query", search.Term{Field: "symbol", Value: "Cdk2"}, kw("symbol", "cdk2")},
		{"text field", qs("name:cyclin"), func(d Doc) bool { return textHas(d.Src, "name", "cyclin") }},
		{"phrase", qs(`name:"cyclin dependent kinase 2"`), func(d Doc) bool { return textHas(d.Src, "name", "cyclin dependent kinase 2") }},
		{"phrase out of order", qs(`name:"kinase cyclin"`), func(d Doc) bool { return textHas(d.Src, "name", "kinase cyclin") }},
		{"numeric equality", qs("taxid:9606"), taxid(func(x float64) bool { return x == 9606 })},
		{"numeric range", qs("taxid:[9000 TO 10000]"), mid},
		{"numeric open range", qs("taxid:>100000"), taxid(func(x float64) bool { return x > 100000 })},
		{"numeric exclusive range", qs("taxid:{9606 TO 9823}"), taxid(func(x float64) bool { return x > 9606 && x < 9823 })},
		{"range query", search.Range{Field: "taxid", Gte: int64(9000), Lt: 10000.0}, taxid(func(x float64) bool { return x >= 9000 && x < 10000 })},
		{"long field range", qs("retired:[1 TO 100000000]"), func(d Doc) bool {
			return anyNumber(d.Src, "retired", func(x float64) bool { return x >= 1 && x <= 100000000 })
		}},
		{"AND", qs("type_of_gene:protein-coding AND taxid:[9000 TO 10000]"), and(coding, mid)},
		{"OR", qs("taxid:9606 OR taxid:10090"), taxid(func(x float64) bool { return x == 9606 || x == 10090 })},
		{"NOT", qs("NOT type_of_gene:protein-coding"), not(coding)},
		{"minus", qs("symbol:cdk2 -taxid:9823"), and(kw("symbol", "cdk2"), not(taxid(func(x float64) bool { return x == 9823 })))},
		{"grouping", qs("(taxid:9606 OR taxid:10090) AND symbol:cdk2"), and(or(taxid(func(x float64) bool { return x == 9606 }), taxid(func(x float64) bool { return x == 10090 })), kw("symbol", "cdk2"))},
		{"prefix wildcard", qs("ensembl.gene:ENSG*"), func(d Doc) bool { return globLower(d.Src, "ensembl.gene", "ensg*") }},
		{"? wildcard", qs("symbol:c?k2"), func(d Doc) bool { return globLower(d.Src, "symbol", "c?k2") }},
		{"inner wildcard", qs("entrezgene:10*7"), func(d Doc) bool { return globLower(d.Src, "entrezgene", "10*7") }},
		{"_exists_ on an object", qs("_exists_:ensembl"), func(d Doc) bool { return has(d.Src, "ensembl") }},
		{"_exists_ on a leaf", qs("_exists_:homologene.id"), func(d Doc) bool { return has(d.Src, "homologene.id") }},
		{"exists query", search.Exists{Field: "uniprot"}, func(d Doc) bool { return has(d.Src, "uniprot") }},
		{"not exists", qs("NOT _exists_:type_of_gene"), not(func(d Doc) bool { return has(d.Src, "type_of_gene") })},
		{"ids", search.IDs{Values: []string{"1017", "12566", "no-such-id", "ENSCCNG00000016292"}}, func(d Doc) bool {
			return d.ID == "1017" || d.ID == "12566" || d.ID == "ENSCCNG00000016292"
		}},
		{"terms on a number", search.Terms{Field: "taxid", Values: []any{int64(9606), int64(10090), 10116.0}}, taxid(func(x float64) bool {
			return x == 9606 || x == 10090 || x == 10116
		})},
		{"terms on _id", search.Terms{Field: "_id", Values: []any{"1017", "362817"}}, func(d Doc) bool { return d.ID == "1017" || d.ID == "362817" }},
		{"terms on a keyword", search.Terms{Field: "type_of_gene", Values: []any{"Protein-Coding", "ncRNA"}}, or(coding, kw("type_of_gene", "ncrna"))},
		{"bool", search.Bool{
			Filter:  []search.Query{search.Term{Field: "type_of_gene", Value: "protein-coding"}},
			MustNot: []search.Query{search.Range{Field: "taxid", Lte: int64(9606)}},
			Should:  []search.Query{qs("kinase")},
		}, and(coding, not(taxid(func(x float64) bool { return x <= 9606 })))},
		{"bool of shoulds", search.Bool{Should: []search.Query{
			search.Term{Field: "taxid", Value: int64(9606)}, search.Term{Field: "_id", Value: "12566"},
		}}, func(d Doc) bool {
			return d.ID == "12566" || anyNumber(d.Src, "taxid", func(x float64) bool { return x == 9606 })
		}},
		{"unmapped field", qs("no_such_field:x"), func(Doc) bool { return false }},
		{"match all", qs("*:*"), func(Doc) bool { return true }},
		{"match none", search.MatchNone{}, func(Doc) bool { return false }},
	}
}

func testQueries(t *testing.T, f *fixture) {
	ctx := context.Background()
	for _, c := range queryCases(f) {
		t.Run(c.name, func(t *testing.T) {
			want := f.ids(c.want)
			res, err := f.e.Search(ctx, f.index, search.SearchRequest{Query: c.q, Size: 1000, Fields: []string{"symbol"}})
			if err != nil {
				t.Fatalf("Search(%#v): %v", c.q, err)
			}
			got := hitIDs(res.Hits)
			slices.Sort(got)
			if !slices.Equal(got, want) || res.Total != int64(len(want)) {
				t.Errorf("Search(%#v): total %d, ids %v\nwant %d: %v", c.q, res.Total, got, len(want), want)
			}
			n, err := f.e.Count(ctx, f.index, c.q)
			if err != nil || n != int64(len(want)) {
				t.Errorf("Count(%#v) = %d, %v; want %d", c.q, n, err, len(want))
			}
		})
	}
	// The sanity of the expectations themselves.
	if n := len(f.ids(queryCases(f)[0].want)); n == 0 {
		t.Errorf("no document has CDK2 in a copy_to field: the test data changed")
	}
}

func hitIDs(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func testSyntaxError(t *testing.T, f *fixture) {
	for _, q := range []string{`symbol:"cdk2`, `(symbol:cdk2`, `taxid:[1 TO`} {
		_, err := f.e.Search(context.Background(), f.index, search.SearchRequest{Query: qs(q)})
		if !errors.Is(err, search.ErrBadQuery) {
			t.Errorf("Search(%q) = %v, want an error matching ErrBadQuery", q, err)
		}
	}
}

// sortKey is a document's value for a sort field: the min (ascending) or
// max (descending) of its values; ok is false when it has none (sorted
// last either way).
func sortKey(d Doc, field string, desc bool, numeric bool) (num float64, s string, ok bool) {
	if numeric {
		vals := numbersAt(d.Src, field)
		if len(vals) == 0 {
			return 0, "", false
		}
		if desc {
			return slices.Max(vals), "", true
		}
		return slices.Min(vals), "", true
	}
	vals := lowerStrings(d.Src, field)
	if len(vals) == 0 {
		return 0, "", false
	}
	if desc {
		return 0, slices.Max(vals), true
	}
	return 0, slices.Min(vals), true
}

func compareBy(f *fixture, a, b string, sorts []search.SortField, numeric map[string]bool) int {
	for _, s := range sorts {
		an, as, aok := sortKey(f.byID[a], s.Field, s.Desc, numeric[s.Field])
		bn, bs, bok := sortKey(f.byID[b], s.Field, s.Desc, numeric[s.Field])
		var c int
		switch {
		case !aok && !bok:
			c = 0
		case !aok:
			return 1
		case !bok:
			return -1
		case numeric[s.Field]:
			c = cmp.Compare(an, bn)
		default:
			c = cmp.Compare(as, bs)
		}
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func testSort(t *testing.T, f *fixture) {
	numeric := map[string]bool{"taxid": true, "homologene.id": true}
	for _, sorts := range [][]search.SortField{
		{{Field: "taxid"}},
		{{Field: "taxid", Desc: true}},
		{{Field: "type_of_gene"}, {Field: "taxid", Desc: true}},
		{{Field: "homologene.id", Desc: true}, {Field: "symbol"}},
		{{Field: "entrezgene"}},
	} {
		t.Run(fmt.Sprint(sorts), func(t *testing.T) {
			res, err := f.e.Search(context.Background(), f.index, search.SearchRequest{Size: 100, Sort: sorts})
			if err != nil {
				t.Fatal(err)
			}
			ids := hitIDs(res.Hits)
			if len(ids) != len(f.docs) {
				t.Fatalf("got %d hits, want %d", len(ids), len(f.docs))
			}
			for i := 1; i < len(ids); i++ {
				if compareBy(f, ids[i-1], ids[i], sorts, numeric) > 0 {
					t.Fatalf("hits %d (%s) and %d (%s) are out of order for %v", i-1, ids[i-1], i, ids[i], sorts)
				}
			}
		})
	}
	_, err := f.e.Search(context.Background(), f.index, search.SearchRequest{Sort: []search.SortField{{Field: "name"}}})
	if !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("sort on a text field = %v, want ErrBadQuery", err)
	}
}

func testPaging(t *testing.T, f *fixture) {
	ctx := context.Background()
	sorts := []search.SortField{{Field: "taxid"}, {Field: "entrezgene"}}
	all, err := f.e.Search(ctx, f.index, search.SearchRequest{Size: 100, Sort: sorts})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	for from := 0; from < 100; from += 30 {
		res, err := f.e.Search(ctx, f.index, search.SearchRequest{From: from, Size: 30, Sort: sorts})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 100 || len(res.Hits) != min(30, 100-from) {
			t.Fatalf("page from %d: total %d, %d hits", from, res.Total, len(res.Hits))
		}
		paged = append(paged, hitIDs(res.Hits)...)
	}
	if !slices.Equal(paged, hitIDs(all.Hits)) {
		t.Errorf("pages of 30 differ from one page of 100:\n%v\n%v", paged, hitIDs(all.Hits))
	}
	res, err := f.e.Search(ctx, f.index, search.SearchRequest{})
	if err != nil || len(res.Hits) != 10 {
		t.Errorf("default size: %d hits, %v; want 10", len(res.Hits), err)
	}
	res, err = f.e.Search(ctx, f.index, search.SearchRequest{From: 95, Size: 10})
	if err != nil || len(res.Hits) != 5 || res.Total != 100 {
		t.Errorf("last page: %d hits of %d, %v; want 5 of 100", len(res.Hits), res.Total, err)
	}
}

func testSourceFilter(t *testing.T, f *fixture) {
	fields := []string{"symbol", "genomic_pos.chr", "genomic_pos.start", "exac.nonpsych.n_mis", "refseq", "no_such_field"}
	res, err := f.e.Search(context.Background(), f.index, search.SearchRequest{Size: 100, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 100 {
		t.Fatalf("%d hits", len(res.Hits))
	}
	for _, h := range res.Hits {
		want := filterExpected(f.byID[h.ID].Src, fields)
		if !reflect.DeepEqual(h.Source, want) {
			t.Fatalf("source of %s filtered by %v:\n got %v\nwant %v", h.ID, fields, h.Source, want)
		}
		if h.Version != 1 {
			t.Errorf("hit %s has _version %d, want 1", h.ID, h.Version)
		}
	}
}

// expectedAgg counts documents per value of a field from the raw
// documents.
func expectedAgg(f *fixture, field string, numeric bool) (counts map[string]int64, missing int64) {
	counts = map[string]int64{}
	for _, d := range f.docs {
		seen := map[string]bool{}
		var vals []string
		if numeric {
			for _, x := range numbersAt(d.Src, field) {
				vals = append(vals, fmt.Sprint(x))
			}
		} else {
			vals = lowerStrings(d.Src, field)
		}
		for _, v := range vals {
			if !seen[v] {
				seen[v] = true
				counts[v]++
			}
		}
		if len(vals) == 0 {
			missing++
		}
	}
	return counts, missing
}

func testAggs(t *testing.T, f *fixture) {
	aggs := []search.TermsAgg{{Field: "type_of_gene", Size: 5}, {Field: "taxid", Size: 3}, {Field: "ensembl.type_of_gene", Size: 4}, {Field: "symbol"}}
	numeric := map[string]bool{"taxid": true}
	res, err := f.e.Search(context.Background(), f.index, search.SearchRequest{Size: 1, Aggs: aggs})
	if err != nil {
		t.Fatal(err)
	}
	for _, agg := range aggs {
		got, ok := res.Aggs[agg.Field]
		if !ok {
			t.Errorf("no aggregation for %s", agg.Field)
			continue
		}
		counts, missing := expectedAgg(f, agg.Field, numeric[agg.Field])
		var all []int64
		var total int64
		for _, c := range counts {
			all = append(all, c)
			total += c
		}
		slices.SortFunc(all, func(a, b int64) int { return cmp.Compare(b, a) })
		size := cmp.Or(agg.Size, 10)
		top := all[:min(size, len(all))]
		var gotCounts []int64
		var sum int64
		for _, b := range got.Buckets {
			key := fmt.Sprint(b.Key)
			if numeric[agg.Field] {
				if _, isInt := b.Key.(int64); !isInt {
					t.Errorf("%s: bucket key %#v, want an int64", agg.Field, b.Key)
				}
			}
			if counts[key] != b.Count {
				t.Errorf("%s: bucket %q has %d, want %d", agg.Field, key, b.Count, counts[key])
			}
			gotCounts = append(gotCounts, b.Count)
			sum += b.Count
		}
		if !slices.Equal(gotCounts, top) {
			t.Errorf("%s: bucket counts %v, want %v", agg.Field, gotCounts, top)
		}
		if got.Other != total-sum || got.Missing != missing {
			t.Errorf("%s: other %d, missing %d; want %d, %d", agg.Field, got.Other, got.Missing, total-sum, missing)
		}
	}
	_, err = f.e.Search(context.Background(), f.index, search.SearchRequest{Aggs: []search.TermsAgg{{Field: "name"}}})
	if !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("aggregation on a text field = %v, want ErrBadQuery", err)
	}
}

func testScroll(t *testing.T, f *fixture) {
	ctx := context.Background()
	res, err := f.e.Search(ctx, f.index, search.SearchRequest{Size: 30, Scroll: time.Minute, Fields: []string{"symbol"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ScrollID == "" || res.Total != 100 {
		t.Fatalf("first page: scroll id %q, total %d", res.ScrollID, res.Total)
	}
	seen := map[string]bool{}
	var sizes []int
	for page := 0; ; page++ {
		sizes = append(sizes, len(res.Hits))
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Fatalf("page %d: %s again", page, h.ID)
			}
			seen[h.ID] = true
			if want := filterExpected(f.byID[h.ID].Src, []string{"symbol"}); !reflect.DeepEqual(h.Source, want) {
				t.Fatalf("page %d: %s source %v, want %v", page, h.ID, h.Source, want)
			}
		}
		if len(res.Hits) == 0 || page > 10 {
			break
		}
		id := res.ScrollID
		if res, err = f.e.ScrollNext(ctx, id); err != nil {
			t.Fatalf("ScrollNext after page %d: %v", page, err)
		}
		if res.ScrollID == "" {
			t.Fatalf("page %d: no scroll id", page+1)
		}
	}
	if len(seen) != 100 || !slices.Equal(sizes, []int{30, 30, 30, 10, 0}) {
		t.Errorf("scroll saw %d documents in pages %v, want 100 in 30, 30, 30, 10, 0", len(seen), sizes)
	}
	if err := f.e.ClearScroll(ctx, res.ScrollID); err != nil {
		t.Errorf("ClearScroll: %v", err)
	}
	if _, err := f.e.ScrollNext(ctx, res.ScrollID); !errors.Is(err, search.ErrBadScrollID) {
		t.Errorf("ScrollNext after ClearScroll = %v, want ErrBadScrollID", err)
	}
	for _, bad := range []string{"bogus", "DXF1ZXJ5QW5kRmV0Y2gBAAAAAAAAAAEWbm90LWEtcmVhbC1zY3JvbGwtaWQ="} {
		if _, err := f.e.ScrollNext(ctx, bad); !errors.Is(err, search.ErrBadScrollID) {
			t.Errorf("ScrollNext(%q) = %v, want ErrBadScrollID", bad, err)
		}
	}
	// A scroll of a query with a sort.
	res, err = f.e.Search(ctx, f.index, search.SearchRequest{Query: qs("type_of_gene:protein-coding"), Size: 30,
		Sort: []search.SortField{{Field: "taxid", Desc: true}}, Scroll: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for len(res.Hits) > 0 {
		ids = append(ids, hitIDs(res.Hits)...)
		if res, err = f.e.ScrollNext(ctx, res.ScrollID); err != nil {
			t.Fatal(err)
		}
	}
	want := f.ids(func(d Doc) bool { return slices.Contains(lowerStrings(d.Src, "type_of_gene"), "protein-coding") })
	for i := 1; i < len(ids); i++ {
		if compareBy(f, ids[i-1], ids[i], []search.SortField{{Field: "taxid", Desc: true}}, map[string]bool{"taxid": true}) > 0 {
			t.Fatalf("sorted scroll out of order at %d", i)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, want) {
		t.Errorf("sorted scroll returned %d ids, want %d", len(ids), len(want))
	}
}

func testRandom(t *testing.T, f *fixture) {
	ctx := context.Background()
	ordered := f.ids(func(Doc) bool { return true })
	differs := false
	for range 3 {
		res, err := f.e.Search(ctx, f.index, search.SearchRequest{Size: 100, RandomOrder: true})
		if err != nil {
			t.Fatal(err)
		}
		ids := hitIDs(res.Hits)
		if !slices.Equal(ids, ordered) {
			differs = true
		}
		slices.Sort(ids)
		if !slices.Equal(ids, ordered) {
			t.Fatalf("random order is not a permutation of the documents")
		}
	}
	if !differs {
		t.Errorf("three random orders were all sorted by id")
	}
}

func testStats(t *testing.T, f *fixture) {
	st, err := f.e.Stats(context.Background(), f.index)
	if err != nil || st.Docs != int64(len(f.docs)) || st.SizeBytes <= 0 {
		t.Errorf("Stats = %+v, %v; want %d docs and a size", st, err, len(f.docs))
	}
	if info := find(t, f.e, f.index); info == nil || info.Docs != int64(len(f.docs)) {
		t.Errorf("ListIndexes: %+v, want %d docs", info, len(f.docs))
	}
}

func testAliases(t *testing.T, f *fixture) {
	ctx := context.Background()
	alias, other := f.n.get("alias"), f.n.get("alias-target")
	if err := f.e.CreateIndex(ctx, other, search.IndexSpec{}); err != nil {
		t.Fatal(err)
	}
	if err := f.e.PutAlias(ctx, f.index, alias); err != nil {
		t.Fatalf("PutAlias: %v", err)
	}
	if got := aliasesOf(t, f, alias); !slices.Equal(got, []string{f.index}) {
		t.Errorf("alias %s names %v, want [%s]", alias, got, f.index)
	}
	if h, err := f.e.Get(ctx, alias, "1017"); err != nil || h.ID != "1017" {
		t.Errorf("Get through the alias: %+v, %v", h, err)
	}
	if n, err := f.e.Count(ctx, alias, nil); err != nil || n != int64(len(f.docs)) {
		t.Errorf("Count through the alias = %d, %v", n, err)
	}
	if err := f.e.PutAlias(ctx, other, alias); err != nil {
		t.Fatalf("PutAlias to another index: %v", err)
	}
	if got := aliasesOf(t, f, alias); !slices.Equal(got, []string{other}) {
		t.Errorf("after moving, alias %s names %v, want [%s]", alias, got, other)
	}
	if err := f.e.DeleteAlias(ctx, other, alias); err != nil {
		t.Errorf("DeleteAlias: %v", err)
	}
	if err := f.e.DeleteAlias(ctx, other, alias); !errors.Is(err, search.ErrAliasNotFound) {
		t.Errorf("second DeleteAlias = %v, want ErrAliasNotFound", err)
	}
	if got := aliasesOf(t, f, alias); len(got) != 0 {
		t.Errorf("deleted alias still names %v", got)
	}
	if err := f.e.PutAlias(ctx, f.index, other); err == nil {
		t.Errorf("PutAlias with the name of an index succeeded")
	}
}

func aliasesOf(t *testing.T, f *fixture, alias string) []string {
	t.Helper()
	list, err := f.e.ListAliases(context.Background())
	if err != nil {
		t.Fatalf("ListAliases: %v", err)
	}
	var out []string
	for _, a := range list {
		if a.Alias == alias {
			out = append(out, a.Index)
		}
	}
	return out
}

func testReindex(t *testing.T, f *fixture) {
	ctx := context.Background()
	d := f.byID["1017"]
	changed := map[string]any{}
	for k, v := range d.Src {
		changed[k] = v
	}
	changed["symbol"] = "CDK2X"
	for want := int64(2); want <= 3; want++ {
		res, err := f.e.Bulk(ctx, f.index, []search.BulkOp{{Kind: search.BulkIndex, ID: d.ID, Doc: changed}})
		if err != nil || res.Indexed != 1 {
			t.Fatalf("Bulk = %+v, %v", res, err)
		}
		if err := f.e.Refresh(ctx, f.index); err != nil {
			t.Fatal(err)
		}
		h, err := f.e.Get(ctx, f.index, d.ID)
		if err != nil || h.Version != want || h.Source["symbol"] != "CDK2X" {
			t.Fatalf("after re-index: version %d, symbol %v, %v; want %d, CDK2X", h.Version, h.Source["symbol"], err, want)
		}
	}
	n, err := f.e.Count(ctx, f.index, qs("symbol:cdk2x"))
	if err != nil || n != 1 {
		t.Errorf("Count(symbol:cdk2x) = %d, %v; want 1", n, err)
	}
	if n, _ := f.e.Count(ctx, f.index, nil); n != int64(len(f.docs)) {
		t.Errorf("re-indexing changed the count to %d", n)
	}
}

func testBulkDelete(t *testing.T, f *fixture) {
	ctx := context.Background()
	res, err := f.e.Bulk(ctx, f.index, []search.BulkOp{
		{Kind: search.BulkDelete, ID: "12566"},
		{Kind: search.BulkDelete, ID: "no-such-id"},
		{Kind: search.BulkDelete, ID: "362817"},
	})
	if err != nil || res.Deleted != 2 || res.NotFound != 1 || len(res.Failed) != 0 {
		t.Fatalf("Bulk delete = %+v, %v; want 2 deleted, 1 not found", res, err)
	}
	if err := f.e.Refresh(ctx, f.index); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Get(ctx, f.index, "12566"); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("Get of a deleted document = %v, want ErrNotFound", err)
	}
	if n, err := f.e.Count(ctx, f.index, nil); err != nil || n != int64(len(f.docs)-2) {
		t.Errorf("Count after delete = %d, %v; want %d", n, err, len(f.docs)-2)
	}
	if n, _ := f.e.Count(ctx, f.index, search.IDs{Values: []string{"12566", "362817"}}); n != 0 {
		t.Errorf("deleted documents still match")
	}
}

func testBulkFailures(t *testing.T, f *fixture) {
	ctx := context.Background()
	res, err := f.e.Bulk(ctx, f.index, []search.BulkOp{
		{Kind: search.BulkIndex, ID: "ok-1", Doc: map[string]any{"symbol": "OK1", "taxid": int64(1)}},
		{Kind: search.BulkIndex, ID: "bad-1", Doc: map[string]any{"_id": "bad-1", "symbol": "BAD"}},
		{Kind: search.BulkIndex, ID: "ok-2", Doc: map[string]any{"symbol": "OK2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed != 2 || len(res.Failed) != 1 || res.Failed[0].ID != "bad-1" || res.Failed[0].Reason == "" {
		t.Fatalf("Bulk = %+v; want 2 indexed and bad-1 failed with a reason", res)
	}
	if err := f.e.Refresh(ctx, f.index); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.e.Count(ctx, f.index, search.IDs{Values: []string{"ok-1", "ok-2", "bad-1"}}); n != 2 {
		t.Errorf("%d of the items are searchable, want 2", n)
	}
	// Into a missing index: an error, and no index made up on the way.
	missing := f.n.get("no-such-index")
	if _, err := f.e.Bulk(ctx, missing, []search.BulkOp{{Kind: search.BulkIndex, ID: "x", Doc: map[string]any{"symbol": "X"}}}); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("Bulk into a missing index = %v, want ErrIndexNotFound", err)
	}
	if _, err := f.e.GetIndex(ctx, missing); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("after a Bulk into a missing index, GetIndex = %v; want ErrIndexNotFound", err)
	}
}

func testPutMapping(t *testing.T, f *fixture) {
	ctx := context.Background()
	props := map[string]any{
		"studio_new": map[string]any{"type": "keyword", "normalizer": search.KeywordLowercaseNormalizer, "copy_to": []any{search.AllField}},
		"ensembl": map[string]any{"properties": map[string]any{
			"assembly": map[string]any{"type": "keyword"},
		}},
	}
	meta := map[string]any{"build_version": "20990101", "stats": map[string]any{"total": 100.0}}
	if err := f.e.PutMapping(ctx, f.index, props, meta); err != nil {
		t.Fatalf("PutMapping: %v", err)
	}
	got, err := f.e.GetIndex(ctx, f.index)
	if err != nil {
		t.Fatal(err)
	}
	if !JSONEqual(got.Meta, meta) {
		t.Errorf("Meta after PutMapping = %v, want %v", got.Meta, meta)
	}
	gp, _ := got.Mapping["properties"].(map[string]any)
	if _, ok := gp["studio_new"]; !ok {
		t.Errorf("the new field is not in the mapping")
	}
	if _, ok := gp["symbol"]; !ok {
		t.Errorf("PutMapping lost the old fields")
	}
	if sub, _ := gp["ensembl"].(map[string]any)["properties"].(map[string]any); sub["assembly"] == nil || sub["gene"] == nil {
		t.Errorf("ensembl after PutMapping = %v, want gene and assembly", gp["ensembl"])
	}
	doc := map[string]any{"symbol": "NEWGENE", "studio_new": "Hello-World", "ensembl": map[string]any{"assembly": "hg38", "gene": "ENSG0"}}
	if res, err := f.e.Bulk(ctx, f.index, []search.BulkOp{{Kind: search.BulkIndex, ID: "new-1", Doc: doc}}); err != nil || res.Indexed != 1 {
		t.Fatalf("Bulk after PutMapping = %+v, %v", res, err)
	}
	if err := f.e.Refresh(ctx, f.index); err != nil {
		t.Fatal(err)
	}
	for _, q := range []search.Query{qs("studio_new:HELLO-WORLD"), qs("ensembl.assembly:hg38"), search.Exists{Field: "studio_new"}, qs(`"hello world"`)} {
		res, err := f.e.Search(ctx, f.index, search.SearchRequest{Query: q})
		if err != nil || res.Total != 1 || res.Hits[0].ID != "new-1" {
			t.Errorf("Search(%#v) after PutMapping: total %d, %v; want new-1", q, res.Total, err)
		}
	}
	// A field cannot change type.
	err = f.e.PutMapping(ctx, f.index, map[string]any{"symbol": map[string]any{"type": "long"}}, nil)
	if !errors.Is(err, search.ErrInvalidSpec) {
		t.Errorf("PutMapping changing a type = %v, want ErrInvalidSpec", err)
	}
	if got, _ := f.e.GetIndex(ctx, f.index); !JSONEqual(got.Meta, meta) {
		t.Errorf("PutMapping without meta changed _meta")
	}
}

// testCGI indexes the small CGI-like set and checks a few searches.
func testCGI(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	name := n.get("cgi-data")
	docs := CGIDocs()
	load(t, e, name, CGISpec(), docs)
	for _, d := range docs {
		h, err := e.Get(ctx, name, d.ID)
		if err != nil || !reflect.DeepEqual(h.Source, d.Src) {
			t.Errorf("Get(%s) = %v, %v; want %v", d.ID, h.Source, err, d.Src)
		}
	}
	for _, c := range []struct {
		q    string
		want int
	}{
		{"BRAF", 2},                   // gene copies to all
		{"egfr", 2},                   // case-insensitive, a list of objects
		{"vemurafenib", 1},            // drug copies to all
		{"cgi.drug:VEMURAFENIB", 1},   // keyword, case-insensitive
		{"colorectal", 2},             // text copies to all
		{"adenocarcinoma", 3},         // in several docs
		{"cgi.drug_family:x", 0},      // not in any document
		{"first", 0},                  // not copied to all
		{`"lung adenocarcinoma"`, 1},  // a phrase through all
		{"cgi.association:RESIS*", 3}, // wildcard on a keyword
		{"_exists_:cgi.primary_tumor_type", 5},
		{"cgi.drug_status:approved AND NOT cgi.gene:egfr", 3},
		{`chr7\:g.140453136A\>T`, 1}, // an _id with escaped characters
	} {
		got, err := e.Count(ctx, name, search.QueryString{Query: c.q, DefaultOperator: search.And})
		if err != nil || got != int64(c.want) {
			t.Errorf("Count(%q) = %d, %v; want %d", c.q, got, err, c.want)
		}
	}
	// A field with "index": false: Bleve finds nothing in it, Elasticsearch
	// refuses to search it, naming the field (difference 21).
	got, err := e.Count(ctx, name, search.QueryString{Query: "cgi.info:first", DefaultOperator: search.And})
	if expect(t, e, map[string]bool{Bleve: false, Elasticsearch: true}) {
		if !errors.Is(err, search.ErrBadQuery) || !strings.Contains(err.Error(), "cgi.info") {
			t.Errorf("Count(cgi.info:first) = %d, %v; want a bad query naming cgi.info", got, err)
		}
	} else if err != nil || got != 0 {
		t.Errorf("Count(cgi.info:first) = %d, %v; want 0", got, err)
	}
	res, err := e.Search(ctx, name, search.SearchRequest{Aggs: []search.TermsAgg{{Field: "cgi.drug_status", Size: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	agg := res.Aggs["cgi.drug_status"]
	if len(agg.Buckets) != 1 || agg.Buckets[0].Key != "approved" || agg.Buckets[0].Count != 5 || agg.Other != 1 || agg.Missing != 0 {
		t.Errorf("cgi.drug_status aggregation = %+v; want approved 5, other 1, missing 0", agg)
	}
}

// testOddIDs indexes, reads and deletes documents whose ids hold
// characters that mean something in URLs, paths and query strings.
func testOddIDs(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	name := n.get("odd-ids")
	ids := []string{"a/b", "a b", "a+b", "a%2Fb", "a?b#c", "chr1:g.1A>T", "é", ".", "..", `a\b`, "*", "_doc", "x&y=z", strings.Repeat("é", 200)}
	docs := make([]Doc, len(ids))
	for i, id := range ids {
		docs[i] = Doc{ID: id, Src: map[string]any{"gene": "G" + strconv.Itoa(i)}}
	}
	load(t, e, name, search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{"gene": map[string]any{"type": "keyword"}}}}, docs)
	for _, d := range docs {
		h, err := e.Get(ctx, name, d.ID)
		if err != nil || h.ID != d.ID || !reflect.DeepEqual(h.Source, d.Src) {
			t.Errorf("Get(%q) = %q %v, %v; want %v", d.ID, h.ID, h.Source, err, d.Src)
		}
	}
	hits, err := e.MGet(ctx, name, append([]string{"a"}, ids...))
	if err != nil || len(hits) != len(ids)+1 || hits[0].Found {
		t.Fatalf("MGet = %d hits, %v", len(hits), err)
	}
	for i, h := range hits[1:] {
		if !h.Found || h.ID != ids[i] || !reflect.DeepEqual(h.Source, docs[i].Src) {
			t.Errorf("MGet[%q] = %+v", ids[i], h)
		}
	}
	if c, err := e.Count(ctx, name, search.IDs{Values: ids[:5]}); err != nil || c != 5 {
		t.Errorf("Count(ids %q) = %d, %v; want 5", ids[:5], c, err)
	}
	var dels []search.BulkOp
	for _, id := range ids {
		dels = append(dels, search.BulkOp{Kind: search.BulkDelete, ID: id})
	}
	if res, err := e.Bulk(ctx, name, dels); err != nil || res.Deleted != len(ids) {
		t.Fatalf("Bulk delete = %+v, %v; want %d deleted", res, err, len(ids))
	}
	for _, id := range ids {
		if _, err := e.Get(ctx, name, id); !errors.Is(err, search.ErrNotFound) {
			t.Errorf("Get(%q) after delete = %v, want ErrNotFound", id, err)
		}
	}
}
