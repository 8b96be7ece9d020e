// Package dataapi serves one index as a BioThings data API (SPEC section 7):
// /status (GET, HEAD), /metadata, /metadata/fields, /query (GET, POST),
// /<doc_type>/<id> (GET) and /<doc_type> (POST), under the prefix (/v1) and
// bare, with or without a trailing slash, plus an OpenAPI 3 description at
// <prefix>/spec. Parameters are read by package apiopts; answers come as
// json, yaml, html or msgpack. Every answer carries
// Access-Control-Allow-Origin: *, and OPTIONS answers CORS preflights.
//
// Choices where the SPEC and BioThings leave room:
//   - q: a query string the Lucene parser refuses (unbalanced quotes, a
//     dangling AND) is a 400 with keyword "q", checked before the engine
//     so that every backend answers alike. Other queries the engine
//     refuses (sort or facets on a text field, sort on an unknown field)
//     are 400s with the engine's reason. Terms without a field search the
//     index's default fields (_id and all for a release).
//   - size=0 answers total (and facets) with no hits and max_score null.
//   - fetch_all pages hold Config.ScrollSize hits (1000) whatever size
//     says; from is ignored with fetch_all, as a scroll cannot skip. Every
//     page carries _scroll_id; the call after the last page answers 200
//     {"success": false, "error": "No more results to return."} and closes
//     the scroll, so using that id again is a 400 like any unknown or
//     expired id ("Invalid or stale scroll_id.", keyword scroll_id).
//     Scrolls live ScrollKeepAlive (1 minute) after each page.
//   - POST /query matches each term in the scopes fields leniently, as
//     BioThings' multi_match does: exactly on keyword fields (after the
//     lowercase normalizer) and _id, as a phrase on text fields, by value on
//     numeric and boolean fields, skipping fields the term cannot be a value
//     of. size (default 10) applies per term. fetch_all=true (a Studio
//     extra) returns every hit of every term, read through the engine's
//     scroll in pages; the terms together may match at most MaxFetchAllHits
//     documents, else a 400 with keyword fetch_all, max and num. With
//     size=0 each term gives {"query", "total"} (plus notfound when 0).
//   - POST /<doc_type> entries carry query, _id and _version (no _score:
//     ids are fetched, not searched); a term or id asked twice is answered
//     twice.
//   - Facets: total is the sum of the returned buckets' counts and other
//     the documents in the buckets not returned, as BioThings computes them;
//     missing counts the documents without the field (BioThings copies an
//     Elasticsearch error bound there, always 0 on one shard). Keyword terms
//     come normalized (lower-cased). facet_size=0 gives no terms.
//   - Hits are reshaped as biothings.web's formatter does: walked
//     bottom-up, each object getting _license, allow_null, always_list and
//     jmespath in turn, then flattened by dotfield (see shape and
//     docs/data-api.md for the exact rules, quirks included).
//   - filter narrows hits and facets (a bool filter clause); post_filter
//     narrows the hits only, the facets being counted by a second search
//     without it. Nested facets a(b) (Config.NestedAggs) are counted by one
//     search per bucket, so both engines answer alike.
//   - POST /query echoes each term with the JSON type it was sent with,
//     takes combined terms (one value per scope group), wraps the answer
//     with with_total, and sends analyzer to Elasticsearch as a
//     multi_match; the Bleve engine refuses analyzer with a 400.
//   - /metadata is the index _meta as the build wrote it (integral numbers
//     as integers), with biothing_type filled in from the doc type when
//     absent, less the keys starting with "_" and the sources' mappings
//     unless ?dev, which adds "software". /metadata/fields lists leaf fields and multi-fields, not the
//     catch-all "all"; an object that is not indexed ("enabled": false) is
//     type object with index false; searched_by_default is true for fields
//     copied to all or named in query.default_field; search and prefix are
//     matched case-insensitively and case-sensitively respectively.
//   - /status answers 200 {"success": true, "status": "ok", "index",
//     "docs"} when the index answers a count, 503 otherwise; ?dev adds
//     the engine's name and version and "software".
//   - Errors come in the requested format when the format parameter is
//     valid (BioThings renders errors like answers). A route not served is
//     404 "Not Found.", a method not served 405 with Allow, GET /<doc_type>
//     without an id 400 with missing "id", a body over MaxBodyBytes 413, a
//     malformed JSON body 400 "Invalid JSON body.", a malformed form 400
//     "Invalid form body.". An index that vanished is 503; other engine
//     failures are 500s, logged; a panic is recovered into a 500 with a log
//     line. No user input reaches a 5xx (see FuzzAPI).
//   - YAML answers are written as PyYAML's safe dump writes them
//     (biothings.web's), byte for byte: see appendYAML.
//   - JSON answers put the bookkeeping keys first (query, _id, _version,
//     _score; took, total, max_score, hits), sort the others, do not escape
//     HTML characters (variant ids hold ">"), and write floats with an
//     integral value as 38.0, as Elasticsearch returns them from _source.
//   - Scroll ids are the engine's: an id obtained from another API on the
//     same engine would continue that scroll.
//   - Config.CacheTTL (off by default) keeps rendered GET answers for a
//     while; see apibench for what it buys.
//   - Whole documents in JSON (GET /<doc_type>/<id> and POST /<doc_type>
//     without fields, dotfield, always_list or allow_null) are written from
//     the stored source when the engine is a search.RawGetter, without
//     decoding it; the bytes are those decoding would give (canonicalize).
package dataapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/engine/search"
)

