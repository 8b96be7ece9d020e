package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"studio/internal/domain/dataapi"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/engine/search/searchtest"
	"studio/internal/testsupport/testenv"
	"studio/internal/testsupport/testenv/escluster"
)

// TestBiothingsClient runs the BioThings Python client from PyPI
// (biothings_client 0.5.1, in the reference interpreter `make pyref`
// makes), unchanged, against a data API on the 100 mygene documents, on
// Bleve and on the Elasticsearch test cluster.
func TestBiothingsClient(t *testing.T) {
	python := testenv.Pyref(t)
	docs := searchtest.MyGeneDocs(t)
	spec := searchtest.MyGeneSpec(t)
	spec.Meta = map[string]any{"biothing_type": "gene", "build_version": "20261127", "build_date": "2026-11-27T00:00:00Z",
		"src": map[string]any{"entrez": map[string]any{"version": "2026-11-01"}}, "stats": map[string]any{"total": int64(len(docs))}}
	engines := map[string]func(t *testing.T) search.Engine{
		"bleve": func(t *testing.T) search.Engine {
			eng, err := bleve.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { eng.Close() })
			return eng
		},
		"elasticsearch": func(t *testing.T) search.Engine {
			url := os.Getenv("ES_URL")
			if url == "" {
				url = escluster.Shared(t).URL()
			}
			eng, err := elasticsearch.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			return eng
		},
	}
	for _, backend := range []string{"bleve", "elasticsearch"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			eng := engines[backend](t)
			index := "client-" + backend
			_ = eng.DeleteIndex(ctx, index)
			if err := eng.CreateIndex(ctx, index, spec); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = eng.DeleteIndex(context.Background(), index) })
			ops := make([]search.BulkOp, len(docs))
			for i, d := range docs {
				ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: d.Src}
			}
			if _, err := eng.Bulk(ctx, index, ops); err != nil {
				t.Fatal(err)
			}
			if err := eng.Refresh(ctx, index); err != nil {
				t.Fatal(err)
			}
			h, err := dataapi.New(dataapi.Config{Engine: eng, Index: index})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			cmd := exec.Command(python, filepath.Join(testenv.RepoRoot(t), "e2e", "testdata", "biothings_client_check.py"), srv.URL+"/v1")
			out, err := cmd.CombinedOutput()
			t.Logf("%s", out)
			if err != nil {
				t.Fatalf("biothings_client against the data API: %v", err)
			}
		})
	}
}
