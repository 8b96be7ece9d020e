// Package searchtest is the conformance suite every search.Engine must pass.
// A backend's test file calls Run with a function that opens an engine;
// backend-specific regressions live beside that call.
//
// The suite uses index names of its own ("studiotest-<random>-..."), deletes
// what it creates, and so can run against a shared Elasticsearch cluster.
package searchtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"studio/internal/engine/search"
	"studio/internal/testsupport/shareddata"
)

// testCase is one case of the suite; each gets a fresh engine from open.
type testCase struct {
	name string
	run  func(t *testing.T, e search.Engine, names *names)
}

var cases = []testCase{
	{"create with the mygene mapping", testCreateMyGene},
	{"create with a CGI mapping and the release settings", testCreateCGI},
	{"create an existing index", testCreateTwice},
	{"list shows a new index with 0 documents", testList},
	{"delete", testDelete},
	{"invalid names are rejected", testInvalidNames},
	{"invalid definitions are rejected", testInvalidSpecs},
	{"_meta survives", testMeta},
	{"info", testInfo},
	{"documents, queries, scrolls, aggregations (mygene)", testMyGeneData},
	{"a small CGI-like set", testCGI},
	{"ids of any characters", testOddIDs},
	{"a bulk of several batches keeps the order of its operations", testBulkOrder},
	{"raw bulk indexes as bulk does (RawBulker)", testBulkRaw},
	{"the documented differences between the backends", testDifferences},
}

// The backends the suite knows, by the name their Info reports.
const (
	Bleve         = "bleve"
	Elasticsearch = "elasticsearch"
)

// backendOf is the name the engine reports in Info.
func backendOf(t *testing.T, e search.Engine) string {
	t.Helper()
	info, err := e.Info(context.Background())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return info.Backend
}

// expect picks the engine's own expectation where the backends differ
// (docs/search-backends.md); a backend the table does not name fails.
func expect[T any](t *testing.T, e search.Engine, byBackend map[string]T) T {
	t.Helper()
	b := backendOf(t, e)
	want, ok := byBackend[b]
	if !ok {
		t.Fatalf("no expectation for the %q backend", b)
	}
	return want
}

// Run runs the suite. open returns a new engine on the backend under test;
// Run closes it at the end of each case.
func Run(t *testing.T, open func(t *testing.T) search.Engine) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := open(t)
			t.Cleanup(func() {
				if err := e.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			c.run(t, e, newNames(t, e))
		})
	}
}

// names hands out unique index names and deletes those indexes when the
// test ends (cleanups run before the engine's Close, registered earlier).
type names struct {
	prefix string
}

func newNames(t *testing.T, e search.Engine) *names {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	n := &names{prefix: "studiotest-" + hex.EncodeToString(b) + "-"}
	t.Cleanup(func() {
		infos, err := e.ListIndexes(context.Background())
		if err != nil {
			t.Logf("cleanup: list indexes: %v", err)
			return
		}
		for _, ix := range infos {
			if strings.HasPrefix(ix.Name, n.prefix) {
				if err := e.DeleteIndex(context.Background(), ix.Name); err != nil && !errors.Is(err, search.ErrIndexNotFound) {
					t.Errorf("cleanup: delete %s: %v", ix.Name, err)
				}
			}
		}
	})
	return n
}

func (n *names) get(suffix string) string { return n.prefix + suffix }

