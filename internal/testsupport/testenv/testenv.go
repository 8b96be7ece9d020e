// Package testenv gives tests the real engines they run against: the
// Temporal dev server from the pinned temporal CLI, temporary data folders,
// and the shared test data. Only tests import it.
package testenv

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"studio/internal/testsupport/shareddata"
)

// RepoRoot is the folder holding go.mod.
func RepoRoot(t testing.TB) string { return shareddata.RepoRoot(t) }

// TemporalCLI is the temporal CLI the tests run: $STUDIO_TEMPORAL_CLI, else
// bin/temporal. When it is missing the test is skipped, or fails when
// STUDIO_REQUIRE_TEMPORAL is set (as `make test` does).
func TemporalCLI(t testing.TB) string {
	t.Helper()
	p := os.Getenv("STUDIO_TEMPORAL_CLI")
	if p == "" {
		p = filepath.Join(RepoRoot(t), "bin", "temporal")
	}
	if _, err := os.Stat(p); err != nil {
		msg := "temporal CLI not found at " + p + ": run `make temporal` (or `make test`) to install it"
		if os.Getenv("STUDIO_REQUIRE_TEMPORAL") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// DevServer is a Temporal dev server for one test, on a free loopback port,
// stopped when the test ends.
type DevServer struct {
	*testsuite.DevServer
	CLI string
	log *lockedBuffer
}

// StartDevServer starts the dev server from the temporal CLI (never a
// download), in memory unless dbFile is set.
func StartDevServer(t testing.TB, dbFile string) *DevServer {
	t.Helper()
	cli := TemporalCLI(t)
	out := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  cli,
		DBFilename:    dbFile,
		LogLevel:      "error",
		ClientOptions: &client.Options{Namespace: "default", Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))},
		Stdout:        out,
		Stderr:        out,
	})
	if err != nil {
		t.Fatalf("start temporal dev server from %s: %v", cli, err)
	}
	t.Cleanup(func() {
		srv.Client().Close()
		_ = srv.Stop()
		if t.Failed() && out.Len() > 0 {
			t.Logf("temporal dev server output:\n%s", out.String())
		}
	})
	return &DevServer{DevServer: srv, CLI: cli, log: out}
}

// SharedData returns a path under the shared test data folder, skipping
// the test when it is absent (see package shareddata).
func SharedData(t testing.TB, parts ...string) string { return shareddata.Path(t, parts...) }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitHTTP waits up to timeout for url to answer 200.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PyrefVersion is the biothings release the reference interpreter holds.
const PyrefVersion = "1.2.2"

// Pyref is the reference interpreter, bin/pyref/bin/python (`make pyref`
// makes it: a virtualenv with biothings, biothings_client, pandas and numpy
// from PyPI). Without it the test is skipped, or fails when
// STUDIO_REQUIRE_PYREF is set (as `make test` does).
func Pyref(t testing.TB) string {
	t.Helper()
	py := filepath.Join(RepoRoot(t), "bin", "pyref", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		msg := "the reference interpreter " + py + " is missing: run `make pyref` (a virtualenv with biothings==" + PyrefVersion + ", biothings_client, pandas and numpy from PyPI)"
		if os.Getenv("STUDIO_REQUIRE_PYREF") != "" {
			t.Fatal(msg + " (STUDIO_REQUIRE_PYREF is set)")
		}
		t.Skip(msg)
	}
	return py
}

// TutorialsRepo is a clone of github.com/biothings/tutorials (its
// pharmgkb_v* branches hold the BioThings Studio tutorial's second plugin),
// named by STUDIO_BIOTHINGS_TUTORIALS. The plugin's code is not part of
// this repository, so without it the test is skipped.
func TutorialsRepo(t testing.TB) string {
	t.Helper()
	repo := os.Getenv("STUDIO_BIOTHINGS_TUTORIALS")
	if repo == "" {
		t.Skip("STUDIO_BIOTHINGS_TUTORIALS is not set: point it at a clone of github.com/biothings/tutorials to run the tutorial's PharmGKB plugin")
	}
	if _, err := os.Stat(repo); err != nil {
		t.Fatalf("STUDIO_BIOTHINGS_TUTORIALS=%s: %v", repo, err)
	}
	return repo
}

// GitRepo makes a real git repository named name holding files, committed
// on branch main, and returns its folder.
func GitRepo(t testing.TB, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "plugin"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}
