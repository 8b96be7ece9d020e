package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"studio/internal/engine/search"
)

func TestCanonicalize(t *testing.T) {
	const giveUp = "(decode)"
	for _, c := range []struct{ src, want string }{
		{`{}`, `{}`},
		{`{"a":1,"b":[true,false,null],"c":{"d":"x>y","e":38.0,"f":-2,"g":0.5}}`, ""},
		{`{"a":"q\"b\\s\n"}`, ""},
		{`{"a":"é ü 漢字 <&>"}`, ""},
		{`{"a":[],"b":{},"c":[{}]}`, ""},
		{`{"a":1e-7,"b":1e+21,"c":123456789012.0,"d":-0.25}`, ""},
		{`{"a":"\u2028"}`, ""},
		// Values appendJSON spells differently are rewritten.
		{`{"a":1.234567e+06}`, `{"a":1234567.0}`},
		{`{"a":1.02721752647e-06,"b":[1e-05,2]}`, `{"a":0.00000102721752647,"b":[0.00001,2]}`},
		{`{"a":1e-07}`, `{"a":1e-7}`},
		{`{"a":1.50,"b":1E2}`, `{"a":1.5,"b":100.0}`},
		{`{"a":-0}`, `{"a":0}`},
		{`{"a":99999999999999999999}`, `{"a":100000000000000000000.0}`},
		{`{"a":"\u0041\/"}`, `{"a":"A/"}`},
		{"{\"a\":\"\xff\"}", "{\"a\":\"\ufffd\"}"},
		{"{\"a\":\"x\u2028\"}", `{"a":"x\u2028"}`},
		{`{"a":"\ud800"}`, "{\"a\":\"\ufffd\"}"},
		// Key order cannot be fixed on the way; neither can bad JSON.
		{``, giveUp},
		{`[]`, giveUp},
		{`{"a":1} `, giveUp},
		{` {"a":1}`, giveUp},
		{`{"a": 1}`, giveUp},
		{`{"a":1,"a":2}`, giveUp},
		{`{"b":1,"a":2}`, giveUp},
		{`{"a":{"total":1}}`, giveUp},
		{`{"_score":1}`, giveUp},
		{`{"a":[{"hits":[]}]}`, giveUp},
		{`{"a\"b":1}`, giveUp},
		{`{"a":01}`, giveUp},
		{`{"a":+1}`, giveUp},
		{`{"a":1.}`, giveUp},
		{`{"a":.5}`, giveUp},
		{`{"a":1e}`, giveUp},
		{`{"a":-}`, giveUp},
		{`{"a":1e999}`, giveUp},
		{`{"a":tru}`, giveUp},
		{`{"a":[1,]}`, giveUp},
		{`{"a":1,}`, giveUp},
		{`{"a":"x}`, giveUp},
		{`{"a":"\q"}`, giveUp},
		{"{\"a\":\"\x01\"}", giveUp},
		{`{"a":1}{}`, giveUp},
		{strings.Repeat(`{"a":`, maxCanonicalDepth+2) + "1" + strings.Repeat("}", maxCanonicalDepth+2), giveUp},
	} {
		want := c.want
		if want == "" {
			want = c.src
		}
		got, ok := canonicalize([]byte(c.src))
		switch {
		case want == giveUp && ok:
			t.Errorf("canonicalize(%q) = %q, want it to give up", c.src, got)
		case want != giveUp && (!ok || string(got) != want):
			t.Errorf("canonicalize(%q) = %q, %v; want %q", c.src, got, ok, want)
		case ok:
			checkCanonicalRoundTrip(t, []byte(c.src), got)
		}
	}
	src := []byte(`{"a":1,"b":"x"}`)
	if got, ok := canonicalize(src); !ok || &got[0] != &src[0] {
		t.Error("a canonical source was copied")
	}
}

