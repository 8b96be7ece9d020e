package dataapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAPI throws query strings and parameter sets at /v1/query and
// /v1/gene (GET and POST, form and JSON bodies): no user input may get a
// 5xx, and every error is in BioThings' form.
//
//	go test ./internal/domain/dataapi -run '^$' -fuzz FuzzAPI -fuzztime 60s
func FuzzAPI(f *testing.F) {
	seeds := []struct {
		route  uint8
		q      string
		params string
	}{
		{0, "cdk2", "size=5&from=2&sort=-taxid&fields=symbol,taxid"},
		{0, `"unbalanced`, ""},
		{0, "taxid:[9000 TO 10000]", "facets=taxid,type_of_gene&facet_size=3"},
		{0, "symbol:cdk* AND NOT _exists_:alias", "dotfield=true&always_list=symbol&allow_null=a.b"},
		{0, "__any__", "fetch_all=true"},
		{0, "__all__", "scroll_id=bleve-0000&format=yaml"},
		{0, "(a OR b", "size=1e3&format=msgpack"},
		{0, "name:/cy.*/ OR name:kinase~2^3", "sort=a,b,c&facets=name"},
		{0, "", "size=-1&limit=1001&skip=abc&format=html"},
		{0, `a\`, "fields=..&allow_null=..&always_list=."},
		{0, "genomic_pos.start:>1000 AND taxid:{1 TO *}", "dotfield=1&fields=genomic_pos"},
		{1, "1017", "fields=symbol&dotfield=yes&format=yaml"},
		{1, "chr1:g.123A>T/x", "allow_null=x"},
		{1, "", ""},
		{2, "1017,12566 nosuch", "fields=symbol"},
		{2, `["1017", 3, null]`, "scopes=symbol"},
		{3, `{"q": ["CDK2"], "scopes": ["symbol", "taxid", "name"], "fetch_all": true}`, ""},
		{3, `{"ids": ["1017"], "q": {"a": 1}}`, "size=0"},
		{3, `{"q": "1017", `, ""},
		{4, "cdk2 p33", "scopes=alias,name,_id&size=0"},
	}
	for _, s := range seeds {
		f.Add(s.route, s.q, s.params)
	}
	fx := getFixture(f)
	f.Fuzz(func(t *testing.T, route uint8, q, params string) {
		req := fuzzRequest(route, q, params)
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", req.Method, req.URL, rec.Code, clip(rec.Body.Bytes()))
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("no CORS header")
		}
		if rec.Code >= 400 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m["success"] != false || m["code"] != float64(rec.Code) {
				t.Fatalf("%s %s: error %d not in BioThings' form: %s", req.Method, req.URL, rec.Code, clip(rec.Body.Bytes()))
			}
		}
	})
}

// fuzzRequest builds one request; the URL is set directly so that any
// bytes reach the handler, as a client could send them escaped.
func fuzzRequest(route uint8, q, params string) *http.Request {
	u := &url.URL{Path: "/v1/query", RawQuery: params}
	method, ctype := http.MethodGet, ""
	var body []byte
	switch route % 5 {
	case 0: // GET /query?q=...
		u.RawQuery = "q=" + url.QueryEscape(q) + "&" + params
	case 1: // GET /gene/<id>
		u.Path = "/v1/gene/" + q
	case 2: // POST /gene, form
		u.Path, method, ctype = "/v1/gene", http.MethodPost, "application/x-www-form-urlencoded"
		body = []byte("ids=" + url.QueryEscape(q))
	case 3: // POST /gene or /query, raw JSON body
		method, ctype = http.MethodPost, "application/json"
		if strings.Contains(q, "ids") {
			u.Path = "/v1/gene"
		}
		body = []byte(q)
	case 4: // POST /query, form
		method, ctype = http.MethodPost, "application/x-www-form-urlencoded"
		body = []byte("q=" + url.QueryEscape(q))
	}
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.URL = u
	req.RequestURI = u.RequestURI()
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}
