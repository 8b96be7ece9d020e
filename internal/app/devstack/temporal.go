package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// TemporalOptions configure the supervised Temporal dev server.
type TemporalOptions struct {
	CLI       string // path of the temporal CLI binary
	DBFile    string // SQLite file of the dev server (state survives restarts)
	LogFile   string // where the dev server's output goes
	Port      int    // frontend port on 127.0.0.1; 0 = a free one
	UIPort    int    // Web UI port on 127.0.0.1; 0 = a free one
	Namespace string
	Log       *slog.Logger
}

// Temporal is a running, supervised `temporal server start-dev`.
type Temporal struct {
	opts     TemporalOptions
	Frontend string // host:port of the frontend
	UIURL    string // URL of the Web UI

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the current child exits
	stopping bool
	done     chan struct{} // closed when supervision ends
	restarts int
}

// FindTemporalCLI returns the temporal CLI to run: the given path, else
// `temporal` beside this executable, else bin/temporal under the working
// folder, else `temporal` on PATH.
func FindTemporalCLI(given string) (string, error) {
	if given != "" {
		if _, err := exec.LookPath(given); err != nil {
			return "", fmt.Errorf("temporal CLI %s: %w (install it with `make temporal`)", given, unwrapExec(err))
		}
		return given, nil
	}
	var tried []string
	if exe, err := os.Executable(); err == nil {
		tried = append(tried, filepath.Join(filepath.Dir(exe), "temporal"))
	}
	if wd, err := os.Getwd(); err == nil {
		tried = append(tried, filepath.Join(wd, "bin", "temporal"))
	}
	for _, p := range tried {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("temporal CLI not found (looked at %v and on PATH): run `make temporal` to install it into bin/, or pass --temporal-cli", tried)
}

func unwrapExec(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// StartTemporal starts the dev server, waits until its frontend answers,
// and supervises it: a crash is logged and the server restarted on the same
// ports and database file. Stop ends it.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	// A dev server left by a Studio that was killed would hold the
	// database (and perhaps the ports): end it first.
	if err := stopLeftover(opts.DBFile, opts.Log); err != nil {
		return nil, err
	}
	var err error
	if opts.Port, err = pickPort(opts.Port, "--temporal-port"); err != nil {
		return nil, err
	}
	if opts.UIPort, err = pickPort(opts.UIPort, "--temporal-ui-port"); err != nil {
		return nil, err
	}
	t := &Temporal{
		opts:     opts,
		Frontend: net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)),
		UIURL:    "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.UIPort)),
		done:     make(chan struct{}),
	}
	if err := t.spawn(); err != nil {
		return nil, err
	}
	if err := t.waitReady(ctx); err != nil {
		t.kill()
		return nil, err
	}
	go t.supervise()
	return t, nil
}

// pickPort returns port when it is free on loopback, or a free port when 0.
func pickPort(port int, flagName string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("%s: port 127.0.0.1:%d is not free: %w", flagName, port, unwrapOp(err))
	}
	got := l.Addr().(*net.TCPAddr).Port
	return got, l.Close()
}

func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}

func (t *Temporal) args() []string {
	return []string{
		"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(t.opts.Port),
		"--ui-ip", "127.0.0.1",
		"--ui-port", strconv.Itoa(t.opts.UIPort),
		"--db-filename", t.opts.DBFile,
		"--namespace", t.opts.Namespace,
		"--log-level", "warn",
		"--log-format", "json",
		"--dynamic-config-value", "frontend.enableServerVersionCheck=false",
	}
}

func (t *Temporal) spawn() error {
	logf, err := os.OpenFile(t.opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("temporal dev server log %s: %w", t.opts.LogFile, err)
	}
	cmd := exec.Command(t.opts.CLI, t.args()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so that Ctrl-C reaches Studio first and Studio
	// stops it in order; and it dies with Studio if Studio is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start temporal dev server %s: %w", t.opts.CLI, unwrapExec(err))
	}
	if err := writePID(t.opts.DBFile, cmd.Process.Pid); err != nil {
		t.opts.Log.Warn("a later start cannot find this dev server if Studio is killed", "err", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	t.mu.Lock()
	t.cmd, t.exited = cmd, exited
	t.mu.Unlock()
	t.opts.Log.Debug("temporal dev server started", "pid", cmd.Process.Pid, "frontend", t.Frontend)
	return nil
}

// waitReady dials the frontend until it answers, the child exits, or ctx ends.
func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	t.mu.Lock()
	exited := t.exited
	t.mu.Unlock()
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: t.Frontend, Namespace: t.opts.Namespace, Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("temporal dev server exited during start-up; its log %s ends with: %s", t.opts.LogFile, tail(t.opts.LogFile, 400))
		case <-ctx.Done():
			return fmt.Errorf("temporal dev server at %s not ready: %w", t.Frontend, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// supervise restarts the child when it exits without being asked to.
func (t *Temporal) supervise() {
	defer close(t.done)
	backoff := time.Second
	for {
		t.mu.Lock()
		exited := t.exited
		t.mu.Unlock()
		<-exited
		t.mu.Lock()
		stopping := t.stopping
		state := t.cmd.ProcessState
		t.mu.Unlock()
		if stopping {
			return
		}
		t.opts.Log.Error("temporal dev server exited; restarting it", "state", fmt.Sprint(state), "log", t.opts.LogFile, "in", backoff)
		time.Sleep(backoff)
		backoff = min(2*backoff, 30*time.Second)
		t.mu.Lock()
		if t.stopping {
			t.mu.Unlock()
			return
		}
		t.restarts++
		t.mu.Unlock()
		if err := t.spawn(); err != nil {
			t.opts.Log.Error("temporal dev server restart failed", "err", err)
			continue
		}
		if err := t.waitReady(context.Background()); err != nil {
			t.opts.Log.Error("temporal dev server restart failed", "err", err)
			continue
		}
		t.opts.Log.Info("temporal dev server is back", "frontend", t.Frontend)
		backoff = time.Second
	}
}

// Restarts counts the restarts after crashes.
func (t *Temporal) Restarts() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.restarts
}

// PID is the process id of the current dev server process.
func (t *Temporal) PID() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cmd.Process.Pid
}

// Stop interrupts the dev server and waits for it, killing it after 10 s.
func (t *Temporal) Stop() error {
	t.mu.Lock()
	t.stopping = true
	cmd, exited := t.cmd, t.exited
	t.mu.Unlock()
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	<-t.done
	removePID(t.opts.DBFile)
	return nil
}

// kill ends a child that never became ready.
func (t *Temporal) kill() {
	t.mu.Lock()
	t.stopping = true
	cmd, exited := t.cmd, t.exited
	t.mu.Unlock()
	_ = cmd.Process.Kill()
	<-exited
	removePID(t.opts.DBFile)
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(bytes.TrimSpace(b))
}
