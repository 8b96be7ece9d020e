package plugin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// tutorialManifest is the BioThings tutorial's manifest (with on_duplicates
// instead of the legacy ignore_duplicates).
const tutorialManifest = `{
  "version": "0.1",
  "dumper": {"data_url": "http://127.0.0.1:1/cgi.zip", "uncompress": true},
  "uploader": {"parser": "parser:load_data", "on_duplicates": "error"}
}
`

const parserPy = `import os


def load_data(data_folder):
    with open(os.path.join(data_folder, "cgi.tsv")) as f:
        for line in f:
            gene, drug = line.rstrip("\n").split("\t")
            yield {"_id": gene, "cgi": {"drug": drug}}
`

// badManifest has two problems, both of which must be reported.
const badManifest = `{
  "version": "0.2",
  "colour": "red",
  "dumper": {"data_url": "http://127.0.0.1:1/cgi.zip"},
  "uploader": {"parser": "parser:load_data", "ignore_duplicates": true}
}
`

// testRepo is a real git repository made with go-git.
type testRepo struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	when time.Time
}

// newRepo makes a repository at parent/name whose first branch is branch,
// with a first commit holding the tutorial plugin.
func newRepo(t *testing.T, parent, name, branch string) *testRepo {
	t.Helper()
	dir := filepath.Join(parent, name)
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &testRepo{t: t, dir: dir, repo: repo, when: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	r.commit("first", map[string]string{"manifest.json": tutorialManifest, "parser.py": parserPy, "version.txt": "1"})
	return r
}

// commit writes files ("" content deletes the file) and commits them all.
func (r *testRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	return r.commitAll(msg)
}

func (r *testRepo) commitAll(msg string) string {
	r.t.Helper()
	w, err := r.repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		r.t.Fatal(err)
	}
	r.when = r.when.Add(time.Minute)
	h, err := w.Commit(msg, &git.CommitOptions{
		Author:            &object.Signature{Name: "Tester", Email: "t@example.org", When: r.when},
		AllowEmptyCommits: true,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return h.String()
}

// symlink adds a symbolic link and commits it.
func (r *testRepo) symlink(name, target string) string {
	r.t.Helper()
	if err := os.Symlink(target, filepath.Join(r.dir, name)); err != nil {
		r.t.Fatal(err)
	}
	return r.commitAll("link " + name)
}

// tag tags HEAD, annotated or lightweight.
func (r *testRepo) tag(name string, annotated bool) {
	r.t.Helper()
	head, err := r.repo.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	var opts *git.CreateTagOptions
	if annotated {
		opts = &git.CreateTagOptions{Message: "release " + name, Tagger: &object.Signature{Name: "Tester", Email: "t@example.org", When: r.when}}
	}
	if _, err := r.repo.CreateTag(name, head.Hash(), opts); err != nil {
		r.t.Fatal(err)
	}
}

// switchTo checks out branch, creating it at HEAD when create is true.
func (r *testRepo) switchTo(branch string, create bool) {
	r.t.Helper()
	w, err := r.repo.Worktree()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := w.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create}); err != nil {
		r.t.Fatal(err)
	}
}

// plainFolder makes a plugin folder without git.
func plainFolder(t *testing.T, parent, name string) string {
	t.Helper()
	dir := filepath.Join(parent, name)
	writeFiles(t, dir, map[string]string{"manifest.json": tutorialManifest, "parser.py": parserPy})
	return dir
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// assertNoLeftovers checks that no work folder is left in the plugins folder.
func assertNoLeftovers(t *testing.T, pluginsDir string) {
	t.Helper()
	entries, err := os.ReadDir(pluginsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("work folder left behind: %s", e.Name())
		}
	}
}

func errContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got none", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q\n  does not contain %q", err, p)
		}
	}
}
