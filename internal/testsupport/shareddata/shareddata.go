// Package shareddata locates, for tests, the repository root and the shared
// test data (../shared/data beside the repository, or $STUDIO_SHARED_DATA).
// It imports nothing heavy, so any package's tests may use it.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// Path returns a path under the shared test data folder, skipping the test
// with a clear message when it is absent.
func Path(t testing.TB, parts ...string) string {
	t.Helper()
	base := os.Getenv("STUDIO_SHARED_DATA")
	if base == "" {
		base = filepath.Join(RepoRoot(t), "..", "shared", "data")
	}
	p := filepath.Join(append([]string{base}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s is absent (set STUDIO_SHARED_DATA to the data folder): %v", p, err)
	}
	return p
}
