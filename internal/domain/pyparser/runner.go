package pyparser

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
)

// runnerFiles is the Python side: the runner script and Studio's biothings
// package. Globs (not a directory pattern) so that __init__.py is included
// and stray __pycache__ folders are not.
//
//go:embed runner/*.py runner/biothings/*.py runner/biothings/*/*.py runner/biothings/*/*/*.py
var runnerFiles embed.FS

// runnerScript is the runner's file name inside the runner folder.
const runnerScript = "studio_runner.py"

var (
	runnerOnce sync.Once
	runnerDir  string
	runnerErr  error
)

// RunnerDir returns the folder holding studio_runner.py and the biothings
// package, writing it on first use. It is a cache folder keyed by the
// content hash, so concurrent processes share it and a new binary never
// uses stale scripts.
func RunnerDir() (string, error) {
	runnerOnce.Do(func() { runnerDir, runnerErr = writeRunner() })
	return runnerDir, runnerErr
}

func runnerHash() (string, []string, error) {
	var names []string
	err := fs.WalkDir(runnerFiles, "runner", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := runnerFiles.ReadFile(n)
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], names, nil
}

func cacheBase() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "studio", "pyrunner")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("studio-pyrunner-%d", os.Getuid()))
}

func writeRunner() (string, error) {
	sum, names, err := runnerHash()
	if err != nil {
		return "", fmt.Errorf("python runner: reading embedded files: %w", err)
	}
	base := cacheBase()
	dir := filepath.Join(base, sum)
	if _, err := os.Stat(filepath.Join(dir, runnerScript)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("python runner: creating cache folder %s: %w (set XDG_CACHE_HOME to a writable folder)", base, err)
	}
	tmp, err := os.MkdirTemp(base, "tmp-")
	if err != nil {
		return "", fmt.Errorf("python runner: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, n := range names {
		b, _ := runnerFiles.ReadFile(n)
		rel := filepath.FromSlash(path.Clean(n[len("runner/"):]))
		dst := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return "", fmt.Errorf("python runner: %w", err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			return "", fmt.Errorf("python runner: writing %s: %w", dst, err)
		}
	}
	// The rename publishes the whole tree at once; losing the race to a
	// concurrent process is fine, its copy is identical.
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, runnerScript)); serr != nil {
			return "", fmt.Errorf("python runner: installing into %s: %w", dir, err)
		}
	}
	return dir, nil
}

// pycachePrefix keeps compiled bytecode out of plugin folders (which are
// often git checkouts).
func pycachePrefix() string {
	return filepath.Join(cacheBase(), "pycache")
}
