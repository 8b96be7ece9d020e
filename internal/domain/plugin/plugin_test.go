package plugin

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/internal/domain/manifest"
)

func TestFetchClone(t *testing.T) {
	for _, branch := range []string{"trunk", "main"} {
		repo := newRepo(t, t.TempDir(), "cgi", branch)
		head := repo.commit("second", map[string]string{"version.txt": "2"})
		tests := []struct {
			name string
			url  string
		}{
			{"local path", repo.dir},
			{"local path with slash", repo.dir + "/"},
			{"file URL", "file://" + filepath.ToSlash(repo.dir)},
		}
		for _, tt := range tests {
			t.Run(branch+"/"+tt.name, func(t *testing.T) {
				plugins := t.TempDir()
				info, m, err := Fetch(context.Background(), plugins, Source{URL: tt.url})
				if err != nil {
					t.Fatal(err)
				}
				want := Info{
					Name: "cgi", Folder: filepath.Join(plugins, "cgi"), Type: TypeGit, URL: tt.url,
					Commit: head, Branch: branch, Ref: "", Release: branch + " " + head[:7],
				}
				if info != want {
					t.Errorf("info\n got %+v\nwant %+v", info, want)
				}
				if m == nil || m.Version != "0.1" || m.Uploaders[0].Parser.Func != "parser:load_data" {
					t.Errorf("manifest not loaded: %+v", m)
				}
				if got := readFile(t, filepath.Join(info.Folder, "parser.py")); got != parserPy {
					t.Errorf("parser.py = %q", got)
				}
				if got := readFile(t, filepath.Join(info.Folder, "version.txt")); got != "2" {
					t.Errorf("version.txt = %q, want the default branch's head", got)
				}
				described, err := Describe(plugins, "cgi")
				if err != nil || described != info {
					t.Errorf("Describe = %+v, %v; want %+v", described, err, info)
				}
				assertNoLeftovers(t, plugins)
			})
		}
	}
}

func TestFetchPin(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	c1 := repo.commit("v1", map[string]string{"version.txt": "tagged"})
	repo.tag("v1", true)
	repo.tag("light", false)
	repo.tag("dev", false) // a branch of the same name wins
	c2 := repo.commit("main head", map[string]string{"version.txt": "main"})
	repo.switchTo("dev", true)
	c3 := repo.commit("dev head", map[string]string{"version.txt": "dev"})
	repo.switchTo("main", false)

	tests := []struct {
		ref         string
		commit      string
		branch      string
		release     string
		versionFile string
	}{
		{"dev", c3, "dev", "dev " + c3[:7], "dev"},
		{"v1", c1, "", "v1 " + c1[:7], "tagged"},
		{"light", c1, "", "light " + c1[:7], "tagged"},
		{c2, c2, "", c2 + " " + c2[:7], "main"},
		{c3[:7], c3, "", c3[:7] + " " + c3[:7], "dev"},
		{strings.ToUpper(c1[:5]), c1, "", strings.ToUpper(c1[:5]) + " " + c1[:7], "tagged"},
		{"", c2, "main", "main " + c2[:7], "main"},
	}
	// One plugins folder for all: each pin re-registers the same plugin.
	plugins := t.TempDir()
	for _, tt := range tests {
		t.Run("ref="+tt.ref, func(t *testing.T) {
			info, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir, Ref: tt.ref})
			if err != nil {
				t.Fatal(err)
			}
			if info.Commit != tt.commit || info.Branch != tt.branch || info.Ref != tt.ref || info.Release != tt.release {
				t.Errorf("got commit %s branch %q ref %q release %q\nwant commit %s branch %q ref %q release %q",
					info.Commit, info.Branch, info.Ref, info.Release, tt.commit, tt.branch, tt.ref, tt.release)
			}
			if got := readFile(t, filepath.Join(info.Folder, "version.txt")); got != tt.versionFile {
				t.Errorf("version.txt = %q, want %q", got, tt.versionFile)
			}
			assertNoLeftovers(t, plugins)
		})
	}
}

