package plugingen

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore/sqlite"
)

// TestSave writes a plan's plugin, again under the same folder, and
// refuses a name registered from elsewhere, writing nothing.
func TestSave(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := sampleOf(t, "genes.tsv", []byte("gene\tscore\nG1\t1\nG2\t2\n"), Limits{})
	plan, err := MakePlan(ctx, s, &Options{Name: "genes"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	gen := t.TempDir()
	dir := filepath.Join(gen, "genes")
	w, err := Save(ctx, st, dir, plan)
	if err != nil || !w.Changed || len(w.Commit) != 40 {
		t.Fatalf("Save = %+v, %v", w, err)
	}
	// Registered from this folder, it is saved again: no change, no commit.
	r := hub.Records{Store: st}
	if err := r.SetPlugin(ctx, "genes", hub.PluginInfo{URL: dir + "/"}, hub.PluginManifest{}); err != nil {
		t.Fatal(err)
	}
	if again, err := Save(ctx, st, dir, plan); err != nil || again.Changed || again.Commit != w.Commit {
		t.Fatalf("Save again = %+v, %v; want the same commit", again, err)
	}
	// Registered from elsewhere, the name is taken.
	if err := r.SetPlugin(ctx, "genes", hub.PluginInfo{URL: "https://github.com/x/genes.git"}, hub.PluginManifest{}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "genes")
	_, err = Save(ctx, st, other, plan)
	var taken *TakenError
	if !errors.As(err, &taken) || err.Error() != `a source named "genes" is already registered from https://github.com/x/genes.git: choose another name` {
		t.Fatalf("Save of a taken name = %v", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("Save of a taken name wrote %s: %v", other, err)
	}
}
