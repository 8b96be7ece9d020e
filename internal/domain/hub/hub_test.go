package hub_test

import (
	"context"
	"path/filepath"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func openHub(t *testing.T) docstore.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestKnownSources(t *testing.T) {
	ctx := context.Background()
	st := openHub(t)
	known, err := hub.KnownSources(ctx, st)
	if err != nil || len(known) != 0 {
		t.Fatalf("empty hub: %v, %v", known, err)
	}
	err = st.C(hub.SrcMaster).Insert(ctx, []docstore.Doc{
		{"_id": "mapped", "mapping": map[string]any{"a": map[string]any{"type": "keyword"}}},
		{"_id": "bare"},
		{"_id": "empty", "mapping": map[string]any{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	known, err = hub.KnownSources(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"mapped": true, "bare": false, "empty": false}
	if len(known) != len(want) {
		t.Fatalf("KnownSources = %v, want %v", known, want)
	}
	for k, v := range want {
		if got, ok := known[k]; !ok || got != v {
			t.Errorf("KnownSources[%q] = %v, %v; want %v", k, got, ok, v)
		}
	}
}
