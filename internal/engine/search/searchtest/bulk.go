package searchtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/engine/search"
)

// testBulkOrder sends one Bulk of more operations than one engine batch
// (1,000) holds, re-indexing and deleting _ids of earlier batches and of
// the same batch: the outcome must be that of the operations in order.
func testBulkOrder(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	s := mustSmall(t, e, n, "bulk-order", map[string]any{"k": kw(), "n": typ("long")})
	const total = 2600
	var ops []search.BulkOp
	want := map[string]map[string]any{} // the last source of each _id, nil when deleted
	index := func(id string, n int64) {
		src := map[string]any{"k": "v" + id, "n": n}
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: src})
		want[id] = src
	}
	for i := range total {
		id := fmt.Sprintf("d%04d", i)
		index(id, int64(i))
		switch {
		case i >= 1100 && i%10 == 0:
			// An _id of an earlier batch, indexed again.
			index(fmt.Sprintf("d%04d", i-1000), int64(-i))
		case i >= 1100 && i%10 == 5:
			// One of an earlier batch deleted, and one of this batch.
			old := fmt.Sprintf("d%04d", i-1001)
			ops = append(ops, search.BulkOp{Kind: search.BulkDelete, ID: old})
			want[old] = nil
			ops = append(ops, search.BulkOp{Kind: search.BulkDelete, ID: id})
			want[id] = nil
		case i%100 == 7:
			// The same _id twice in a row.
			index(id, int64(i)*2)
		}
	}
	// A deleted _id comes back.
	index("d1105", 7)
	res, err := e.Bulk(ctx, s.name, ops)
	if err != nil {
		t.Fatalf("Bulk of %d operations: %v", len(ops), err)
	}
	if len(res.Failed) != 0 || res.NotFound != 0 {
		t.Fatalf("Bulk = %d indexed, %d deleted, %d not found, failed %v; want no failure and no missing _id", res.Indexed, res.Deleted, res.NotFound, res.Failed)
	}
	if err := e.Refresh(ctx, s.name); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(want))
	live := int64(0)
	for id, src := range want {
		ids = append(ids, id)
		if src != nil {
			live++
		}
	}
	if got, err := e.Count(ctx, s.name, nil); err != nil || got != live {
		t.Errorf("Count = %d, %v; want %d", got, err, live)
	}
	hits, err := e.MGet(ctx, s.name, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hits {
		w := want[ids[i]]
		if h.Found != (w != nil) || w != nil && !reflect.DeepEqual(h.Source, w) {
			t.Fatalf("%s = found %v, %v; want %v", ids[i], h.Found, h.Source, w)
		}
	}
	// Re-indexing bumps _version once per operation, whatever the batch.
	for id, v := range map[string]int64{"d0100": 2, "d0107": 2, "d0108": 1, "d1107": 2, "d2499": 1} {
		if h, err := e.Get(ctx, s.name, id); err != nil || h.Version != v {
			t.Errorf("%s: _version %d, %v; want %d", id, h.Version, err, v)
		}
	}
}

