package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/config"
	"studio/internal/app/hubclient"
	"studio/internal/engine"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// devProcess is a `studio dev` child process in its own process group.
type devProcess struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // its exit, once exited is closed
}

// syncBuffer is a bytes.Buffer that a process and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDev runs `studio dev` on dataDir and listen and waits for /status.
func startDev(t *testing.T, studio, dataDir, listen string) *devProcess {
	t.Helper()
	cmd := exec.Command(studio, "dev", "--data-dir", dataDir, "--listen", listen, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "STUDIO_TEMPORAL_CLI="+testenv.TemporalCLI(t))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &devProcess{cmd: cmd, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill() })
	hc := hubclient.New("http://" + listen)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var st map[string]any
		if err := hc.Do(context.Background(), "GET", "/status", nil, &st); err == nil && strings.Contains(p.out.String(), "Studio is ready") {
			return p
		}
		if p.done() || time.Now().After(deadline) {
			t.Fatalf("studio dev did not come up on %s; its output:\n%s", listen, p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *devProcess) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL to the whole process group of `studio dev`.
func (p *devProcess) kill() {
	if p.done() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.exited
}

// stop interrupts `studio dev` as Ctrl-C would, and waits for it.
func (p *devProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("studio dev after Ctrl-C: %v; its output:\n%s", p.err, p.out.String())
		}
	case <-time.After(time.Minute):
		p.kill()
		t.Fatalf("studio dev did not stop on Ctrl-C; its output:\n%s", p.out.String())
	}
}

// devUploadParser yields the documents of slowParser, with shorter pauses.
const devUploadParser = `import time

def load_data(data_folder, n=200000):
    for i in range(n):
        if i % 5000 == 0:
            time.sleep(0.2)
        yield {"_id": "doc%06d" % i, "n": i, "tag": "t%d" % (i % 7)}
`

// TestFaultsDevRestart kills the whole `studio dev` (its process group,
// SIGKILL) in the middle of an upload of 200,000 documents, starts it again
// on the same data folder and port, and checks that the upload finishes
// with the documents of an undisturbed run.
func TestFaultsDevRestart(t *testing.T) {
	// Much of a fault test is waiting for Temporal to notice a dead
	// worker: the fault tests overlap, each on its own engine.
	t.Parallel()
	const n = 200000
	seed := faultSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	t.Logf("FAULTSEED seed=%d", seed)

	dir := t.TempDir()
	studio := filepath.Join(dir, "studio")
	build := exec.Command("go", "build", "-o", studio, "./cmd/studio")
	build.Dir = testenv.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/studio: %v\n%s", err, out)
	}
	dataDir := filepath.Join(dir, "data")
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	srv := serveFile(t, "seed.tsv", []byte("a\tb\n1\t2\n"), 0)
	repo := testenv.GitRepo(t, "devsrc", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": %d}, "on_duplicates": "error"}}`, srv.URL+"/seed.tsv", n),
		"parser.py": devUploadParser,
	})

	dev := startDev(t, studio, dataDir, listen)
	hc := hubclient.New("http://" + listen)
	ctx := context.Background()
	must := func(method, path string, body, out any) {
		t.Helper()
		if err := hc.Do(ctx, method, path, body, out); err != nil {
			t.Fatalf("%s %s: %v; studio dev output:\n%s", method, path, err, dev.out.String())
		}
	}
	must("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	must("PUT", "/source/devsrc/dump", nil, &started)
	waitClosed(t, hc, started.ID, time.Minute)

	// The kill point: a random delay after the upload's first heartbeat.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var cmd commands.Command
		err := hc.Do(ctx, "GET", hubclient.CommandPath("upload/devsrc"), nil, &cmd)
		if err == nil && progressDone(cmd) > 0 {
			break
		}
		if (err == nil && cmd.CloseTime != nil) || time.Now().After(deadline) {
			t.Fatalf("upload not under way: %+v %v; studio dev output:\n%s", cmd, err, dev.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	delay := time.Duration(200+rng.IntN(3000)) * time.Millisecond
	time.Sleep(delay)
	var before commands.Command
	must("GET", hubclient.CommandPath("upload/devsrc"), nil, &before)
	landed := before.CloseTime == nil
	t.Logf("killing studio dev %s after the first heartbeat, at %d documents", delay, progressDone(before))
	dev.kill()

	dev = startDev(t, studio, dataDir, listen)
	cmd := waitClosed(t, hc, "upload/devsrc", 5*time.Minute)
	dev.stop(t)

	got := "-"
	if cmd.Status == "completed" {
		var res []activities.UploadResult
		result(t, cmd, &res)
		got = sourceChecksum(t, dataDir, "devsrc")
	}
	ref := expectedChecksum(n)
	res := map[bool]string{true: "pass", false: "fail"}[got == ref]
	t.Logf("FAULT pipeline=dev-restart-upload kill=1 at=%d result=%s checksum=%s reference=%s landed=%s",
		delay.Milliseconds(), res, shortSum(got), shortSum(ref), map[bool]string{true: "mid", false: "after"}[landed])
	if got != ref {
		t.Fatalf("upload after a restart of studio dev: %s %s, checksum %s, want %s; studio dev output:\n%s",
			cmd.Status, cmd.Failure, got, ref, dev.out.String())
	}
}

// waitClosed waits for a command to close, through the hub API.
func waitClosed(t *testing.T, hc *hubclient.Client, id string, timeout time.Duration) commands.Command {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var cmd commands.Command
		err := hc.Do(context.Background(), "GET", hubclient.CommandPath(id), nil, &cmd)
		if err == nil && cmd.CloseTime != nil {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("command %s not closed after %s: %+v %v", id, timeout, cmd, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sourceChecksum opens the data folder's document stores (with `studio
// dev` stopped) and sums a source collection.
func sourceChecksum(t *testing.T, dataDir, coll string) string {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dataDir
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	docs := scan(t, eng.Src.C(coll))
	if len(docs) == 0 {
		return "-"
	}
	return checksum(t, docs)
}
