package program_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/internal/app/config"
	"studio/internal/app/program"
	"studio/internal/engine"
	"studio/internal/testsupport/testenv"
)

// TestAssembled starts what `studio worker` and `studio server` start, on
// the dev server: the worker's own queue is kept in the data folder, and
// the server answers and shuts down.
func TestAssembled(t *testing.T) {
	dev := testenv.StartDevServer(t, "")
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.TemporalAddress = dev.FrontendHostPort()
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })

	ws, err := program.StartWorkers(cfg, eng, dev.Client(), nil, true)
	if err != nil {
		t.Fatal(err)
	}
	id, err := os.ReadFile(filepath.Join(cfg.DataDir, "worker-id"))
	if err != nil {
		t.Fatal(err)
	}
	if want := cfg.TaskQueue + "@" + strings.TrimSpace(string(id)); ws.Own != want {
		t.Errorf("own queue = %q, want %q", ws.Own, want)
	}
	ws.Stop()
	shared, err := program.StartWorkers(cfg, eng, dev.Client(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if shared.Own != "" {
		t.Errorf("shared-only workers have own queue %q", shared.Own)
	}
	defer shared.Stop()

	stopReports := program.Report(context.Background(), eng, "test", nil)
	defer stopReports()

	deps := program.ServerDeps(cfg, eng, dev.Client(), nil, "")
	if deps.GeneratedPlugins != filepath.Join(cfg.DataDir, "generated-plugins") || deps.TemporalAddress != cfg.TemporalAddress || deps.FullReleasePercent != cfg.FullReleasePercent {
		t.Errorf("server deps = %+v", deps)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := program.Serve(ln, deps)
	resp, err := http.Get("http://" + ln.Addr().String() + "/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/status = %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-srv.Done; err != nil {
		t.Errorf("serve after shutdown: %v", err)
	}
}

func TestListenNamesTheFlag(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct {
		addr string
		want []string
	}{
		{taken.Addr().String(), []string{"--listen " + taken.Addr().String() + ": cannot listen: ", "address already in use", "choose another with --listen or STUDIO_LISTEN"}},
		{"127.0.0.1:99999", []string{"--listen 127.0.0.1:99999: cannot listen: ", "invalid port"}},
	} {
		ln, err := program.Listen(tc.addr)
		if err == nil {
			ln.Close()
			t.Fatalf("Listen(%s): no error", tc.addr)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Listen(%s) = %q, want it to say %q", tc.addr, err, w)
			}
		}
		for _, inner := range []string{"listen tcp", "bind:"} {
			if strings.Contains(err.Error(), inner) {
				t.Errorf("Listen(%s) = %q: shows the system call's wrapping %q", tc.addr, err, inner)
			}
		}
	}
}
