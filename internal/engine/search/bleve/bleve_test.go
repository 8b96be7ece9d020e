package bleve

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/internal/engine/search"
	"studio/internal/engine/search/searchtest"
)

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Engine {
		e, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return e
	})
}

func TestReopenKeepsDefinition(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	spec := searchtest.CGISpec()
	if err := e.CreateIndex(ctx, "cgi_1", spec); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ListIndexes(ctx); err == nil {
		t.Error("ListIndexes after Close succeeded, want an error")
	}

	e, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got, err := e.GetIndex(ctx, "cgi_1")
	if err != nil {
		t.Fatal(err)
	}
	if !searchtest.JSONEqual(got.Meta, spec.Meta) {
		t.Errorf("Meta after reopen = %v, want %v", got.Meta, spec.Meta)
	}
	if !searchtest.JSONEqual(got.Mapping, spec.Mapping) || !searchtest.JSONEqual(got.Settings, spec.Settings) {
		t.Errorf("definition after reopen differs:\n got %v\nwant %v", got, spec)
	}
	infos, err := e.ListIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0] != (search.IndexInfo{Name: "cgi_1"}) {
		t.Errorf("ListIndexes after reopen = %+v", infos)
	}
}

func TestOpenSkipsLitterAndForeignFolders(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{".deleting-x-1234", "not-an-index", "Upper"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	infos, err := e.ListIndexes(context.Background())
	if err != nil || len(infos) != 0 {
		t.Errorf("ListIndexes = %v, %v; want no index", infos, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".deleting-x-1234")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the leftover of a delete was not removed: %v", err)
	}
	// A foreign folder under an index name is not overwritten.
	err = e.CreateIndex(context.Background(), "not-an-index", search.IndexSpec{})
	if !errors.Is(err, search.ErrIndexExists) || !strings.Contains(err.Error(), "not an index") {
		t.Errorf("CreateIndex over a foreign folder = %v, want ErrIndexExists saying so", err)
	}
}

func TestRejectedIndexLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	spec := search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{"x": map[string]any{"type": "geo_shape"}}}}
	if err := e.CreateIndex(context.Background(), "bad", spec); !errors.Is(err, search.ErrInvalidSpec) {
		t.Fatalf("CreateIndex = %v, want ErrInvalidSpec", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("the index folder holds %d entries after a rejected create, want 0", len(entries))
	}
}

func TestInfo(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info, err := e.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Backend != "bleve" || info.Where != dir || !strings.HasPrefix(info.Version, "v2") {
		t.Errorf("Info = %+v", info)
	}
}

func TestVersionsAndAliasesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateIndex(ctx, "cgi_1", searchtest.CGISpec()); err != nil {
		t.Fatal(err)
	}
	op := search.BulkOp{Kind: search.BulkIndex, ID: "a", Doc: map[string]any{"cgi": map[string]any{"gene": "BRAF"}}}
	for range 2 {
		if _, err := e.Bulk(ctx, "cgi_1", []search.BulkOp{op}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.PutAlias(ctx, "cgi_1", "cgi"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Bulk(ctx, "cgi", []search.BulkOp{op}); err != nil {
		t.Fatal(err)
	}
	h, err := e.Get(ctx, "cgi", "a")
	if err != nil || h.Version != 3 {
		t.Errorf("Get through the alias after reopen = version %d, %v; want 3", h.Version, err)
	}
	n, err := e.Count(ctx, "cgi", search.QueryString{Query: "braf"})
	if err != nil || n != 1 {
		t.Errorf("Count(braf) = %d, %v; want 1 (copy_to all)", n, err)
	}
}

func TestScrollExpires(t *testing.T) {
	ctx := context.Background()
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateIndex(ctx, "x", search.IndexSpec{}); err != nil {
		t.Fatal(err)
	}
	var ops []search.BulkOp
	for _, id := range []string{"1", "2", "3"} {
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: map[string]any{"n": int64(1)}})
	}
	if _, err := e.Bulk(ctx, "x", ops); err != nil {
		t.Fatal(err)
	}
	res, err := e.Search(ctx, "x", search.SearchRequest{Size: 1, Scroll: 20 * time.Millisecond})
	if err != nil || res.ScrollID == "" {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := e.ScrollNext(ctx, res.ScrollID); !errors.Is(err, search.ErrBadScrollID) {
		t.Errorf("ScrollNext after the keep-alive = %v, want ErrBadScrollID", err)
	}
	// Deleting the index ends its scrolls.
	res, _ = e.Search(ctx, "x", search.SearchRequest{Size: 1, Scroll: time.Minute})
	if err := e.DeleteIndex(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ScrollNext(ctx, res.ScrollID); !errors.Is(err, search.ErrBadScrollID) {
		t.Errorf("ScrollNext after DeleteIndex = %v, want ErrBadScrollID", err)
	}
}

// TestMultiMatchRefused: Bleve has no Elasticsearch analyzers, so a
// search.MultiMatch is a bad query, not a silent other match.
func TestMultiMatchRefused(t *testing.T) {
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if err := e.CreateIndex(ctx, "mm", search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{"symbol": map[string]any{"type": "keyword"}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Search(ctx, "mm", search.SearchRequest{Query: search.MultiMatch{Query: "cdk2", Fields: []string{"symbol"}, Analyzer: "standard"}})
	var qe *search.QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Reason, "Bleve") {
		t.Fatalf("err = %v, want a QueryError naming Bleve", err)
	}
}
