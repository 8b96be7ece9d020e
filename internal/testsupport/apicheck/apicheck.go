// Package apicheck checks answers of the hub against its OpenAPI document
// (package hubapi): the status is one the operation lists, and the body
// fits that response's schema. The server's and the end-to-end tests pass
// every answer they get through it. Only tests import it.
package apicheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"studio/internal/app/hubapi"
)

// Reporter is what the checks report failures to: a *testing.T, or a
// Recorder.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// Recorder records failures, for tests of the checks themselves.
type Recorder struct{ Failures []string }

// Helper does nothing: a Recorder has no call stack to trim.
func (r *Recorder) Helper() {}

// Errorf records one failure.
func (r *Recorder) Errorf(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

var (
	docOnce sync.Once
	doc     *openapi3.T
	docErr  error
)

// Doc is the hub API's OpenAPI document, loaded and validated as OpenAPI 3
// once.
func Doc() (*openapi3.T, error) {
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, docErr = loader.LoadFromData(hubapi.Document)
		if docErr == nil {
			docErr = doc.Validate(loader.Context)
		}
		if docErr != nil {
			docErr = fmt.Errorf("internal/app/hubapi/openapi.json is not a valid OpenAPI 3 document: %w", docErr)
		}
	})
	return doc, docErr
}

// FiberPath writes a document path the way fiber registers it: {name} is
// :name, and a parameter marked x-greedy (it may hold slashes) is *.
func FiberPath(p string, item *openapi3.PathItem, op *openapi3.Operation) string {
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

// Route finds the document's operation answering method and the escaped
// path p, with its path parameters; a path with more literal segments wins
// (/api/list over /api/{name}).
func Route(d *openapi3.T, method, p string) (*routers.Route, map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	var best *routers.Route
	var bestParams map[string]string
	bestLiterals := -1
	for tmpl, item := range d.Paths.Map() {
		op := item.GetOperation(strings.ToUpper(method))
		if op == nil {
			continue
		}
		names := strings.Split(strings.TrimPrefix(tmpl, "/"), "/")
		tsegs := strings.Split(strings.TrimPrefix(FiberPath(tmpl, item, op), "/"), "/")
		params := map[string]string{}
		literals := 0
		greedy := tsegs[len(tsegs)-1] == "*"
		matched := len(segs) == len(tsegs) || (greedy && len(segs) > len(tsegs))
		for i := 0; matched && i < len(tsegs); i++ {
			switch ts := tsegs[i]; {
			case ts == "*" && i == len(tsegs)-1:
				rest := strings.Join(segs[i:], "/")
				matched = rest != ""
				params[strings.Trim(names[i], "{}")], _ = url.PathUnescape(rest)
			case strings.HasPrefix(ts, ":"):
				matched = segs[i] != ""
				params[ts[1:]], _ = url.PathUnescape(segs[i])
			case ts == segs[i]:
				literals++
			default:
				matched = false
			}
		}
		if !matched {
			continue
		}
		if literals > bestLiterals {
			best = &routers.Route{Spec: d, Path: tmpl, PathItem: item, Method: strings.ToUpper(method), Operation: op}
			bestParams, bestLiterals = params, literals
		}
	}
	return best, bestParams, best != nil
}

// operation finds the document's operation for a request, reporting to t
// why there is none (verb says what the operation would do with it).
func operation(t Reporter, method, rawURL, verb string) (*url.URL, *routers.Route, map[string]string, bool) {
	t.Helper()
	d, err := Doc()
	if err != nil {
		t.Errorf("%v", err)
		return nil, nil, nil, false
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Errorf("%s %s: %v", method, rawURL, err)
		return nil, nil, nil, false
	}
	rt, params, ok := Route(d, method, u.EscapedPath())
	if !ok {
		t.Errorf("%s %s: no operation of internal/app/hubapi/openapi.json %s it", method, u.Path, verb)
		return nil, nil, nil, false
	}
	return u, rt, params, true
}

// Answer checks one answer of the hub: method and rawURL are the request,
// status, header and body the answer.
func Answer(t Reporter, method, rawURL string, status int, header http.Header, body []byte) {
	t.Helper()
	u, rt, params, ok := operation(t, method, rawURL, "answers")
	if !ok {
		return
	}
	req := httptest.NewRequest(strings.ToUpper(method), u.RequestURI(), nil)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: rt},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, which does not fit %s %s of internal/app/hubapi/openapi.json: %v\nbody: %.600s",
			method, u.Path, status, strings.ToUpper(method), rt.Path, err, body)
	}
}

// Transport is an http.RoundTripper that checks every answer with Answer
// before handing it on: a hub client built on it checks what it reads.
type Transport struct {
	T    Reporter
	Next http.RoundTripper // http.DefaultTransport when nil
}

// RoundTrip sends req and checks the answer.
func (tr Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := tr.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the answer of %s %s: %w", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	Answer(tr.T, req.Method, req.URL.String(), resp.StatusCode, resp.Header, body)
	return resp, nil
}

// Request checks one request to the hub, as a client sent it: its route,
// parameters and body are the document's.
func Request(t Reporter, method, rawURL string, header http.Header, body []byte) {
	t.Helper()
	u, rt, params, ok := operation(t, method, rawURL, "takes")
	if !ok {
		return
	}
	req := httptest.NewRequest(strings.ToUpper(method), u.RequestURI(), bytes.NewReader(body))
	req.Header = header.Clone()
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: rt,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Errorf("%s %s does not fit %s %s of internal/app/hubapi/openapi.json: %v\nbody: %.600s",
			method, u.RequestURI(), strings.ToUpper(method), rt.Path, err, body)
	}
}
