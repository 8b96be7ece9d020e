package dataapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/shareddata"
	"studio/internal/testsupport/testenv/escluster"
)

// testPageSize is the fetch_all page of the fixture's main handler, small
// so that the 100 documents take several pages.
const testPageSize = 30

// rawDoc is one document of the shared mygene test data, as written.
type rawDoc struct {
	ID  string
	Doc map[string]any
}

// fixture is the mygene index behind the handlers under test, on one
// backend.
type fixture struct {
	backend string // "bleve" or "elasticsearch"
	prefix  string // of the index names of this fixture's engine
	index   string // the mygene index
	docs    []rawDoc
	pos     map[string]int // each document's place in the order of indexing
	byID    map[string]map[string]any
	meta    map[string]any
	mapping map[string]any // the properties
	eng     search.Engine
	handler http.Handler // ScrollSize testPageSize
	srv     *httptest.Server
	full    *httptest.Server // default ScrollSize
	dir     string           // Bleve's folder
}

// name is an index name of the fixture's engine: on Elasticsearch, a
// cluster other tests may share, the names carry a prefix of their own.
func (f *fixture) name(base string) string { return f.prefix + base }

// The backends the tests run on: the embedded Bleve and a real
// Elasticsearch cluster (ES_URL, else the one package escluster starts).
const (
	bleveBackend = "bleve"
	esBackend    = "elasticsearch"
)

var backends = []string{bleveBackend, esBackend}

type fixtureSlot struct {
	once sync.Once
	f    *fixture
	err  error
}

var fixtures = map[string]*fixtureSlot{bleveBackend: {}, esBackend: {}}

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	code := m.Run()
	for _, b := range backends {
		if f := fixtures[b].f; f != nil {
			f.close()
		}
	}
	escluster.StopShared()
	os.Exit(code)
}

// close stops the servers, deletes the fixture's indexes from a shared
// engine and closes it.
func (f *fixture) close() {
	f.srv.Close()
	f.full.Close()
	if f.prefix != "" {
		ctx := context.Background()
		if infos, err := f.eng.ListIndexes(ctx); err == nil {
			for _, ix := range infos {
				if strings.HasPrefix(ix.Name, f.prefix) {
					_ = f.eng.DeleteIndex(ctx, ix.Name)
				}
			}
		}
	}
	_ = f.eng.Close()
	if f.dir != "" {
		_ = os.RemoveAll(f.dir)
	}
}

// getFixture is the Bleve fixture (benchmarks and fuzzing run on it).
func getFixture(t testing.TB) *fixture { return fixtureOn(t, bleveBackend) }

// eachBackend runs test on the fixture of each backend, in subtests named
// after the backends.
func eachBackend(t *testing.T, test func(t *testing.T, f *fixture)) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { test(t, fixtureOn(t, b)) })
	}
}

// fixtureOn builds the backend's index once per test binary: the mygene
// mapping, a _meta written here, and the 100 documents loaded through
// Engine.Bulk.
func fixtureOn(t testing.TB, backend string) *fixture {
	t.Helper()
	dataPath := shareddata.Path(t, "mygene", "test_data.ndjson")
	mappingPath := shareddata.Path(t, "mygene", "test_mapping.json")
	var esURL string
	if backend == esBackend {
		if esURL = os.Getenv("ES_URL"); esURL == "" {
			esURL = escluster.Shared(t).URL()
		}
	}
	slot := fixtures[backend]
	slot.once.Do(func() { slot.f, slot.err = buildFixture(backend, esURL, dataPath, mappingPath) })
	if slot.err != nil {
		t.Fatal(slot.err)
	}
	return slot.f
}

func testMeta() map[string]any {
	return map[string]any{
		"build_date":    "2026-01-15T10:20:30.123456",
		"build_version": "20260115",
		"biothing_type": "gene",
		"src": map[string]any{
			"entrez":  map[string]any{"version": "20260110", "stats": map[string]any{"entrez_gene": int64(100)}},
			"ensembl": map[string]any{"version": "110", "license": "Ensembl terms"},
		},
		"stats": map[string]any{"total": int64(100)},
	}
}

