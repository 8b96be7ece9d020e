package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"studio/internal/bench/benchkit"
)

// pluginSource is where the tutorial's CGI plugin was found.
type pluginSource struct {
	Where  string // the folder or repository given
	Ref    string // branch, for a repository
	Sub    string // folder of the plugin inside the repository ("" = its root)
	Commit string // commit, for a repository
}

func (p pluginSource) String() string {
	switch {
	case p.Ref != "" && p.Sub != "":
		return fmt.Sprintf("%s (%s:%s, commit %s)", p.Where, p.Ref, p.Sub, shortCommit(p.Commit))
	case p.Ref != "":
		return fmt.Sprintf("%s (%s, commit %s)", p.Where, p.Ref, shortCommit(p.Commit))
	case p.Commit != "":
		return fmt.Sprintf("%s (work tree at commit %s)", p.Where, shortCommit(p.Commit))
	}
	return p.Where
}

// errNoPlugin says no candidate held the plugin; the benchmark then skips.
var errNoPlugin = errors.New("no CGI plugin")

// findCGIPlugin looks for the tutorial's CGI plugin in each candidate, in
// order: a plugin folder (a manifest beside a parser reading the CGI
// file), or a git repository whose branches are searched for one. The
// first found wins; the report of each miss is returned with errNoPlugin.
func findCGIPlugin(candidates []string) (pluginSource, error) {
	var misses []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		src, err := lookIn(c)
		if err == nil {
			return src, nil
		}
		misses = append(misses, err.Error())
	}
	return pluginSource{}, fmt.Errorf("%w: %s", errNoPlugin, strings.Join(misses, "; "))
}

func lookIn(where string) (pluginSource, error) {
	if _, err := os.Stat(where); err != nil {
		return pluginSource{}, fmt.Errorf("%s: %w", where, err)
	}
	if isCGIPluginDir(where) {
		src := pluginSource{Where: where}
		if _, err := os.Stat(filepath.Join(where, ".git")); err == nil {
			if commit, err := git(where, "rev-parse", "HEAD"); err == nil {
				src.Commit = strings.TrimSpace(commit)
			}
		}
		return src, nil
	}
	if _, err := git(where, "rev-parse", "--git-dir"); err != nil {
		return pluginSource{}, fmt.Errorf("%s holds no manifest with a parser reading %s, and is no git repository", where, benchkit.CGIFile)
	}
	refs, err := git(where, "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes")
	if err != nil {
		return pluginSource{}, err
	}
	for _, ref := range strings.Fields(refs) {
		files, err := git(where, "ls-tree", "-r", "--name-only", ref)
		if err != nil {
			return pluginSource{}, err
		}
		for _, f := range strings.Split(files, "\n") {
			base := path.Base(f)
			if base != "manifest.json" && base != "manifest.yaml" {
				continue
			}
			sub := path.Dir(f)
			if sub == "." {
				sub = ""
			}
			parser, err := git(where, "show", ref+":"+path.Join(sub, "parser.py"))
			if err != nil || !strings.Contains(parser, benchkit.CGIFile) {
				continue
			}
			commit, err := git(where, "rev-parse", ref)
			if err != nil {
				return pluginSource{}, err
			}
			return pluginSource{Where: where, Ref: ref, Sub: sub, Commit: strings.TrimSpace(commit)}, nil
		}
	}
	return pluginSource{}, fmt.Errorf("git repository %s: no branch holds a manifest beside a parser.py reading %s", where, benchkit.CGIFile)
}

func isCGIPluginDir(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "parser.py"))
	if err != nil || !bytes.Contains(b, []byte(benchkit.CGIFile)) {
		return false
	}
	for _, m := range []string{"manifest.json", "manifest.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
			return true
		}
	}
	return false
}

// materialize puts the plugin's files in dst. A folder is copied as it is,
// with its .git when it has one; a plugin at the root of a repository's
// branch is cloned. Either way the hub finds the git information it
// records for a plugin it cloned itself. One in a sub-folder of a branch
// is extracted, without it.
func (p pluginSource) materialize(dst string) error {
	if p.Ref == "" {
		return copyDir(p.Where, dst)
	}
	if p.Sub == "" {
		if _, err := git("", "clone", "-q", "--no-hardlinks", p.Where, dst); err != nil {
			return err
		}
		_, err := git(dst, "checkout", "-q", "--detach", p.Commit)
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", p.Where, p.Commit+":"+p.Sub, dst)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("extract %s:%s from %s: %v: %s", p.Ref, p.Sub, p.Where, err, out)
	}
	return nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

func git(dir string, args ...string) (string, error) {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

func shortCommit(c string) string {
	if len(c) > 10 {
		return c[:10]
	}
	return c
}