// Config says what to serve.
type Config struct {
	Engine search.Engine
	// Index is the index (or alias) to serve.
	Index string
	// DocType names the annotation route, e.g. "gene" or "variant";
	// default: the index _meta biothing_type, else "doc".
	DocType string
	// Prefix is the version prefix, "/v1" by default; bare routes work too.
	Prefix string
	Log    *slog.Logger
	// ScrollSize is the page size of fetch_all, 1000 by default (BioThings'
	// ES_SCROLL_SIZE); tests set it lower to page through a small index.
	ScrollSize int
	// MaxFacetSize, when positive, lowers the largest facet_size this
	// API accepts (apiopts.MaxFacetSize, 1000).
	MaxFacetSize int
	// NestedAggs lets facets name nested aggregations, a(b(c)) (off by
	// default, as biothings.web's ALLOW_NESTED_AGGS).
	NestedAggs bool
	// Licenses maps dotted field paths to license URLs: an object at such
	// a path in a hit gets "_license". They add to (and override) the
	// index _meta's, where each source of src with a license_url_short or
	// license_url names a top-level field.
	Licenses map[string]string
	// CacheTTL, when positive, keeps the rendered answers of GET requests
	// (200 and 404; not fetch_all, scroll_id or q=__any__) this long, keyed
	// by path and query, so that a changed index is seen after at most
	// CacheTTL. Off by default.
	CacheTTL time.Duration
}

// Limits of the API beyond apiopts' parameter limits.
const (
	// DefaultScrollSize is the page size of fetch_all.
	DefaultScrollSize = 1000
	// ScrollKeepAlive is how long a fetch_all scroll stays open after each
	// page (BioThings' ES_SCROLL_TIME).
	ScrollKeepAlive = time.Minute
	// MaxFetchAllHits bounds the hits POST /query returns with fetch_all.
	MaxFetchAllHits = 100_000
	// MaxBodyBytes bounds a POST body.
	MaxBodyBytes = 16 << 20
	// termWorkers is how many terms of a POST run at once.
	termWorkers = 8
)

// reserved are route names a doc type cannot take.
var reserved = map[string]bool{"query": true, "metadata": true, "status": true, "spec": true, "v1": true}

// api is the handler New returns.
type api struct {
	eng        search.Engine
	index      string
	docType    string
	prefix     string
	log        *slog.Logger
	scrollSize int
	openAPI    []byte

	maxFacetSize int
	nestedAggs   bool
	nestedBudget int               // searches the nested facets of one request may take
	licenses     map[string]string // dotted path -> license URL
	backend      string            // the engine's name, for messages
	multiMatch   bool              // the engine runs search.MultiMatch (analyzer)

	types typeCache
	cache *answerCache // nil when CacheTTL is 0
}

