package advanced

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
)

// cacheDir holds the described manifests of advanced plugins, one file per
// cache key; a variable so that tests can point it elsewhere.
var cacheDir = func() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "studio", "advanced"), nil
}

// Describe imports the advanced plugin in dir as the package name and
// returns the manifest its classes amount to; python is the interpreter
// ("" = python3). It is remembered: importing a plugin's package
// starts Python and may import heavy modules (pandas), which every dump and
// upload step would otherwise pay again. The key covers every file of the
// plugin folder (but .git), the plugin's name, the interpreter and the
// runner's code, so any change describes the plugin afresh. Failures are
// not remembered; a cache that cannot be read or written is ignored.
func Describe(ctx context.Context, dir, name, python string) (*manifest.Manifest, error) {
	key, err := cacheKey(dir, name, python)
	if err == nil {
		if m, ok := readCached(key); ok {
			return m, nil
		}
	}
	m, derr := describe(ctx, dir, name, python)
	if derr == nil && err == nil {
		writeCached(key, m)
	}
	return m, derr
}

// cacheKey hashes what a description depends on.
func cacheKey(dir, name, python string) (string, error) {
	runner, err := pyparser.RunnerDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", name, python, runner)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", rel)
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readCached(key string) (*manifest.Manifest, bool) {
	d, err := cacheDir()
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(d, key+".json"))
	if err != nil {
		return nil, false
	}
	var m manifest.Manifest
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	return &m, true
}

// writeCached stores m under key, atomically (by rename), so concurrent
// workers never read half a file.
func writeCached(key string, m *manifest.Manifest) {
	d, err := cacheDir()
	if err != nil {
		return
	}
	b, err := json.Marshal(m)
	if err != nil || os.MkdirAll(d, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(d, key+".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(d, key+".json")) != nil {
		_ = os.Remove(tmp.Name())
	}
}
