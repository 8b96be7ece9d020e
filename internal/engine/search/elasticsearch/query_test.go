package elasticsearch

import (
	"encoding/json"
	"testing"
	"time"

	"studio/internal/engine/search"
	"studio/internal/engine/search/searchtest"
)

func TestSearchBody(t *testing.T) {
	req := search.SearchRequest{
		Query: search.Bool{
			Must:    []search.Query{search.QueryString{Query: "cdk2", DefaultFields: []string{"_id", "all"}, DefaultOperator: search.And}},
			Filter:  []search.Query{search.Term{Field: "taxid", Value: int64(9606)}, search.Range{Field: "taxid", Gte: 1, Lt: 10}},
			MustNot: []search.Query{search.Exists{Field: "retired"}, search.IDs{Values: []string{"1"}}},
			Should:  []search.Query{search.Terms{Field: "symbol", Values: []any{"a", "b"}}, search.MatchNone{}},
		},
		From: 20, Size: 5,
		Sort:   []search.SortField{{Field: "taxid", Desc: true}, {Field: "_score"}},
		Fields: []string{"symbol", "genomic_pos.chr"},
		Aggs:   []search.TermsAgg{{Field: "type_of_gene", Size: 3}},
	}
	body, err := SearchBody(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_source":["symbol","genomic_pos.chr"],
	"aggs":{"m0":{"missing":{"field":"type_of_gene"}},"t0":{"terms":{"field":"type_of_gene","size":3}}},
	"from":20,
	"query":{"bool":{
		"filter":[{"term":{"taxid":9606}},{"range":{"taxid":{"gte":1,"lt":10}}}],
		"must":[{"query_string":{"default_operator":"AND","fields":["_id","all"],"query":"cdk2"}}],
		"must_not":[{"exists":{"field":"retired"}},{"ids":{"values":["1"]}}],
		"should":[{"terms":{"symbol":["a","b"]}},{"match_none":{}}]}},
	"size":5,"sort":[{"taxid":{"order":"desc"}},{"_score":{"order":"asc"}}],
	"track_total_hits":true,"version":true}`
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !searchtest.JSONEqual(body, w) {
		got, _ := json.Marshal(body)
		t.Errorf("body:\n%s\nwant\n%s", got, want)
	}
	body, _ = SearchBody(search.SearchRequest{Scroll: time.Minute, RandomOrder: true})
	if _, ok := body["query"].(map[string]any)["function_score"]; !ok || body["size"] != 10 {
		t.Errorf("random order body = %v", body)
	}
}

func TestMultiMatchDSL(t *testing.T) {
	for _, c := range []struct {
		q    search.Query
		want string
	}{
		{search.MultiMatch{Query: "CDK2", Fields: []string{"symbol", "_id"}, Analyzer: "standard"},
			`{"multi_match":{"analyzer":"standard","fields":["symbol","_id"],"lenient":true,"operator":"and","query":"CDK2"}}`},
		{&search.MultiMatch{Query: "a b", Fields: []string{"name"}},
			`{"multi_match":{"fields":["name"],"lenient":true,"operator":"and","query":"a b"}}`},
	} {
		dsl, err := QueryDSL(c.q)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(dsl); string(got) != c.want {
			t.Errorf("%#v: %s, want %s", c.q, got, c.want)
		}
	}
}
