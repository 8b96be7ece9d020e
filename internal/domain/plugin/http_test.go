package plugin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gitHTTPServer serves the repositories under root over git's smart HTTP
// protocol, with the git-http-backend of the installed git. It records the
// user of each request, to show that credentials given in the URL are sent.
func gitHTTPServer(t *testing.T, root string) (*httptest.Server, func() []string) {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("no git installation: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("no git-http-backend: %v", err)
	}
	cgiHandler := &cgi.Handler{
		Path:   backend,
		Env:    []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
		Stderr: io.Discard,
	}
	var (
		mu    sync.Mutex
		users []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _, _ := r.BasicAuth()
		mu.Lock()
		users = append(users, user)
		mu.Unlock()
		cgiHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), users...)
	}
}

func TestHTTPCredentials(t *testing.T) {
	root := t.TempDir()
	repo := newRepo(t, t.TempDir(), "src", "main")
	// Served as root/cgi.git, a name like a hosted repository's.
	if err := os.Symlink(filepath.Join(repo.dir, ".git"), filepath.Join(root, "cgi.git")); err != nil {
		t.Fatal(err)
	}
	srv, users := gitHTTPServer(t, root)
	host := strings.TrimPrefix(srv.URL, "http://")
	const secret = "s3cretT0ken"
	url := "http://alice:" + secret + "@" + host + "/cgi.git"
	shown := "http://" + host + "/cgi.git"

	plugins := t.TempDir()
	info, m, err := Fetch(context.Background(), plugins, Source{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := repo.repo.Head()
	if info.URL != shown || info.Name != "cgi" || info.Commit != head.Hash().String() || info.Branch != "main" || m == nil {
		t.Errorf("info = %+v", info)
	}
	if u := users(); len(u) == 0 || u[0] != "alice" {
		t.Errorf("credentials not sent: users %q", u)
	}
	if d, err := Describe(plugins, "cgi"); err != nil || d.URL != shown {
		t.Errorf("Describe = %+v, %v", d, err)
	}
	// The clone keeps the full URL for later fetches, and only there.
	if !strings.Contains(readFile(t, filepath.Join(info.Folder, ".git", "config")), secret) {
		t.Error("the clone's origin lost the credentials needed to fetch again")
	}
	if strings.Contains(readFile(t, filepath.Join(info.Folder, ".git", recordName)), secret) {
		t.Error("the plugin record holds the credentials")
	}

	// A later commit reaches the plugin through Checkout's fetch.
	next := repo.commit("next", map[string]string{"version.txt": "2"})
	info, _, err = Checkout(context.Background(), plugins, "cgi", next[:10])
	if err != nil || info.Commit != next {
		t.Fatalf("Checkout of a new commit over http: %+v, %v", info, err)
	}

	// Errors name the URL without its credentials.
	for _, tt := range []struct {
		url  string
		ref  string
		want string
	}{
		{"http://alice:" + secret + "@" + host + "/nothere.git", "", "no git repository at http://" + host + "/nothere.git"},
		{url, "v9", `ref "v9" not found in ` + shown},
		{"http://" + secret + "@127.0.0.1:1/x/cgi.git", "", "fetching http://127.0.0.1:1/x/cgi.git"},
	} {
		_, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: tt.url, Ref: tt.ref})
		errContains(t, err, tt.want)
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	_, _, err = Fetch(context.Background(), t.TempDir(), Source{URL: "http://alice:" + secret + "@" + host + "/nothere.git"})
	if !errors.Is(err, ErrInvalidSource) {
		t.Errorf("missing repository: not ErrInvalidSource: %v", err)
	}
}
