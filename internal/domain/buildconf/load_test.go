package buildconf_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"studio/internal/domain/buildconf"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func TestLoad(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.C(hub.SrcBuildConfig).Insert(ctx, []docstore.Doc{
		{"_id": "default", "name": "default", "sources": []any{"a", "b"}, "root": []any{"a"}},
		{"_id": "bad", "sources": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := buildconf.Load(ctx, st, "default")
	if err != nil || !slices.Equal(c.Sources, []string{"a", "b"}) || !slices.Equal(c.Root, []string{"a"}) {
		t.Fatalf("Load(default) = %+v, %v", c, err)
	}
	if _, err := buildconf.Load(ctx, st, "missing"); !errors.Is(err, docstore.ErrNotFound) || !strings.Contains(err.Error(), `build configuration "missing"`) {
		t.Errorf("Load(missing) error = %v, want ErrNotFound naming it", err)
	}
	if _, err := buildconf.Load(ctx, st, "bad"); err == nil || !strings.Contains(err.Error(), `build configuration "bad"`) {
		t.Errorf("Load(bad) error = %v, want one naming it", err)
	}
}
