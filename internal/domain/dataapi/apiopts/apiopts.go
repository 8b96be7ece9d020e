// Package apiopts reads the parameters of the data API's routes the way a
// BioThings API does (SPEC section 7) and turns them into typed Options.
//
// Parameters come from the URL query and, for POST, from a form-encoded or
// JSON body: FromForm and FromJSON turn a body into the same map as a URL
// query, and Merge combines the two (the URL wins, option by option, as in
// BioThings). Unknown parameters, and parameters another route uses, are
// ignored.
//
// # Parameters, defaults and limits
//
//	name         aliases            routes                 default   limit
//	q                               GET /query             absent    -
//	q                               POST /query            required  1000 terms
//	ids          id                 POST /<doc_type>       required  1000
//	scopes                          POST /query            _id       1000
//	fields       field, _source     query, annotation      all       1000
//	size         limit              query, annotation      10        0..1000
//	from         skip               GET /query             0         0..10000
//	sort                            GET /query             none      10 keys
//	facets       aggs               GET /query             none      1000
//	facet_size                      GET /query             10        0..1000
//	fetch_all                       GET /query             false
//	scroll_id                       GET /query             none
//	dotfield                        query, annotation      false
//	always_list                     query, annotation      none      1000
//	allow_null                      query, annotation      none      1000
//	filter                          GET, POST /query       none      query string
//	post_filter                     GET, POST /query       none      query string
//	jmespath                        query, annotation      none      path|expression
//	jmespath_exclude_empty          query, annotation      false
//	with_total                      POST /query            false
//	analyzer                        POST /query            none      Elasticsearch only
//	dev                             /metadata              false
//	format       out_format         all                    json      json|yaml|html|msgpack
//	search                          /metadata/fields       none
//	prefix                          /metadata/fields       none
//
// # Value forms
//
//   - A list (fields, sort, facets, scopes, always_list, allow_null, ids, and
//     q of POST /query) may be repeated, joined with commas, spaces, "|" or
//     "+" (SplitTerms; double quotes keep a part together), or given as a
//     JSON list, either in a JSON body or as the text of a form value
//     (ids=["a b","c"]) as BioThings' JSON input allows. JSON list items are
//     kept whole.
//   - A single-valued parameter given more than once takes its last value,
//     as Tornado does.
//   - Booleans accept true/false, 1/0, yes/no, y/n, t/f and on/off in any
//     case; a parameter named with no value (?fetch_all) is true. Any other
//     value is a 400, where BioThings would quietly read false.
//   - Numbers are whole numbers; 10.0 and 1e3 are accepted because JSON
//     clients send them. An empty number is a 400.
//   - q: absent or "__all__" matches all, empty (or only spaces) matches
//     nothing, "__any__" asks for a random order; see Options.MatchAll,
//     MatchNone and Random.
//   - fields: "all" anywhere in the list, an empty value, or no fields at
//     all means every field (AllFields, with Fields nil).
//   - format: an empty value means json.
//   - sort: "-name" sorts descending; "+" is a list separator, so "+name"
//     is ascending.
//   - filter and post_filter are Lucene query strings (default operator
//     OR, as Elasticsearch's query_string): filter narrows hits and facets
//     alike (a bool filter clause), post_filter narrows the hits only, after
//     the facets are counted. filter is no longer an alias of fields, as in
//     biothings.web 1.2.2.
//   - jmespath is "path|expression": the value at the dotted path (the
//     whole document when the path is empty or ".") is replaced by the
//     expression's result. A malformed expression is a 400.
//   - POST /query q items keep their JSON type for the "query" echo (Terms);
//     an item that is itself a list is a combined query, one value per
//     scope group: q=[["1017","CDK2"]] with scopes=[["_id","entrezgene"],
//     "symbol"] matches documents where both match. A q with no terms is a
//     400.
//
// # Errors
//
// Every error is an *Error with Code 400. Its JSON form is BioThings':
// {"code":400,"success":false,"error":"...","keyword":"size","max":1000,
// "num":1001}, plus "alias" when the parameter was named by an alias,
// "reason" (BioThings' short reason such as "Expect type int."), "missing"
// for a required parameter and "allowed" for an enumeration. For lists over
// their limit, num is the number of items (BioThings names it "size").
package apiopts

import (
	"fmt"
	"strings"
)

// Route is a data API route whose parameters ParseQuery reads.
type Route int

// The routes of the data API that take parameters.
const (
	QueryGET       Route = iota // GET /query
	QueryPOST                   // POST /query
	AnnotationGET               // GET /<doc_type>/<id>
	AnnotationPOST              // POST /<doc_type>
	Metadata                    // /metadata
	MetadataFields              // /metadata/fields
)

// Defaults and limits; see the package doc.
const (
	DefaultSize      = 10
	MaxSize          = 1000
	MaxFrom          = 10000
	MaxSortKeys      = 10
	DefaultFacetSize = 10
	MaxFacetSize     = 1000
	MaxListItems     = 1000
)

