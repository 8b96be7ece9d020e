package bleve

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"studio/internal/engine/search"
	"studio/internal/engine/search/lucene"
)

// translate turns a search.Query into a Bleve query. Errors caused by the
// query itself are *search.QueryError.
func (s *schema) translate(q search.Query) (query.Query, error) {
	switch q := q.(type) {
	case nil, search.MatchAll, *search.MatchAll:
		return query.NewMatchAllQuery(), nil
	case search.MatchNone, *search.MatchNone:
		return query.NewMatchNoneQuery(), nil
	case search.QueryString:
		return s.queryString(q)
	case *search.QueryString:
		return s.queryString(*q)
	case search.Term:
		return s.term(q.Field, q.Value)
	case *search.Term:
		return s.term(q.Field, q.Value)
	case search.Terms:
		return s.terms(q)
	case *search.Terms:
		return s.terms(*q)
	case search.IDs:
		return query.NewDocIDQuery(q.Values), nil
	case *search.IDs:
		return query.NewDocIDQuery(q.Values), nil
	case search.Bool:
		return s.boolQuery(q)
	case *search.Bool:
		return s.boolQuery(*q)
	case search.Range:
		return s.rangeQuery(q)
	case *search.Range:
		return s.rangeQuery(*q)
	case search.Exists:
		return s.exists(q.Field), nil
	case *search.Exists:
		return s.exists(q.Field), nil
	case search.MultiMatch, *search.MultiMatch:
		return nil, badQuery("a multi_match query (analyzer) is not supported by the Bleve engine; use Elasticsearch")
	}
	return nil, fmt.Errorf("bleve: query of type %T is not supported", q)
}

func badQuery(format string, args ...any) error {
	return &search.QueryError{Reason: fmt.Sprintf(format, args...)}
}

// term is Elasticsearch's term query: the value as one indexed term.
func (s *schema) term(field string, v any) (query.Query, error) {
	str := valueString(v)
	switch s.kind(field) {
	case kindID:
		return query.NewDocIDQuery([]string{str}), nil
	case kindKeyword:
		return termQuery(field, s.normalize(field, str)), nil
	case kindText:
		return termQuery(field, str), nil
	case kindNumber, kindInteger:
		f, err := toFloat(field, v)
		if err != nil {
			return nil, err
		}
		return numericRange(field, &f, &f, true, true), nil
	case kindBool:
		b, err := strconv.ParseBool(str)
		if err != nil {
			return nil, badQuery("field %q is boolean: cannot match %q", field, str)
		}
		q := query.NewBoolFieldQuery(b)
		q.SetField(field)
		return q, nil
	case kindDate:
		t := true
		q := query.NewDateRangeStringInclusiveQuery(str, str, &t, &t)
		q.SetField(field)
		return q, nil
	case kindUnmapped:
		if s.dynamic {
			return termQuery(field, str), nil
		}
	}
	return query.NewMatchNoneQuery(), nil
}

func termQuery(field, term string) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	return q
}

func numericRange(field string, lo, hi *float64, incLo, incHi bool) query.Query {
	q := query.NewNumericRangeInclusiveQuery(lo, hi, &incLo, &incHi)
	q.SetField(field)
	return q
}

