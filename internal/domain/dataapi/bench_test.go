package dataapi

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkDoc is GET /v1/gene/<id>, round-robin over the 100 ids,
// without the network.
func BenchmarkDoc(b *testing.B) {
	f := getFixture(b)
	urls := make([]string, len(f.docs))
	for i, d := range f.docs {
		urls[i] = "/v1/gene/" + url.PathEscape(d.ID)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, httptest.NewRequest("GET", urls[i%len(urls)], nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		i++
	}
}

// BenchmarkQuery is GET /v1/query?q=<symbol>.
func BenchmarkQuery(b *testing.B) {
	f := getFixture(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := f.docs[i%len(f.docs)]
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/query?q="+url.QueryEscape(d.Doc["symbol"].(string)), nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		i++
	}
}
