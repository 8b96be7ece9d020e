package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"studio/activities"
	"studio/internal/app/config"
	"studio/internal/app/hubclient"
	"studio/internal/domain/hub"
	"studio/internal/engine"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// Faults in the production topology: Studio as separate processes (a
// server, two workers with data folders of their own, data APIs) on an
// external Temporal, FerretDB and the three-node Elasticsearch cluster. A
// worker is killed with SIGKILL in the middle of an upload and of a full
// release and never comes back, an Elasticsearch node stops under a load
// on the data APIs, the server is killed in the middle of an upload. Each
// test prints one "FAULT topology case=..." line with what it measured,
// which internal/testsupport/faultreport turns into a section of docs/reliability.md.

// topoGoneAfter is how long a task waits on a worker's own queue before the
// worker is presumed gone (STUDIO_WORKER_GONE_AFTER) in these tests.
const topoGoneAfter = 5 * time.Second

// faultTopology is the production topology with workers, a hub client and
// the engines opened in the test process.
type faultTopology struct {
	*topology
	hub     *hubclient.Client
	eng     *engine.Engines
	workers []*studioProc
}

// newFaultTopology starts the topology and n workers named worker-a,
// worker-b, ...
func newFaultTopology(t *testing.T, n int) *faultTopology {
	t.Helper()
	tp := newTopology(t)
	ft := &faultTopology{topology: tp, hub: hubclient.New(tp.base)}
	for i := range n {
		ft.workers = append(ft.workers, tp.worker(fmt.Sprintf("worker-%c", 'a'+i), "STUDIO_WORKER_GONE_AFTER="+topoGoneAfter.String()))
	}
	ft.eng = ft.openEngines()
	return ft
}

// openEngines opens, in the test process, the document stores and the
// search engine the server process uses (its environment's last word).
func (ft *faultTopology) openEngines() *engine.Engines {
	t := ft.t
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(ft.dir, "test")
	for _, kv := range ft.server.env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "MONGO_URI":
			cfg.MongoURI = v
		case "MONGO_DATABASE":
			cfg.MongoDatabase = v
		case "ES_URL":
			cfg.ESURL = v
		}
	}
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open the topology's engines from the test: %v", err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	return eng
}

// do calls the hub API and fails the test on error.
func (ft *faultTopology) do(method, path string, body, out any) {
	ft.t.Helper()
	if err := ft.hub.Do(context.Background(), method, path, body, out); err != nil {
		ft.t.Fatalf("%s %s: %v", method, path, err)
	}
}

// registerThings registers a data plugin named name whose parser
// (loadParser, version 1) yields n documents.
func (ft *faultTopology) registerThings(name string, n int) {
	t := ft.t
	t.Helper()
	lab := serveLabFile(t, "version.txt", []byte("1\n"))
	repo := testenv.GitRepo(t, name, map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": %d}}}`, lab.URL, n),
		"parser.py": loadParser,
	})
	ft.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
}

// dumpAndUpload dumps a source and waits for the upload the dump starts.
func (ft *faultTopology) dumpAndUpload(source string, timeout time.Duration) []activities.UploadResult {
	t := ft.t
	t.Helper()
	var started struct{ ID string }
	ft.do("PUT", "/source/"+source+"/dump", nil, &started)
	result(t, waitClosed(t, ft.hub, started.ID, 2*time.Minute), &activities.DumpResult{})
	var res []activities.UploadResult
	result(t, waitClosed(t, ft.hub, "upload/"+source, timeout), &res)
	return res
}

// build commits loadMapping for source, creates the build configuration
// conf (doc type "thing", replicas when > 0) and builds it.
func (ft *faultTopology) build(source, conf string, replicas int, timeout time.Duration) activities.BuildResult {
	t := ft.t
	t.Helper()
	ft.do("PUT", "/source/"+source+"/mapping", map[string]any{"mapping": loadMapping, "dest": "master"}, nil)
	bc := map[string]any{"name": conf, "doc_type": "thing", "sources": []string{source}}
	if replicas > 0 {
		bc["num_replicas"] = replicas
	}
	ft.do("POST", "/buildconf", bc, nil)
	var started struct{ ID string }
	began := time.Now()
	ft.do("PUT", "/build/"+conf+"/new", nil, &started)
	var b activities.BuildResult
	result(t, waitClosed(t, ft.hub, started.ID, timeout), &b)
	t.Logf("build %s: %d documents in %s", b.BuildID, b.Total, time.Since(began).Round(time.Millisecond))
	return b
}