// New checks that the index answers, settles the doc type and returns the
// handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Engine == nil {
		return nil, errors.New("dataapi: no search engine given")
	}
	if cfg.Index == "" {
		return nil, errors.New("dataapi: no index given")
	}
	a := &api{eng: cfg.Engine, index: cfg.Index, docType: cfg.DocType, log: cfg.Log, scrollSize: cfg.ScrollSize,
		maxFacetSize: cfg.MaxFacetSize, nestedAggs: cfg.NestedAggs, nestedBudget: MaxNestedSearches}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.scrollSize <= 0 {
		a.scrollSize = DefaultScrollSize
	}
	if a.maxFacetSize <= 0 || a.maxFacetSize > apiopts.MaxFacetSize {
		a.maxFacetSize = apiopts.MaxFacetSize
	}
	prefix, err := cleanPrefix(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	a.prefix = prefix
	if cfg.CacheTTL > 0 {
		a.cache = newAnswerCache(cfg.CacheTTL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	spec, err := a.eng.GetIndex(ctx, a.index)
	if err != nil {
		return nil, fmt.Errorf("dataapi: index %s: %w", a.index, err)
	}
	if a.docType == "" {
		a.docType, _ = spec.Meta["biothing_type"].(string)
	}
	if a.docType == "" {
		a.docType = "doc"
	}
	if reserved[a.docType] || strings.ContainsAny(a.docType, "/?#% ") {
		return nil, fmt.Errorf("dataapi: doc type %q cannot name a route: choose another (e.g. %q)", a.docType, "gene")
	}
	a.types.set(spec.Mapping)
	a.licenses = licensesOf(spec.Meta, cfg.Licenses)
	if info, err := a.eng.Info(ctx); err == nil {
		a.backend = info.Backend
	}
	a.multiMatch = a.backend != "bleve"
	a.openAPI = appendJSON(nil, openAPI(a.prefix, a.docType, a.index))
	return a, nil
}

// cleanPrefix normalizes the prefix: "" means "/v1", "/" means none.
func cleanPrefix(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "/v1", nil
	}
	p = strings.Trim(p, "/")
	if strings.ContainsAny(p, "?#% ") {
		return "", fmt.Errorf("dataapi: prefix %q is not a URL path", p)
	}
	if p == "" {
		return "", nil
	}
	return "/" + p, nil
}

// route is what a request path names.
type route struct {
	kind string // status, metadata, fields, query, spec, doc, docs, root, unknown
	id   string // doc: the document id
}

// parseRoute reads an escaped URL path: the prefix is optional, trailing
// slashes are dropped, and segments are unescaped one by one so that an id
// may hold an escaped "/".
func (a *api) parseRoute(escaped string) (route, error) {
	p := escaped
	if a.prefix != "" && (p == a.prefix || strings.HasPrefix(p, a.prefix+"/")) {
		p = p[len(a.prefix):]
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return route{kind: "root"}, nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return route{}, err
		}
		segs[i] = u
	}
	switch {
	case len(segs) == 1 && segs[0] == "status":
		return route{kind: "status"}, nil
	case len(segs) == 1 && segs[0] == "metadata":
		return route{kind: "metadata"}, nil
	case len(segs) == 2 && segs[0] == "metadata" && segs[1] == "fields":
		return route{kind: "fields"}, nil
	case len(segs) == 1 && segs[0] == "query":
		return route{kind: "query"}, nil
	case len(segs) == 1 && segs[0] == "spec":
		return route{kind: "spec"}, nil
	case segs[0] == a.docType && len(segs) == 1:
		return route{kind: "docs"}, nil
	case segs[0] == a.docType:
		return route{kind: "doc", id: strings.Join(segs[1:], "/")}, nil
	}
	return route{kind: "unknown"}, nil
}

