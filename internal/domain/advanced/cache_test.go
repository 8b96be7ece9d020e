package advanced

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// copyDir copies the regular files of src into a new folder.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestDescribeRemembered: a second Describe of unchanged files reads the
// cache (and gives the same manifest), a changed file is described afresh,
// a failure is not remembered.
func TestDescribeRemembered(t *testing.T) {
	cache := t.TempDir()
	old := cacheDir
	cacheDir = func() (string, error) { return cache, nil }
	t.Cleanup(func() { cacheDir = old })
	dir := copyDir(t, filepath.Join("..", "pyparser", "testdata", "advanced", "pharmgkb"))
	ctx := context.Background()

	fresh, err := describe(ctx, dir, "pharmgkb", "")
	if err != nil {
		t.Fatal(err)
	}
	first, err := Describe(ctx, dir, "pharmgkb", "")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v, want one description", files)
	}
	// The cache is what is read now: make it say something else.
	b, _ := os.ReadFile(files[0])
	if err := os.WriteFile(files[0], []byte(strings.Replace(string(b), "annotations.zip", "cached.zip", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := Describe(ctx, dir, "pharmgkb", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(second.Dumper.DataURLs, " "), "cached.zip") {
		t.Fatalf("the second Describe did not read the cache: %v", second.Dumper.DataURLs)
	}
	second.Dumper.DataURLs = first.Dumper.DataURLs
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(fresh, first) {
		t.Fatalf("a remembered description differs:\nfresh  %+v\nfirst  %+v\nsecond %+v", fresh, first, second)
	}

	// A changed file: described again.
	dump := filepath.Join(dir, "dump.py")
	b, _ = os.ReadFile(dump)
	if err := os.WriteFile(dump, []byte(strings.Replace(string(b), "occurrences.zip", "occurrences2.zip", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := Describe(ctx, dir, "pharmgkb", "")
	if err != nil {
		t.Fatal(err)
	}
	if urls := strings.Join(third.Dumper.DataURLs, " "); !strings.Contains(urls, "occurrences2.zip") || strings.Contains(urls, "cached.zip") {
		t.Fatalf("after dump.py changed: %v", third.Dumper.DataURLs)
	}

	// A failure is not remembered.
	if err := os.WriteFile(filepath.Join(dir, "__init__.py"), []byte("import no_such_module_here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := Describe(ctx, dir, "pharmgkb", ""); err == nil || !strings.Contains(err.Error(), "no_such_module_here") {
			t.Fatalf("Describe of a broken package: %v", err)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(cache, "*.json")); len(files) != 2 {
		t.Fatalf("cache holds %d descriptions, want 2 (the failure not among them)", len(files))
	}
}