func TestRefetchUpdates(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	repo.commit("extra", map[string]string{"old.py": "x = 1\n"})
	plugins := t.TempDir()
	first, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir})
	if err != nil {
		t.Fatal(err)
	}
	next := repo.commit("update", map[string]string{"version.txt": "2", "old.py": "", "helpers/new.py": "y = 2\n"})
	info, _, err := Fetch(context.Background(), plugins, Source{URL: "file://" + repo.dir})
	if err != nil {
		t.Fatal(err)
	}
	if info.Commit != next || info.Commit == first.Commit || info.Release != "main "+next[:7] {
		t.Errorf("re-registration did not update: %+v", info)
	}
	if got := readFile(t, filepath.Join(info.Folder, "version.txt")); got != "2" {
		t.Errorf("version.txt = %q", got)
	}
	if _, err := os.Stat(filepath.Join(info.Folder, "old.py")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old.py, deleted upstream, is still there: %v", err)
	}
	if got := readFile(t, filepath.Join(info.Folder, "helpers", "new.py")); got != "y = 2\n" {
		t.Errorf("helpers/new.py = %q", got)
	}
	assertNoLeftovers(t, plugins)
}

func TestInvalidManifestKeepsPrevious(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	plugins := t.TempDir()
	good, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "manifest errors",
			files: map[string]string{"manifest.json": badManifest, "version.txt": "broken"},
			want: []string{
				"data plugin cgi from " + repo.dir + ": invalid manifest, the previous code (if any) is kept",
				`$.colour: unknown key "colour"`,
				`$.uploader.ignore_duplicates: "ignore_duplicates" is no longer supported`,
			},
		},
		{
			name:  "no manifest",
			files: map[string]string{"manifest.json": "", "version.txt": "gone"},
			want:  []string{"no manifest.json or manifest.yaml in " + good.Folder},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo.commit(tt.name, tt.files)
			_, m, err := Fetch(context.Background(), plugins, Source{URL: repo.dir})
			errContains(t, err, tt.want...)
			if m != nil {
				t.Error("a manifest was returned with the error")
			}
			if tt.name == "manifest errors" {
				var merrs manifest.Errors
				if !errors.As(err, &merrs) || len(merrs) != 2 {
					t.Errorf("want the 2 manifest.Errors through errors.As, got %v", merrs)
				}
			}
			if strings.Contains(err.Error(), ".tmp-") {
				t.Errorf("error names the work folder: %v", err)
			}
			now, err := Describe(plugins, "cgi")
			if err != nil || now.Commit != good.Commit {
				t.Errorf("previous checkout not kept: %+v, %v", now, err)
			}
			if got := readFile(t, filepath.Join(good.Folder, "manifest.json")); got != tutorialManifest {
				t.Errorf("manifest.json changed to %q", got)
			}
			if got := readFile(t, filepath.Join(good.Folder, "version.txt")); got != "1" {
				t.Errorf("version.txt changed to %q", got)
			}
			assertNoLeftovers(t, plugins)
		})
	}
}

func TestRefErrors(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	repo.tag("v1", false)
	tests := []struct {
		ref  string
		is   error
		want []string
	}{
		{"v9", ErrRefNotFound, []string{`ref "v9" not found in ` + repo.dir + `: no branch, tag or commit of that name (branches: main; tags: v1)`}},
		{"deadbeef", ErrRefNotFound, []string{`ref "deadbeef" not found`}},
		{"abc", ErrRefNotFound, []string{`ref "abc" not found`}}, // too short for a hash
		{"../../etc", ErrInvalidSource, []string{`"../../etc" is not a valid branch, tag or commit name`}},
		{"-x", ErrInvalidSource, []string{`"-x" is not a valid`}},
		{"a b", ErrInvalidSource, []string{`"a b" is not a valid`}},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			plugins := t.TempDir()
			_, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir, Ref: tt.ref})
			errContains(t, err, tt.want...)
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tt.is)
			}
			if _, err := os.Stat(filepath.Join(plugins, "cgi")); !errors.Is(err, os.ErrNotExist) {
				t.Error("a failed registration left a plugin folder")
			}
			assertNoLeftovers(t, plugins)
		})
	}
}