// checkCanonicalRoundTrip checks what the stored path relies on: the
// source decodes, and appendJSON writes the decoded value as canonicalize
// did.
func checkCanonicalRoundTrip(t *testing.T, src, got []byte) {
	t.Helper()
	doc, err := search.DecodeDoc(src)
	if err != nil {
		t.Fatalf("canonicalized source %q does not decode: %v", src, err)
	}
	if want := appendJSON(nil, doc); !bytes.Equal(got, want) {
		t.Fatalf("canonicalize(%q) = %q, appendJSON of the decoded value %q", src, got, want)
	}
}

func TestRankedKeysMatchKeyRank(t *testing.T) {
	for _, k := range []string{"code", "success", "error", "query", "notfound", "_id", "_version", "_score",
		"took", "total", "max_score", "hits", "facets", "_scroll_id", "symbol", "_ids", "Total", "", "hit"} {
		if got, want := isRankedKey([]byte(k)), keyRank(k) != 1<<30; got != want {
			t.Errorf("isRankedKey(%q) = %v, keyRank ranks it: %v", k, got, want)
		}
	}
}

// FuzzCanonical checks the property the stored path relies on for any
// input: what canonicalize returns is what appendJSON writes for the
// decoded source.
//
//	go test ./internal/domain/dataapi -run '^$' -fuzz FuzzCanonical -fuzztime 60s
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[true,null],"c":{"d":"x"}}`, `{"a":38.0,"b":1e-7,"c":"\u2028\"\\"}`,
		`{"a":1e21,"b":-0.0,"c":0.000001}`, `{"a":"\ud800"}`, `{"x":[{"y":[]}],"z":{}}`} {
		f.Add([]byte(s))
	}
	for _, d := range []map[string]any{
		{"taxid": int64(9606), "n_mis": 38.0, "pos": []any{1.5e6, -2e-7, 0.1}, "name": "cyclin <A>", "x": nil},
		{"a": map[string]any{"b": []any{map[string]any{"c": true}}, "total": int64(3)}, "s": "tab\t\u2028 \xff"},
	} {
		b, _, err := search.MarshalDoc(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if got, ok := canonicalize(src); ok {
			checkCanonicalRoundTrip(t, src, got)
		}
	})
}

// decodingEngine hides the engine's RawGetter, so that the API takes the
// decoding path.
type decodingEngine struct{ search.Engine }

// TestStoredAnswersMatchDecoded answers every id lookup, and POSTs of
// ids, from the stored sources and by decoding them: the answers are the
// same bytes, and most documents take the stored path.
func TestStoredAnswersMatchDecoded(t *testing.T) {
	f := getFixture(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	decoding, err := New(Config{Engine: decodingEngine{f.eng}, Index: f.index, Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := New(Config{Engine: f.eng, Index: f.index, Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	same := func(method, target, body string) {
		t.Helper()
		var answers [2]*httptest.ResponseRecorder
		for i, h := range []http.Handler{decoding, stored} {
			req := httptest.NewRequest(method, target, strings.NewReader(body))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			answers[i] = httptest.NewRecorder()
			h.ServeHTTP(answers[i], req)
		}
		d, s := answers[0], answers[1]
		if d.Code != s.Code || d.Header().Get("Content-Type") != s.Header().Get("Content-Type") || !bytes.Equal(d.Body.Bytes(), s.Body.Bytes()) {
			t.Fatalf("%s %s %s:\ndecoded %d %s\nstored  %d %s", method, target, body, d.Code, d.Body, s.Code, s.Body)
		}
	}
	ids := make([]string, 0, len(f.docs))
	for _, d := range f.docs {
		ids = append(ids, d.ID)
		same("GET", "/v1/gene/"+url.PathEscape(d.ID), "")
	}
	for _, target := range []string{"/v1/gene/no-such-id", "/v1/gene/1017?fields=symbol", "/v1/gene/1017?format=yaml", "/v1/gene/1017?dotfield=true"} {
		same("GET", target, "")
	}
	body, _ := json.Marshal(map[string]any{"ids": append([]string{"no-such-id", ids[3]}, ids...)})
	same("POST", "/v1/gene", string(body))
	same("POST", "/v1/gene?fields=symbol,taxid", string(body))

	hits, err := f.eng.(search.RawGetter).MGetRaw(context.Background(), f.index, ids)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range hits {
		if _, ok := canonicalize(h.Source); ok {
			n++
		}
	}
	t.Logf("%d of %d stored sources are answered as stored", n, len(hits))
	if n != len(hits) {
		t.Errorf("only %d of %d stored sources are answered as stored", n, len(hits))
	}
}

// TestBackendsAnswerAlike: the id lookups of the same documents answer the
// same bytes from Bleve (which hands out its stored sources) and from
// Elasticsearch (whose sources the API decodes and encodes again).
func TestBackendsAnswerAlike(t *testing.T) {
	var handlers []http.Handler
	var f *fixture
	for _, b := range backends {
		f = fixtureOn(t, b)
		handlers = append(handlers, f.handler)
	}
	answer := func(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	same := func(method, target, body string) {
		t.Helper()
		a, b := answer(handlers[0], method, target, body), answer(handlers[1], method, target, body)
		if a.Code != b.Code || a.Header().Get("Content-Type") != b.Header().Get("Content-Type") || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Fatalf("%s %s %s:\n%s: %d %s\n%s: %d %s", method, target, body, backends[0], a.Code, clip(a.Body.Bytes()), backends[1], b.Code, clip(b.Body.Bytes()))
		}
	}
	ids := make([]string, 0, len(f.docs))
	for _, d := range f.docs {
		ids = append(ids, d.ID)
		same("GET", "/v1/gene/"+url.PathEscape(d.ID), "")
	}
	for _, target := range []string{"/v1/gene/no-such-id", "/v1/gene/1017?fields=symbol,genomic_pos.chr", "/v1/gene/1017?format=yaml",
		"/v1/gene/1017?dotfield=true", "/v1/gene/1017?always_list=symbol&allow_null=nothere", "/v1/metadata", "/v1/metadata/fields"} {
		same("GET", target, "")
	}
	body, _ := json.Marshal(map[string]any{"ids": append([]string{"no-such-id", ids[3]}, ids...)})
	same("POST", "/v1/gene", string(body))
	same("POST", "/v1/gene?fields=symbol,taxid", string(body))
}

// tookRE matches the took of a /query answer (JSON or YAML), which
// differs run to run.
var tookRE = regexp.MustCompile(`("took":|took: )[0-9]+`)

// TestStoredHitsMatchDecoded answers queries from the hits' stored
// sources (search.RawSearcher) and by decoding them, on each backend:
// the answers are the same bytes but for took.
func TestStoredHitsMatchDecoded(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		decoding, err := New(Config{Engine: decodingEngine{f.eng}, Index: f.index, Log: logger})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := New(Config{Engine: f.eng, Index: f.index, Log: logger})
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{
			"/v1/query?q=cdk2", "/v1/query?q=symbol:CDK*&size=5&sort=entrezgene", "/v1/query?q=__all__&size=100&sort=entrezgene",
			"/v1/query?q=kinase&from=3&size=4&sort=-entrezgene", "/v1/query?q=taxid:9606&facets=type_of_gene&size=3&sort=entrezgene",
			"/v1/query?q=cdk2&fields=symbol,name", "/v1/query?q=cdk2&dotfield=true", "/v1/query?q=cdk2&format=yaml",
			"/v1/query?q=no_such_term_anywhere", "/v1/query?q=cdk2&size=0",
		} {
			var answers [2][]byte
			for i, h := range []http.Handler{decoding, stored} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
				}
				answers[i] = tookRE.ReplaceAll(rec.Body.Bytes(), []byte(`${1}0`))
			}
			if !bytes.Equal(answers[0], answers[1]) {
				t.Fatalf("GET %s:\ndecoded %s\nstored  %s", target, clip(answers[0]), clip(answers[1]))
			}
		}
	})
}
