package devstack_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"studio/internal/app/config"
	"studio/internal/app/devstack"
	"studio/internal/app/hubclient"
	"studio/internal/domain/hub"
	"studio/internal/engine/search"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

func devConfig(t *testing.T, dataDir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.Listen = "127.0.0.1:0"
	cfg.TemporalCLI = testenv.TemporalCLI(t)
	cfg.LogLevel = "error"
	return cfg
}

func start(t *testing.T, cfg config.Config) *devstack.Stack {
	t.Helper()
	st, err := devstack.Start(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return st
}

func stop(t *testing.T, st *devstack.Stack) {
	t.Helper()
	if err := st.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// selfCheck runs the self-check through the hub API and waits for it.
func selfCheck(t *testing.T, hc *hubclient.Client, note string) string {
	t.Helper()
	ctx := context.Background()
	var started struct{ ID string }
	if err := hc.Do(ctx, "POST", "/selfcheck", map[string]string{"note": note}, &started); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var cmd commands.Command
		if err := hc.Do(ctx, "GET", hubclient.CommandPath(started.ID), nil, &cmd); err != nil {
			t.Fatal(err)
		}
		if cmd.Status == "completed" {
			return started.ID
		}
		if cmd.CloseTime != nil || time.Now().After(deadline) {
			t.Fatalf("self-check %s: %s %s", started.ID, cmd.Status, cmd.Failure)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfig(t, dir)

	st := start(t, cfg)
	id := selfCheck(t, hubclient.New(st.URLs.HubAPI), "before restart")
	stop(t, st)

	st = start(t, cfg)
	defer stop(t, st)
	hc := hubclient.New(st.URLs.HubAPI)
	var list []commands.Command
	if err := hc.Do(context.Background(), "GET", "/commands", nil, &list); err != nil {
		t.Fatal(err)
	}
	var seen bool
	for _, c := range list {
		seen = seen || (c.ID == id && c.Status == "completed")
	}
	if !seen {
		t.Fatalf("after restart /commands does not list %s as completed: %+v", id, list)
	}
	doc, err := st.Engines.Hub.C(hub.SelfCheck).Get(context.Background(), id)
	if err != nil || doc["note"] != "before restart" {
		t.Fatalf("after restart the hub record %s = %v, %v", id, doc, err)
	}
	// And the restarted stack still works.
	selfCheck(t, hc, "after restart")
}

func TestTemporalCrashIsRestarted(t *testing.T) {
	st := start(t, devConfig(t, t.TempDir()))
	defer stop(t, st)
	if err := syscall.Kill(st.Temporal.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st.Temporal.Restarts() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the dev server was not restarted after kill -9")
		}
		time.Sleep(100 * time.Millisecond)
	}
	selfCheck(t, hubclient.New(st.URLs.HubAPI), "after temporal crash")
}

func freePort(t *testing.T) (int, net.Listener) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l.Addr().(*net.TCPAddr).Port, l
}

func TestBadInputFailsCleanly(t *testing.T) {
	cli := testenv.TemporalCLI(t)
	takenPort, taken := freePort(t)
	defer taken.Close()
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		mutate func(*config.Config)
		want   []string
	}{
		{"studio port taken", func(c *config.Config) { c.Listen = "127.0.0.1:" + strconv.Itoa(takenPort) },
			[]string{"--listen 127.0.0.1:" + strconv.Itoa(takenPort), "address already in use"}},
		{"temporal port taken", func(c *config.Config) { c.TemporalPort = takenPort },
			[]string{"--temporal-port", strconv.Itoa(takenPort), "not free"}},
		{"data folder under a file", func(c *config.Config) { c.DataDir = filepath.Join(file, "data") },
			[]string{"data folder", file}},
		{"missing temporal CLI", func(c *config.Config) { c.TemporalCLI = "/nonexistent/temporal" },
			[]string{"temporal CLI /nonexistent/temporal"}},
		{"bad listen", func(c *config.Config) { c.Listen = "8080" },
			[]string{"--listen", "host:port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := devConfig(t, t.TempDir())
			cfg.TemporalCLI = cli
			// A fixed Studio port, to check it is free again after the failure.
			port, l := freePort(t)
			l.Close()
			cfg.Listen = "127.0.0.1:" + strconv.Itoa(port)
			tc.mutate(&cfg)
			st, err := devstack.Start(context.Background(), cfg, nil)
			if err == nil {
				stop(t, st)
				t.Fatal("start succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not name %q", msg, w)
				}
			}
			// Nothing is left half started: the Studio port is free again.
			if cfg.Listen != "127.0.0.1:"+strconv.Itoa(takenPort) {
				l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
				if err != nil {
					t.Errorf("studio port still held after a failed start: %v", err)
				} else {
					l.Close()
				}
			}
		})
	}
}

