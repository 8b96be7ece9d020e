package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"studio/internal/dataapi"
	"studio/internal/search"
	"studio/internal/search/bleve"
	"studio/internal/search/searchtest"
	"studio/internal/testenv"
)

// TestBiothingsClient runs the BioThings Python client, unchanged, against
// a data API on the 100 mygene documents. The client's source is not part
// of this repository and PyPI is out of reach, so the test runs only when
// STUDIO_BIOTHINGS_CLIENT names a checkout of biothings_client.py (and
// python3 has httpx); see the README's testing section.
func TestBiothingsClient(t *testing.T) {
	clientDir := os.Getenv("STUDIO_BIOTHINGS_CLIENT")
	if clientDir == "" {
		t.Skip("STUDIO_BIOTHINGS_CLIENT is not set: point it at a checkout of github.com/biothings/biothings_client.py to run the client against the data API")
	}
	python := os.Getenv("STUDIO_PYTHON")
	if python == "" {
		python = "python3"
	}
	docs := searchtest.MyGeneDocs(t)
	spec := searchtest.MyGeneSpec(t)
	spec.Meta = map[string]any{"biothing_type": "gene", "build_version": "20261127", "build_date": "2026-11-27T00:00:00Z",
		"src": map[string]any{"entrez": map[string]any{"version": "2026-11-01"}}, "stats": map[string]any{"total": int64(len(docs))}}
	ctx := context.Background()
	eng, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := eng.CreateIndex(ctx, "mygene", spec); err != nil {
		t.Fatal(err)
	}
	ops := make([]search.BulkOp, len(docs))
	for i, d := range docs {
		ops[i] = search.BulkOp{Kind: search.BulkIndex, ID: d.ID, Doc: d.Src}
	}
	if _, err := eng.Bulk(ctx, "mygene", ops); err != nil {
		t.Fatal(err)
	}
	if err := eng.Refresh(ctx, "mygene"); err != nil {
		t.Fatal(err)
	}
	h, err := dataapi.New(dataapi.Config{Engine: eng, Index: "mygene"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	cmd := exec.Command(python, filepath.Join(testenv.RepoRoot(t), "e2e", "testdata", "biothings_client_check.py"), srv.URL+"/v1")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+clientDir)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("biothings_client against the data API: %v", err)
	}
}
