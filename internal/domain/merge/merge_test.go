package merge

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func TestRoots(t *testing.T) {
	tests := []struct {
		name         string
		sources      []string
		root         []string
		wantRoot     []string
		wantOthers   []string
		errSubstring string
	}{
		{"empty root means all", []string{"a", "b"}, nil, []string{"a", "b"}, nil, ""},
		{"named root", []string{"a", "b", "c"}, []string{"b"}, []string{"b"}, []string{"a", "c"}, ""},
		{"all but x", []string{"a", "b", "c"}, []string{"!b"}, []string{"a", "c"}, []string{"b"}, ""},
		{"unknown root", []string{"a"}, []string{"z"}, nil, nil, `root "z" names no source`},
		{"mixed forms", []string{"a", "b"}, []string{"a", "!b"}, nil, nil, "mixes"},
		{"no root left", []string{"a"}, []string{"!a"}, nil, nil, "no root source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, others, err := Config{Sources: tc.sources, Root: tc.root}.Roots()
			if tc.errSubstring != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSubstring) {
					t.Fatalf("err = %v, want %q", err, tc.errSubstring)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(root, tc.wantRoot) || !reflect.DeepEqual(others, tc.wantOthers) {
				t.Fatalf("Roots = %v, %v, %v; want %v, %v", root, others, err, tc.wantRoot, tc.wantOthers)
			}
		})
	}
}

func fill(t *testing.T, c docstore.Collection, docs ...docstore.Doc) {
	t.Helper()
	if err := c.Insert(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
}

// TestTwoSourceBuild merges a root source and a non-root one, with small
// batches so that several writes happen, and checks every document.
func TestTwoSourceBuild(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var genes, variants []docstore.Doc
	for i := range 25 {
		genes = append(genes, docstore.Doc{"_id": fmt.Sprintf("g%02d", i), "gene": map[string]any{"n": int64(i)}, "shared": "from genes"})
	}
	for i := 20; i < 30; i++ {
		variants = append(variants, docstore.Doc{"_id": fmt.Sprintf("g%02d", i), "variant": "v", "shared": "from variants"})
	}
	fill(t, db.C("genes"), genes...)
	fill(t, db.C("variants"), variants...)
	target := db.C("build")

	root, others, err := Config{Sources: []string{"genes", "variants"}, Root: []string{"!variants"}}.Roots()
	if err != nil || len(root) != 1 || len(others) != 1 {
		t.Fatal(root, others, err)
	}
	st, err := Source(ctx, db.C("genes"), target, Options{Root: true, Batch: 4, CreateNew: true})
	if err != nil || st.Created != 25 || st.Read != 25 {
		t.Fatalf("root merge: %+v %v", st, err)
	}
	st, err = Source(ctx, db.C("variants"), target, Options{Root: false, Batch: 3})
	if err != nil || st.Updated != 5 || st.Skipped != 5 || st.Created != 0 {
		t.Fatalf("non-root merge: %+v %v", st, err)
	}
	n, _ := target.Count(ctx)
	if n != 25 {
		t.Fatalf("target has %d documents, want 25 (non-root sources create none)", n)
	}
	for i := range 25 {
		id := fmt.Sprintf("g%02d", i)
		got, err := target.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := docstore.Doc{"_id": id, "gene": map[string]any{"n": int64(i)}, "shared": "from genes"}
		if i >= 20 {
			want["variant"], want["shared"] = "v", "from variants" // the later source wins
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", id, got, want)
		}
	}

	// Resuming after an _id merges only what follows it.
	st, err = Source(ctx, db.C("genes"), db.C("resumed"), Options{Root: true, After: "g19"})
	if err != nil || st.Read != 5 || st.LastID != "g24" {
		t.Fatalf("resumed merge: %+v %v", st, err)
	}
}

func TestMappings(t *testing.T) {
	got, err := Mappings([]string{"a", "b"}, map[string]map[string]any{
		"a": {"properties": map[string]any{"x": map[string]any{"type": "keyword"}, "y": map[string]any{"type": "text"}}},
		"b": {"y": map[string]any{"type": "integer"}},
	})
	want := map[string]any{"x": map[string]any{"type": "keyword"}, "y": map[string]any{"type": "integer"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Mappings = %v, %v", got, err)
	}
	if _, err := Mappings([]string{"a", "c"}, map[string]map[string]any{"a": {}}); err == nil || !strings.Contains(err.Error(), "source c has no registered mapping") {
		t.Fatalf("missing mapping: %v", err)
	}
}

// TestFirstSourceResumedOverWrittenBatches resumes the first root source
// after a crash that wrote batches past the last recorded progress: those
// batches are refused as duplicates by the plain inserts and written again,
// and the target ends with every document once.
func TestFirstSourceResumedOverWrittenBatches(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src, target := db.C("genes"), db.C("build")
	var docs []docstore.Doc
	for i := range 10 {
		docs = append(docs, docstore.Doc{"_id": fmt.Sprintf("g%02d", i), "n": int64(i)})
	}
	fill(t, src, docs...)
	// The crashed attempt wrote g00..g06 (part of a batch included) but
	// recorded progress only up to g01.
	fill(t, target, docs[:7]...)
	st, err := Source(ctx, src, target, Options{Root: true, Batch: 4, CreateNew: true, After: "g01"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Read != 8 || st.Created != 8 || st.LastID != "g09" {
		t.Fatalf("stats = %+v, want 8 read and created, last g09", st)
	}
	n, err := target.Count(ctx)
	if err != nil || n != 10 {
		t.Fatalf("target holds %d documents (%v), want 10", n, err)
	}
}