// methods are the methods each route answers (OPTIONS aside).
var methods = map[string][]string{
	"status":   {"GET", "HEAD"},
	"metadata": {"GET", "HEAD"},
	"fields":   {"GET", "HEAD"},
	"query":    {"GET", "HEAD", "POST"},
	"spec":     {"GET", "HEAD"},
	"doc":      {"GET", "HEAD"},
	"docs":     {"POST"},
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			a.log.Error("data API: panic while answering", "method", r.Method, "url", r.URL.String(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeAnswer(w, http.StatusInternalServerError, "json", errBody(http.StatusInternalServerError, "Internal Server Error."))
		}
	}()
	rt, err := a.parseRoute(r.URL.EscapedPath())
	if err != nil {
		writeAnswer(w, http.StatusBadRequest, "json", errBody(http.StatusBadRequest, "The URL path is not validly escaped."))
		return
	}
	allowed, known := methods[rt.kind]
	if !known {
		if r.Method == http.MethodOptions {
			preflight(w, r, []string{"GET", "HEAD", "POST"})
			return
		}
		writeAnswer(w, http.StatusNotFound, "json", errBody(http.StatusNotFound, "Not Found."))
		return
	}
	if r.Method == http.MethodOptions {
		preflight(w, r, allowed)
		return
	}
	if !slices.Contains(allowed, r.Method) {
		if rt.kind == "docs" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			body := errBody(http.StatusBadRequest, fmt.Sprintf("Missing the id: GET %s/%s/<id>, or POST %s/%s with ids.", a.prefix, a.docType, a.prefix, a.docType))
			body["missing"] = "id"
			writeAnswer(w, http.StatusBadRequest, "json", body)
			return
		}
		h.Set("Allow", strings.Join(allowed, ", ")+", OPTIONS")
		writeAnswer(w, http.StatusMethodNotAllowed, "json", errBody(http.StatusMethodNotAllowed, "Method Not Allowed."))
		return
	}
	ctx := r.Context()
	switch rt.kind {
	case "spec":
		h.Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(a.openAPI)
		return
	case "status":
		a.serveStatus(ctx, w, r)
		return
	}
	route := map[string]apiopts.Route{
		"metadata": apiopts.Metadata, "fields": apiopts.MetadataFields,
		"doc": apiopts.AnnotationGET, "docs": apiopts.AnnotationPOST,
	}[rt.kind]
	if rt.kind == "query" {
		route = apiopts.QueryGET
		if r.Method == http.MethodPost {
			route = apiopts.QueryPOST
		}
	}
	cacheKey := ""
	if a.cache != nil && r.Method != http.MethodPost {
		cacheKey = r.URL.EscapedPath() + "?" + r.URL.RawQuery
		if c, hit := a.cache.get(cacheKey); hit {
			send(w, c.status, c.ctype, c.body)
			return
		}
	}
	params, status, perr := readParams(w, r)
	if perr != nil {
		writeAnswer(w, status, formatOf(params), perr.JSON())
		return
	}
	opts, perr := apiopts.ParseQuery(route, params)
	if perr != nil {
		writeAnswer(w, perr.Code, formatOf(params), perr.JSON())
		return
	}
	if _, given := params["facet_size"]; !given {
		opts.FacetSize = min(opts.FacetSize, a.maxFacetSize)
	}
	if opts.FacetSize > a.maxFacetSize {
		e := &apiopts.Error{Code: http.StatusBadRequest, Keyword: "facet_size", Max: &a.maxFacetSize, Num: &opts.FacetSize,
			Message: fmt.Sprintf("facet_size must be at most %d on this API; got %d.", a.maxFacetSize, opts.FacetSize)}
		writeAnswer(w, e.Code, opts.Format, e.JSON())
		return
	}
	var ans answer
	switch route {
	case apiopts.Metadata:
		ans = a.metadata(ctx, opts.Dev)
	case apiopts.MetadataFields:
		ans = a.fields(ctx, opts)
	case apiopts.QueryGET:
		ans = a.queryGET(ctx, opts)
	case apiopts.QueryPOST:
		ans = a.queryPOST(ctx, opts, params)
	case apiopts.AnnotationGET:
		ans = a.annotation(ctx, rt.id, opts)
	case apiopts.AnnotationPOST:
		ans = a.annotations(ctx, opts)
	}
	if ans.err != nil {
		ans = a.engineError(ctx, ans.err)
	}
	ctype, body, release := render(opts.Format, ans.body)
	defer release()
	if cacheKey != "" && (ans.status == http.StatusOK || ans.status == http.StatusNotFound) &&
		!opts.FetchAll && opts.ScrollID == "" && !opts.Random() {
		a.cache.put(cacheKey, cachedAnswer{status: ans.status, ctype: ctype, body: bytes.Clone(body)})
	}
	send(w, ans.status, ctype, body)
}

// answer is what a route computed: a body and its status, or an engine
// error for engineError to turn into one.
type answer struct {
	status int
	body   any
	err    error
}

func ok(body any) answer { return answer{status: http.StatusOK, body: body} }

func failed(status int, msg string) answer {
	return answer{status: status, body: errBody(status, msg)}
}

