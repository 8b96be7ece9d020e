package dataapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"studio/internal/apiopts"
	"studio/internal/lucene"
	"studio/internal/search"
)

// queryGET is GET /query: a search, a fetch_all scroll, or the next page
// of one (scroll_id).
func (a *api) queryGET(ctx context.Context, o apiopts.Options) answer {
	sh := shapeOf(o)
	if o.ScrollID != "" {
		return a.scrollNext(ctx, o.ScrollID, sh)
	}
	q, bad := queryOf(o)
	if bad != nil {
		return *bad
	}
	req := search.SearchRequest{Query: q, From: o.From, Size: o.Size, Fields: o.Fields, RandomOrder: o.Random()}
	for _, k := range o.Sort {
		req.Sort = append(req.Sort, search.SortField{Field: k.Field, Desc: k.Desc})
	}
	for _, f := range o.Facets {
		// facet_size=0 asks for no buckets; the engine reads 0 as its
		// default, so one is asked for and folded into "other".
		req.Aggs = append(req.Aggs, search.TermsAgg{Field: f, Size: max(o.FacetSize, 1)})
	}
	countOnly := o.Size == 0 && !o.FetchAll
	switch {
	case o.FetchAll:
		req.Size, req.From, req.Scroll = a.scrollSize, 0, ScrollKeepAlive
	case countOnly:
		req.Size = 1 // the engine reads 0 as its default size
	}
	res, err := a.eng.Search(ctx, a.index, req)
	if err != nil {
		return answer{err: err}
	}
	body := resultBody(res, sh)
	if countOnly {
		body["hits"], body["max_score"] = []any{}, nil
	}
	if len(o.Facets) > 0 {
		body["facets"] = facetsBody(o.Facets, res.Aggs, o.FacetSize)
	}
	if o.FetchAll && res.ScrollID != "" {
		body["_scroll_id"] = res.ScrollID
	}
	return ok(body)
}

// scrollNext continues a fetch_all. After the last page it answers, with a
// 200 as BioThings does, that there is nothing more, and closes the scroll.
func (a *api) scrollNext(ctx context.Context, id string, sh shape) answer {
	res, err := a.eng.ScrollNext(ctx, id)
	if err != nil {
		return answer{err: err}
	}
	if len(res.Hits) == 0 {
		_ = a.eng.ClearScroll(ctx, id)
		return ok(map[string]any{"success": false, "error": "No more results to return."})
	}
	body := resultBody(res, sh)
	body["_scroll_id"] = res.ScrollID
	return ok(body)
}

// queryOf turns q into a query: absent or __all__ match all, empty
// matches nothing, __any__ matches all (in a random order, set by the
// caller), anything else is a Lucene query string with AND between terms,
// searched in the index's default fields (_id and all for a release).
// A q the parser cannot read is a 400 naming q, whatever the backend.
func queryOf(o apiopts.Options) (search.Query, *answer) {
	switch {
	case o.MatchNone():
		return search.MatchNone{}, nil
	case o.MatchAll(), o.Random():
		return search.MatchAll{}, nil
	}
	if _, err := lucene.Parse(o.Q, lucene.And); err != nil {
		ans := failed(http.StatusBadRequest, "Invalid query string in q: "+err.Error()+".")
		ans.body.(map[string]any)["keyword"] = "q"
		return nil, &ans
	}
	return search.QueryString{Query: o.Q, DefaultOperator: search.And}, nil
}

func shapeOf(o apiopts.Options) shape {
	return shape{dotField: o.DotField, alwaysList: o.AlwaysList, allowNull: o.AllowNull}
}

// resultBody is BioThings' /query answer: took (ms), total, max_score and
// the hits, each its fields with _id and _score.
func resultBody(res search.SearchResult, sh shape) map[string]any {
	hits := make([]any, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = hitBody(h, h.Source, sh, true, false)
	}
	return map[string]any{
		"took":      res.Took.Milliseconds(),
		"total":     res.Total,
		"max_score": res.MaxScore,
		"hits":      hits,
	}
}

// hitBody is one document of an answer: its (filtered) source reshaped,
// with _id, and _score or _version.
func hitBody(h search.Hit, src map[string]any, sh shape, score, version bool) map[string]any {
	src = sh.apply(src)
	out := make(map[string]any, len(src)+3)
	for k, v := range src {
		out[k] = v
	}
	out["_id"] = h.ID
	if score {
		out["_score"] = h.Score
	}
	if version {
		out["_version"] = h.Version
	}
	return out
}

// facetsBody is BioThings' facets form: per field, _type "terms", the
// buckets as {term, count}, total (the sum of the buckets returned),
// other (the documents of the buckets not returned) and missing (the
// documents without the field).
func facetsBody(fields []string, aggs map[string]search.TermsAggResult, size int) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		r := aggs[f]
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
		out[f] = map[string]any{"_type": "terms", "terms": terms, "total": total, "other": other, "missing": r.Missing}
	}
	return out
}

