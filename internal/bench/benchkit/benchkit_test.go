package benchkit

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestMiB(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{{-1, "unknown"}, {0, "0 MiB"}, {3 << 20, "3 MiB"}, {3<<20 + 600<<10, "4 MiB"}} {
		if got := MiB(tc.in); got != tc.want {
			t.Errorf("MiB(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPhaseMeasure(t *testing.T) {
	var p Phase
	boom := errors.New("boom")
	for range 2 {
		err := p.Measure(func() error {
			time.Sleep(5 * time.Millisecond)
			return boom
		})
		if err != boom {
			t.Fatalf("Measure returned %v, want f's error", err)
		}
	}
	if p.Took < 10*time.Millisecond {
		t.Errorf("Took = %s after two calls of at least 5ms", p.Took)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && p.Peak <= 0 {
		t.Errorf("Peak = %d, want the resident memory", p.Peak)
	}
	if got := (Phase{Took: 2 * time.Second}).Rate(100); got != 50 {
		t.Errorf("Rate = %v, want 50", got)
	}
}

func TestWorkDir(t *testing.T) {
	given := filepath.Join(t.TempDir(), "a", "b")
	dir, cleanup, err := WorkDir(given, "benchkit")
	if err != nil || dir != given {
		t.Fatalf("WorkDir(%q) = %q, %v", given, dir, err)
	}
	cleanup()
	if _, err := os.Stat(given); err != nil {
		t.Errorf("a given folder is made and kept: %v", err)
	}

	tmp, cleanup, err := WorkDir("", "benchkit")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("temporary folder: %v", err)
	}
	cleanup()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary folder %s is still there after cleanup: %v", tmp, err)
	}
}

func TestStartCPUProfile(t *testing.T) {
	stop, err := StartCPUProfile("")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	if stop, err = StartCPUProfile(path); err != nil {
		t.Fatal(err)
	}
	stop()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("profile %s: %v, %v", path, fi, err)
	}
	if _, err := StartCPUProfile(filepath.Join(t.TempDir(), "missing", "cpu.pprof")); err == nil {
		t.Error("a profile in a missing folder starts")
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "bench", "benchkit")); err != nil {
		t.Errorf("RepoRoot = %s, which does not hold this package: %v", root, err)
	}
}

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("listen on the free port %d: %v", port, err)
	}
	l.Close()
}

func TestStudioReady(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"ready", 200, `{"result": {"temporal": {"ok": true}}}`, true},
		{"temporal down", 200, `{"result": {"temporal": {"ok": false}}}`, false},
		{"error status", 503, `{"result": {"temporal": {"ok": true}}}`, false},
		{"not JSON", 200, `starting`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			if got := StudioReady(srv.URL + "/status"); got != tc.want {
				t.Errorf("StudioReady = %v, want %v", got, tc.want)
			}
		})
	}
	if StudioReady("http://127.0.0.1:1/status") {
		t.Error("ready with nothing listening")
	}
}
