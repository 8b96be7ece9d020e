package archive

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract feeds arbitrary zip and tar.gz bytes to Extract: it must never
// panic, never write outside the release folder, and on success report only
// regular files inside it.
func FuzzExtract(f *testing.F) {
	f.Add(buildZip(f, []member{{name: "a/b.txt", body: "hello"}, {name: "../x", body: "y"}}), true)
	f.Add(gz(f, buildTar(f, []member{{name: "a/", kind: '5'}, {name: "a/b.txt", body: "hello"}, {name: "l", kind: '1', link: "a/b.txt"}})), false)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		sandbox := t.TempDir()
		name := "fuzz.tar.gz"
		if isZip {
			name = "fuzz.zip"
		}
		arc := filepath.Join(sandbox, name)
		if err := os.WriteFile(arc, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(sandbox, "release")
		files, err := Extract(context.Background(), arc, dest, Limits{MaxBytes: 1 << 20, MaxFiles: 50})
		// Only the archive and the release folder may exist in the sandbox.
		entries, rerr := os.ReadDir(sandbox)
		if rerr != nil {
			t.Fatal(rerr)
		}
		for _, e := range entries {
			if e.Name() != name && e.Name() != "release" {
				t.Fatalf("Extract wrote %q outside the release folder", e.Name())
			}
		}
		filepath.WalkDir(dest, func(p string, d fs.DirEntry, werr error) error {
			if werr != nil {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				t.Fatalf("Extract created a symbolic link %s", p)
			}
			if err == nil && strings.Contains(d.Name(), ".part-") {
				t.Fatalf("temporary file left behind: %s", p)
			}
			return nil
		})
		if err != nil {
			return
		}
		for _, rel := range files {
			if strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "../") || rel == ".." {
				t.Fatalf("reported file %q is outside the release folder", rel)
			}
			st, serr := os.Lstat(filepath.Join(dest, filepath.FromSlash(rel)))
			if serr != nil || !st.Mode().IsRegular() {
				t.Fatalf("reported file %q is not a regular file: %v", rel, serr)
			}
		}
	})
}
