package explorer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/testenv/escluster"
)

// The explorer's requests on a large index and build collection. The size
// is STUDIO_EXPLORER_BENCH_DOCS (default 100000); the numbers in
// docs/explorer.md are for 1000000. The index is Bleve's, or
// Elasticsearch's with STUDIO_EXPLORER_BENCH_ENGINE=elasticsearch (ES_URL,
// else the test cluster of package escluster):
//
//	STUDIO_EXPLORER_BENCH_DOCS=1000000 go test -run '^$' -bench . -benchtime 10x ./internal/domain/explorer/
//
// The fixture is built once (Bleve index and SQLite collection in a
// temporary folder, the Elasticsearch index deleted at the end) and its
// build time logged.

type benchFixture struct {
	api    http.Handler // without a cache
	cached http.Handler // with the explorer's cache
	coll   docstore.Collection
	n      int
	close  func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench != nil {
		bench.close()
	}
	escluster.StopShared()
	os.Exit(code)
}

var (
	benchOnce sync.Once
	bench     *benchFixture
	benchErr  error
)

func benchDocs(b *testing.B) *benchFixture {
	b.Helper()
	benchOnce.Do(func() { bench, benchErr = buildBench(b) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

func benchDoc(i int) map[string]any {
	return map[string]any{
		"gene":     fmt.Sprintf("GENE%d", (i*i)%997%500), // skewed: some genes are frequent
		"drug":     fmt.Sprintf("drug%d", i%50),
		"evidence": int64(i%5 + 1),
		"score":    float64(i%1000) / 10,
		"chrom":    strconv.Itoa(i%22 + 1),
	}
}

func buildBench(b *testing.B) (*benchFixture, error) {
	n := 100_000
	if v := os.Getenv("STUDIO_EXPLORER_BENCH_DOCS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("STUDIO_EXPLORER_BENCH_DOCS=%q: %w", v, err)
		}
	}
	dir, err := os.MkdirTemp("", "explorer-bench-")
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	var eng search.Engine
	index := "bench"
	if os.Getenv("STUDIO_EXPLORER_BENCH_ENGINE") == "elasticsearch" {
		url := os.Getenv("ES_URL")
		if url == "" {
			url = escluster.Shared(b).URL()
		}
		if eng, err = elasticsearch.Open(ctx, url); err != nil {
			return nil, err
		}
		index = fmt.Sprintf("explorer-bench-%d", time.Now().UnixNano())
	} else if eng, err = bleve.Open(filepath.Join(dir, "indexes")); err != nil {
		return nil, err
	}
	store, err := sqlite.Open(filepath.Join(dir, "target.sqlite"))
	if err != nil {
		return nil, err
	}
	kw := map[string]any{"type": "keyword"}
	spec := search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{
		"gene": kw, "drug": kw, "chrom": kw, "evidence": map[string]any{"type": "integer"}, "score": map[string]any{"type": "float"},
	}}, Meta: map[string]any{"biothing_type": "variant"}}
	if err := eng.CreateIndex(ctx, index, spec); err != nil {
		return nil, err
	}
	coll := store.C("bench_build")
	started := time.Now()
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		ops := make([]search.BulkOp, 0, batch)
		docs := make([]docstore.Doc, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			id := fmt.Sprintf("v%07d", i)
			ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: benchDoc(i)})
			d := docstore.Doc(benchDoc(i))
			d["_id"] = id
			docs = append(docs, d)
		}
		if _, err := eng.Bulk(ctx, index, ops); err != nil {
			return nil, err
		}
		if err := coll.Insert(ctx, docs); err != nil {
			return nil, err
		}
		if lo%(20*batch) == 0 {
			b.Logf("loaded %d of %d documents (%s)", lo, n, time.Since(started).Round(time.Second))
		}
	}
	if err := eng.Refresh(ctx, index); err != nil {
		return nil, err
	}
	info, _ := eng.Info(ctx)
	b.Logf("fixture: %d documents in a %s index and a SQLite collection in %s", n, info.Backend, time.Since(started).Round(time.Second))
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := (&APIs{Engine: eng, Log: discard, CacheTTL: -1}).Handler(ctx, index)
	if err != nil {
		return nil, err
	}
	cached, err := (&APIs{Engine: eng, Log: discard}).Handler(ctx, index)
	if err != nil {
		return nil, err
	}
	cleanup := func() {
		_ = eng.DeleteIndex(context.Background(), index)
		_ = eng.Close()
		_ = store.Close()
		_ = os.RemoveAll(dir)
	}
	return &benchFixture{api: h, cached: cached, coll: coll, n: n, close: cleanup}, nil
}

// BenchmarkIndex runs the requests the explorer sends to an index's data
// API, through the dataapi handler, without the network.
func BenchmarkIndex(b *testing.B) {
	f := benchDocs(b)
	for _, bb := range []struct {
		name, path string
		cached     bool
	}{
		{"all", "/v1/query?q=__all__&size=10", false},
		{"all with 3 facets", "/v1/query?q=__all__&size=10&facets=gene,drug,chrom&facet_size=10", false},
		{"all with 3 facets, cached", "/v1/query?q=__all__&size=10&facets=gene,drug,chrom&facet_size=10", true},
		{"term with facets", "/v1/query?q=gene:GENE7&size=10&facets=drug,chrom", false},
		{"two facet filters", "/v1/query?q=gene:GENE7%20AND%20drug:drug7&size=10&facets=chrom", false},
		{"deep page", "/v1/query?q=__all__&from=9000&size=50", false},
		{"range", "/v1/query?q=score:[10%20TO%2020]&size=10", false},
		{"a document", "/v1/variant/v0123456", false},
	} {
		b.Run(bb.name, func(b *testing.B) {
			h := f.api
			if bb.cached { // the first answer fills the cache
				h = f.cached
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", bb.path, nil))
			}
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", bb.path, nil))
				if rec.Code != 200 && !(rec.Code == 404 && f.n <= 123456) {
					b.Fatalf("GET %s = %d %s", bb.path, rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkBuild runs the explorer's reads of a build collection with no
// index: keyset pages, an id lookup, and a filter (a capped scan).
func BenchmarkBuild(b *testing.B) {
	f := benchDocs(b)
	ctx := context.Background()
	mid := fmt.Sprintf("v%07d", f.n/2)
	for _, bb := range []struct {
		name string
		req  PageRequest
	}{
		{"first page", PageRequest{Size: 20}},
		{"page in the middle", PageRequest{Size: 20, After: mid}},
		{"an id", PageRequest{ID: mid}},
		{"a filter", PageRequest{Size: 20, Filter: map[string]any{"drug": "drug7"}}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ReadPage(ctx, f.coll, bb.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
