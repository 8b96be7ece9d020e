// Package e2e runs the pipelines end to end on the real embedded engines:
// the Temporal dev server, SQLite and Bleve in a temporary data folder, the
// Studio server on loopback, and a worker that runs either in the test
// process or as a child process that a test can kill -9 and start again.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"studio/internal/app/config"
	"studio/internal/app/hubclient"
	"studio/internal/app/program"
	"studio/internal/domain/hub"
	"studio/internal/engine"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/apicheck"
	"studio/internal/testsupport/testenv"
	"studio/internal/testsupport/testenv/escluster"
)

// childWorkerEnv makes the test binary run as a worker process.
const childWorkerEnv = "STUDIO_E2E_CHILD_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(childWorkerEnv) == "1" {
		os.Exit(runChildWorker())
	}
	code := m.Run()
	escluster.StopShared()
	os.Exit(code)
}

// runChildWorker is the body of a worker child process: the configuration
// comes from the environment, as for `studio worker`.
func runChildWorker() int {
	cfg := config.Default()
	if _, err := cfg.FlagSet("worker"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	eng, err := engine.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer eng.Close()
	tc, err := engine.DialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, cfg.ConnectTimeout, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer tc.Close()
	ws, err := program.StartWorkers(cfg, eng, tc, nil, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	<-ctx.Done()
	ws.Stop()
	return 0
}

// stack is the engines, the server and a worker.
type stack struct {
	t        *testing.T
	cfg      config.Config
	dev      *testenv.DevServer
	eng      *engine.Engines
	hub      *hubclient.Client
	base     string
	child    *exec.Cmd
	childLog *bytes.Buffer
}

// newStack starts the engines and the server; inProcessWorker chooses where
// the worker runs (see startChildWorker otherwise); configure may change the
// configuration first (e.g. set ESURL).
func newStack(t *testing.T, inProcessWorker bool, configure ...func(*config.Config)) *stack {
	t.Helper()
	s := &stack{t: t, dev: testenv.StartDevServer(t, "")}
	s.cfg = config.Default()
	s.cfg.DataDir = t.TempDir()
	s.cfg.TemporalAddress = s.dev.FrontendHostPort()
	for _, f := range configure {
		f(&s.cfg)
	}
	eng, err := engine.Open(context.Background(), s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	s.eng = eng
	// Once the test is over, every hub record it made reads into its Go
	// type and writes back the same JSON (runs after the workers and the
	// server stopped).
	t.Cleanup(func() { checkRecordsRoundTrip(t, eng.Hub) })
	if inProcessWorker {
		ws, err := program.StartWorkers(s.cfg, eng, s.dev.Client(), nil, false)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ws.Stop)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := program.Serve(ln, program.ServerDeps(s.cfg, eng, s.dev.Client(), nil, ""))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	s.base = "http://" + ln.Addr().String()
	s.hub = hubclient.New(s.base)
	// Every answer the tests read is checked against the hub API's
	// OpenAPI document.
	s.hub.HTTP.Transport = apicheck.Transport{T: t}
	return s
}

// startChildWorker starts a worker as a child process of the test.
func (s *stack) startChildWorker() { s.t.Helper(); s.startChildWorkerEnv() }

// startChildWorkerEnv starts a worker child with extra environment
// variables (settings such as STUDIO_PARSER_NO_PROGRESS=5s).
func (s *stack) startChildWorkerEnv(env ...string) {
	s.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childWorkerEnv+"=1",
		"STUDIO_DATA_DIR="+s.cfg.DataDir,
		"TEMPORAL_ADDRESS="+s.cfg.TemporalAddress,
	)
	cmd.Env = append(cmd.Env, env...)
	s.childLog = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = s.childLog, s.childLog
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.child = cmd
	s.t.Cleanup(func() { s.killChildWorker() })
}

// killChildWorker kills the worker child with SIGKILL: no clean shutdown.
func (s *stack) killChildWorker() {
	if s.child == nil {
		return
	}
	_ = s.child.Process.Kill()
	_ = s.child.Wait()
	s.child = nil
}

// do calls the hub API and fails the test on error.
func (s *stack) do(method, path string, body, out any) {
	s.t.Helper()
	if err := s.hub.Do(context.Background(), method, path, body, out); err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
}

// doErr calls the hub API and returns its error.
func (s *stack) doErr(method, path string, body, out any) error {
	return s.hub.Do(context.Background(), method, path, body, out)
}

// wait waits for a command to close and returns it.
func (s *stack) wait(id string, timeout time.Duration) commands.Command {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var cmd commands.Command
		// A 5xx (Temporal slow to answer on a loaded machine) is asked
		// again until the deadline; a 4xx is the test's failure.
		err := s.doErr("GET", hubclient.CommandPath(id), nil, &cmd)
		var he *hubclient.Error
		if err != nil && errors.As(err, &he) && he.Code < 500 {
			s.t.Fatalf("GET command %s: %v", id, err)
		}
		if err == nil && cmd.CloseTime != nil {
			return cmd
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("command %s still %s after %s (last error: %v); child worker log:\n%s", id, cmd.Status, timeout, err, s.childOutput())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *stack) childOutput() string {
	if s.childLog == nil {
		return "(no child worker)"
	}
	return s.childLog.String()
}

// result decodes a command's result into out.
func result(t *testing.T, cmd commands.Command, out any) {
	t.Helper()
	if cmd.Status != "completed" {
		t.Fatalf("command %s %s: %s", cmd.ID, cmd.Status, cmd.Failure)
	}
	b, _ := json.Marshal(cmd.Result)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("command %s result %s: %v", cmd.ID, b, err)
	}
}

// httpGetJSON is a plain GET for answers outside the hub envelope.
func httpGetJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, strings.TrimSpace(string(b)))
		}
	}
	return resp.StatusCode
}