func TestCheckout(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	c1 := repo.commit("v1", map[string]string{"version.txt": "v1"})
	repo.tag("v1", true)
	c2 := repo.commit("two", map[string]string{"version.txt": "2"})
	plugins := t.TempDir()
	ctx := context.Background()
	if _, _, err := Fetch(ctx, plugins, Source{URL: repo.dir}); err != nil {
		t.Fatal(err)
	}
	// Made after registration: Checkout must fetch to find it.
	c3 := repo.commit("three", map[string]string{"version.txt": "3"})

	steps := []struct {
		ref, commit, branch, release, version string
	}{
		{"v1", c1, "", "v1 " + c1[:7], "v1"},
		{"", c2, "main", "main " + c2[:7], "2"}, // the default branch as last fetched: no network
		{c3[:8], c3, "", c3[:8] + " " + c3[:7], "3"},
		{"main", c3, "main", "main " + c3[:7], "3"}, // the fetch above brought main's new head
	}
	for _, st := range steps {
		info, m, err := Checkout(ctx, plugins, "cgi", st.ref)
		if err != nil {
			t.Fatalf("Checkout(%q): %v", st.ref, err)
		}
		if m == nil || info.Commit != st.commit || info.Branch != st.branch || info.Release != st.release || info.Ref != st.ref {
			t.Errorf("Checkout(%q) = %+v; want commit %s branch %q release %q", st.ref, info, st.commit, st.branch, st.release)
		}
		if got := readFile(t, filepath.Join(info.Folder, "version.txt")); got != st.version {
			t.Errorf("Checkout(%q): version.txt = %q, want %q", st.ref, got, st.version)
		}
		if d, err := Describe(plugins, "cgi"); err != nil || d != info {
			t.Errorf("Describe after Checkout(%q) = %+v, %v", st.ref, d, err)
		}
	}
	assertNoLeftovers(t, plugins)

	t.Run("errors", func(t *testing.T) {
		_, _, err := Checkout(ctx, plugins, "cgi", "nope")
		errContains(t, err, `ref "nope" not found in `+repo.dir)
		if d, _ := Describe(plugins, "cgi"); d.Commit != c3 {
			t.Errorf("a failed Checkout changed the code: %+v", d)
		}
		_, _, err = Checkout(ctx, plugins, "other", "main")
		if !errors.Is(err, ErrNotRegistered) {
			t.Errorf("Checkout of an unknown plugin: %v", err)
		}
		errContains(t, err, "data plugin other has no folder", "register it first")
		_, _, err = Checkout(ctx, plugins, "../cgi", "main")
		errContains(t, err, `"../cgi" is not a plugin name`)

		local := plainFolder(t, t.TempDir(), "loc")
		if _, _, err := Fetch(ctx, plugins, Source{URL: "local://" + local}); err != nil {
			t.Fatal(err)
		}
		_, _, err = Checkout(ctx, plugins, "loc", "main")
		errContains(t, err, "data plugin loc is a local folder", "no versions to pin")
		assertNoLeftovers(t, plugins)
	})
}