// MyGeneSpec reads the mygene index definition (an Elasticsearch GET
// /<index> answer) from the shared test data, or skips the test with a
// message naming the folder when it is absent (see shareddata.Path).
func MyGeneSpec(t *testing.T) search.IndexSpec {
	t.Helper()
	path := shareddata.Path(t, "mygene", "test_mapping.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := search.DecodeSpec(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return spec
}

// CGISpec is a small index definition shaped like the CGI biomarkers plugin
// of the BioThings Studio tutorial, with the release settings.
func CGISpec() search.IndexSpec {
	kw := func(copyAll bool) map[string]any {
		f := map[string]any{"type": "keyword", "normalizer": search.KeywordLowercaseNormalizer}
		if copyAll {
			f["copy_to"] = []any{search.AllField}
		}
		return f
	}
	props := map[string]any{
		"cgi": map[string]any{
			"properties": map[string]any{
				"association":    kw(true),
				"biomarker":      map[string]any{"type": "text", "copy_to": []any{search.AllField}},
				"drug":           kw(true),
				"drug_family":    kw(false),
				"drug_full_name": map[string]any{"type": "text"},
				"drug_status":    kw(false),
				"evidence_level": map[string]any{"type": "text"},
				"gene":           kw(true),
				"primary_tumor_type": map[string]any{
					"type": "text", "copy_to": []any{search.AllField},
				},
				"source": kw(false),
				"info":   map[string]any{"type": "text", "index": false},
				"strand": map[string]any{"type": "keyword", "index": false},
				"region": map[string]any{"type": "text", "index": "false"},
			},
		},
	}
	meta := map[string]any{
		"biothing_type": "variant",
		"build_version": "20240101",
		"src": map[string]any{
			"cgi": map[string]any{"version": "2018-05-18", "license": "CC BY-NC 4.0"},
		},
		"stats": map[string]any{"total": 0.0},
	}
	return search.ReleaseSpec(props, meta, 1, 0)
}

func testCreateMyGene(t *testing.T, e search.Engine, n *names) {
	spec := MyGeneSpec(t)
	createAndCheck(t, e, n.get("mygene"), spec, []string{"symbol", "entrezgene", "genomic_pos", "all"})
}

func testCreateCGI(t *testing.T, e search.Engine, n *names) {
	createAndCheck(t, e, n.get("cgi"), CGISpec(), []string{"cgi", search.AllField})
}

// createAndCheck creates the index and reads it back.
func createAndCheck(t *testing.T, e search.Engine, name string, spec search.IndexSpec, fields []string) {
	t.Helper()
	ctx := context.Background()
	if err := e.CreateIndex(ctx, name, spec); err != nil {
		t.Fatalf("CreateIndex(%s): %v", name, err)
	}
	got, err := e.GetIndex(ctx, name)
	if err != nil {
		t.Fatalf("GetIndex(%s): %v", name, err)
	}
	if !JSONEqual(got.Meta, spec.Normalized().Meta) {
		t.Errorf("GetIndex(%s).Meta = %v, want %v", name, got.Meta, spec.Normalized().Meta)
	}
	if _, ok := got.Mapping["_meta"]; ok {
		t.Errorf("GetIndex(%s).Mapping has _meta; it belongs in Meta", name)
	}
	props, _ := got.Mapping["properties"].(map[string]any)
	for _, f := range fields {
		if _, ok := props[f]; !ok {
			t.Errorf("GetIndex(%s).Mapping has no property %q", name, f)
		}
	}
	if info := find(t, e, name); info == nil || info.Docs != 0 {
		t.Errorf("ListIndexes: %s = %+v, want it listed with 0 docs", name, info)
	}
}

func testCreateTwice(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	name := n.get("twice")
	if err := e.CreateIndex(ctx, name, CGISpec()); err != nil {
		t.Fatal(err)
	}
	err := e.CreateIndex(ctx, name, CGISpec())
	if !errors.Is(err, search.ErrIndexExists) {
		t.Fatalf("second CreateIndex(%s) = %v, want ErrIndexExists", name, err)
	}
	if !strings.Contains(err.Error(), name) {
		t.Errorf("error %q does not name the index", err)
	}
}

func testList(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	a, b := n.get("b-list"), n.get("a-list")
	for _, name := range []string{a, b} {
		if err := e.CreateIndex(ctx, name, search.IndexSpec{}); err != nil {
			t.Fatal(err)
		}
	}
	infos, err := e.ListIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []search.IndexInfo
	for _, ix := range infos {
		if strings.HasPrefix(ix.Name, n.prefix) {
			mine = append(mine, ix)
		}
	}
	want := []search.IndexInfo{{Name: b, Docs: 0}, {Name: a, Docs: 0}}
	if !reflect.DeepEqual(mine, want) {
		t.Errorf("ListIndexes (this test's indexes) = %+v, want %+v (sorted by name)", mine, want)
	}
}

func testDelete(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	name := n.get("delete")
	if err := e.CreateIndex(ctx, name, CGISpec()); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteIndex(ctx, name); err != nil {
		t.Fatalf("DeleteIndex(%s): %v", name, err)
	}
	if err := e.DeleteIndex(ctx, name); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("second DeleteIndex(%s) = %v, want ErrIndexNotFound", name, err)
	}
	if _, err := e.GetIndex(ctx, name); !errors.Is(err, search.ErrIndexNotFound) {
		t.Errorf("GetIndex(%s) after delete = %v, want ErrIndexNotFound", name, err)
	}
	if info := find(t, e, name); info != nil {
		t.Errorf("ListIndexes still shows %s after delete", name)
	}
	// The name is free again.
	if err := e.CreateIndex(ctx, name, search.IndexSpec{}); err != nil {
		t.Errorf("CreateIndex(%s) after delete: %v", name, err)
	}
}