func (s *schema) terms(t search.Terms) (query.Query, error) {
	if t.Field == "_id" {
		ids := make([]string, len(t.Values))
		for i, v := range t.Values {
			ids[i] = valueString(v)
		}
		return query.NewDocIDQuery(ids), nil
	}
	var qs []query.Query
	for _, v := range t.Values {
		q, err := s.term(t.Field, v)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	return disjunction(qs, 1), nil
}

func disjunction(qs []query.Query, minimum int) query.Query {
	if len(qs) == 0 {
		return query.NewMatchNoneQuery()
	}
	if len(qs) == 1 && minimum <= 1 {
		return qs[0]
	}
	d := query.NewDisjunctionQuery(qs)
	d.SetMin(float64(minimum))
	return d
}

// boolQuery follows Elasticsearch: with no Must or Filter clause at least
// one Should clause must match.
func (s *schema) boolQuery(b search.Bool) (query.Query, error) {
	var must, should, mustNot []query.Query
	for _, group := range []struct {
		in  []search.Query
		out *[]query.Query
	}{{b.Must, &must}, {b.Filter, &must}, {b.Should, &should}, {b.MustNot, &mustNot}} {
		for _, c := range group.in {
			q, err := s.translate(c)
			if err != nil {
				return nil, err
			}
			*group.out = append(*group.out, q)
		}
	}
	minShould := b.MinimumShouldMatch
	if minShould == 0 && len(must) == 0 && len(should) > 0 {
		minShould = 1
	}
	return combine(must, should, mustNot, minShould), nil
}

// combine builds a Bleve boolean query. Bleve drops a MatchNone clause
// from a must list (an optimisation that would turn "x AND nothing" into
// "x"), so it is handled here first.
func combine(must, should, mustNot []query.Query, minShould int) query.Query {
	for _, q := range must {
		if _, ok := q.(*query.MatchNoneQuery); ok {
			return q
		}
	}
	var keep []query.Query
	for _, q := range should {
		if _, ok := q.(*query.MatchNoneQuery); !ok {
			keep = append(keep, q)
		}
	}
	should = keep
	if minShould > len(should) {
		return query.NewMatchNoneQuery()
	}
	if len(should) > 0 && minShould == 0 && len(must) == 0 {
		minShould = 1
	}
	if len(must) == 0 && len(should) == 0 {
		if len(mustNot) == 0 {
			return query.NewMatchNoneQuery()
		}
		must = []query.Query{query.NewMatchAllQuery()}
	}
	if len(must) == 1 && len(should) == 0 && len(mustNot) == 0 {
		return must[0]
	}
	bq := query.NewBooleanQuery(must, should, mustNot)
	if len(should) > 0 {
		bq.SetMinShould(float64(minShould))
	}
	return bq
}

func (s *schema) rangeQuery(r search.Range) (query.Query, error) {
	lo, incLo := r.Gte, true
	if lo == nil {
		lo, incLo = r.Gt, false
	}
	hi, incHi := r.Lte, true
	if hi == nil {
		hi, incHi = r.Lt, false
	}
	return s.rangeOf(r.Field, lo, hi, incLo, incHi)
}

// rangeOf builds a range query; nil bounds are open.
func (s *schema) rangeOf(field string, lo, hi any, incLo, incHi bool) (query.Query, error) {
	switch s.kind(field) {
	case kindNumber, kindInteger:
		var plo, phi *float64
		if lo != nil {
			f, err := toFloat(field, lo)
			if err != nil {
				return nil, err
			}
			plo = &f
		}
		if hi != nil {
			f, err := toFloat(field, hi)
			if err != nil {
				return nil, err
			}
			phi = &f
		}
		return numericRange(field, plo, phi, incLo, incHi), nil
	case kindKeyword, kindText, kindID:
		slo, shi := boundString(lo), boundString(hi)
		if s.kind(field) == kindKeyword {
			slo, shi = s.normalizeBound(field, slo), s.normalizeBound(field, shi)
		}
		if field == "_id" {
			return nil, badQuery("range queries on _id are not supported")
		}
		q := query.NewTermRangeInclusiveQuery(slo, shi, &incLo, &incHi)
		q.SetField(field)
		return q, nil
	case kindDate:
		q := query.NewDateRangeStringInclusiveQuery(boundString(lo), boundString(hi), &incLo, &incHi)
		q.SetField(field)
		return q, nil
	case kindBool:
		return nil, badQuery("range queries on the boolean field %q are not supported", field)
	}
	return query.NewMatchNoneQuery(), nil
}

func (s *schema) normalizeBound(field, v string) string {
	if v == "" {
		return v
	}
	return s.normalize(field, v)
}

func boundString(v any) string {
	if v == nil {
		return ""
	}
	return valueString(v)
}

// exists uses the _field_names terms written by Bulk.
func (s *schema) exists(field string) query.Query {
	if field == "_id" {
		return query.NewMatchAllQuery()
	}
	fields := s.expandFields(field)
	var qs []query.Query
	for _, f := range fields {
		qs = append(qs, termQuery(fieldNamesField, f))
	}
	return disjunction(qs, 1)
}

func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return leafString(v)
}