func buildFixture(backend, esURL, dataPath, mappingPath string) (*fixture, error) {
	docs, err := readBulkFile(dataPath)
	if err != nil {
		return nil, err
	}
	spec, props, err := mygeneSpec(mappingPath, testMeta())
	if err != nil {
		return nil, err
	}
	f := &fixture{backend: backend, docs: docs, pos: map[string]int{}, byID: map[string]map[string]any{}, meta: testMeta(), mapping: props}
	switch backend {
	case bleveBackend:
		if f.dir, err = os.MkdirTemp("", "dataapi-test-"); err != nil {
			return nil, err
		}
		if f.eng, err = bleve.Open(f.dir); err != nil {
			return nil, err
		}
	case esBackend:
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		f.prefix = "dataapi-" + hex.EncodeToString(b) + "-"
		if f.eng, err = elasticsearch.Open(context.Background(), esURL); err != nil {
			return nil, err
		}
	}
	f.index = f.name("mygene_test")
	if err := loadIndex(f.eng, f.index, spec, docs); err != nil {
		return nil, err
	}
	for i, d := range docs {
		f.byID[d.ID] = d.Doc
		f.pos[d.ID] = i
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.handler, err = New(Config{Engine: f.eng, Index: f.index, Log: logger, ScrollSize: testPageSize})
	if err != nil {
		return nil, err
	}
	full, err := New(Config{Engine: f.eng, Index: f.index, Log: logger})
	if err != nil {
		return nil, err
	}
	f.srv = httptest.NewServer(f.handler)
	f.full = httptest.NewServer(full)
	return f, nil
}

// readBulkFile reads an Elasticsearch bulk file: action lines with _id
// alternating with documents; integral numbers as int64, others float64.
func readBulkFile(path string) ([]rawDoc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var docs []rawDoc
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var id string
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if id == "" {
			var action map[string]map[string]any
			if err := json.Unmarshal(line, &action); err != nil {
				return nil, fmt.Errorf("%s: action line: %w", path, err)
			}
			id, _ = action["index"]["_id"].(string)
			if id == "" {
				return nil, fmt.Errorf("%s: action line without an index _id: %s", path, line)
			}
			continue
		}
		doc, err := search.DecodeDoc(line)
		if err != nil {
			return nil, fmt.Errorf("%s: document %s: %w", path, id, err)
		}
		docs = append(docs, rawDoc{ID: id, Doc: doc})
		id = ""
	}
	return docs, sc.Err()
}

// mygeneSpec is the release definition of the mygene test mapping: its
// properties with search.ReleaseSpec, plus the custom analyzers its
// settings define (refseq_analyzer), which the mapping uses.
func mygeneSpec(path string, meta map[string]any) (search.IndexSpec, map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return search.IndexSpec{}, nil, err
	}
	var file struct {
		Settings map[string]any `json:"settings"`
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return search.IndexSpec{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	spec := search.ReleaseSpec(file.Mappings.Properties, meta, 1, 0)
	analysis, _ := search.Setting(file.Settings, "analysis")
	fileAnalysis, _ := analysis.(map[string]any)
	index := spec.Settings["index"].(map[string]any)
	ours := index["analysis"].(map[string]any)
	for k, v := range fileAnalysis {
		if _, taken := ours[k]; !taken {
			ours[k] = v
		}
	}
	return spec, file.Mappings.Properties, nil
}

func loadIndex(eng search.Engine, name string, spec search.IndexSpec, docs []rawDoc) error {
	ctx := context.Background()
	if err := eng.CreateIndex(ctx, name, spec); err != nil {
		return err
	}
	ops := make([]search.BulkOp, len(docs))
	for i, d := range docs {
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: d.Doc}
	}
	res, err := eng.Bulk(ctx, name, ops)
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 || res.Indexed != len(docs) {
		return fmt.Errorf("bulk: %+v", res)
	}
	return eng.Refresh(ctx, name)
}

// ---- raw-document helpers: the expectations of the tests

// values collects the leaf values at a dotted path, looking through lists.
func values(v any, path []string) []any {
	if len(path) == 0 {
		if l, ok := v.([]any); ok {
			var out []any
			for _, e := range l {
				out = append(out, values(e, nil)...)
			}
			return out
		}
		if v == nil {
			return nil
		}
		return []any{v}
	}
	switch x := v.(type) {
	case map[string]any:
		c, ok := x[path[0]]
		if !ok {
			return nil
		}
		return values(c, path[1:])
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, values(e, path)...)
		}
		return out
	}
	return nil
}

func (f *fixture) where(pred func(d rawDoc) bool) []rawDoc {
	var out []rawDoc
	for _, d := range f.docs {
		if pred(d) {
			out = append(out, d)
		}
	}
	return out
}

