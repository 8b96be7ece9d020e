package benchkit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// WorkDir is the folder a benchmark works in: dir, made when missing, or
// when dir is "" a new temporary folder named after the program. The
// returned cleanup removes a temporary folder and leaves a given one.
func WorkDir(dir, program string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("working folder: %w", err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", program+"-")
	if err != nil {
		return "", nil, fmt.Errorf("working folder: %w", err)
	}
	return tmp, func() { _ = os.RemoveAll(tmp) }, nil
}

// StartCPUProfile starts a CPU profile written to path and returns the
// function that stops it and closes the file; with path "" it profiles
// nothing and stop does nothing.
func StartCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// RepoRoot is the repository's root: the nearest folder at or above the
// working folder that holds go.mod.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working folder: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working folder " + wd + ": run the benchmark from the repository")
		}
		dir = parent
	}
}
