package bleve

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"studio/internal/search"
	"studio/internal/search/searchtest"
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
