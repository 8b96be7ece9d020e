package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"studio/internal/engine/docstore/mongo/ferrettest"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
	"studio/internal/testsupport/testenv/deployspec"
	"studio/internal/testsupport/testenv/escluster"
)

// topology is the production deployment on one machine: an external
// Temporal (the dev server standing in for a cluster), FerretDB standing in
// for MongoDB, a real Elasticsearch cluster, and Studio as separate
// processes of the built binary: one `studio server`, workers, data APIs,
// each run with the command and settings docker-compose.yml gives it.
type topology struct {
	t      *testing.T
	bin    string
	dir    string
	spec   map[string]deployspec.Process // docker-compose.yml's Studio services, by role
	hosts  map[string]string             // the compose file's engine addresses -> this machine's
	dev    *testenv.DevServer
	es     *escluster.Cluster
	server *studioProc
	base   string // the server's URL
}

// studioProc is one running `studio` process.
type studioProc struct {
	t    *testing.T
	bin  string
	name string
	args []string
	env  []string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// newTopology starts the engines and the server process. The Mongo
// databases are prefixed by the test's own name, so that tests sharing a
// FerretDB would not meet.
func newTopology(t *testing.T) *topology {
	t.Helper()
	spec, err := deployspec.Compose(filepath.Join(testenv.RepoRoot(t), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	tp := &topology{t: t, bin: buildStudio(t), dir: t.TempDir(), spec: spec}
	tp.es = escluster.Shared(t)
	tp.dev = testenv.StartDevServer(t, "")
	mongo := ferrettest.StartT(t)
	tp.hosts = map[string]string{
		"temporal:7233":             tp.dev.FrontendHostPort(),
		"mongodb://mongodb:27017":   mongo,
		"http://elasticsearch:9200": tp.es.URL(),
	}
	port := freePort(t)
	tp.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	tp.server = tp.role("server", "server", map[string]string{"0.0.0.0:8080": fmt.Sprintf("127.0.0.1:%d", port)})
	testenv.WaitHTTP(t, tp.base+"/status", time.Minute)
	return tp
}

// role starts the process the compose file runs for role, named name, with
// its data folder (/data) of its own and the replacements given.
func (tp *topology) role(role, name string, replace map[string]string, extra ...string) *studioProc {
	tp.t.Helper()
	p, ok := tp.spec[role]
	if !ok {
		tp.t.Fatalf("docker-compose.yml runs no `studio %s`", role)
	}
	hosts := map[string]string{"/data": filepath.Join(tp.dir, name)}
	for k, v := range tp.hosts {
		hosts[k] = v
	}
	for k, v := range replace {
		hosts[k] = v
	}
	local := p.Local(hosts)
	return tp.start(name, local.Args, append(local.EnvList(), extra...)...)
}

// start runs `studio args...` with env added to this process's own.
func (tp *topology) start(name string, args []string, env ...string) *studioProc {
	tp.t.Helper()
	p := &studioProc{t: tp.t, bin: tp.bin, name: name, args: args, env: append(os.Environ(), env...)}
	p.run()
	tp.t.Cleanup(func() {
		p.stop()
		if tp.t.Failed() {
			tp.t.Logf("%s output:\n%s", p.name, p.out.String())
		}
	})
	return p
}

func (p *studioProc) run() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Env = p.env
	if p.out == nil {
		p.out = &syncBuffer{}
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("start studio %s: %v", strings.Join(p.args, " "), err)
	}
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(p.cmd, p.done)
}

// stop ends the process with SIGTERM (SIGKILL after 10 s).
func (p *studioProc) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill ends the process with SIGKILL, as a crash would.
func (p *studioProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// restart starts the same command again.
func (p *studioProc) restart() { p.t.Helper(); p.run() }

// worker starts a `studio worker` with its own data folder; extra
// settings (KEY=value) override the compose file's.
func (tp *topology) worker(name string, extra ...string) *studioProc {
	tp.t.Helper()
	return tp.role("worker", name, nil, extra...)
}

// dataAPI starts a `studio api` serving index and returns it and its URL.
func (tp *topology) dataAPI(name, index string) (*studioProc, string) {
	tp.t.Helper()
	port := freePort(tp.t)
	p := tp.role("api", name, map[string]string{
		tp.spec["api"].Args[2]: index, // --index <the compose file's default>
		"0.0.0.0:8000":         fmt.Sprintf("127.0.0.1:%d", port),
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(tp.t, base+"/v1/metadata", time.Minute)
	return p, base
}

// liveLog records every message of the server's live channel.
type liveLog struct {
	mu   sync.Mutex
	msgs []map[string]any
	err  error
}

// follow connects to /ws and records messages until the test ends.
func (tp *topology) follow() *liveLog {
	tp.t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(strings.Replace(tp.base, "http://", "ws://", 1)+"/ws", nil)
	if err != nil {
		tp.t.Fatalf("connect to the live channel: %v", err)
	}
	l := &liveLog{}
	tp.t.Cleanup(func() { conn.Close() })
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				l.mu.Lock()
				l.err = err
				l.mu.Unlock()
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				l.mu.Lock()
				l.msgs = append(l.msgs, m)
				l.mu.Unlock()
			}
		}
	}()
	return l
}

// completed lists the workflow types the live channel saw complete, with
// how many times.
func (l *liveLog) completed() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for _, m := range l.msgs {
		ev, _ := m["event"].(map[string]any)
		if ev == nil {
			ev = m
		}
		if ev["type"] == "workflow.completed" {
			wt, _ := ev["workflow_type"].(string)
			out[wt]++
		}
	}
	return out
}

// waitCompleted waits until the live channel saw a workflow of each type
// complete at least the given number of times.
func (l *liveLog) waitCompleted(t *testing.T, want map[string]int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := l.completed()
		missing := []string{}
		for wt, n := range want {
			if got[wt] < n {
				missing = append(missing, fmt.Sprintf("%s (%d of %d)", wt, got[wt], n))
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			l.mu.Lock()
			n, err := len(l.msgs), l.err
			l.mu.Unlock()
			t.Fatalf("the live channel did not show these complete: %s (%d messages, read error %v, seen %v)", strings.Join(missing, ", "), n, err, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// queryTotal asks a data API for q and returns the total.
func queryTotal(t *testing.T, base, q string) int64 {
	t.Helper()
	var res struct{ Total int64 }
	if code := httpGetJSON(t, base+"/v1/query?q="+q, &res); code != http.StatusOK {
		t.Fatalf("GET %s/v1/query?q=%s = %d", base, q, code)
	}
	return res.Total
}

// TestProductionTopology runs the tutorial on the production topology:
// `studio server`, two `studio worker`s with data folders of their own and
// two `studio api` replicas, all separate processes, on an external
// Temporal, FerretDB as MongoDB and a three-node Elasticsearch cluster. The
// web app's live channel follows every step.
func TestProductionTopology(t *testing.T) {
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	tp := newTopology(t)
	tp.worker("worker-a")
	tp.worker("worker-b")
	live := tp.follow()
	cli := &studioCLI{t: t, bin: tp.bin, hub: tp.base}
	wantDocs, wantABL1 := cgiExpectations(t, tsv)

	lab := serveLabFile(t, "cgi.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	cli.ok("register", cgiPluginRepo(t, "cgi", lab.URL))
	dumped := cli.dumpAndUpload("cgi")
	cli.requireUploaded("cgi", wantDocs)
	cli.ok("inspect", "cgi")
	cli.ok("mapping", "field", "cgi", "cgi.gene", "--search-by-default")
	cli.ok("mapping", "commit", "cgi")
	cli.ok("buildconf", "create", "--name", "default", "--doctype", "variant", "--sources", "cgi")
	build := cli.build("default")
	if build.Status != "completed" || build.Total != int64(wantDocs) {
		t.Fatalf("build --json = %+v", build)
	}
	var rel struct {
		Mode     string
		Commands []commands.Command
	}
	cli.json(&rel, "release", build.BuildID, "--index", "cgi_live")
	if rel.Mode != "full" || len(rel.Commands) != 1 || rel.Commands[0].Status != "completed" {
		t.Fatalf("release --json = %+v", rel)
	}

	// Two stateless data API processes serve the same index.
	_, api1 := tp.dataAPI("api-1", "cgi_live")
	_, api2 := tp.dataAPI("api-2", "cgi_live")
	for _, base := range []string{api1, api2} {
		if n := queryTotal(t, base, "ABL1"); n != int64(wantABL1) {
			t.Fatalf("%s/v1/query?q=ABL1: total %d, want %d", base, n, wantABL1)
		}
	}

	// The lab publishes an edited file: dump, build, and an incremental
	// release synced into the live index, which both APIs serve at once.
	lab.publish(zipOf(t, "cgi_biomarkers_per_variant.tsv", editCGI(t, tsv, 3, 2, 2)), lastModified.Add(48*time.Hour))
	cli.json(&dumped, "dump", "cgi")
	if dumped.Upload == nil || dumped.Upload.Status != "completed" {
		t.Fatalf("second dump --json = %+v", dumped)
	}
	build2 := cli.build("default")
	if build2.Status != "completed" {
		t.Fatalf("second build = %+v", build2)
	}
	rel.Commands = nil
	cli.json(&rel, "release", build2.BuildID, "--index", "cgi_live")
	if rel.Mode != "incremental" || len(rel.Commands) != 2 || rel.Commands[1].Type != "Sync" || rel.Commands[1].Status != "completed" {
		t.Fatalf("incremental release --json = %+v", rel)
	}
	var synced struct{ Added, Updated, Deleted int }
	b, _ := json.Marshal(rel.Commands[1].Result)
	if json.Unmarshal(b, &synced) != nil || synced.Added != 2 || synced.Updated != 2 || synced.Deleted != 3 {
		t.Fatalf("sync result = %s", b)
	}
	for _, base := range []string{api1, api2} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			var all struct{ Total int64 }
			httpGetJSON(t, base+"/v1/query?q=*&size=0", &all)
			if all.Total == build2.Total || time.Now().After(deadline) {
				if all.Total != build2.Total {
					t.Fatalf("%s serves %d documents after the sync, want %d", base, all.Total, build2.Total)
				}
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	live.waitCompleted(t, map[string]int{
		"RegisterPlugin": 1, "Dump": 2, "Upload": 2, "Inspect": 1, "Build": 2, "Index": 1, "Diff": 1, "Sync": 1,
	}, 30*time.Second)
}

// TestWorkersWithoutSharedFolder shows that workers need no shared folder:
// a dump and its upload run on one worker, a dump with nothing new stays
// on the worker holding the files, and when that worker is gone for good
// the next dump runs again on another worker, and the upload there.
func TestWorkersWithoutSharedFolder(t *testing.T) {
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	tp := newTopology(t)
	const goneAfter = "STUDIO_WORKER_GONE_AFTER=5s"
	wa := tp.worker("worker-a", goneAfter)
	cli := &studioCLI{t: t, bin: tp.bin, hub: tp.base}
	wantDocs, _ := cgiExpectations(t, tsv)
	lab := serveLabFile(t, "cgi.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	cli.ok("register", cgiPluginRepo(t, "cgi", lab.URL))
	dumped := cli.dumpAndUpload("cgi")
	holds := func(worker string) bool {
		files, _ := filepath.Glob(filepath.Join(tp.dir, worker, "datasources", "cgi", "*", "cgi.zip"))
		return len(files) > 0
	}
	if !holds("worker-a") {
		t.Fatal("worker-a dumped, but its folder holds no cgi.zip")
	}

	// A second worker joins; a dump with nothing new goes to worker-a,
	// which holds the files and finds them up to date.
	tp.worker("worker-b", goneAfter)
	cli.json(&dumped, "dump", "cgi")
	var res struct{ Status string }
	b, _ := json.Marshal(dumped.Dump.Result)
	if json.Unmarshal(b, &res) != nil || res.Status != "nothing to dump" || holds("worker-b") {
		t.Fatalf("a dump with nothing new: %s, worker-b holds files: %v", b, holds("worker-b"))
	}

	// worker-a is gone for good: the next dump runs on worker-b, which
	// downloads again, and the upload runs there.
	wa.kill()
	cli.json(&dumped, "dump", "cgi")
	b, _ = json.Marshal(dumped.Dump.Result)
	if json.Unmarshal(b, &res) != nil || res.Status != "success" || !holds("worker-b") {
		t.Fatalf("the dump after worker-a is gone: %s, worker-b holds files: %v", b, holds("worker-b"))
	}
	if dumped.Upload == nil || dumped.Upload.Status != "completed" {
		t.Fatalf("the upload after worker-a is gone: %+v", dumped.Upload)
	}
	cli.requireUploaded("cgi", wantDocs)
}

// cliDump is what `studio dump --json` prints.
type cliDump struct {
	Dump   commands.Command
	Upload *commands.Command
}

// dumpAndUpload runs `studio dump source` and requires the dump and the
// upload it starts to complete.
func (c *studioCLI) dumpAndUpload(source string) cliDump {
	c.t.Helper()
	var d cliDump
	c.json(&d, "dump", source)
	if d.Dump.Status != "completed" || d.Upload == nil || d.Upload.Status != "completed" {
		c.t.Fatalf("dump %s --json = %+v", source, d)
	}
	return d
}

// requireUploaded requires `studio sources` to show n documents uploaded
// by the source's uploader of its own name.
func (c *studioCLI) requireUploaded(source string, n int) {
	c.t.Helper()
	var sources []sourceRowJSON
	c.json(&sources, "sources")
	if len(sources) != 1 || sources[0].Upload.Jobs[source].Count != int64(n) {
		c.t.Fatalf("sources --json = %+v, want %d documents of %s", sources, n, source)
	}
}
