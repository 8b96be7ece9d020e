package elasticsearch

import (
	"errors"
	"fmt"

	"studio/internal/engine/search"
)

// QueryDSL translates a query tree to the Elasticsearch query DSL.
func QueryDSL(q search.Query) (map[string]any, error) {
	switch q := q.(type) {
	case nil, search.MatchAll, *search.MatchAll:
		return map[string]any{"match_all": map[string]any{}}, nil
	case search.MatchNone, *search.MatchNone:
		return map[string]any{"match_none": map[string]any{}}, nil
	case *search.QueryString:
		return QueryDSL(*q)
	case search.QueryString:
		body := map[string]any{"query": q.Query}
		if q.DefaultOperator != "" {
			body["default_operator"] = string(q.DefaultOperator)
		}
		if len(q.DefaultFields) > 0 {
			body["fields"] = q.DefaultFields
		}
		return map[string]any{"query_string": body}, nil
	case *search.MultiMatch:
		return QueryDSL(*q)
	case search.MultiMatch:
		body := map[string]any{"query": q.Query, "fields": q.Fields, "operator": "and", "lenient": true}
		if q.Analyzer != "" {
			body["analyzer"] = q.Analyzer
		}
		return map[string]any{"multi_match": body}, nil
	case *search.Term:
		return QueryDSL(*q)
	case search.Term:
		return map[string]any{"term": map[string]any{q.Field: q.Value}}, nil
	case *search.Terms:
		return QueryDSL(*q)
	case search.Terms:
		return map[string]any{"terms": map[string]any{q.Field: q.Values}}, nil
	case *search.IDs:
		return QueryDSL(*q)
	case search.IDs:
		return map[string]any{"ids": map[string]any{"values": q.Values}}, nil
	case *search.Range:
		return QueryDSL(*q)
	case search.Range:
		bounds := map[string]any{}
		for k, v := range map[string]any{"gte": q.Gte, "gt": q.Gt, "lte": q.Lte, "lt": q.Lt} {
			if v != nil {
				bounds[k] = v
			}
		}
		return map[string]any{"range": map[string]any{q.Field: bounds}}, nil
	case *search.Exists:
		return QueryDSL(*q)
	case search.Exists:
		return map[string]any{"exists": map[string]any{"field": q.Field}}, nil
	case *search.Bool:
		return QueryDSL(*q)
	case search.Bool:
		body := map[string]any{}
		for _, c := range []struct {
			key string
			qs  []search.Query
		}{{"must", q.Must}, {"should", q.Should}, {"must_not", q.MustNot}, {"filter", q.Filter}} {
			if len(c.qs) == 0 {
				continue
			}
			list := make([]any, len(c.qs))
			for i, sub := range c.qs {
				dsl, err := QueryDSL(sub)
				if err != nil {
					return nil, err
				}
				list[i] = dsl
			}
			body[c.key] = list
		}
		if q.MinimumShouldMatch > 0 {
			body["minimum_should_match"] = q.MinimumShouldMatch
		}
		return map[string]any{"bool": body}, nil
	}
	return nil, fmt.Errorf("elasticsearch: query of type %T is not supported", q)
}

func asEngineError(err error, target **search.EngineError) bool {
	return err != nil && errors.As(err, target)
}
