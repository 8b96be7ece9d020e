package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"studio/internal/bench/benchkit"
)

// biothingsWeb is BioThings' own data API (biothings.web, from the
// biothings package on PyPI) serving an Elasticsearch index: the peer the
// data API is measured beside.
type biothingsWeb struct {
	URL     string
	Version string
	cmd     *exec.Cmd
	out     *tailWriter
}

// peerConfig is the biothings.web configuration module: the index as the
// gene type, under /v1 as the data API serves it.
const peerConfig = `# biothings.web settings for apibench
ES_HOST = %q
ES_INDICES = {"gene": %q}
API_VERSION = "v1"
STATUS_CHECK = {"id": %q, "index": %q}
`

// startBiothingsWeb starts `python -m biothings.web` on a free loopback
// port against index on esURL (the first node of a comma-separated list)
// and waits until it answers a query.
func startBiothingsWeb(python, dir, esURL, index, statusID string) (*biothingsWeb, error) {
	conf := filepath.Join(dir, "btweb")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return nil, err
	}
	host := strings.Split(esURL, ",")[0]
	if err := os.WriteFile(filepath.Join(conf, "apibench_config.py"), fmt.Appendf(nil, peerConfig, host, index, statusID, index), 0o644); err != nil {
		return nil, err
	}
	port, err := benchkit.FreePort()
	if err != nil {
		return nil, err
	}
	out := &tailWriter{max: 16 << 10}
	cmd := exec.Command(python, "-m", "biothings.web", "--conf=apibench_config", "--dir="+conf,
		fmt.Sprintf("--port=%d", port), "--address=127.0.0.1", "--logging=warning")
	cmd.Dir = conf
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("biothings.web: start %s: %w", python, err)
	}
	p := &biothingsWeb{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: out}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		resp, err := http.Get(p.URL + "/v1/query?q=__all__&size=1")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			p.Stop()
			return nil, fmt.Errorf("biothings.web did not answer on %s within 2 minutes (is the biothings package installed for %s? `make pyref`):\n%s", p.URL, python, out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	v, err := exec.Command(python, "-c", "import biothings; print(biothings.__version__)").Output()
	if err == nil {
		p.Version = strings.TrimSpace(string(v))
	}
	return p, nil
}

// Stop ends the peer's process group.
func (p *biothingsWeb) Stop() {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if over := w.buf.Len() - w.max; over > 0 {
		w.buf.Next(over)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
