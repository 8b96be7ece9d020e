package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gofiber/fiber/v2"

	"studio/internal/app/hubapi"
	"studio/server"
)

var (
	docOnce sync.Once
	docT    *openapi3.T
	docErr  error
)

// reporter is what the checks report failures to: a *testing.T, or a
// recorder in the test of the checks.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recorder records whether a check failed.
type recorder struct{ failed []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// apiDoc is the hub API's OpenAPI document, loaded and validated once.
func apiDoc(t reporter) *openapi3.T {
	t.Helper()
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		docT, docErr = loader.LoadFromData(hubapi.Document)
		if docErr == nil {
			docErr = docT.Validate(loader.Context)
		}
	})
	if docErr != nil {
		t.Fatalf("internal/app/hubapi/openapi.json is not a valid OpenAPI 3 document: %v", docErr)
	}
	return docT
}

func TestOpenAPIDocument(t *testing.T) {
	doc := apiDoc(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	// Operation ids name the operations in generated code: each is unique.
	seen := map[string]string{}
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			where := m + " " + p
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", where)
			case seen[op.OperationID] != "":
				t.Errorf("%s and %s share the operationId %q", where, seen[op.OperationID], op.OperationID)
			}
			seen[op.OperationID] = where
		}
	}

	// The server serves the document as it is, without a token.
	srv := server.New(server.Deps{TokenHash: strings.Repeat("0", 64)})
	res, err := srv.App().Test(httptest.NewRequest("GET", "/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, hubapi.Document) {
		t.Fatalf("GET /openapi.json = %d, %d bytes; want 200 and the %d bytes of the document", res.StatusCode, len(body), len(hubapi.Document))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /openapi.json: Content-Type %q", ct)
	}
}

// fiberPath writes a document path the way fiber registers it: {name} is
// :name, and a parameter marked x-greedy (it may hold slashes) is *.
func fiberPath(p string, item *openapi3.PathItem, op *openapi3.Operation) string {
	params := append(openapi3.Parameters{}, item.Parameters...)
	params = append(params, op.Parameters...)
	segs := strings.Split(p, "/")
	for i, s := range segs {
		name, ok := strings.CutPrefix(s, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		segs[i] = ":" + name
		if p := params.GetByInAndName("path", name); p != nil && p.Extensions["x-greedy"] == true {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// Every route the server registers is described in the document, and every
// operation of the document is a route of the server.
func TestRoutesMatchTheDocument(t *testing.T) {
	doc := apiDoc(t)
	described := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			described[m+" "+fiberPath(p, item, op)] = true
		}
	}
	srv := server.New(server.Deps{})
	registered := map[string]bool{}
	for _, r := range srv.App().GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
	}
	var undescribed, unregistered []string
	for r := range registered {
		method, path, _ := strings.Cut(r, " ")
		// fiber answers HEAD wherever it answers GET; the document lists
		// HEAD only where it is a route of its own.
		if method == fiber.MethodHead && registered[fiber.MethodGet+" "+path] && !described[r] {
			continue
		}
		if !described[r] {
			undescribed = append(undescribed, r)
		}
	}
	for d := range described {
		if !registered[d] {
			unregistered = append(unregistered, d)
		}
	}
	sort.Strings(undescribed)
	sort.Strings(unregistered)
	if len(undescribed) > 0 {
		t.Errorf("routes of server/routes.go missing from internal/app/hubapi/openapi.json (describe them there, then go generate ./internal/app/hubapi and cd ui && npm run gen:api):\n  %s", strings.Join(undescribed, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("operations of internal/app/hubapi/openapi.json the server does not register:\n  %s", strings.Join(unregistered, "\n  "))
	}
	if len(described) < 40 {
		t.Errorf("the document describes %d operations; the hub has more than 40", len(described))
	}
}

// route finds the document's operation answering method and the escaped
// path p, with its path parameters; a path of literal segments wins over
// one of parameters.
func route(doc *openapi3.T, method, p string) (*routers.Route, map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var best *routers.Route
	var bestParams map[string]string
	bestLiterals := -1
	for tmpl, item := range doc.Paths.Map() {
		op := item.GetOperation(method)
		if op == nil {
			continue
		}
		tsegs := strings.Split(strings.TrimPrefix(fiberPath(tmpl, item, op), "/"), "/")
		params := map[string]string{}
		literals := 0
		matched := true
		for i, ts := range tsegs {
			switch {
			case ts == "*" && i == len(tsegs)-1:
				rest := strings.Join(segs[min(i, len(segs)):], "/")
				if rest == "" {
					matched = false
				}
				name := strings.Trim(strings.Split(strings.TrimPrefix(tmpl, "/"), "/")[i], "{}")
				params[name], _ = url.PathUnescape(rest)
			case i >= len(segs):
				matched = false
			case strings.HasPrefix(ts, ":"):
				if segs[i] == "" {
					matched = false
				}
				params[ts[1:]], _ = url.PathUnescape(segs[i])
			case ts == segs[i]:
				literals++
			default:
				matched = false
			}
		}
		if !matched || (!strings.HasSuffix(tsegs[len(tsegs)-1], "*") && len(segs) != len(tsegs)) {
			continue
		}
		if literals > bestLiterals {
			best = &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: op}
			bestParams, bestLiterals = params, literals
		}
	}
	return best, bestParams, best != nil
}

// checkAnswer validates one answer of the hub against the document: its
// status is one the operation lists (or its default) and its body fits the
// schema of that response.
func checkAnswer(t reporter, method, rawURL string, status int, header http.Header, body []byte) {
	t.Helper()
	doc := apiDoc(t)
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
		return
	}
	rt, params, ok := route(doc, method, u.EscapedPath())
	if !ok {
		t.Errorf("%s %s: no operation of internal/app/hubapi/openapi.json answers it", method, u.Path)
		return
	}
	req := httptest.NewRequest(method, u.RequestURI(), nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: rt},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, which does not fit %s %s of internal/app/hubapi/openapi.json: %v\nbody: %.600s", method, u.Path, status, strings.ToUpper(method), rt.Path, err, body)
	}
}