func TestLocalFolder(t *testing.T) {
	for _, prefix := range []string{"local://", "local:"} {
		t.Run(prefix, func(t *testing.T) {
			src := plainFolder(t, t.TempDir(), "cgi_local")
			writeFiles(t, src, map[string]string{"old.py": "x = 1\n", ".git/HEAD": "ref: refs/heads/main\n", "lib/a.py": "a = 1\n"})
			if err := os.Symlink("parser.py", filepath.Join(src, "alias.py")); err != nil {
				t.Fatal(err)
			}
			plugins := t.TempDir()
			url := prefix + src
			info, m, err := Fetch(context.Background(), plugins, Source{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			want := Info{Name: "cgi_local", Folder: filepath.Join(plugins, "cgi_local"), Type: TypeLocal, URL: url, Release: "local"}
			if info != want || m == nil {
				t.Errorf("info\n got %+v\nwant %+v", info, want)
			}
			if got := readFile(t, filepath.Join(info.Folder, "alias.py")); got != parserPy {
				t.Errorf("link inside the folder not kept: %q", got)
			}
			if _, err := os.Stat(filepath.Join(info.Folder, ".git")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf(".git copied into a local plugin: %v", err)
			}

			// Re-registering copies again: changes, additions and deletions.
			writeFiles(t, src, map[string]string{"parser.py": "# v2\n", "lib/b.py": "b = 2\n"})
			if err := os.Remove(filepath.Join(src, "old.py")); err != nil {
				t.Fatal(err)
			}
			if _, _, err := Fetch(context.Background(), plugins, Source{URL: url}); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, filepath.Join(info.Folder, "parser.py")); got != "# v2\n" {
				t.Errorf("parser.py not re-copied: %q", got)
			}
			if got := readFile(t, filepath.Join(info.Folder, "lib", "b.py")); got != "b = 2\n" {
				t.Errorf("lib/b.py = %q", got)
			}
			if _, err := os.Stat(filepath.Join(info.Folder, "old.py")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("old.py survived the re-copy")
			}
			if d, err := Describe(plugins, "cgi_local"); err != nil || d != info {
				t.Errorf("Describe = %+v, %v", d, err)
			}

			// An invalid manifest keeps the previous copy.
			writeFiles(t, src, map[string]string{"manifest.json": badManifest})
			_, _, err = Fetch(context.Background(), plugins, Source{URL: url})
			errContains(t, err, `$.colour: unknown key "colour"`)
			if got := readFile(t, filepath.Join(info.Folder, "manifest.json")); got != tutorialManifest {
				t.Errorf("manifest.json replaced despite errors")
			}
			assertNoLeftovers(t, plugins)
		})
	}
}

func TestLocalFolderErrors(t *testing.T) {
	dir := plainFolder(t, t.TempDir(), "outer")
	plainFolder(t, dir, "plain")
	plugins := filepath.Join(dir, "plugins")
	tests := []struct {
		name, url, ref string
		want           []string
	}{
		{"missing", "local://" + filepath.Join(dir, "nope"), "", []string{"no folder " + filepath.Join(dir, "nope")}},
		{"empty", "local://", "", []string{"cannot tell a plugin name"}},
		{"plain folder as git", filepath.Join(dir, "plain"), "", []string{"is not a git repository", "use local://" + filepath.Join(dir, "plain")}},
		{"plugins inside source", "local://" + dir, "", []string{"is inside the folder to copy"}},
		{"ref", "local://" + filepath.Join(dir, "plain"), "main", []string{"is a plain folder, which has no versions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Fetch(context.Background(), plugins, Source{URL: tt.url, Ref: tt.ref})
			errContains(t, err, tt.want...)
			if !errors.Is(err, ErrInvalidSource) {
				t.Errorf("not ErrInvalidSource: %v", err)
			}
		})
	}
}

func TestSymlinks(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "s3cret"})
	tests := []struct {
		name, link, target string
		ok                 bool
	}{
		{"absolute", "data", outside, false},
		{"absolute file", "manifest_link.json", filepath.Join(outside, "secret.txt"), false},
		{"climbs out", "lib/up", "../../outside", false},
		{"climbs out via dots", "sneaky", "lib/../../x", false},
		{"inside", "alias.py", "parser.py", true},
		{"inside via subfolder", "lib/p.py", "../parser.py", true},
	}
	for _, tt := range tests {
		t.Run("git/"+tt.name, func(t *testing.T) {
			repo := newRepo(t, t.TempDir(), "cgi", "main")
			if err := os.MkdirAll(filepath.Join(repo.dir, "lib"), 0o755); err != nil {
				t.Fatal(err)
			}
			repo.symlink(tt.link, tt.target)
			plugins := t.TempDir()
			_, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir})
			checkLinkResult(t, err, tt.ok, tt.link)
			assertNoLeftovers(t, plugins)
		})
		t.Run("local/"+tt.name, func(t *testing.T) {
			src := plainFolder(t, t.TempDir(), "cgi")
			if err := os.MkdirAll(filepath.Join(src, "lib"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(tt.target, filepath.Join(src, tt.link)); err != nil {
				t.Fatal(err)
			}
			plugins := t.TempDir()
			_, _, err := Fetch(context.Background(), plugins, Source{URL: "local://" + src})
			checkLinkResult(t, err, tt.ok, tt.link)
			assertNoLeftovers(t, plugins)
		})
	}

	t.Run("link chain", func(t *testing.T) {
		// By their text both links stay inside; followed, sub/up/.. is the
		// folder's parent.
		src := plainFolder(t, t.TempDir(), "cgi")
		writeFiles(t, src, map[string]string{"sub/keep": "k"})
		if err := os.Symlink("..", filepath.Join(src, "sub", "up")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("sub/up/..", filepath.Join(src, "c")); err != nil {
			t.Fatal(err)
		}
		_, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: "local://" + src})
		checkLinkResult(t, err, false, "c")
		errContains(t, err, "leads outside the plugin folder")
	})
}