func testInvalidNames(t *testing.T, e search.Engine, _ *names) {
	ctx := context.Background()
	for _, name := range []string{
		"", "UPPER", "_underscore", "-dash", ".dot", "..", "has space", "a/b", "a*", "a,b", "a:b",
		"a\\b", "a#b", "é", strings.Repeat("x", search.MaxIndexNameLen+1),
	} {
		ops := map[string]func() error{
			"CreateIndex": func() error { return e.CreateIndex(ctx, name, search.IndexSpec{}) },
			"DeleteIndex": func() error { return e.DeleteIndex(ctx, name) },
			"GetIndex":    func() error { _, err := e.GetIndex(ctx, name); return err },
		}
		for op, f := range ops {
			err := f()
			if !errors.Is(err, search.ErrInvalidName) {
				t.Errorf("%s(%q) = %v, want ErrInvalidName", op, name, err)
				continue
			}
			if name != "" && !strings.Contains(err.Error(), strconv.Quote(name)) {
				t.Errorf("%s(%q): error %q does not name the index", op, name, err)
			}
		}
	}
}

func testInvalidSpecs(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		mapping map[string]any
	}{
		{"properties not an object", map[string]any{"properties": "oops"}},
		{"unknown field type", map[string]any{"properties": map[string]any{
			"drug": map[string]any{"type": "no_such_type"}}}},
		{"field definition not an object", map[string]any{"properties": map[string]any{"drug": "keyword"}}},
		{"undefined analyzer", map[string]any{"properties": map[string]any{
			"drug": map[string]any{"type": "text", "analyzer": "no_such_analyzer"}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := n.get("invalid")
			err := e.CreateIndex(ctx, name, search.IndexSpec{Mapping: c.mapping})
			if !errors.Is(err, search.ErrInvalidSpec) {
				t.Fatalf("CreateIndex with %v = %v, want ErrInvalidSpec", c.mapping, err)
			}
			t.Logf("rejected as expected: %v", err)
			if info := find(t, e, name); info != nil {
				t.Errorf("a rejected index is listed: %+v", info)
			}
		})
	}
}

func testMeta(t *testing.T, e search.Engine, n *names) {
	ctx := context.Background()
	meta := map[string]any{
		"build_version": "20240101",
		"src":           map[string]any{"cgi": map[string]any{"version": "1", "stats": map[string]any{"cgi": 1234.0}}},
		"list":          []any{"a", 1.5, true, nil},
	}
	// Given in the mapping, the ES way: it must come back as Meta.
	name := n.get("meta")
	spec := search.IndexSpec{Mapping: map[string]any{"dynamic": "false", "_meta": meta,
		"properties": map[string]any{"gene": map[string]any{"type": "keyword"}}}}
	if err := e.CreateIndex(ctx, name, spec); err != nil {
		t.Fatal(err)
	}
	got, err := e.GetIndex(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !JSONEqual(got.Meta, meta) {
		t.Errorf("Meta = %v, want %v", got.Meta, meta)
	}
}

func testInfo(t *testing.T, e search.Engine, _ *names) {
	info, err := e.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Backend == "" || info.Version == "" || info.Where == "" {
		t.Errorf("Info = %+v, want backend, version and where", info)
	}
}

// find returns the listed index of that name, or nil.
func find(t *testing.T, e search.Engine, name string) *search.IndexInfo {
	t.Helper()
	infos, err := e.ListIndexes(context.Background())
	if err != nil {
		t.Fatalf("ListIndexes: %v", err)
	}
	for i := range infos {
		if infos[i].Name == name {
			return &infos[i]
		}
	}
	return nil
}

// JSONEqual reports whether a and b are the same JSON value.
func JSONEqual(a, b any) bool {
	norm := func(v any) any {
		data, err := json.Marshal(v)
		if err != nil {
			return err.Error()
		}
		var out any
		_ = json.Unmarshal(data, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