func toFloat(field string, v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(f) {
			return 0, badQuery("field %q is numeric: %q is not a number", field, x)
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(valueString(v), 64)
	if err != nil {
		return 0, badQuery("field %q is numeric: %v is not a number", field, v)
	}
	return f, nil
}

// ---- query strings

// queryString parses a Lucene query string and translates its tree.
func (s *schema) queryString(qs search.QueryString) (query.Query, error) {
	op := lucene.Or
	if strings.EqualFold(string(qs.DefaultOperator), string(search.And)) {
		op = lucene.And
	}
	node, err := lucene.Parse(qs.Query, op)
	if err != nil {
		return nil, &search.QueryError{Reason: "invalid query string: " + err.Error(), Err: err}
	}
	defaults := qs.DefaultFields
	if len(defaults) == 0 {
		defaults = s.defaultFields
	}
	t := qsTranslator{s: s, defaults: defaults, and: op == lucene.And}
	return t.node(node)
}

type qsTranslator struct {
	s        *schema
	defaults []string
	and      bool
}

func (t *qsTranslator) node(n lucene.Node) (query.Query, error) {
	switch n := n.(type) {
	case *lucene.MatchAll:
		return query.NewMatchAllQuery(), nil
	case *lucene.Exists:
		return t.s.exists(n.Field), nil
	case *lucene.Bool:
		return t.boolNode(n)
	case *lucene.Term:
		return t.perField(n.Field, n.Boost, func(f string) (query.Query, error) { return t.termNode(f, n) })
	case *lucene.Range:
		return t.perField(n.Field, n.Boost, func(f string) (query.Query, error) { return t.rangeNode(f, n) })
	}
	return nil, fmt.Errorf("bleve: query string node %T is not supported", n)
}

// boolNode: as in Lucene, Should clauses only score when there is a Must
// clause, and a Bool of MustNot clauses alone matches all the others.
func (t *qsTranslator) boolNode(b *lucene.Bool) (query.Query, error) {
	var must, should, mustNot []query.Query
	for _, group := range []struct {
		in  []lucene.Node
		out *[]query.Query
	}{{b.Must, &must}, {b.Should, &should}, {b.MustNot, &mustNot}} {
		for _, c := range group.in {
			q, err := t.node(c)
			if err != nil {
				return nil, err
			}
			*group.out = append(*group.out, q)
		}
	}
	minShould := 0
	if len(must) == 0 && len(should) > 0 {
		minShould = 1
	}
	q := combine(must, should, mustNot, minShould)
	boost(q, b.Boost)
	return q, nil
}

// perField runs build on the named field, or on each default field (any
// of them may match) when the name is empty; a name with "*" expands to
// the matching fields.
func (t *qsTranslator) perField(field string, b float64, build func(string) (query.Query, error)) (query.Query, error) {
	fields := t.defaults
	if field != "" {
		fields = t.s.expandFields(field)
	}
	var qs []query.Query
	for _, f := range fields {
		q, err := build(f)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	q := disjunction(qs, 1)
	boost(q, b)
	return q, nil
}

func (t *qsTranslator) termNode(field string, n *lucene.Term) (query.Query, error) {
	k := t.s.kind(field)
	switch {
	case k == kindID:
		if n.Wildcard || n.Regexp || n.Fuzzy > 0 && !n.Phrase {
			return query.NewMatchNoneQuery(), nil
		}
		return query.NewDocIDQuery([]string{n.Value}), nil
	case k == kindUnmapped && !t.s.dynamic, k == kindObject:
		return query.NewMatchNoneQuery(), nil
	case n.Regexp:
		if k != kindText && k != kindKeyword && k != kindUnmapped {
			return nil, badQuery("field %q is not a text or keyword field: regular expressions cannot search it", field)
		}
		if _, err := regexp.Compile(n.Value); err != nil {
			return nil, badQuery("invalid regular expression /%s/: %v", n.Value, err)
		}
		q := query.NewRegexpQuery(n.Value)
		q.SetField(field)
		return q, nil
	case n.Wildcard:
		if k != kindText && k != kindKeyword && k != kindUnmapped {
			return nil, badQuery("field %q is not a text or keyword field: wildcards cannot search it", field)
		}
		pattern := n.Value
		if t.s.lowercases(field) {
			pattern = strings.ToLower(pattern)
		}
		if n.Prefix {
			lit := (&lucene.Term{Value: pattern, Prefix: true}).Literal()
			q := query.NewPrefixQuery(lit)
			q.SetField(field)
			return q, nil
		}
		q := query.NewRegexpQuery(wildcardRegexp(pattern))
		q.SetField(field)
		return q, nil
	}
	switch k {
	case kindKeyword:
		v := t.s.normalize(field, n.Value)
		if n.Fuzzy > 0 && !n.Phrase {
			return fuzzy(field, v, n.Fuzzy), nil
		}
		return termQuery(field, v), nil
	case kindText, kindUnmapped:
		if n.Phrase {
			q := query.NewMatchPhraseQuery(n.Value)
			q.SetField(field)
			return q, nil
		}
		if n.Fuzzy > 0 {
			v := n.Value
			if t.s.lowercases(field) {
				v = strings.ToLower(v)
			}
			return fuzzy(field, v, n.Fuzzy), nil
		}
		q := query.NewMatchQuery(n.Value)
		q.SetField(field)
		if t.and {
			q.SetOperator(query.MatchQueryOperatorAnd)
		}
		return q, nil
	}
	return t.s.term(field, n.Value)
}

func fuzzy(field, v string, edits int) query.Query {
	q := query.NewFuzzyQuery(v)
	q.SetField(field)
	q.SetFuzziness(min(edits, 2))
	return q
}

func (t *qsTranslator) rangeNode(field string, r *lucene.Range) (query.Query, error) {
	var lo, hi any
	if r.From != "*" && r.From != "" {
		lo = r.From
	}
	if r.To != "*" && r.To != "" {
		hi = r.To
	}
	k := t.s.kind(field)
	if k == kindID || k == kindObject || k == kindUnmapped && !t.s.dynamic {
		return query.NewMatchNoneQuery(), nil
	}
	return t.s.rangeOf(field, lo, hi, r.IncFrom, r.IncTo)
}

func boost(q query.Query, b float64) {
	if b == 0 {
		return
	}
	if bq, ok := q.(query.BoostableQuery); ok {
		bq.SetBoost(b)
	}
}

// wildcardRegexp turns a Lucene wildcard pattern (* and ?, \ escapes)
// into a regular expression matching whole terms.
func wildcardRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '\\' && i+size < len(p):
			r2, size2 := utf8.DecodeRuneInString(p[i+size:])
			b.WriteString(regexp.QuoteMeta(string(r2)))
			i += size + size2
			continue
		case r == '*':
			b.WriteString(".*")
		case r == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
		i += size
	}
	return b.String()
}

// lowercases reports whether the field's analyzer lowercases (wildcard,
// prefix and fuzzy terms are then lowercased, as Elasticsearch normalizes
// them).
func (s *schema) lowercases(field string) bool {
	a := s.analyzer(field)
	if a == nil {
		return false
	}
	tokens := a.Analyze([]byte("A"))
	return len(tokens) == 1 && string(tokens[0].Term) == "a"
}