func checkLinkResult(t *testing.T, err error, ok bool, link string) {
	t.Helper()
	if ok {
		if err != nil {
			t.Fatalf("a link inside the plugin was refused: %v", err)
		}
		return
	}
	errContains(t, err, `"`+link+`"`, "remove the link")
	if !errors.Is(err, ErrUnsafeLink) {
		t.Errorf("not ErrUnsafeLink: %v", err)
	}
}

func TestSourceErrors(t *testing.T) {
	tests := []struct {
		url     string
		want    []string
		notWant string
	}{
		{"ftp://host/x/cgi.git", []string{`plugin URL "ftp://host/x/cgi.git": scheme "ftp" is not supported`}, ""},
		{"git://host/x/cgi.git", []string{`scheme "git" is not supported`}, ""},
		{"FTP://user:pa55word@host/x/cgi.git", []string{`"FTP://host/x/cgi.git"`, `scheme "ftp"`}, "pa55word"},
		{"ext::sh -c touch% /tmp/pwned", []string{"no folder"}, ""},
		{"https:///x/cgi.git", []string{"names no host"}, ""},
		{"file://otherhost/x/cgi", []string{"file:// URLs must name a folder on this machine"}, ""},
		{"", []string{"plugin URL is empty"}, ""},
		{"/x/CGI-data", []string{`plugin name "CGI-data" must match`}, ""},
		{"https://tok3nvalue1@github.com/x/CGI-data.git", []string{`"https://github.com/x/CGI-data.git"`, `plugin name "CGI-data"`}, "tok3nvalue1"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: tt.url})
			errContains(t, err, tt.want...)
			if !errors.Is(err, ErrInvalidSource) {
				t.Errorf("not ErrInvalidSource: %v", err)
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error shows a credential: %v", err)
			}
		})
	}
}

func TestPluginNames(t *testing.T) {
	dir := t.TempDir()
	bare := filepath.Join(dir, "x", "cgi.git")
	work := newRepo(t, dir, "src", "main")
	if err := os.MkdirAll(filepath.Dir(bare), 0o755); err != nil {
		t.Fatal(err)
	}
	// A bare copy named like a hosted repository.
	if err := copyTree(context.Background(), filepath.Join(work.dir, ".git"), mkdir(t, bare), DefaultMaxBytes, "test", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url, name string
	}{
		{bare, "cgi"},
		{"file://" + bare, "cgi"},
		{bare + "/", "cgi"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			info, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: tt.url})
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != tt.name || filepath.Base(info.Folder) != tt.name {
				t.Errorf("name %q folder %q, want %q", info.Name, info.Folder, tt.name)
			}
		})
	}

	// Names of addresses that cannot be fetched here.
	for url, name := range map[string]string{
		"https://github.com/x/cgi.git":     "cgi",
		"git@github.com:x/cgi.git":         "cgi",
		"ssh://git@github.com/x/mychem_db": "mychem_db",
		"http://host:8080/a/b/pharmgkb/":   "pharmgkb",
	} {
		s, err := parseSource(url)
		if err != nil || s.name != name || s.kind != TypeGit {
			t.Errorf("parseSource(%q) = name %q kind %q, %v; want %q", url, s.name, s.kind, err, name)
		}
	}
}