// errBody is BioThings' error form.
func errBody(code int, msg string) map[string]any {
	return map[string]any{"code": code, "success": false, "error": msg}
}

// engineError turns an engine failure into an answer: the user's fault
// (a query the engine refuses) is a 400 with the engine's reason; an index
// gone or an engine down is a 503; the rest is a 500, logged.
func (a *api) engineError(ctx context.Context, err error) answer {
	var qe *search.QueryError
	var ee *search.EngineError
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		return badKeyword(pe.keyword, pe.reason)
	case errors.As(err, &qe):
		return failed(http.StatusBadRequest, qe.Reason)
	case errors.Is(err, search.ErrBadQuery):
		return failed(http.StatusBadRequest, err.Error())
	case errors.As(err, &ee) && ee.Status == http.StatusBadRequest:
		return failed(http.StatusBadRequest, ee.Reason)
	case errors.Is(err, search.ErrBadScrollID):
		ans := failed(http.StatusBadRequest, "Invalid or stale scroll_id.")
		ans.body.(map[string]any)["keyword"] = "scroll_id"
		return ans
	case ctx.Err() != nil:
		// The client went away; nobody reads this answer.
		return failed(http.StatusServiceUnavailable, "The request was canceled.")
	case errors.Is(err, search.ErrIndexNotFound):
		a.log.Warn("data API: index not available", "index", a.index, "err", err)
		return failed(http.StatusServiceUnavailable, fmt.Sprintf("The index %s is not available.", a.index))
	}
	a.log.Error("data API: search engine failed", "index", a.index, "err", err)
	return failed(http.StatusInternalServerError, "The search engine failed to answer; see the server log.")
}

// preflight answers a CORS preflight request.
func preflight(w http.ResponseWriter, r *http.Request, methods []string) {
	allowed := strings.Join(methods, ", ")
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", allowed+", OPTIONS")
	headers := r.Header.Get("Access-Control-Request-Headers")
	if headers == "" {
		headers = "Content-Type, Authorization, X-Requested-With"
	}
	h.Set("Access-Control-Allow-Headers", headers)
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Allow", allowed+", OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

// formatOf is the format asked for, or json when the format parameter is
// absent or wrong; errors found before the options are known use it.
func formatOf(params map[string][]string) string {
	o, err := apiopts.ParseQuery(apiopts.Metadata, params)
	if err != nil {
		return "json"
	}
	return o.Format
}

// typeCache holds the mapping's field types, for POST /query scopes; it
// is refreshed from the engine once a minute at most, so fields a sync
// adds are seen.
type typeCache struct {
	mu      sync.Mutex
	types   map[string]string
	fetched time.Time
}

func (c *typeCache) set(mapping map[string]any) {
	types := map[string]string{}
	walkMapping(mapping, "", func(path string, def map[string]any) {
		t, _ := def["type"].(string)
		types[path] = t
	})
	c.mu.Lock()
	c.types, c.fetched = types, time.Now()
	c.mu.Unlock()
}

func (a *api) fieldTypes(ctx context.Context) map[string]string {
	a.types.mu.Lock()
	stale := time.Since(a.types.fetched) > time.Minute
	types := a.types.types
	if stale {
		a.types.fetched = time.Now() // one refresh at a time
	}
	a.types.mu.Unlock()
	if stale {
		if spec, err := a.eng.GetIndex(ctx, a.index); err == nil {
			a.types.set(spec.Mapping)
			return a.fieldTypesNow()
		}
	}
	return types
}

func (a *api) fieldTypesNow() map[string]string {
	a.types.mu.Lock()
	defer a.types.mu.Unlock()
	return a.types.types
}

// licensesOf is the license of each field: the index _meta's sources
// (src.<name>.license_url_short, else license_url, for the field <name>),
// then the configured map over them.
func licensesOf(meta map[string]any, configured map[string]string) map[string]string {
	out := map[string]string{}
	src, _ := meta["src"].(map[string]any)
	for name, v := range src {
		info, _ := v.(map[string]any)
		for _, key := range []string{"license_url_short", "license_url"} {
			if u, ok := info[key].(string); ok && u != "" {
				out[name] = u
				break
			}
		}
	}
	for field, u := range configured {
		out[field] = u
	}
	return out
}