// Formats are the values format accepts, the default first.
var Formats = []string{"json", "yaml", "html", "msgpack"}

// SortKey is one key of sort.
type SortKey struct {
	Field string
	Desc  bool
}

// Options are a request's parameters, validated and with defaults applied.
type Options struct {
	Q    string // q as given (GET /query; POST /query when given as a string)
	QSet bool   // q was present, even if empty

	Fields    []string // fields to return; nil when AllFields
	AllFields bool     // return every field (no fields, or "all")

	Size, From int
	Sort       []SortKey

	Facets    []string
	FacetSize int

	FetchAll bool
	ScrollID string

	DotField   bool
	AlwaysList []string
	AllowNull  []string

	Format string // json, yaml, html or msgpack

	Scopes []string // POST /query; default ["_id"]; groups flattened
	// ScopeGroups are the scopes as given, each a field or a list of
	// fields; a combined q item takes one value per group.
	ScopeGroups [][]string
	IDs         []string // POST /<doc_type> ids; POST /query q split into terms
	// Terms are IDs as the request wrote them: a string, a json.Number, a
	// bool, or ([]any) a combined query; the answer echoes them in "query".
	Terms []any

	Filter, PostFilter string // query strings narrowing the hits

	JMESPath             *JMESPath
	JMESPathExcludeEmpty bool

	WithTotal bool   // POST /query: wrap the hits with max_total
	Analyzer  string // POST /query: the analyzer of the terms
	Dev       bool   // /metadata: add software information

	Search, Prefix string // /metadata/fields filters
}

// MatchAll reports whether q asks for every document: absent or "__all__".
func (o Options) MatchAll() bool { return !o.QSet || o.Q == "__all__" }

// MatchNone reports whether q is empty, which matches nothing.
func (o Options) MatchNone() bool { return o.QSet && strings.TrimSpace(o.Q) == "" }

// Random reports whether q is "__any__": all documents in a random order.
func (o Options) Random() bool { return o.Q == "__any__" }

// Error is a bad parameter, in BioThings' terms. Code is always 400.
type Error struct {
	Code     int
	Message  string
	Keyword  string
	Max, Num *int
	Alias    string   // the alias the request used for Keyword, if any
	Reason   string   // BioThings' short reason, e.g. "Expect type int."
	Missing  string   // a required parameter that was not given
	Allowed  []string // the values an enumeration accepts
}

func (e *Error) Error() string { return e.Message }

// JSON is the response body for e.
func (e *Error) JSON() map[string]any {
	m := map[string]any{"code": e.Code, "success": false, "error": e.Message}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("keyword", e.Keyword)
	set("alias", e.Alias)
	set("reason", e.Reason)
	set("missing", e.Missing)
	if e.Max != nil {
		m["max"] = *e.Max
	}
	if e.Num != nil {
		m["num"] = *e.Num
	}
	if len(e.Allowed) > 0 {
		m["allowed"] = e.Allowed
	}
	return m
}

// badParam builds a 400 about one parameter; name is what the request
// called it, which may be an alias of keyword.
func badParam(keyword, name, format string, args ...any) *Error {
	e := &Error{Code: 400, Keyword: keyword, Message: fmt.Sprintf(format, args...)}
	if name != keyword {
		e.Alias = name
	}
	return e
}

func intp(n int) *int { return &n }

// ParseQuery reads the parameters of one route. params is a URL query, a
// body from FromForm or FromJSON, or both combined with Merge.
func ParseQuery(kind Route, params map[string][]string) (Options, *Error) {
	o := Options{
		AllFields: true,
		Size:      DefaultSize,
		FacetSize: DefaultFacetSize,
		Format:    Formats[0],
	}
	if kind == QueryPOST {
		o.Scopes = []string{"_id"}
	}
	r := reader{params: params}
	for _, keyword := range routeParams[kind] {
		p := paramsByKeyword[keyword]
		if err := p.read(&o, r, kind); err != nil {
			return Options{}, err
		}
	}
	return o, nil
}

var commonParams = []string{"fields", "size", "dotfield", "always_list", "allow_null", "jmespath", "jmespath_exclude_empty", "format"}

func withCommon(more ...string) []string {
	return append(append([]string{}, commonParams...), more...)
}

// routeParams lists the parameters each route reads, in the order they are
// checked (the first bad one is reported).
var routeParams = map[Route][]string{
	QueryGET:       withCommon("q", "from", "sort", "facets", "facet_size", "fetch_all", "scroll_id", "filter", "post_filter"),
	QueryPOST:      withCommon("q", "scopes", "filter", "post_filter", "with_total", "analyzer"),
	AnnotationGET:  withCommon(),
	AnnotationPOST: withCommon("ids"),
	Metadata:       {"format", "dev"},
	MetadataFields: {"format", "search", "prefix"},
}