func mkdir(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConflict(t *testing.T) {
	a := newRepo(t, t.TempDir(), "cgi", "main")
	b := newRepo(t, t.TempDir(), "cgi", "main")
	plugins := t.TempDir()
	first, _, err := Fetch(context.Background(), plugins, Source{URL: a.dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{b.dir, "local://" + plainFolder(t, t.TempDir(), "cgi")} {
		_, _, err = Fetch(context.Background(), plugins, Source{URL: url})
		errContains(t, err, "plugin cgi is already registered from "+a.dir, "unregister it before registering")
		if !errors.Is(err, ErrConflict) {
			t.Errorf("not ErrConflict: %v", err)
		}
	}
	if d, _ := Describe(plugins, "cgi"); d != first {
		t.Errorf("plugin changed: %+v", d)
	}
	// The same repository spelled another way is the same registration.
	if _, _, err := Fetch(context.Background(), plugins, Source{URL: "file://" + a.dir + "/"}); err != nil {
		t.Errorf("same repository as a file URL: %v", err)
	}
}

func TestRemove(t *testing.T) {
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	plugins := t.TempDir()
	info, _, err := Fetch(context.Background(), plugins, Source{URL: repo.dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(plugins, ".cgi.tmp-123"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Remove(plugins, "cgi"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(info.Folder); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("folder still there: %v", err)
	}
	assertNoLeftovers(t, plugins)
	if _, err := Describe(plugins, "cgi"); !errors.Is(err, ErrNotRegistered) {
		t.Errorf("Describe after Remove: %v", err)
	}
	if err := Remove(plugins, "cgi"); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	for _, name := range []string{"..", "../cgi", "a/b", "", "9x"} {
		if err := Remove(plugins, name); !errors.Is(err, ErrInvalidSource) {
			t.Errorf("Remove(%q) = %v, want a refusal", name, err)
		}
	}
	if _, err := os.Stat(plugins); err != nil {
		t.Errorf("plugins folder gone: %v", err)
	}
}

func TestSizeLimit(t *testing.T) {
	big := make([]byte, 512<<10)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	repo := newRepo(t, t.TempDir(), "cgi", "main")
	repo.commit("data", map[string]string{"data.bin": string(big)})
	src := plainFolder(t, t.TempDir(), "cgi")
	writeFiles(t, src, map[string]string{"data.bin": string(big)})
	f := Fetcher{MaxBytes: 100 << 10}
	for _, url := range []string{repo.dir, "local://" + src} {
		plugins := t.TempDir()
		_, _, err := f.Fetch(context.Background(), plugins, Source{URL: url})
		errContains(t, err, "bigger than the limit of 100.0 KiB")
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("not ErrTooLarge: %v", err)
		}
		assertNoLeftovers(t, plugins)
	}
	// The default limit lets it through.
	if _, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: repo.dir}); err != nil {
		t.Error(err)
	}
}

func TestSSHErrors(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, url := range []string{"ssh://git@127.0.0.1:1/x/cgi.git", "git@127.0.0.1:x/cgi.git"} {
		t.Run(url, func(t *testing.T) {
			plugins := t.TempDir()
			_, _, err := Fetch(ctx, plugins, Source{URL: url})
			errContains(t, err, "fetching "+url, "ssh-agent")
			if _, err := os.Stat(filepath.Join(plugins, "cgi")); !errors.Is(err, os.ErrNotExist) {
				t.Error("a failed clone left a plugin folder")
			}
			assertNoLeftovers(t, plugins)
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:token@host/x.git", "https://host/x.git"},
		{"https://ghp_abcdef123456@github.com/x/cgi.git", "https://github.com/x/cgi.git"},
		{"http://u:p%40ss@host:8080/x?y=1", "http://host:8080/x?y=1"},
		{"https://host/x.git", "https://host/x.git"},
		{"ssh://git:pw@host/x.git", "ssh://git@host/x.git"},
		{"ssh://git@host/x.git", "ssh://git@host/x.git"},
		{"git@github.com:x/cgi.git", "git@github.com:x/cgi.git"},
		{"/tmp/a@b/cgi", "/tmp/a@b/cgi"},
		{"https://host/path/with@sign", "https://host/path/with@sign"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	raw := "https://alice:s3cr%21t@host/x.git"
	msg := `Get "https://alice:s3cr%21t@host/x.git/info/refs": alice:s3cr!t failed; s3cr!t`
	if got := redactText(msg, raw); strings.Contains(got, "s3cr") {
		t.Errorf("redactText left a secret: %q", got)
	}
}

func TestWatchSize(t *testing.T) {
	dir := t.TempDir()
	ctx, stop := watchSize(context.Background(), dir, 1000, "data plugin x")
	writeFiles(t, dir, map[string]string{"a/b.bin": strings.Repeat("x", 2000)})
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the watch did not fire")
	}
	if err := stop(); !errors.Is(err, ErrTooLarge) || !errors.Is(context.Cause(ctx), ErrTooLarge) {
		t.Errorf("stop() = %v, cause %v", err, context.Cause(ctx))
	}

	ctx, stop = watchSize(context.Background(), t.TempDir(), 1000, "data plugin x")
	if err := stop(); err != nil || ctx.Err() == nil {
		t.Errorf("a quiet watch: stop() = %v, ctx.Err() = %v", err, ctx.Err())
	}
}