func TestFindTemporalCLI(t *testing.T) {
	if _, err := devstack.FindTemporalCLI("/nonexistent/temporal"); err == nil || !strings.Contains(err.Error(), "make temporal") {
		t.Fatalf("err = %v, want a hint to run make temporal", err)
	}
	cli := testenv.TemporalCLI(t)
	got, err := devstack.FindTemporalCLI(cli)
	if err != nil || got != cli {
		t.Fatalf("FindTemporalCLI(%s) = %s, %v", cli, got, err)
	}
}

// TestRunningAPIComesBackAfterRestart: a data API started from the hub API
// is a Temporal workflow, so after the whole Studio stops and starts again
// on the same data folder, it serves again by itself.
func TestRunningAPIComesBackAfterRestart(t *testing.T) {
	cfg := devConfig(t, t.TempDir())
	st := start(t, cfg)
	ctx := context.Background()
	spec := search.ReleaseSpec(map[string]any{"name": map[string]any{"type": "keyword"}}, map[string]any{"biothing_type": "thing"}, 0, 0)
	if err := st.Engines.Search.CreateIndex(ctx, "things", spec); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Engines.Search.Bulk(ctx, "things", []search.BulkOp{{Kind: search.BulkIndex, ID: "t1", Doc: map[string]any{"name": "one"}}}); err != nil {
		t.Fatal(err)
	}
	port, l := freePort(t)
	l.Close()
	hc := hubclient.New(st.URLs.HubAPI)
	if err := hc.Do(ctx, "POST", "/api", map[string]any{"name": "things", "index": "things", "port": port}, nil); err != nil {
		t.Fatal(err)
	}
	if err := hc.Do(ctx, "PUT", "/api/things/start", nil, nil); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/v1/thing/t1", port)
	testenv.WaitHTTP(t, url, 90*time.Second)
	stop(t, st)
	if _, err := http.Get(url); err == nil {
		t.Fatal("the API still answers with the Studio stopped")
	}

	st = start(t, cfg)
	defer stop(t, st)
	testenv.WaitHTTP(t, url, 90*time.Second)
}

// TestHubNeedsTokenBeyondLoopback: listening on all interfaces, the hub
// generates a token once, keeps only its hash, and refuses requests and the
// live channel without it.
func TestHubNeedsTokenBeyondLoopback(t *testing.T) {
	cfg := devConfig(t, t.TempDir())
	port, l := freePort(t)
	l.Close()
	cfg.Listen = fmt.Sprintf("0.0.0.0:%d", port)
	st := start(t, cfg)
	token := st.FreshToken
	if len(token) < 32 {
		t.Fatalf("fresh token %q", token)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	ctx := context.Background()
	anon := hubclient.New(base)
	anon.Token = ""
	var he *hubclient.Error
	if err := anon.Do(ctx, "GET", "/status", nil, nil); !errors.As(err, &he) || he.Code != 401 || !strings.Contains(he.Message, "token") {
		t.Fatalf("GET /status without the token: %v", err)
	}
	authed := hubclient.New(base)
	authed.Token = token
	if err := authed.Do(ctx, "GET", "/status", nil, nil); err != nil {
		t.Fatalf("GET /status with the token: %v", err)
	}
	resp, err := http.Get(base + "/") // the web app's files stay public
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET / = %v %v", resp, err)
	}
	resp.Body.Close()
	wsURL := fmt.Sprintf("ws://127.0.0.1:%d/ws", port)
	if _, resp, err := websocket.DefaultDialer.Dial(wsURL, nil); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("/ws without the token: %v", err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(wsURL+"?token="+token, nil)
	if err != nil {
		t.Fatalf("/ws with the token: %v", err)
	}
	conn.Close()
	stop(t, st)

	// Restarted, it shows no new token and the first one still works.
	st = start(t, cfg)
	defer stop(t, st)
	if st.FreshToken != "" {
		t.Fatal("a second token was generated on restart")
	}
	if err := authed.Do(ctx, "GET", "/status", nil, nil); err != nil {
		t.Fatalf("the first token after restart: %v", err)
	}
}

// TestLeftoverDevServerIsStopped: a dev server left running on the data
// folder by a Studio that was killed (it holds the SQLite database) is
// ended by the next start, which then works on the same database.
func TestLeftoverDevServerIsStopped(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfig(t, dir)
	db := filepath.Join(dir, "temporal.db")
	port, l := freePort(t)
	l.Close()
	leftover := exec.Command(cfg.TemporalCLI, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(port), "--db-filename", db, "--log-level", "error")
	leftover.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := leftover.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- leftover.Wait() }()
	t.Cleanup(func() { _ = leftover.Process.Kill() })
	if err := os.WriteFile(db+".pid", []byte(strconv.Itoa(leftover.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the leftover dev server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	st := start(t, cfg)
	defer stop(t, st)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the leftover dev server still runs after a new start")
	}
	selfCheck(t, hubclient.New(st.URLs.HubAPI), "after a leftover dev server")
	if b, err := os.ReadFile(db + ".pid"); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(st.Temporal.PID()) {
		t.Fatalf("pid file names %q (%v), want the new dev server %d", b, err, st.Temporal.PID())
	}
}
