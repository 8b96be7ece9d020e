package tableparse

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"studio/internal/testsupport/shareddata"
)

// sharedData is the shared test data folder (see package shareddata).
func sharedData(t testing.TB) string { return shareddata.Path(t) }

// mustSpec parses a spec written as JSON, failing the test on any problem.
func mustSpec(t testing.TB, js string) *Spec {
	t.Helper()
	s, err := ParseSpec(rawSpec(t, js))
	if err != nil {
		t.Fatalf("ParseSpec: %v", err)
	}
	return s
}

func rawSpec(t testing.TB, js string) map[string]any {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatalf("bad test spec %s: %v", js, err)
	}
	return raw
}

// writeFiles writes name -> content into a new temporary folder.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// collect runs a spec over a folder and returns the documents emitted.
func collect(t testing.TB, s *Spec, dir string, opts Options) ([]map[string]any, Stats, error) {
	t.Helper()
	var docs []map[string]any
	st, err := Run(context.Background(), s, dir, opts, func(d map[string]any) error {
		docs = append(docs, d)
		return nil
	})
	return docs, st, err
}

// docsJSON decodes the expected documents, written as JSON, with integers
// as int64 as Run produces them.
func docsJSON(t testing.TB, js string) []map[string]any {
	t.Helper()
	if js == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("bad expected docs %s: %v", js, err)
	}
	var out []map[string]any
	for _, d := range raw {
		n, err := normalizeSpecValue(d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n.(map[string]any))
	}
	return out
}

func sameDocs(t testing.TB, got, want []map[string]any) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("documents differ\n got: %s\nwant: %s", g, w)
	}
}