// The route finder is what checkAnswer trusts: it must pick the right
// operation.
func TestRouteFinder(t *testing.T) {
	doc := apiDoc(t)
	for _, tc := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/sources", "/sources", nil},
		{"GET", "/source/cgi", "/source/{name}", map[string]string{"name": "cgi"}},
		{"PUT", "/source/cgi/mapping/field", "/source/{name}/mapping/field", map[string]string{"name": "cgi"}},
		{"GET", "/command/dump/cgi", "/command/{id}", map[string]string{"id": "dump/cgi"}},
		{"GET", "/command/dump%2Fcgi", "/command/{id}", map[string]string{"id": "dump/cgi"}},
		{"GET", "/api/list", "/api/list", nil},
		{"DELETE", "/api/x", "/api/{name}", map[string]string{"name": "x"}},
		{"GET", "/explore/index/cgi/v1/query", "/explore/index/{index}/{route}", map[string]string{"index": "cgi", "route": "v1/query"}},
		{"GET", "/nope", "", nil},
		{"GET", "/source/cgi/extra/parts", "", nil},
	} {
		rt, params, ok := route(doc, tc.method, tc.path)
		got := ""
		if ok {
			got = rt.Path
		}
		if got != tc.want || (ok && fmt.Sprint(params) != fmt.Sprint(orEmpty(tc.params))) {
			t.Errorf("route(%s %s) = %q %v, want %q %v", tc.method, tc.path, got, params, tc.want, tc.params)
		}
	}
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// The check itself fails on answers that break the document.
func TestCheckAnswerCatchesWrongAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"a result of the wrong shape", "GET", "/sources", 200, `{"status": "ok", "result": {"not": "a list"}}`},
		{"a missing required field", "GET", "/command/x", 200, `{"status": "ok", "result": {"id": "x"}}`},
		{"no envelope", "GET", "/build/b1", 200, `{"_id": "b1"}`},
		{"an error without its code", "GET", "/build/b1", 404, `{"status": "error", "error": "no build"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r recorder
			checkAnswer(&r, tc.method, "http://hub"+tc.path, tc.status, http.Header{"Content-Type": {"application/json"}}, []byte(tc.body))
			if len(r.failed) == 0 {
				t.Errorf("checkAnswer passed %s %s %d %s", tc.method, tc.path, tc.status, tc.body)
			}
		})
	}
	// And passes a right one.
	checkAnswer(t, "GET", "http://hub/build/b1", 404, http.Header{"Content-Type": {"application/json"}}, []byte(`{"status": "error", "error": "no build", "code": 404}`))
}
