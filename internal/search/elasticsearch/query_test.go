package elasticsearch

import (
	"encoding/json"
	"testing"
	"time"

	"studio/internal/search"
	"studio/internal/search/searchtest"
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

func TestDecodeAgg(t *testing.T) {
	r, err := decodeAgg(json.RawMessage(`{"sum_other_doc_count":7,"buckets":[{"key":9823,"doc_count":3},{"key":1.5,"doc_count":2},{"key":"x","doc_count":1},{"key":1,"key_as_string":"true","doc_count":1}]}`),
		json.RawMessage(`{"doc_count":4}`))
	if err != nil {
		t.Fatal(err)
	}
	want := search.TermsAggResult{Other: 7, Missing: 4, Buckets: []search.Bucket{{Key: int64(9823), Count: 3}, {Key: 1.5, Count: 2}, {Key: "x", Count: 1}, {Key: true, Count: 1}}}
	if !searchtest.JSONEqual(r, want) || r.Buckets[0].Key != int64(9823) {
		t.Errorf("decodeAgg = %+v, want %+v", r, want)
	}
}