// recordHistory writes a closed workflow's history to
// workflows/testdata/<name>.history.json when STUDIO_RECORD_HISTORIES is
// set, so that the replay test keeps today's workflows replayable.
func (s *stack) recordHistory(workflowID, name string) {
	s.t.Helper()
	if os.Getenv("STUDIO_RECORD_HISTORIES") == "" {
		return
	}
	var h historypb.History
	it := s.dev.Client().GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		s.t.Fatal(err)
	}
	path := filepath.Join(testenv.RepoRoot(s.t), "workflows", "testdata", name+".history.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// checkRecordsRoundTrip reads every record of the hub collections that
// have a Go type into it and fails t when one does not decode, or encodes
// to other JSON than the stored document.
func checkRecordsRoundTrip(t *testing.T, st docstore.Store) {
	t.Helper()
	ctx := context.Background()
	for coll, decode := range map[string]func(docstore.Doc) (any, error){
		hub.DataPlugin:     func(d docstore.Doc) (any, error) { return hub.Decode[hub.Plugin](d) },
		hub.SrcDump:        func(d docstore.Doc) (any, error) { return hub.Decode[hub.Source](d) },
		hub.SrcMaster:      func(d docstore.Doc) (any, error) { return hub.Decode[hub.Master](d) },
		hub.SrcBuildConfig: func(d docstore.Doc) (any, error) { return hub.Decode[hub.BuildConfig](d) },
		hub.SrcBuild:       func(d docstore.Doc) (any, error) { return hub.Decode[hub.Build](d) },
		hub.API:            func(d docstore.Doc) (any, error) { return hub.Decode[hub.DataAPI](d) },
		hub.WorkerFiles:    func(d docstore.Doc) (any, error) { return hub.Decode[hub.Files](d) },
		hub.SyncState:      func(d docstore.Doc) (any, error) { return hub.Decode[hub.SyncFiles](d) },
	} {
		for d, err := range st.C(coll).Scan(ctx, docstore.ScanOptions{}) {
			if err != nil {
				t.Errorf("read %s: %v", coll, err)
				break
			}
			rec, err := decode(d)
			if err != nil {
				t.Errorf("hub record %s %v does not read into its type: %v", coll, d["_id"], err)
				continue
			}
			got, _ := json.Marshal(rec)
			want, _ := json.Marshal(d)
			if !bytes.Equal(got, want) {
				t.Errorf("hub record %s %v encodes to\n%s\nstored\n%s", coll, d["_id"], got, want)
			}
		}
	}
}