// testBulkRaw checks the optional RawBulker: documents given as JSON are
// indexed as Bulk indexes them decoded (sources, versions, searches),
// and sources the engine cannot take fail one by one.
func testBulkRaw(t *testing.T, e search.Engine, n *names) {
	rb, ok := e.(search.RawBulker)
	if !ok {
		t.Fatalf("the engine does not implement search.RawBulker")
	}
	ctx := context.Background()
	spec := MyGeneSpec(t)
	docs := MyGeneDocs(t)
	decoded, raw := n.get("bulk-decoded"), n.get("bulk-raw")
	load(t, e, decoded, spec, docs)
	if err := e.CreateIndex(ctx, raw, spec); err != nil {
		t.Fatal(err)
	}
	var rawDocs []search.RawDoc
	for _, d := range docs {
		src, _, err := search.MarshalDoc(d.Src)
		if err != nil {
			t.Fatal(err)
		}
		rawDocs = append(rawDocs, search.RawDoc{ID: d.ID, Source: src})
	}
	for range 2 { // the second time bumps the versions
		res, err := rb.BulkRaw(ctx, raw, rawDocs)
		if err != nil || res.Indexed != len(docs) || len(res.Failed) != 0 {
			t.Fatalf("BulkRaw = %+v, %v; want %d indexed", res, err, len(docs))
		}
	}
	if err := e.Refresh(ctx, raw); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	hr, err1 := e.MGet(ctx, raw, ids)
	hd, err2 := e.MGet(ctx, decoded, ids)
	if err1 != nil || err2 != nil {
		t.Fatalf("MGet: %v, %v", err1, err2)
	}
	for i := range ids {
		if !hr[i].Found || hr[i].Version != 2 || !reflect.DeepEqual(hr[i].Source, hd[i].Source) {
			t.Fatalf("%s: raw found %v version %d %v; decoded %v", ids[i], hr[i].Found, hr[i].Version, hr[i].Source, hd[i].Source)
		}
	}
	for _, q := range []search.Query{qs("cdk2"), qs("symbol:CDK2"), search.Exists{Field: "refseq.rna"}, qs("taxid:9606")} {
		nr, err1 := e.Count(ctx, raw, q)
		nd, err2 := e.Count(ctx, decoded, q)
		if err1 != nil || err2 != nil || nr != nd || nd == 0 {
			t.Errorf("Count(%#v): raw %d (%v), decoded %d (%v)", q, nr, err1, nd, err2)
		}
	}
	res, err := rb.BulkRaw(ctx, raw, []search.RawDoc{
		{ID: "bad-json", Source: []byte(`{"symbol": "BAD"`)},
		{ID: "ok-raw", Source: []byte("{\n  \"symbol\": \"OKRAW\",\n  \"taxid\": 1\n}")},
		{ID: "bad-id", Source: []byte(`{"_id":"bad-id","symbol":"BAD"}`)},
		{ID: "", Source: []byte(`{"symbol":"NOID"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, f := range res.Failed {
		failed[f.ID] = f.Reason
	}
	if res.Indexed != 1 || len(res.Failed) != 3 || failed["bad-json"] == "" || failed["bad-id"] == "" || !strings.Contains(failed[""], "_id") {
		t.Fatalf("BulkRaw of bad sources = %+v; want ok-raw indexed, bad-json, bad-id and the empty _id failed with reasons", res)
	}
	if err := e.Refresh(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if h, err := e.Get(ctx, raw, "ok-raw"); err != nil || h.Source["symbol"] != "OKRAW" || h.Source["taxid"] != int64(1) {
		t.Errorf("ok-raw = %v, %v", h.Source, err)
	}
	if n, err := e.Count(ctx, raw, qs("symbol:okraw")); err != nil || n != 1 {
		t.Errorf("Count(symbol:okraw) = %d, %v; want 1", n, err)
	}
}

// testRawSearch checks the optional RawSearcher: the hits, scores,
// totals and aggregations of Search, with the sources undecoded.
func testRawSearch(t *testing.T, f *fixture) {
	rs, ok := f.e.(search.RawSearcher)
	if !ok {
		t.Fatalf("the engine does not implement search.RawSearcher")
	}
	ctx := context.Background()
	// Ties (equal scores) may come in any order from a cluster, so the
	// requests sort by unique keys, or take every hit and compare them in
	// one order.
	byID := []search.SortField{{Field: "entrezgene"}}
	for i, req := range []search.SearchRequest{
		{Sort: byID},
		{Query: qs("symbol:cdk*"), Size: 5, Sort: byID},
		{Query: qs("kinase"), From: 2, Size: 3, Sort: []search.SortField{{Field: "taxid", Desc: true}, {Field: "entrezgene"}}},
		{Query: qs("kinase OR cyclin"), Size: 100},
		{Query: qs("symbol:cdk2"), Fields: []string{"symbol", "refseq.rna", "nothing"}, Size: 100},
		{Query: search.MatchAll{}, Size: 3, Sort: byID, Aggs: []search.TermsAgg{{Field: "taxid", Size: 3}, {Field: "type_of_gene"}}},
		{Query: qs("no_such_term_anywhere")},
	} {
		want, err1 := f.e.Search(ctx, f.index, req)
		got, err2 := rs.SearchRaw(ctx, f.index, req)
		if err1 != nil || err2 != nil {
			t.Fatalf("request %d: Search: %v, SearchRaw: %v", i, err1, err2)
		}
		if got.Total != want.Total || got.MaxScore != want.MaxScore || len(got.Hits) != len(want.Hits) || !reflect.DeepEqual(got.Aggs, want.Aggs) {
			t.Fatalf("request %d: SearchRaw = total %d, max score %v, %d hits, aggs %v; Search %d, %v, %d, %v",
				i, got.Total, got.MaxScore, len(got.Hits), got.Aggs, want.Total, want.MaxScore, len(want.Hits), want.Aggs)
		}
		if req.Sort == nil {
			slices.SortFunc(got.Hits, func(a, b search.RawHit) int {
				return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ID, b.ID))
			})
			slices.SortFunc(want.Hits, func(a, b search.Hit) int { return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.ID, b.ID)) })
		}
		for j, h := range got.Hits {
			w := want.Hits[j]
			src, err := search.DecodeDoc(h.Source)
			if err != nil || !h.Found || h.ID != w.ID || h.Score != w.Score || h.Version != w.Version || !reflect.DeepEqual(src, w.Source) {
				t.Fatalf("request %d, hit %d: %s (score %v, version %d, %v); Search: %s (%v, %d)", i, j, h.ID, h.Score, h.Version, err, w.ID, w.Score, w.Version)
			}
		}
	}
	if _, err := rs.SearchRaw(ctx, f.n.get("no-such-index"), search.SearchRequest{}); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("SearchRaw on a missing index = %v, want ErrIndexNotFound", err)
	}
	if _, err := rs.SearchRaw(ctx, f.index, search.SearchRequest{Query: qs("symbol:(cdk2")}); !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("SearchRaw of a bad query = %v, want ErrBadQuery", err)
	}
}
