// Package escluster runs a real Elasticsearch 8 cluster for tests and
// benchmarks: several nodes in one JVM (the launcher in java/, built by
// `make escluster` into bin/escluster), on free loopback ports, with its
// data in a temporary folder. The JVM stops with the process that started
// it, whatever happens: it exits when its standard input closes.
package escluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"studio/internal/testsupport/shareddata"
)

// Nodes is the size of the clusters the tests run.
const Nodes = 3

// Cluster is a running Elasticsearch cluster.
type Cluster struct {
	// URLs holds each node's HTTP address, node i at index i.
	URLs []string
	// Dir is the cluster's folder (node data and logs).
	Dir string

	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan string
	mu      sync.Mutex // one command at a time
	log     *tailBuffer
	done    chan struct{}
	ownDir  bool
}

// URL is the address clients are given: every node, comma-separated, as
// ES_URL takes it.
func (c *Cluster) URL() string { return strings.Join(c.URLs, ",") }

// Launcher returns the java command line that runs the launcher, or an
// error naming what is missing.
func Launcher(root string) (java string, classpath string, err error) {
	dir := filepath.Join(root, "bin", "escluster")
	cp, err := os.ReadFile(filepath.Join(dir, "classpath.txt"))
	if err != nil {
		return "", "", fmt.Errorf("the Elasticsearch test cluster is not built (%s): run `make escluster` (or `make test`)", dir)
	}
	jar := filepath.Join(dir, "escluster-1.jar")
	if _, err := os.Stat(jar); err != nil {
		return "", "", fmt.Errorf("the Elasticsearch test cluster is not built (%s missing): run `make escluster`", jar)
	}
	java = "java"
	if h := os.Getenv("JAVA_HOME"); h != "" {
		java = filepath.Join(h, "bin", "java")
	}
	if _, err := exec.LookPath(java); err != nil {
		return "", "", fmt.Errorf("java not found (%s): install a JDK 17 (`make escluster` does)", java)
	}
	return java, jar + string(os.PathListSeparator) + strings.TrimSpace(string(cp)), nil
}

// Start runs a cluster of n nodes with its data under dir (a temporary
// folder, removed by Stop, when dir is empty), and waits until every node
// has joined and the cluster is green. The launcher picks free ports; when
// another process takes one before a node binds it (several clusters
// starting on one machine), a cluster in a temporary folder is started
// again on new ports, up to three times.
func Start(ctx context.Context, root, dir string, n int) (*Cluster, error) {
	for attempt := 1; ; attempt++ {
		c, err := start(ctx, root, dir, n)
		if err == nil || dir != "" || attempt == 3 || !portTaken(err) {
			return c, err
		}
	}
}

// portTaken says whether a start failed because a port was taken.
func portTaken(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "BindException") || strings.Contains(msg, "Address already in use")
}

func start(ctx context.Context, root, dir string, n int) (*Cluster, error) {
	java, cp, err := Launcher(root)
	if err != nil {
		return nil, err
	}
	own := false
	if dir == "" {
		if dir, err = os.MkdirTemp("", "studio-es-"); err != nil {
			return nil, fmt.Errorf("escluster: %w", err)
		}
		own = true
	}
	heap := os.Getenv("STUDIO_ES_HEAP")
	if heap == "" {
		heap = "1g"
	}
	cmd := exec.Command(java, "-Xms"+heap, "-Xmx"+heap, "-XX:+UseG1GC",
		"-Dstudio.es.log="+envOr("STUDIO_ES_LOG", "WARN"),
		"-cp", cp, "studio.escluster.Launcher", dir, fmt.Sprint(n))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("escluster: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("escluster: %w", err)
	}
	logBuf := &tailBuffer{max: 64 << 10}
	cmd.Stderr = logBuf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("escluster: start %s: %w", java, err)
	}
	c := &Cluster{Dir: dir, cmd: cmd, stdin: stdin, replies: make(chan string, 16), log: logBuf, done: make(chan struct{}), ownDir: own}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.replies <- sc.Text()
		}
		close(c.replies)
	}()
	go func() { _ = cmd.Wait(); close(c.done) }()

	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	line, err := c.reply(startCtx)
	if err != nil || !strings.HasPrefix(line, "READY ") {
		c.Stop()
		if err == nil {
			err = fmt.Errorf("unexpected line %q", line)
		}
		return nil, fmt.Errorf("escluster: start %d nodes in %s: %w\n%s", n, dir, err, logBuf.String())
	}
	c.URLs = strings.Fields(strings.TrimPrefix(line, "READY "))
	if err := c.WaitGreen(startCtx, n); err != nil {
		c.Stop()
		return nil, fmt.Errorf("escluster: %w\n%s", err, logBuf.String())
	}
	return c, nil
}

func (c *Cluster) reply(ctx context.Context) (string, error) {
	select {
	case line, ok := <-c.replies:
		if !ok {
			return "", errors.New("the launcher exited")
		}
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// command sends one launcher command and returns its reply.
func (c *Cluster) command(ctx context.Context, cmd, want string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		return "", fmt.Errorf("escluster: %s: %w", cmd, err)
	}
	line, err := c.reply(ctx)
	if err != nil {
		return "", fmt.Errorf("escluster: %s: %w", cmd, err)
	}
	if !strings.HasPrefix(line, want) {
		return "", fmt.Errorf("escluster: %s: %s", cmd, line)
	}
	return line, nil
}

// StopNode closes node i (its HTTP port stops answering); the others go on.
func (c *Cluster) StopNode(ctx context.Context, i int) error {
	_, err := c.command(ctx, fmt.Sprintf("stop %d", i), "STOPPED ")
	return err
}

// StartNode starts node i again on its ports and data.
func (c *Cluster) StartNode(ctx context.Context, i int) error {
	_, err := c.command(ctx, fmt.Sprintf("start %d", i), "STARTED ")
	return err
}

// WaitGreen waits until the cluster has n nodes and every shard is
// allocated.
func (c *Cluster) WaitGreen(ctx context.Context, n int) error {
	var last string
	for {
		for _, u := range c.URLs {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
				fmt.Sprintf("%s/_cluster/health?wait_for_status=green&wait_for_nodes=%d&timeout=5s", u, n), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				last = err.Error()
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = string(body)
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster not green with %d nodes: %s", n, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop stops every node and the JVM, and removes a temporary folder.
func (c *Cluster) Stop() {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		if c.cmd.Process != nil {
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-c.done
	}
	if c.ownDir {
		_ = os.RemoveAll(c.Dir)
	}
}

// Log is the end of the cluster's own log.
func (c *Cluster) Log() string { return c.log.String() }

var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// Shared returns the cluster shared by the tests of this process, started
// by the first caller. It is skipped when the launcher is not built, or
// fails when STUDIO_REQUIRE_ES is set (as `make test` does). A test
// package that calls it stops it from TestMain with Main.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	root := shareddata.RepoRoot(tb)
	if _, _, err := Launcher(root); err != nil {
		if os.Getenv("STUDIO_REQUIRE_ES") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err.Error())
	}
	shared.once.Do(func() {
		shared.cluster, shared.err = Start(context.Background(), root, "", Nodes)
	})
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.cluster
}

// Main runs a package's tests and then stops the shared cluster, if one
// was started: func TestMain(m *testing.M) { escluster.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// StopShared stops the shared cluster if one was started; for packages
// whose TestMain does more than Main.
func StopShared() {
	if shared.cluster != nil {
		shared.cluster.Stop()
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
