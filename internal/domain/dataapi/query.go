package dataapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/engine/search"
	"studio/internal/engine/search/lucene"
)

// queryGET is GET /query: a search, a fetch_all scroll, or the next page
// of one (scroll_id). filter narrows hits and facets; post_filter narrows
// the hits only, so with facets the facets are counted by a second search
// without it (Elasticsearch's post_filter, on every engine).
func (a *api) queryGET(ctx context.Context, o apiopts.Options) answer {
	sh := a.shapeOf(o)
	if o.ScrollID != "" {
		return a.scrollNext(ctx, o.ScrollID, sh)
	}
	q, bad := queryOf(o)
	if bad != nil {
		return *bad
	}
	q, post, bad := withFilters(q, o)
	if bad != nil {
		return *bad
	}
	facets, bad := a.facetChains(o.Facets)
	if bad != nil {
		return *bad
	}
	req := search.SearchRequest{Query: q, From: o.From, Size: o.Size, Fields: o.Fields, RandomOrder: o.Random()}
	for _, k := range o.Sort {
		req.Sort = append(req.Sort, search.SortField{Field: k.Field, Desc: k.Desc})
	}
	req.Aggs = termsAggs(facets, o.FacetSize)
	countOnly := o.Size == 0 && !o.FetchAll
	switch {
	case o.FetchAll:
		req.Size, req.From, req.Scroll = a.scrollSize, 0, ScrollKeepAlive
	case countOnly:
		req.Size = 1 // the engine reads 0 as its default size
	}
	if post != nil {
		req.Query = narrowed(q, post)
		req.Aggs = nil
	}
	var res search.SearchResult
	var body map[string]any
	if rs, raw := a.rawSearcher(o); raw {
		rr, err := rs.SearchRaw(ctx, a.index, req)
		if err != nil {
			return answer{err: err}
		}
		if body, err = rawResultBody(rr); err != nil {
			return answer{err: err}
		}
		res = search.SearchResult{Total: rr.Total, MaxScore: rr.MaxScore, Aggs: rr.Aggs, Took: rr.Took}
	} else {
		var err error
		if res, err = a.eng.Search(ctx, a.index, req); err != nil {
			return answer{err: err}
		}
		if body, err = resultBody(res, sh); err != nil {
			return answer{err: err}
		}
	}
	if post != nil && len(facets) > 0 {
		aggs, err := a.eng.Search(ctx, a.index, search.SearchRequest{Query: q, Size: 1, Aggs: termsAggs(facets, o.FacetSize)})
		if err != nil {
			return answer{err: err}
		}
		res.Aggs = aggs.Aggs
	}
	if countOnly {
		body["hits"], body["max_score"] = []any{}, nil
	}
	if len(facets) > 0 {
		fb, err := a.facetsBody(ctx, q, facets, res.Aggs, o.FacetSize)
		if err != nil {
			return answer{err: err}
		}
		body["facets"] = fb
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
	body, err := resultBody(res, sh)
	if err != nil {
		return answer{err: err}
	}
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
	if bad := checkQueryString("q", o.Q, lucene.And); bad != nil {
		return nil, bad
	}
	return search.QueryString{Query: o.Q, DefaultOperator: search.And}, nil
}

// checkQueryString is a 400 naming keyword when the Lucene parser cannot
// read s.
func checkQueryString(keyword, s string, op lucene.Op) *answer {
	if _, err := lucene.Parse(s, op); err != nil {
		ans := failed(http.StatusBadRequest, "Invalid query string in "+keyword+": "+err.Error()+".")
		ans.body.(map[string]any)["keyword"] = keyword
		return &ans
	}
	return nil
}

// withFilters adds filter to q as a bool filter clause and returns
// post_filter apart (nil when absent).
func withFilters(q search.Query, o apiopts.Options) (search.Query, search.Query, *answer) {
	filter, post, bad := filtersOf(o)
	if bad != nil {
		return nil, nil, bad
	}
	if filter != nil {
		q = narrowed(q, filter)
	}
	return q, post, nil
}

// filtersOf reads filter and post_filter (nil when absent): query strings
// with Elasticsearch's default operator (OR), as biothings.web sends
// them; one the parser cannot read is a 400 naming it.
func filtersOf(o apiopts.Options) (filter, post search.Query, bad *answer) {
	read := func(keyword, s string) (search.Query, *answer) {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		if bad := checkQueryString(keyword, s, lucene.Or); bad != nil {
			return nil, bad
		}
		return search.QueryString{Query: s, DefaultOperator: search.Or}, nil
	}
	if filter, bad = read("filter", o.Filter); bad != nil {
		return nil, nil, bad
	}
	post, bad = read("post_filter", o.PostFilter)
	return filter, post, bad
}

// narrowed is q with filter as a filter clause (no effect on scores).
func narrowed(q, filter search.Query) search.Query {
	return search.Bool{Must: []search.Query{q}, Filter: []search.Query{filter}}
}

func (a *api) shapeOf(o apiopts.Options) shape {
	return shape{dotField: o.DotField, alwaysList: o.AlwaysList, allowNull: o.AllowNull,
		jmes: o.JMESPath, excludeEmpty: o.JMESPathExcludeEmpty, licenses: a.licenses}
}

// resultBody is BioThings' /query answer: took (ms), total, max_score and
// the hits, each its fields with _id and _score (less the hits
// jmespath_exclude_empty drops; total still counts them, as in
// biothings.web).
func resultBody(res search.SearchResult, sh shape) (map[string]any, error) {
	hits := make([]any, 0, len(res.Hits))
	for _, h := range res.Hits {
		e, keep, err := hitBody(h, h.Source, sh, true, false)
		if err != nil {
			return nil, err
		}
		if keep {
			hits = append(hits, e)
		}
	}
	return map[string]any{
		"took":      res.Took.Milliseconds(),
		"total":     res.Total,
		"max_score": res.MaxScore,
		"hits":      hits,
	}, nil
}

// rawResultBody is resultBody of a raw search (no reshaping).
func rawResultBody(res search.RawSearchResult) (map[string]any, error) {
	hits := make([]any, 0, len(res.Hits))
	for _, h := range res.Hits {
		e, err := hitOf(h)
		if err != nil {
			return nil, err
		}
		hits = append(hits, e)
	}
	return map[string]any{
		"took":      res.Took.Milliseconds(),
		"total":     res.Total,
		"max_score": res.MaxScore,
		"hits":      hits,
	}, nil
}

// hitBody is one document of an answer: its (filtered) source with _id,
// and _score or _version, reshaped. keep is false when
// jmespath_exclude_empty drops it.
func hitBody(h search.Hit, src map[string]any, sh shape, score, version bool) (map[string]any, bool, error) {
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
	return sh.apply(out)
}

// queryPOST is POST /query: each term of q searched in the scopes fields,
// the answers in input order, each hit carrying its query (the term as
// sent: a number stays a number), a term with no hit as {"query": term,
// "notfound": true}. A term that is a list is a combined query: its i-th
// value is matched in the i-th scope group, and a document must match
// them all. filter and post_filter narrow each term's hits (no facets
// here, so they act alike). analyzer analyzes the terms with an
// Elasticsearch analyzer (multi_match); the Bleve engine refuses it.
// with_total wraps the list as {"max_total", "hits"} plus "msg" when some
// term has more hits than size, as biothings.web does.
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
	if o.Analyzer != "" && !a.multiMatch {
		return badKeyword("analyzer", fmt.Sprintf("analyzer is not supported by this API's search engine (%s): it names an Elasticsearch analyzer. Leave it out, or serve the index from Elasticsearch.", a.backend))
	}
	queries, bad := a.termQueries(ctx, o)
	if bad != nil {
		return *bad
	}
	terms := o.Terms
	results := make([]search.SearchResult, len(terms))
	errs := make([]error, len(terms))
	size := o.Size
	if fetchAll {
		size = a.scrollSize
	}
	parallel(len(terms), func(i int) {
		req := search.SearchRequest{Query: queries[i], Size: max(size, 1), Fields: o.Fields}
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
	sh := a.shapeOf(o)
	out := make([]any, 0, len(terms))
	for i, term := range terms {
		echo := echoTerm(term)
		if errs[i] != nil {
			var qe *search.QueryError
			if !errors.As(errs[i], &qe) {
				return answer{err: errs[i]}
			}
			out = append(out, map[string]any{"query": echo, "notfound": true, "error": qe.Reason})
			continue
		}
		res := results[i]
		if size == 0 {
			e := map[string]any{"query": echo, "total": res.Total}
			if res.Total == 0 {
				e["notfound"] = true
			}
			out = append(out, e)
			continue
		}
		if len(res.Hits) == 0 {
			out = append(out, map[string]any{"query": echo, "notfound": true})
			continue
		}
		kept := 0
		for _, h := range res.Hits {
			e, keep, err := hitBody(h, h.Source, sh, true, false)
			if err != nil {
				return answer{err: err}
			}
			if keep {
				e["query"] = echo
				out = append(out, e)
				kept++
			}
		}
		if kept == 0 {
			// Every hit dropped by jmespath_exclude_empty: the term
			// found nothing, as biothings.web answers it.
			out = append(out, map[string]any{"query": echo, "notfound": true})
		}
	}
	if o.WithTotal {
		return ok(withTotal(out, results, errs, o.Size))
	}
	return ok(out)
}

// withTotal is biothings.web's with_total form of a POST /query answer:
// the largest total of a term, the hits, and a message counting the terms
// with more hits than size (10 when size is 0) and where to go on.
func withTotal(hits []any, results []search.SearchResult, errs []error, size int) map[string]any {
	if size == 0 {
		size = apiopts.DefaultSize
	}
	var maxTotal int64
	over := 0
	for i, r := range results {
		if errs[i] != nil {
			continue
		}
		maxTotal = max(maxTotal, r.Total)
		if r.Total > int64(size) {
			over++
		}
	}
	body := map[string]any{"max_total": maxTotal, "hits": hits}
	if over > 0 {
		body["msg"] = fmt.Sprintf("%d query terms return > %d hits, using from=%d to retrieve the remaining hits", over, size, size)
	}
	return body
}

// termQueries builds the query of each term of a POST /query, narrowed by
// filter and post_filter. A combined term must give one value per scope
// group.
func (a *api) termQueries(ctx context.Context, o apiopts.Options) ([]search.Query, *answer) {
	filter, post, bad := filtersOf(o)
	if bad != nil {
		return nil, bad
	}
	types := a.fieldTypes(ctx)
	groups := o.ScopeGroups
	if len(groups) == 0 {
		groups = [][]string{o.Scopes}
	}
	queries := make([]search.Query, len(o.Terms))
	for i, t := range o.Terms {
		var q search.Query
		if parts, combined := t.([]any); combined {
			if len(parts) != len(groups) {
				bad := badKeyword("q", fmt.Sprintf("q item %d has %d values but scopes has %d groups; a list item of q gives one value per scope group, such as q=[[\"1017\",\"CDK2\"]] with scopes=[[\"_id\",\"entrezgene\"],\"symbol\"].", i+1, len(parts), len(groups)))
				return nil, &bad
			}
			must := make([]search.Query, len(parts))
			for j, p := range parts {
				must[j] = a.matchQuery(apiopts.TermText(p), groups[j], o.Analyzer, types)
			}
			q = search.Bool{Must: must}
		} else {
			q = a.matchQuery(apiopts.TermText(t), o.Scopes, o.Analyzer, types)
		}
		if filter != nil {
			q = narrowed(q, filter)
		}
		if post != nil {
			q = narrowed(q, post)
		}
		queries[i] = q
	}
	return queries, nil
}

// matchQuery matches one value in fields: with an analyzer, as
// Elasticsearch's multi_match (what biothings.web sends); else leniently
// field by field (scopeQuery).
func (a *api) matchQuery(term string, fields []string, analyzer string, types map[string]string) search.Query {
	if analyzer != "" {
		return search.MultiMatch{Query: term, Fields: fields, Analyzer: analyzer}
	}
	return scopeQuery(term, fields, types)
}

// echoTerm is a term as the answer's "query" shows it: as sent, numbers
// as numbers.
func echoTerm(t any) any {
	switch x := t.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = echoTerm(e)
		}
		return out
	}
	return t
}

// badKeyword is a 400 about one parameter.
func badKeyword(keyword, msg string) answer {
	ans := failed(http.StatusBadRequest, msg)
	ans.body.(map[string]any)["keyword"] = keyword
	return ans
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