// queryPOST is POST /query: each term of q searched in the scopes fields,
// the answers in input order, each hit carrying its query, a term with no
// hit as {"query": term, "notfound": true}.
//
// fetch_all=true (a Studio extra: BioThings caps a term at size, at most
// 1000) returns every hit of every term, read page by page through the
// engine's scroll; the terms together may match at most MaxFetchAllHits
// documents, else the answer is a 400 saying how many they match.
func (a *api) queryPOST(ctx context.Context, o apiopts.Options, params map[string][]string) answer {
	// fetch_all is not a POST parameter in apiopts; it is read with
	// GET /query's rules so that it takes the same values.
	fetchAll := false
	if v, given := params["fetch_all"]; given {
		fa, perr := apiopts.ParseQuery(apiopts.QueryGET, map[string][]string{"fetch_all": v})
		if perr != nil {
			return answer{status: perr.Code, body: perr.JSON()}
		}
		fetchAll = fa.FetchAll
	}
	terms := o.IDs
	types := a.fieldTypes(ctx)
	results := make([]search.SearchResult, len(terms))
	errs := make([]error, len(terms))
	size := o.Size
	if fetchAll {
		size = a.scrollSize
	}
	parallel(len(terms), func(i int) {
		req := search.SearchRequest{Query: scopeQuery(terms[i], o.Scopes, types), Size: max(size, 1), Fields: o.Fields}
		if fetchAll {
			req.Scroll = ScrollKeepAlive
		}
		results[i], errs[i] = a.eng.Search(ctx, a.index, req)
	})
	if fetchAll {
		if ans, failedAll := a.drainAll(ctx, results, errs); failedAll {
			return ans
		}
	}
	sh := shapeOf(o)
	out := make([]any, 0, len(terms))
	for i, term := range terms {
		if errs[i] != nil {
			var qe *search.QueryError
			if !errors.As(errs[i], &qe) {
				return answer{err: errs[i]}
			}
			out = append(out, map[string]any{"query": term, "notfound": true, "error": qe.Reason})
			continue
		}
		res := results[i]
		if size == 0 {
			e := map[string]any{"query": term, "total": res.Total}
			if res.Total == 0 {
				e["notfound"] = true
			}
			out = append(out, e)
			continue
		}
		if len(res.Hits) == 0 {
			out = append(out, map[string]any{"query": term, "notfound": true})
			continue
		}
		for _, h := range res.Hits {
			e := hitBody(h, h.Source, sh, true, false)
			e["query"] = term
			out = append(out, e)
		}
	}
	return ok(out)
}

// drainAll reads the rest of each term's scroll into its result, after
// checking the terms' totals against MaxFetchAllHits. It closes the
// scrolls. On a failure it returns the answer to send and true.
func (a *api) drainAll(ctx context.Context, results []search.SearchResult, errs []error) (answer, bool) {
	defer func() {
		for _, r := range results {
			if r.ScrollID != "" {
				_ = a.eng.ClearScroll(context.WithoutCancel(ctx), r.ScrollID)
			}
		}
	}()
	var total int64
	for i, r := range results {
		if errs[i] == nil {
			total += r.Total
		}
	}
	if total > MaxFetchAllHits {
		e := &apiopts.Error{Code: http.StatusBadRequest, Keyword: "fetch_all",
			Message: fmt.Sprintf("fetch_all: the terms match %d documents; at most %d can be returned at once. Send fewer terms, or page through one term with GET /query?fetch_all=true.", total, MaxFetchAllHits)}
		mx, num := MaxFetchAllHits, int(min(total, 1e15))
		e.Max, e.Num = &mx, &num
		return answer{status: e.Code, body: e.JSON()}, true
	}
	parallel(len(results), func(i int) {
		r := &results[i]
		for errs[i] == nil && r.ScrollID != "" && int64(len(r.Hits)) < r.Total {
			page, err := a.eng.ScrollNext(ctx, r.ScrollID)
			if err != nil {
				errs[i] = err
				return
			}
			if len(page.Hits) == 0 {
				return
			}
			r.Hits = append(r.Hits, page.Hits...)
		}
	})
	return answer{}, false
}

// numericTypes are the mapping types whose values are numbers.
var numericTypes = map[string]bool{
	"long": true, "integer": true, "short": true, "byte": true, "double": true, "float": true,
	"half_float": true, "scaled_float": true, "unsigned_long": true,
}

// scopeQuery matches a term in any of the scopes fields, leniently as
// BioThings' multi_match does: exact (after the keyword normalizer, so
// case-insensitive) on keyword fields and ids, as an analyzed phrase on
// text fields, by value on numeric and boolean fields, skipping those
// fields when the term is not of their type.
func scopeQuery(term string, scopes []string, types map[string]string) search.Query {
	var should []search.Query
	for _, f := range scopes {
		t := types[f]
		switch {
		case f == "_id":
			should = append(should, search.IDs{Values: []string{term}})
		case t == "text" || t == "match_only_text":
			should = append(should, search.QueryString{Query: phrase(term), DefaultFields: []string{f}, DefaultOperator: search.And})
		case numericTypes[t]:
			if n, err := strconv.ParseFloat(strings.TrimSpace(term), 64); err == nil {
				should = append(should, search.Term{Field: f, Value: n})
			}
		case t == "boolean":
			if b, err := strconv.ParseBool(strings.TrimSpace(term)); err == nil {
				should = append(should, search.Term{Field: f, Value: b})
			}
		default:
			should = append(should, search.Term{Field: f, Value: term})
		}
	}
	switch len(should) {
	case 0:
		return search.MatchNone{}
	case 1:
		return should[0]
	}
	return search.Bool{Should: should}
}

// phrase quotes a term as a query-string phrase.
func phrase(term string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(term) + `"`
}

// parallel calls f(0..n-1) on up to termWorkers goroutines. A panic in f
// is carried back to the caller's goroutine, where the handler's recover
// turns it into a 500 instead of a crash.
func parallel(n int, f func(i int)) {
	if n == 1 {
		f(0)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Value
	for range min(termWorkers, n) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					panicked.CompareAndSwap(nil, fmt.Sprint(v))
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(v)
	}
}