// completeBuild inserts the loadParser documents from..to-1 into the
// build's collection, as a merge of a source of to documents writes them.
// On FerretDB, the stand-in for MongoDB, a merge's upserts cost time in
// proportion to the collection's size (the _id is not indexed), so that
// a real build beyond a few thousand documents outlasts its heartbeat
// timeout; plain inserts do not.
func (ft *faultTopology) completeBuild(build string, from, to int) {
	t := ft.t
	t.Helper()
	c := ft.eng.Target.C(build)
	batch := make([]docstore.Doc, 0, 1000)
	for i := from; i < to; i++ {
		batch = append(batch, docstore.Doc{"_id": fmt.Sprintf("d%06d", i), "v": map[string]any{"n": i, "version": 1, "name": fmt.Sprintf("gene%d", i%997)}})
		if len(batch) == cap(batch) || i == to-1 {
			if err := c.Insert(context.Background(), batch); err != nil {
				t.Fatalf("complete build %s: %v", build, err)
			}
			batch = batch[:0]
		}
	}
}

// release starts a full release of build into index, which is deleted
// when the test ends, and returns the command id.
func (ft *faultTopology) release(build, index string) string {
	ft.t.Helper()
	ft.t.Cleanup(func() { _ = ft.eng.Search.DeleteIndex(context.Background(), index) })
	var started struct{ ID string }
	ft.do("PUT", "/index", map[string]any{"build": build, "index": index}, &started)
	return started.ID
}

