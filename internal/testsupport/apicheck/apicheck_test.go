package apicheck

import (
	"fmt"
	"net/http"
	"testing"
)

// Route is what Answer trusts: it must pick the right operation.
func TestRoute(t *testing.T) {
	d, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path, want string
		params             map[string]string
	}{
		{"GET", "/sources", "/sources", map[string]string{}},
		{"GET", "/source/cgi", "/source/{name}", map[string]string{"name": "cgi"}},
		{"PUT", "/source/cgi/mapping/field", "/source/{name}/mapping/field", map[string]string{"name": "cgi"}},
		{"GET", "/command/dump/cgi", "/command/{id}", map[string]string{"id": "dump/cgi"}},
		{"GET", "/command/dump%2Fcgi", "/command/{id}", map[string]string{"id": "dump/cgi"}},
		{"GET", "/api/list", "/api/list", map[string]string{}},
		{"DELETE", "/api/x", "/api/{name}", map[string]string{"name": "x"}},
		{"GET", "/explore/index/cgi/v1/query", "/explore/index/{index}/{route}", map[string]string{"index": "cgi", "route": "v1/query"}},
		{"GET", "/nope", "", nil},
		{"GET", "/command/", "", nil},
		{"GET", "/source/cgi/extra/parts", "", nil},
		{"POST", "/sources", "", nil},
	} {
		rt, params, ok := Route(d, tc.method, tc.path)
		got := ""
		if ok {
			got = rt.Path
		}
		if got != tc.want || (ok && fmt.Sprint(params) != fmt.Sprint(tc.params)) {
			t.Errorf("Route(%s %s) = %q %v, want %q %v", tc.method, tc.path, got, params, tc.want, tc.params)
		}
	}
}

// Answer fails on answers that break the document, and passes right ones.
func TestAnswer(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
		ok                 bool
	}{
		{"a list of sources", "GET", "/sources", 200, `{"status": "ok", "result": [{"_id": "cgi", "name": "cgi"}]}`, true},
		{"an error", "GET", "/build/b1", 404, `{"status": "error", "error": "no build", "code": 404}`, true},
		{"a data API failure", "GET", "/explore/index/i/v1/query", 400, `{"code": 400, "success": false, "error": "bad q"}`, true},
		{"a result of the wrong shape", "GET", "/sources", 200, `{"status": "ok", "result": {"not": "a list"}}`, false},
		{"a missing required field", "GET", "/command/x", 200, `{"status": "ok", "result": {"id": "x"}}`, false},
		{"no envelope", "GET", "/build/b1", 200, `{"_id": "b1"}`, false},
		{"an error without its code", "GET", "/build/b1", 404, `{"status": "error", "error": "no build"}`, false},
		{"a route the document lacks", "GET", "/nope", 404, `{"status": "error", "error": "no", "code": 404}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Recorder
			Answer(&r, tc.method, "http://hub"+tc.path, tc.status, json, []byte(tc.body))
			if ok := len(r.Failures) == 0; ok != tc.ok {
				t.Errorf("Answer(%s %s %d %s) passed: %v, want %v (%v)", tc.method, tc.path, tc.status, tc.body, ok, tc.ok, r.Failures)
			}
		})
	}
}

// Request fails on requests that break the document, and passes right ones.
func TestRequest(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, method, path, body string
		ok                       bool
	}{
		{"a dump", "PUT", "/source/cgi/dump", `{"force": true}`, true},
		{"a dump without a body", "PUT", "/source/cgi/dump", ``, true},
		{"an inspection of a sub-source", "PUT", "/inspect", `{"data_provider": ["src", "cgi"], "mode": ["stats"]}`, true},
		{"an inspection of a build", "PUT", "/inspect", `{"data_provider": "b1"}`, true},
		{"commands", "GET", "/commands?limit=20&running=true", ``, true},
		{"a register without url", "POST", "/dataplugin/register_url", `{"ref": "main"}`, false},
		{"a mode the hub does not know", "PUT", "/inspect", `{"data_provider": "b1", "mode": ["everything"]}`, false},
		{"a limit too large", "GET", "/commands?limit=5000", ``, false},
		{"a port of the wrong type", "POST", "/api", `{"name": "a", "index": "i", "port": "80"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Recorder
			Request(&r, tc.method, "http://hub"+tc.path, json, []byte(tc.body))
			if ok := len(r.Failures) == 0; ok != tc.ok {
				t.Errorf("Request(%s %s %s) passed: %v, want %v (%v)", tc.method, tc.path, tc.body, ok, tc.ok, r.Failures)
			}
		})
	}
}