func idsOf(docs []rawDoc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out
}

func lowerEq(d rawDoc, field, want string) bool {
	for _, v := range values(d.Doc, strings.Split(field, ".")) {
		if s, ok := v.(string); ok && strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

func taxid(d rawDoc) int64 { n, _ := d.Doc["taxid"].(int64); return n }

// sortedByTaxid orders the documents by taxid, ties as the engine breaks
// them: by _id on Bleve, in the order of indexing on Elasticsearch (one
// shard; see docs/search-backends.md, difference 17).
func (f *fixture) sortedByTaxid(desc bool) []rawDoc {
	docs := append([]rawDoc(nil), f.docs...)
	sort.SliceStable(docs, func(i, j int) bool {
		a, b := taxid(docs[i]), taxid(docs[j])
		if a != b {
			if desc {
				return a > b
			}
			return a < b
		}
		if f.backend == esBackend {
			return f.pos[docs[i].ID] < f.pos[docs[j].ID]
		}
		return docs[i].ID < docs[j].ID
	})
	return docs
}

type facetTerm struct {
	Term  any
	Count int64
}

type facetWant struct {
	Terms                 []facetTerm
	Total, Other, Missing int64
}

// facetOf counts documents per value of a field as a terms aggregation
// does: keyword values lower-cased (the normalizer), each document once
// per distinct value, most documents first, ties by value.
func (f *fixture) facetOf(field string, size int, lower bool) facetWant {
	counts := map[any]int64{}
	var missing int64
	for _, d := range f.docs {
		vals := values(d.Doc, strings.Split(field, "."))
		if len(vals) == 0 {
			missing++
			continue
		}
		seen := map[any]bool{}
		for _, v := range vals {
			if s, ok := v.(string); ok && lower {
				v = strings.ToLower(s)
			}
			if !seen[v] {
				seen[v] = true
				counts[v]++
			}
		}
	}
	var terms []facetTerm
	for k, c := range counts {
		terms = append(terms, facetTerm{k, c})
	}
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].Count != terms[j].Count {
			return terms[i].Count > terms[j].Count
		}
		return lessAny(terms[i].Term, terms[j].Term)
	})
	w := facetWant{Missing: missing}
	for i, tm := range terms {
		if i < size {
			w.Terms = append(w.Terms, tm)
			w.Total += tm.Count
		} else {
			w.Other += tm.Count
		}
	}
	return w
}

func lessAny(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case float64:
		return x < b.(float64)
	case string:
		return x < b.(string)
	}
	return false
}

// ---- HTTP helpers

type resp struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, base, method, path, ctype, body string) *resp {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &resp{status: res.StatusCode, header: res.Header, body: data}
}

// decode reads JSON with integral numbers as int64 and others float64.
func decode(t testing.TB, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, clip(data))
	}
	return search.NormalizeNumbers(v)
}

func (r *resp) obj(t testing.TB) map[string]any {
	t.Helper()
	m, ok := decode(t, r.body).(map[string]any)
	if !ok {
		t.Fatalf("answer is not an object: %s", clip(r.body))
	}
	return m
}

func (r *resp) list(t testing.TB) []any {
	t.Helper()
	l, ok := decode(t, r.body).([]any)
	if !ok {
		t.Fatalf("answer is not a list: %s", clip(r.body))
	}
	return l
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// hits returns the hits of a /query answer, checking its shape.
func hits(t testing.TB, m map[string]any) []map[string]any {
	t.Helper()
	for _, k := range []string{"took", "total", "max_score", "hits"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("answer lacks %q: %v", k, m)
		}
	}
	l, ok := m["hits"].([]any)
	if !ok {
		t.Fatalf("hits is not a list: %v", m["hits"])
	}
	out := make([]map[string]any, len(l))
	for i, h := range l {
		out[i] = h.(map[string]any)
		if _, ok := out[i]["_id"].(string); !ok {
			t.Fatalf("hit %d has no _id: %v", i, out[i])
		}
	}
	return out
}

func hitIDs(hs []map[string]any) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h["_id"].(string)
	}
	return out
}

func sameSet(a, b []string) bool {
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return reflect.DeepEqual(x, y)
}

// withoutKeys returns m without the given keys.
func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// numbersAsFloat makes int64 and float64 comparable, for formats (yaml)
// that write 38.0 as 38.
func numbersAsFloat(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = numbersAsFloat(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = numbersAsFloat(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = numbersAsFloat(e)
		}
		return out
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}
