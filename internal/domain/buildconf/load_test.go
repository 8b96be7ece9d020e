package buildconf_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"studio/internal/domain/buildconf"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search/bleve"
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

// TestSave saves configurations in each mode: the stored record is the
// configuration's JSON with its _id and updated_at; what Validate, the
// search engine or the mode refuses is not stored.
func TestSave(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := (hub.Records{Store: st}).SubUploaded(ctx, hub.Master{ID: "cgi", Name: "cgi", Mapping: map[string]any{"g": map[string]any{"type": "keyword"}}}); err != nil {
		t.Fatal(err)
	}
	conf := func(name string) buildconf.Config {
		return buildconf.Config{Name: name, DocType: "variant", Sources: []string{"cgi"}, NumShards: 2}
	}
	grams := conf("grams")
	grams.ExtraIndexSettings = buildconf.IndexSettings{"analysis": map[string]any{"tokenizer": map[string]any{"g": map[string]any{"type": "edge_ngram"}}}}
	unknown := conf("unknown")
	unknown.Sources = []string{"nope"}
	for _, tc := range []struct {
		name string
		conf buildconf.Config
		mode buildconf.SaveMode
		err  func(error) bool
	}{
		{"create", conf("c1"), buildconf.Create, nil},
		{"create again", conf("c1"), buildconf.Create, func(err error) bool { return errors.Is(err, buildconf.ErrExists) }},
		{"replace", conf("c1"), buildconf.Replace, nil},
		{"replace a missing one", conf("c2"), buildconf.Replace, func(err error) bool { return errors.Is(err, docstore.ErrNotFound) }},
		{"unknown source", unknown, buildconf.Create, func(err error) bool {
			var bad *buildconf.InvalidError
			return errors.As(err, &bad) && strings.Contains(err.Error(), `source "nope" is unknown`)
		}},
		{"settings the engine refuses", grams, buildconf.Create, func(err error) bool {
			var bad *buildconf.InvalidError
			return errors.As(err, &bad) && strings.HasPrefix(err.Error(), "extra_index_settings: ")
		}},
	} {
		rec, err := buildconf.Save(ctx, st, eng, tc.conf, tc.mode)
		if tc.err != nil {
			if !tc.err(err) {
				t.Errorf("%s: Save = %v", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		stored, err := st.C(hub.SrcBuildConfig).Get(ctx, tc.conf.Name)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(stored)
		answered, _ := json.Marshal(rec)
		want := `{"_id":"c1","doc_type":"variant","name":"c1","num_shards":2,"sources":["cgi"],"updated_at":"` + rec.UpdatedAt + `"}`
		if string(got) != want || string(answered) != want || rec.UpdatedAt == "" {
			t.Errorf("%s: stored %s, answered %s; want %s", tc.name, got, answered, want)
		}
	}
	if confs, err := (hub.Records{Store: st}).BuildConfigs(ctx); err != nil || len(confs) != 1 {
		t.Errorf("stored configurations: %v, %v; want c1 only", confs, err)
	}
}
