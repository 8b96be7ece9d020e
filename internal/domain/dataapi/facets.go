package dataapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"studio/internal/engine/search"
)

// MaxNestedSearches bounds the searches one request's nested facets may
// take: each bucket of an outer facet is counted by a search of its own.
const MaxNestedSearches = 1000

// facetChains reads the facets parameter: each item is a field, or, when
// the API allows nested aggregations, a chain a(b(c)) of fields whose
// terms are counted under each bucket of the one before. Without nested
// aggregations an item is a field name as written, as in biothings.web.
// A field faceted twice at the top is counted once (the last chain wins).
func (a *api) facetChains(items []string) ([][]string, *answer) {
	var chains [][]string
	at := map[string]int{}
	for _, item := range items {
		chain := []string{item}
		if a.nestedAggs {
			chain = splitChain(item)
		}
		for _, f := range chain {
			if f == "" {
				ans := failed(http.StatusBadRequest, fmt.Sprintf("facets: %q names an empty field; write field or field(subfield).", item))
				ans.body.(map[string]any)["keyword"] = "facets"
				return nil, &ans
			}
		}
		if i, seen := at[chain[0]]; seen {
			chains[i] = chain
			continue
		}
		at[chain[0]] = len(chains)
		chains = append(chains, chain)
	}
	return chains, nil
}

// splitChain splits a(b(c)) into [a b c], as biothings.web reads it: while
// the rest holds "(" and ends with ")", the part before the first "(" is
// a field and the part inside is the rest.
func splitChain(s string) []string {
	var out []string
	for s != "" {
		if i := strings.Index(s, "("); i >= 0 && strings.HasSuffix(s, ")") {
			out = append(out, s[:i])
			s = s[i+1 : len(s)-1]
			continue
		}
		out = append(out, s)
		break
	}
	return out
}

// termsAggs are the top-level aggregations of the chains.
func termsAggs(chains [][]string, size int) []search.TermsAgg {
	aggs := make([]search.TermsAgg, len(chains))
	for i, c := range chains {
		// facet_size=0 asks for no buckets; the engine reads 0 as its
		// default, so one is asked for and folded into "other".
		aggs[i] = search.TermsAgg{Field: c[0], Size: max(size, 1)}
	}
	return aggs
}

// facetsBody is BioThings' facets form: per field, _type "terms", the
// buckets as {term, count}, total (the sum of the buckets returned),
// other (the documents of the buckets not returned) and missing (the
// documents without the field). A chain's next field is counted under
// each bucket, as the bucket's key named after that field, by a search
// of the bucket's documents (q, with filter, narrowed to the bucket's
// term).
func (a *api) facetsBody(ctx context.Context, q search.Query, chains [][]string, aggs map[string]search.TermsAggResult, size int) (map[string]any, error) {
	budget := &atomic.Int64{}
	budget.Store(int64(a.nestedBudget))
	out := make(map[string]any, len(chains))
	for _, c := range chains {
		f, err := a.facetBody(ctx, q, c, aggs[c[0]], size, budget)
		if err != nil {
			return nil, err
		}
		out[c[0]] = f
	}
	return out, nil
}

func (a *api) facetBody(ctx context.Context, q search.Query, chain []string, r search.TermsAggResult, size int, budget *atomic.Int64) (map[string]any, error) {
	buckets, other := r.Buckets, r.Other
	if size == 0 {
		for _, b := range buckets {
			other += b.Count
		}
		buckets = nil
	}
	terms := make([]any, len(buckets))
	var total int64
	for i, b := range buckets {
		terms[i] = map[string]any{"term": b.Key, "count": b.Count}
		total += b.Count
	}
	if len(chain) > 1 && len(buckets) > 0 {
		if budget.Add(-int64(len(buckets))) < 0 {
			return nil, &paramError{keyword: "facets", reason: fmt.Sprintf("facets: the nested facets need more than %d searches; ask for fewer buckets (facet_size) or fewer levels.", a.nestedBudget)}
		}
		errs := make([]error, len(buckets))
		parallel(len(buckets), func(i int) {
			errs[i] = a.subFacet(ctx, q, chain, buckets[i], terms[i].(map[string]any), size, budget)
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return map[string]any{"_type": "terms", "terms": terms, "total": total, "other": other, "missing": r.Missing}, nil
}

// subFacet counts chain[1] (and what follows) in the documents of one
// bucket of chain[0], into the bucket's entry.
func (a *api) subFacet(ctx context.Context, q search.Query, chain []string, b search.Bucket, entry map[string]any, size int, budget *atomic.Int64) error {
	inBucket := narrowed(q, search.Term{Field: chain[0], Value: b.Key})
	sub := chain[1:]
	res, err := a.eng.Search(ctx, a.index, search.SearchRequest{Query: inBucket, Size: 1, Aggs: termsAggs([][]string{sub}, size)})
	if err != nil {
		return fmt.Errorf("nested facet %s under %s=%v: %w", sub[0], chain[0], b.Key, err)
	}
	f, err := a.facetBody(ctx, inBucket, sub, res.Aggs[sub[0]], size, budget)
	if err != nil {
		return err
	}
	entry[sub[0]] = f
	return nil
}