// waitActivity waits until command id runs an activity of type act on a
// worker that has reported at least min done, and returns it.
func (ft *faultTopology) waitActivity(id, act string, min int64, timeout time.Duration) commands.Activity {
	t := ft.t
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last commands.Command
	for {
		var cmd commands.Command
		if err := ft.hub.Do(context.Background(), "GET", hubclient.CommandPath(id), nil, &cmd); err == nil {
			last = cmd
			if cmd.CloseTime != nil {
				t.Fatalf("%s closed (%s %s) before %s reported %d done", id, cmd.Status, cmd.Failure, act, min)
			}
			for _, a := range cmd.Activities {
				if a.Type == act && a.State == "started" && a.Worker != "" && activityDone(a) >= min {
					return a
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not report %d done within %s: %+v", act, min, timeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// activityDone reads the heartbeat progress of an activity.
func activityDone(a commands.Activity) int64 {
	if m, ok := a.Progress.(map[string]any); ok {
		if d, ok := m["done"].(float64); ok {
			return int64(d)
		}
	}
	return 0
}

// workerRunning finds the worker process whose identity (pid@host) runs
// activity a, and the other workers.
func (ft *faultTopology) workerRunning(a commands.Activity) (*studioProc, []*studioProc) {
	t := ft.t
	t.Helper()
	pidText, _, _ := strings.Cut(a.Worker, "@")
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		t.Fatalf("activity %s: worker identity %q is not pid@host", a.Type, a.Worker)
	}
	var running *studioProc
	var others []*studioProc
	for _, w := range ft.workers {
		if w.cmd.Process.Pid == pid {
			running = w
		} else {
			others = append(others, w)
		}
	}
	if running == nil {
		t.Fatalf("activity %s runs on %s, none of the workers", a.Type, a.Worker)
	}
	return running, others
}

// ownQueue is the worker's own task queue: studio@<the id in its folder>.
func (ft *faultTopology) ownQueue(w *studioProc) string {
	ft.t.Helper()
	b, err := os.ReadFile(filepath.Join(ft.dir, w.name, "worker-id"))
	if err != nil {
		ft.t.Fatalf("worker %s has no id: %v", w.name, err)
	}
	return "studio@" + strings.TrimSpace(string(b))
}

// filesQueue is the queue of the worker that worker_files says holds key.
func (ft *faultTopology) filesQueue(key string) string {
	ft.t.Helper()
	f, err := hub.Records{Store: ft.eng.Hub}.Files(context.Background(), key)
	if err != nil {
		ft.t.Fatalf("worker_files %s: %v", key, err)
	}
	return f.Queue
}

// finalAttempt tells which attempt of the activity of type act closed in
// workflow id, and on which worker (Temporal records an activity's start
// with its last attempt).
func (ft *faultTopology) finalAttempt(id, act string) (int32, string) {
	ft.t.Helper()
	scheduled := map[int64]bool{}
	it := ft.dev.Client().GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var attempt int32
	var identity string
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			ft.t.Fatalf("history of %s: %v", id, err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == act {
			scheduled[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			attempt, identity = a.GetAttempt(), a.GetIdentity()
		}
	}
	return attempt, identity
}

// thingsSum is the checksum (in the form of collectionSum) of the n
// documents loadParser yields for version 1.
func thingsSum(t *testing.T, n int) string {
	l := make([]string, n)
	for i := range n {
		l[i] = docLine(t, fmt.Sprintf("d%06d", i), map[string]any{"v": map[string]any{"n": i, "version": 1, "name": fmt.Sprintf("gene%d", i%997)}})
	}
	return sortedSum(l)
}

// countSum counts a collection and sums it as collectionSum does.
func countSum(t *testing.T, c docstore.Collection) (int, string) {
	t.Helper()
	docs := scan(t, c)
	l := make([]string, len(docs))
	for i, d := range docs {
		id, _ := docstore.ID(d)
		l[i] = docLine(t, id, d)
	}
	return len(l), sortedSum(l)
}

// engineIndexSum scrolls every document of an index and sums them as
// collectionSum does.
func engineIndexSum(t *testing.T, eng search.Engine, index string) (int, string) {
	t.Helper()
	ctx := context.Background()
	if err := eng.Refresh(ctx, index); err != nil {
		t.Fatalf("refresh %s: %v", index, err)
	}
	var l []string
	res, err := eng.Search(ctx, index, search.SearchRequest{Size: 1000, Scroll: time.Minute})
	for err == nil && len(res.Hits) > 0 {
		for _, h := range res.Hits {
			l = append(l, docLine(t, h.ID, h.Source))
		}
		res, err = eng.ScrollNext(ctx, res.ScrollID)
	}
	if err != nil {
		t.Fatalf("scroll index %s: %v", index, err)
	}
	_ = eng.ClearScroll(ctx, res.ScrollID)
	return len(l), sortedSum(l)
}

// topoRecord is the FAULT line of one topology case: key=value pairs in
// the order set, printed when the test ends, with result=fail if it
// stopped early. Values hold no spaces.
type topoRecord struct {
	name string
	keys []string
	vals map[string]string
}

func newTopoRecord(name string) *topoRecord {
	return &topoRecord{name: name, vals: map[string]string{}}
}

func (r *topoRecord) set(k string, v any) {
	if _, ok := r.vals[k]; !ok {
		r.keys = append(r.keys, k)
	}
	s := fmt.Sprint(v)
	if d, ok := v.(time.Duration); ok {
		s = strconv.FormatInt(d.Milliseconds(), 10)
	}
	r.vals[k] = strings.ReplaceAll(s, " ", "_")
}

func (r *topoRecord) print(t *testing.T) {
	res := "pass"
	if t.Failed() {
		res = "fail"
	}
	parts := []string{"case=" + r.name, "result=" + res}
	for _, k := range r.keys {
		parts = append(parts, k+"="+r.vals[k])
	}
	t.Logf("FAULT topology %s", strings.Join(parts, " "))
}

// TestTopologyKillWorkerMidUpload uploads 100,000 documents undisturbed
// for a reference, then uploads them again and kills -9 the worker
// running the upload, which holds the dumped files, and never starts it
// again. The other worker must dump again, upload, and end with the
// reference's documents.
func TestTopologyKillWorkerMidUpload(t *testing.T) {
	const n = 100000
	rec := newTopoRecord("kill_worker_mid_upload")
	defer rec.print(t)
	rec.set("docs", n)
	ft := newFaultTopology(t, 2)
	ft.registerThings("tup", n)

	began := time.Now()
	ref := ft.dumpAndUpload("tup", 3*time.Minute)
	refTook := time.Since(began)
	refCount, refSum := countSum(t, ft.eng.Src.C("tup"))
	if len(ref) != 1 || ref[0].Count != n || refCount != n || refSum != thingsSum(t, n) {
		t.Fatalf("undisturbed upload stored %d documents (result %+v), want %d of the parser", refCount, ref, n)
	}
	rec.set("reference_ms", refTook)
	rec.set("reference", shortSum(refSum))
	holder := ft.filesQueue(activities.DumpFilesKey("tup"))
	t.Logf("reference upload: %d documents in %s; the dumped files are on %s", refCount, refTook.Round(time.Millisecond), holder)

	var started struct{ ID string }
	ft.do("PUT", "/source/tup/upload", nil, &started)
	act := ft.waitActivity(started.ID, "UploadRun", n/4, 2*time.Minute)
	victim, others := ft.workerRunning(act)
	survivor := others[0]
	if q := ft.ownQueue(victim); q != holder {
		t.Fatalf("the upload runs on %s (%s), not on the worker holding the files (%s)", victim.name, q, holder)
	}
	killedAt := time.Now()
	victim.kill()
	rec.set("killed_at_docs", activityDone(act))
	t.Logf("killed %s (pid %s) with %d of %d documents stored", victim.name, act.Worker, activityDone(act), n)

	var res []activities.UploadResult
	cmd := waitClosed(t, ft.hub, started.ID, 3*time.Minute)
	recovered := time.Since(killedAt)
	rec.set("recovered_ms", recovered)
	result(t, cmd, &res)
	count, sum := countSum(t, ft.eng.Src.C("tup"))
	rec.set("checksum", shortSum(sum))
	if len(res) != 1 || res[0].Count != n || count != n || sum != refSum {
		t.Fatalf("upload after the kill stored %d documents (result %+v), checksum %s, want %d and the reference %s",
			count, res, shortSum(sum), n, shortSum(refSum))
	}
	// The files were dumped again on the survivor, which uploaded them.
	if q, want := ft.filesQueue(activities.DumpFilesKey("tup")), ft.ownQueue(survivor); q != want {
		t.Fatalf("after the kill worker_files holds the dump on %s, want the survivor %s", q, want)
	}
	attempt, identity := ft.finalAttempt(started.ID, "UploadRun")
	if want := strconv.Itoa(survivor.cmd.Process.Pid) + "@"; !strings.HasPrefix(identity, want) {
		t.Fatalf("the upload that completed ran on %s, want the survivor %s (%s)", identity, survivor.name, want)
	}
	rec.set("redumped_on", survivor.name)
	t.Logf("the upload completed %s after the kill, dumped again and uploaded on %s (attempt %d); checksum %s = reference",
		recovered.Round(time.Millisecond), survivor.name, attempt, shortSum(sum))
}

// TestTopologyKillWorkerMidIndex releases a build of 100,000 documents
// into Elasticsearch and kills -9 the worker running IndexDocs, never to
// start it again: the other worker resumes, and the index holds exactly
// the build's documents. The build is a real one of the source's first
// 2,000 documents, completed by the test with the other 98,000 (see
// completeBuild).
func TestTopologyKillWorkerMidIndex(t *testing.T) {
	const (
		n     = 100000
		built = 2000
	)
	rec := newTopoRecord("kill_worker_mid_index")
	defer rec.print(t)
	rec.set("docs", n)
	ft := newFaultTopology(t, 2)
	ft.registerThings("tix", built)
	ft.dumpAndUpload("tix", 3*time.Minute)
	b := ft.build("tix", "tix", 0, 3*time.Minute)
	if _, sum := countSum(t, ft.eng.Target.C(b.BuildID)); b.Total != built || sum != thingsSum(t, built) {
		t.Fatalf("build = %+v, want the %d documents of the parser", b, built)
	}
	ft.completeBuild(b.BuildID, built, n)
	buildCount, buildSum := countSum(t, ft.eng.Target.C(b.BuildID))
	if buildCount != n || buildSum != thingsSum(t, n) {
		t.Fatalf("completed build: %d documents, want the parser's %d", buildCount, n)
	}
	rec.set("reference", shortSum(buildSum))

	id := ft.release(b.BuildID, "topo_kill_index")
	began := time.Now()
	act := ft.waitActivity(id, "IndexDocs", n/5, 3*time.Minute)
	victim, others := ft.workerRunning(act)
	survivor := others[0]
	killedAt := time.Now()
	victim.kill()
	rec.set("killed_at_docs", activityDone(act))
	t.Logf("killed %s (pid %s) with %d of %d documents indexed, %s into the release",
		victim.name, act.Worker, activityDone(act), n, killedAt.Sub(began).Round(time.Millisecond))

	var res activities.IndexResult
	cmd := waitClosed(t, ft.hub, id, 3*time.Minute)
	recovered := time.Since(killedAt)
	rec.set("recovered_ms", recovered)
	result(t, cmd, &res)
	count, sum := engineIndexSum(t, ft.eng.Search, "topo_kill_index")
	rec.set("checksum", shortSum(sum))
	if res.Count != n || count != buildCount || sum != buildSum {
		t.Fatalf("index after the kill: %d documents (result %+v), checksum %s; build %d, %s",
			count, res, shortSum(sum), buildCount, shortSum(buildSum))
	}
	attempt, identity := ft.finalAttempt(id, "IndexDocs")
	if want := strconv.Itoa(survivor.cmd.Process.Pid) + "@"; !strings.HasPrefix(identity, want) || attempt < 2 {
		t.Fatalf("IndexDocs completed as attempt %d on %s, want a retry on the survivor %s (%s)", attempt, identity, survivor.name, want)
	}
	rec.set("resumed_on", survivor.name)
	rec.set("attempt", attempt)
	t.Logf("the release completed %s after the kill, resumed on %s (attempt %d); index = build (%d documents, %s)",
		recovered.Round(time.Millisecond), survivor.name, attempt, count, shortSum(sum))
}

// TestTopologyServerRestartMidUpload kills -9 the server process in the
// middle of an upload of 100,000 documents and starts it again 3 s later:
// the upload, run by the workers, goes on, the restarted server's hub API
// and live channel show it completed, and every document is stored.
func TestTopologyServerRestartMidUpload(t *testing.T) {
	const n = 100000
	rec := newTopoRecord("restart_server_mid_upload")
	defer rec.print(t)
	rec.set("docs", n)
	ft := newFaultTopology(t, 2)
	ft.registerThings("tsr", n)
	var started struct{ ID string }
	ft.do("PUT", "/source/tsr/dump", nil, &started)
	result(t, waitClosed(t, ft.hub, started.ID, 2*time.Minute), &activities.DumpResult{})

	// The server is killed and stays down a while: the workers go on.
	act := ft.waitActivity("upload/tsr", "UploadRun", n/4, 2*time.Minute)
	downAt := time.Now()
	ft.server.kill()
	time.Sleep(3 * time.Second)
	ft.server.restart()
	testenv.WaitHTTP(t, ft.base+"/status", time.Minute)
	down := time.Since(downAt)
	live := ft.follow()
	rec.set("killed_at_docs", activityDone(act))
	rec.set("server_down_ms", down)
	var cmd commands.Command
	ft.do("GET", hubclient.CommandPath("upload/tsr"), nil, &cmd)
	rec.set("after_restart", cmd.Status)
	rec.set("after_restart_docs", progressDone(cmd))
	t.Logf("server killed at %d of %d documents, answering again after %s; the upload is %s at %d",
		activityDone(act), n, down.Round(time.Millisecond), cmd.Status, progressDone(cmd))
	running := cmd.CloseTime == nil

	cmd = waitClosed(t, ft.hub, "upload/tsr", 3*time.Minute)
	if running {
		// The restarted server's live channel tells the end of the
		// upload that was running when it came back.
		live.waitCompleted(t, map[string]int{"Upload": 1}, time.Minute)
	}
	var res []activities.UploadResult
	result(t, cmd, &res)
	var src struct {
		Upload struct {
			Jobs map[string]struct {
				Status string
				Count  int64
			}
		}
	}
	ft.do("GET", "/source/tsr", nil, &src)
	count, sum := countSum(t, ft.eng.Src.C("tsr"))
	rec.set("checksum", shortSum(sum))
	want := thingsSum(t, n)
	rec.set("reference", shortSum(want))
	if len(res) != 1 || res[0].Count != n || src.Upload.Jobs["tsr"].Count != n || count != n || sum != want {
		t.Fatalf("after the server restart: upload %s %+v, source record %+v, %d documents stored, checksum %s; want %d and %s",
			cmd.Status, res, src.Upload.Jobs, count, shortSum(sum), n, shortSum(want))
	}
	// The restarted server lists the command among the completed ones
	// (Temporal's visibility may lag its close a moment).
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list []commands.Command
		ft.do("GET", "/commands?limit=50", nil, &list)
		if slices.ContainsFunc(list, func(c commands.Command) bool { return c.ID == "upload/tsr" && c.Status == "completed" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /commands after the restart does not list upload/tsr completed: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("upload/tsr completed after the server restart: %d documents, checksum %s = the parser's", count, shortSum(sum))
}

// esOutcome is one request of the load on the data APIs.
type esOutcome struct {
	start   time.Time
	latency time.Duration
	status  int
	err     error
	bad     string // why a 2xx/4xx answer is wrong
	body    string // the start of a 5xx answer
}

func (o esOutcome) failed() bool { return o.err != nil || o.status >= 500 }

// geneTotal is how many of n loadParser documents are named gene<k>.
func geneTotal(n, k int) int64 {
	c := n / 997
	if k < n%997 {
		c++
	}
	return int64(c)
}

// esRequest sends the i-th request of the load to base and checks the
// answer: a query for gene<k> must have the right total, a document
// lookup the right document.
func esRequest(client *http.Client, base string, i, n int) esOutcome {
	o := esOutcome{start: time.Now()}
	k := (i * 7919) % n
	path := fmt.Sprintf("/v1/thing/d%06d", k)
	if i%2 == 0 {
		path = fmt.Sprintf("/v1/query?q=gene%d&size=1", k%997)
	}
	resp, err := client.Get(base + path)
	if err != nil {
		o.err, o.latency = err, time.Since(o.start)
		return o
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o.latency, o.status = time.Since(o.start), resp.StatusCode
	if err != nil {
		o.err = fmt.Errorf("read the answer of %s: %w", path, err)
		return o
	}
	if o.status >= 500 {
		o.body = fmt.Sprintf("%.200s", data)
		return o
	}
	if o.status != http.StatusOK {
		o.bad = fmt.Sprintf("%s: status %d: %.200s", path, o.status, data)
		return o
	}
	var ans struct {
		ID    string `json:"_id"`
		Total *int64
		Hits  []struct{ V struct{ Name string } }
		V     struct {
			N    *int
			Name string
		}
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		o.bad = fmt.Sprintf("%s: %v: %.200s", path, err, data)
		return o
	}
	if i%2 == 0 {
		want := geneTotal(n, k%997)
		if ans.Total == nil || *ans.Total != want || len(ans.Hits) != 1 || ans.Hits[0].V.Name != fmt.Sprintf("gene%d", k%997) {
			o.bad = fmt.Sprintf("%s: total %v, want %d: %.200s", path, ans.Total, want, data)
		}
	} else if ans.ID != fmt.Sprintf("d%06d", k) || ans.V.N == nil || *ans.V.N != k {
		o.bad = fmt.Sprintf("%s: wrong document %.200s", path, data)
	}
	return o
}

// esPhases are the moments of the node's stop and start.
type esPhases struct {
	stopped, started, green time.Time
}

// TestTopologyESNodeStopUnderLoad releases 3,000 documents with one
// replica, serves them with two `studio api` processes, and stops the
// Elasticsearch node holding the primary shard in the middle of a load
// sent to both APIs; the node starts again later. 5xx answers are
// counted and reported, not failed; a wrong answer fails the test, and so
// does any failure once the node is back and the cluster green.
func TestTopologyESNodeStopUnderLoad(t *testing.T) {
	const (
		n        = 3000
		clients  = 4
		index    = "topo_es_load"
		stopFor  = 10 * time.Second
		before   = 5 * time.Second
		minAfter = 5 * time.Second
		minLoad  = 25 * time.Second
	)
	rec := newTopoRecord("es_node_stop_under_load")
	defer rec.print(t)
	rec.set("docs", n)
	ft := newFaultTopology(t, 1)
	ft.registerThings("tes", n)
	ft.dumpAndUpload("tes", 3*time.Minute)
	b := ft.build("tes", "tes", 1, 3*time.Minute)
	result(t, waitClosed(t, ft.hub, ft.release(b.BuildID, index), 3*time.Minute), &activities.IndexResult{})
	es := ft.es
	ctx := context.Background()

	// The release asked for one replica through the build configuration.
	var settings map[string]struct {
		Settings struct {
			Index struct {
				Replicas string `json:"number_of_replicas"`
				Shards   string `json:"number_of_shards"`
			}
		}
	}
	if code := httpGetJSON(t, es.URLs[0]+"/"+index+"/_settings", &settings); code != http.StatusOK || settings[index].Settings.Index.Replicas != "1" {
		t.Fatalf("GET %s/_settings = %d %+v, want number_of_replicas 1", index, code, settings)
	}
	if err := es.WaitGreen(ctx, 3); err != nil {
		t.Fatal(err)
	}
	rec.set("shards", settings[index].Settings.Index.Shards)
	rec.set("replicas", 1)

	// The node to stop: one holding a primary of the index, not the
	// elected master when there is a choice.
	var shards []struct{ Shard, Prirep, State, Node string }
	httpGetJSON(t, es.URLs[0]+"/_cat/shards/"+index+"?format=json&h=shard,prirep,state,node", &shards)
	var master []struct{ Node string }
	httpGetJSON(t, es.URLs[0]+"/_cat/master?format=json&h=node", &master)
	victim := -1
	for _, s := range shards {
		var i int
		if s.Prirep != "p" || s.State != "STARTED" {
			continue
		}
		if _, err := fmt.Sscanf(s.Node, "node-%d", &i); err != nil || i < 0 || i >= len(es.URLs) {
			continue
		}
		if victim < 0 || (len(master) == 1 && "node-"+strconv.Itoa(victim) == master[0].Node) {
			victim = i
		}
	}
	if victim < 0 {
		t.Fatalf("no node holds a started primary of %s: %+v", index, shards)
	}
	isMaster := len(master) == 1 && master[0].Node == fmt.Sprintf("node-%d", victim)
	rec.set("stopped_node", fmt.Sprintf("node-%d", victim))
	rec.set("stopped_master", isMaster)
	t.Logf("shards of %s: %+v; master %+v; stopping node-%d", index, shards, master, victim)

	apiProcs := make([]*studioProc, 2)
	apis := make([]string, 2)
	apiProcs[0], apis[0] = ft.dataAPI("api-1", index)
	apiProcs[1], apis[1] = ft.dataAPI("api-2", index)

	// The fault: the node stops a while into the load and starts again.
	var stopped atomic.Bool
	t.Cleanup(func() {
		if stopped.Load() {
			_ = es.StartNode(context.Background(), victim)
		}
		wctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := es.WaitGreen(wctx, 3); err != nil {
			t.Errorf("the shared cluster after the test: %v", err)
		}
	})
	var ph esPhases
	greenCh := make(chan error, 1)
	loadStart := time.Now()
	go func() {
		time.Sleep(before)
		if err := es.StopNode(ctx, victim); err != nil {
			greenCh <- fmt.Errorf("stop node-%d: %w", victim, err)
			return
		}
		stopped.Store(true)
		ph.stopped = time.Now()
		time.Sleep(stopFor)
		if err := es.StartNode(ctx, victim); err != nil {
			greenCh <- fmt.Errorf("start node-%d: %w", victim, err)
			return
		}
		stopped.Store(false)
		ph.started = time.Now()
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		err := es.WaitGreen(wctx, 3)
		ph.green = time.Now()
		greenCh <- err
	}()

	// The load: clients send requests round-robin to both APIs until the
	// cluster has been green a while.
	var (
		mu       sync.Mutex
		outcomes []esOutcome
		next     int
		faultErr error
	)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				o := esRequest(client, apis[i%2], i, n)
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
			}
		})
	}
	select {
	case faultErr = <-greenCh:
	case <-time.After(3 * time.Minute):
		faultErr = fmt.Errorf("node-%d did not stop, start and come back green within 3 minutes", victim)
	}
	if faultErr == nil {
		time.Sleep(max(minAfter, minLoad-time.Since(loadStart)))
	}
	close(done)
	wg.Wait()
	if faultErr != nil {
		t.Fatal(faultErr)
	}
	loadTook := time.Since(loadStart)

	// The numbers.
	slices.SortFunc(outcomes, func(a, b esOutcome) int { return a.start.Compare(b.start) })
	var (
		lat                       []time.Duration
		fails, transport, afterN  int
		first5xx, last5xx         time.Time
		runLen, longestRun        int
		runStart, longestRunStart time.Time
		longestRunEnd             time.Time
		wrong, afterFailed        []string
		bodies                    = map[string]int{}
		byPhase                   [4]int // failures before the stop, while stopped, while starting, after green
		sentPhase                 [4]int
	)
	phase := func(at time.Time) int {
		switch {
		case at.Before(ph.stopped):
			return 0
		case at.Before(ph.started):
			return 1
		case at.Before(ph.green):
			return 2
		}
		return 3
	}
	for _, o := range outcomes {
		lat = append(lat, o.latency)
		p := phase(o.start)
		sentPhase[p]++
		if o.bad != "" {
			wrong = append(wrong, o.bad)
		}
		if p == 3 && (o.failed() || o.bad != "") {
			afterFailed = append(afterFailed, fmt.Sprintf("status %d %v %s%s", o.status, o.err, o.bad, o.body))
		}
		if !o.failed() {
			runLen = 0
			continue
		}
		fails++
		byPhase[p]++
		if o.err != nil {
			transport++
			bodies["transport: "+o.err.Error()]++
		} else {
			bodies[fmt.Sprintf("%d %s", o.status, o.body)]++
		}
		if first5xx.IsZero() {
			first5xx = o.start
		}
		last5xx = o.start.Add(o.latency)
		if runLen == 0 {
			runStart = o.start
		}
		runLen++
		if runLen > longestRun {
			longestRun, longestRunStart, longestRunEnd = runLen, runStart, o.start.Add(o.latency)
		}
	}
	afterN = sentPhase[3]
	slices.Sort(lat)
	pct := func(p int) time.Duration { return lat[min(len(lat)*p/100, len(lat)-1)] }
	window := time.Duration(0)
	if !first5xx.IsZero() {
		window = last5xx.Sub(first5xx)
	}
	rec.set("requests", len(outcomes))
	rec.set("failed", fails)
	rec.set("transport_errors", transport)
	rec.set("failed_while_stopped", byPhase[1])
	rec.set("failed_while_starting", byPhase[2])
	rec.set("failed_after_green", byPhase[3])
	rec.set("window_ms", window)
	rec.set("longest_run", longestRun)
	rec.set("longest_run_ms", longestRunEnd.Sub(longestRunStart))
	rec.set("p50_ms", fmt.Sprintf("%.1f", float64(pct(50).Microseconds())/1000))
	rec.set("p99_ms", fmt.Sprintf("%.1f", float64(pct(99).Microseconds())/1000))
	rec.set("max_ms", lat[len(lat)-1])
	rec.set("wrong_answers", len(wrong))
	rec.set("stopped_ms", ph.started.Sub(ph.stopped))
	rec.set("green_after_start_ms", ph.green.Sub(ph.started))
	t.Logf("load: %d requests in %s from %d clients to 2 APIs; sent before the stop %d, while stopped %d, while starting %d, after green %d",
		len(outcomes), loadTook.Round(time.Millisecond), clients, sentPhase[0], sentPhase[1], sentPhase[2], sentPhase[3])
	t.Logf("node-%d (master: %v) stopped %s after the load began, started %s later, green %s after that",
		victim, isMaster, ph.stopped.Sub(loadStart).Round(time.Millisecond), ph.started.Sub(ph.stopped).Round(time.Millisecond), ph.green.Sub(ph.started).Round(time.Millisecond))
	t.Logf("failed (5xx or no answer): %d (%d transport errors): before the stop %d, while stopped %d, while starting %d, after green %d",
		fails, transport, byPhase[0], byPhase[1], byPhase[2], byPhase[3])
	if fails > 0 {
		t.Logf("5xx window %s (from %s after the stop); longest run %d requests over %s",
			window.Round(time.Millisecond), first5xx.Sub(ph.stopped).Round(time.Millisecond), longestRun, longestRunEnd.Sub(longestRunStart).Round(time.Millisecond))
		for msg, c := range bodies {
			t.Logf("  %d × %s", c, msg)
		}
		for i, p := range apiProcs {
			for _, line := range strings.Split(p.out.String(), "\n") {
				if strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN") {
					t.Logf("  api-%d log: %.300s", i+1, line)
				}
			}
		}
	}
	t.Logf("latency p50 %s p99 %s max %s", pct(50).Round(10*time.Microsecond), pct(99).Round(10*time.Microsecond), lat[len(lat)-1].Round(time.Millisecond))

	// The behaviour.
	if len(wrong) > 0 {
		t.Errorf("%d wrong answers; the first ones:\n%s", len(wrong), strings.Join(wrong[:min(len(wrong), 10)], "\n"))
	}
	if afterN == 0 || sentPhase[1] == 0 {
		t.Errorf("the load did not meet the stopped node (%d requests) and the green cluster (%d)", sentPhase[1], afterN)
	}
	if len(afterFailed) > 0 {
		t.Errorf("%d of %d requests failed after the node was back and the cluster green; the first ones:\n%s",
			len(afterFailed), afterN, strings.Join(afterFailed[:min(len(afterFailed), 10)], "\n"))
	}
	// Both APIs answer once more, each request right.
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range 40 {
		if o := esRequest(client, apis[i%2], i, n); o.failed() || o.bad != "" {
			t.Errorf("after the load, %s: status %d %v %s%s", apis[i%2], o.status, o.err, o.bad, o.body)
		}
	}
}
