package workflows_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	tworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"studio/internal/app/config"
	"studio/internal/engine"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
	"studio/internal/testsupport/testenv"
	"studio/worker"
	"studio/workflows"
)

// parallelStack is the real Temporal dev server, the embedded engines in a
// temporary data folder and a worker, in the test process.
type parallelStack struct {
	t   *testing.T
	c   client.Client
	eng *engine.Engines
	cfg config.Config
}

func newParallelStack(t *testing.T) *parallelStack {
	t.Helper()
	s := newEngines(t)
	w := worker.New(s.c, s.cfg.TaskQueue, worker.Activities(s.cfg, s.eng, s.c, nil))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return s
}

// newEngines is the dev server and the engines, without a worker.
func newEngines(t *testing.T) *parallelStack {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found on PATH: parallel uploads run Python parsers")
	}
	dev := testenv.StartDevServer(t, "")
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.TemporalAddress = dev.FrontendHostPort()
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &parallelStack{t: t, c: dev.Client(), eng: eng, cfg: cfg}
}

// run starts a workflow and waits for its result.
func (s *parallelStack) run(id, name string, in, out any) error {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: s.cfg.TaskQueue}, name, in)
	if err != nil {
		s.t.Fatalf("start %s: %v", id, err)
	}
	return r.Get(ctx, out)
}

// dumpAndUpload registers the plugin in repo, dumps it (which starts its
// upload) and returns the upload's outcome.
func (s *parallelStack) dumpAndUpload(source, repo string) ([]contract.UploadResult, error) {
	s.t.Helper()
	if err := s.run("plugin/"+source, workflows.RegisterPluginName, contract.RegisterInput{URL: repo}, nil); err != nil {
		s.t.Fatalf("register %s: %v", repo, err)
	}
	if err := s.run("dump/"+source, workflows.DumpName, contract.DumpInput{Source: source}, nil); err != nil {
		s.t.Fatalf("dump %s: %v", source, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var res []contract.UploadResult
	for {
		err := s.c.GetWorkflow(ctx, "upload/"+source, "").Get(ctx, &res)
		if err == nil || !strings.Contains(err.Error(), "not found") {
			return res, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// collections lists the source database's collections.
func (s *parallelStack) collections() []string {
	s.t.Helper()
	cols, err := s.eng.Src.Collections(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return cols
}

// all reads a collection in _id order.
func (s *parallelStack) all(coll string) []docstore.Doc {
	s.t.Helper()
	var out []docstore.Doc
	for d, err := range s.eng.Src.C(coll).Scan(context.Background(), docstore.ScanOptions{}) {
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// dataFiles writes TSV files of "id<TAB>n" rows and returns their file://
// URLs: rows[name] rows each, ids <prefix(name)><i>.
func dataFiles(t *testing.T, rows map[string]int, id func(file string, i int) string) []string {
	t.Helper()
	dir := t.TempDir()
	var urls []string
	for name, n := range rows {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s\t%d\n", id(name, i), i)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		urls = append(urls, "file://"+p)
	}
	slices.Sort(urls)
	return urls
}

// parallelPlugin is a git repository holding a plugin whose uploaders
// parse each dumped .tsv file as one job.
func parallelPlugin(t *testing.T, name string, urls []string, uploaders string) string {
	t.Helper()
	quoted := make([]string, len(urls))
	for i, u := range urls {
		quoted[i] = fmt.Sprintf("%q", u)
	}
	return testenv.GitRepo(t, name, map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "0.1", "dumper": {"data_url": [%s]}, "uploaders": [%s]}`, strings.Join(quoted, ", "), uploaders),
		"parallelizer.py": `import glob, os

def tsv_jobs(self):
    # BioThings calls it as an uploader method: self.data_folder.
    return [(f,) for f in sorted(glob.glob(os.path.join(self.data_folder, "*.tsv")))]
`,
		"parser.py": `import os

def rows(path):
    with open(path) as f:
        for line in f:
            key, n = line.rstrip("\n").split("\t")
            yield key, int(n)

def load(path):
    for key, n in rows(path):
        yield {"_id": key, "file": os.path.basename(path), "n": n}

def load_crashing_once(path):
    # The job of b.tsv dies (its Python process exits) after 2500 documents,
    # the first time only, as a worker killed mid-job would leave it.
    marker = path + ".crashed"
    crash = os.path.basename(path) == "b.tsv" and not os.path.exists(marker)
    for i, (key, n) in enumerate(rows(path)):
        if crash and i == 2500:
            open(marker, "w").close()
            os._exit(3)
        yield {"_id": key, "file": os.path.basename(path), "n": n}

def load_where(path):
    # Where the job ran: the plugin folder is the runner's working folder.
    for key, n in rows(path):
        yield {"_id": key, "plugin_dir": os.getcwd()}

def load_merge(path):
    # _ids repeat within a file and across files.
    for key, n in rows(path):
        yield {"_id": "g%d" % (n % 1000), "seen_in": [os.path.basename(path)]}

def load_failing(path):
    if os.path.basename(path) == "b.tsv":
        raise ValueError("b.tsv is not what this parser reads")
    return load(path)
`,
	})
}

// TestUploadParallel uploads a plugin with a parallelizer over three files
// on the real Temporal dev server: one uploader under "error" whose job of
// b.tsv dies mid-way once and is retried, one under "merge" whose files
// repeat each other's _ids. Both give exact counts and documents.
func TestUploadParallel(t *testing.T) {
	s := newParallelStack(t)
	rows := map[string]int{"a.tsv": 1200, "b.tsv": 4000, "c.tsv": 800}
	urls := dataFiles(t, rows, func(file string, i int) string { return fmt.Sprintf("%s%05d", file[:1], i) })
	repo := parallelPlugin(t, "par", urls, `
	  {"name": "par_err", "parser": "parser:load_crashing_once", "parallelizer": "parallelizer:tsv_jobs"},
	  {"name": "par_merge", "parser": "parser:load_merge", "parallelizer": "parallelizer:tsv_jobs", "on_duplicates": "merge"}`)
	res, err := s.dumpAndUpload("par", repo)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if len(res) != 2 {
		t.Fatalf("upload results = %+v", res)
	}

	// par_err: every row of every file, once, though b.tsv's job died.
	const total = 1200 + 4000 + 800
	if r := res[0]; r.Sub != "par_err" || r.Count != total || r.Stats.Stored != total || r.Stats.Duplicates != 0 || r.Stats.Rejected != 0 {
		t.Fatalf("par_err result = %+v, want %d stored", r, total)
	}
	docs := s.all("par_err")
	if len(docs) != total {
		t.Fatalf("par_err holds %d documents, want %d", len(docs), total)
	}
	for _, d := range docs {
		id := d["_id"].(string)
		n, _ := strconv.ParseInt(id[1:], 10, 64)
		if d["file"] != id[:1]+".tsv" || d["n"] != n || len(d) != 3 {
			t.Fatalf("document %v: want file %s.tsv, n %d", d, id[:1], n)
		}
	}
	if _, err := os.Stat(filepath.Join(s.dataFolder("par"), "b.tsv.crashed")); err != nil {
		t.Fatalf("the job of b.tsv never crashed: %v", err)
	}

	// par_merge: g0..g999 are in a.tsv and b.tsv, g0..g799 in c.tsv too;
	// every repeat is merged in, whichever job stored an _id first.
	if r := res[1]; r.Sub != "par_merge" || r.Count != 1000 || r.Stats.Duplicates != total-1000 {
		t.Fatalf("par_merge result = %+v, want 1000 stored and %d duplicates", r, total-1000)
	}
	merged := s.all("par_merge")
	if len(merged) != 1000 {
		t.Fatalf("par_merge holds %d documents, want 1000", len(merged))
	}
	for _, d := range merged {
		var k int
		fmt.Sscanf(d["_id"].(string), "g%d", &k)
		want := []string{"a.tsv", "b.tsv", "c.tsv"}
		if k >= 800 {
			want = want[:2]
		}
		var got []string
		for _, v := range d["seen_in"].([]any) {
			got = append(got, v.(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || len(d) != 2 {
			t.Fatalf("document %v: want seen_in %v", d, want)
		}
	}
	if cols := s.collections(); !slices.Equal(cols, []string{"par_err", "par_merge"}) {
		t.Fatalf("collections after the upload: %v (no temp or side collection should remain)", cols)
	}

	// The run's history replays on today's code (STUDIO_RECORD_HISTORY=1
	// records it into testdata for TestReplayRecordedHistories).
	s.replay("upload/par/par_err", "upload_parallel.history.json")
}

// replay fetches a workflow's history and replays it; it records it in
// testdata when STUDIO_RECORD_HISTORY is set.
func (s *parallelStack) replay(id, file string) {
	s.t.Helper()
	ctx := context.Background()
	h := &historypb.History{}
	it := s.c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			s.t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	r := tworker.NewWorkflowReplayer()
	for name, fn := range workflows.Registered {
		r.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	if err := r.ReplayWorkflowHistory(nil, h); err != nil {
		s.t.Fatalf("replay %s: %v", id, err)
	}
	if os.Getenv("STUDIO_RECORD_HISTORY") == "" {
		return
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", file), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// dataFolder is the folder of a source's last dump.
func (s *parallelStack) dataFolder(source string) string {
	s.t.Helper()
	d, err := s.eng.Hub.C("src_dump").Get(context.Background(), source)
	if err != nil {
		s.t.Fatal(err)
	}
	dl, _ := d["download"].(map[string]any)
	f, _ := dl["data_folder"].(string)
	return f
}

// TestUploadParallelFailures: a job whose parser raises fails the upload
// naming the job, its arguments and the exception; an _id of one job
// repeating one of another under "error" fails it naming the _id. Neither
// leaves a temp collection or touches the live one. Jobs run in
// UploadJobRange children of two here, as thousands of jobs would.
func TestUploadParallelFailures(t *testing.T) {
	defer workflows.SetJobsPerRun(2)()
	s := newParallelStack(t)
	rows := map[string]int{"a.tsv": 300, "b.tsv": 300, "c.tsv": 300}
	unique := dataFiles(t, rows, func(file string, i int) string { return fmt.Sprintf("%s%05d", file[:1], i) })
	tests := []struct {
		source, parser string
		urls           []string
		want           []string
	}{
		{
			source: "fails", parser: "parser:load_failing", urls: unique,
			want: []string{"source fails, uploader fails, job 2 of 3 (parallelizer parallelizer:tsv_jobs, arguments [\"", "b.tsv\"])",
				"ValueError: b.tsv is not what this parser reads"},
		},
		{
			// c.tsv repeats the _ids of a.tsv
			source: "dups", parser: "parser:load",
			urls: dataFiles(t, rows, func(file string, i int) string {
				return fmt.Sprintf("%s%05d", strings.Replace(file[:1], "c", "a", 1), i)
			}),
			want: []string{"source dups, uploader dups, job ", `repeats a document stored before, by this job or another job of the parallelizer (on_duplicates is "error"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			repo := parallelPlugin(t, tt.source, tt.urls, fmt.Sprintf(`{"name": %q, "parser": %q, "parallelizer": "parallelizer:tsv_jobs"}`, tt.source, tt.parser))
			_, err := s.dumpAndUpload(tt.source, repo)
			if err == nil {
				t.Fatal("the upload succeeded")
			}
			t.Logf("the upload failed: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q\nwant it to contain %q", err, w)
				}
			}
			for _, c := range s.collections() {
				if strings.HasPrefix(c, tt.source) {
					t.Fatalf("collection %s remains after the failed upload", c)
				}
			}
			d, err := s.eng.Hub.C("src_dump").Get(context.Background(), tt.source)
			if err != nil {
				t.Fatal(err)
			}
			job := d["upload"].(map[string]any)["jobs"].(map[string]any)[tt.source].(map[string]any)
			if job["status"] != "failed" || !strings.Contains(job["err"].(string), tt.want[len(tt.want)-1]) {
				t.Fatalf("src_dump upload job = %v", job)
			}
		})
	}
}

// TestUploadParallelRanges runs a parallel upload's jobs in UploadJobRange
// children of two (as thousands of jobs would run) and finds every
// document once, with the counts summed over the ranges.
func TestUploadParallelRanges(t *testing.T) {
	defer workflows.SetJobsPerRun(2)()
	s := newParallelStack(t)
	rows := map[string]int{"a.tsv": 700, "b.tsv": 1100, "c.tsv": 900}
	urls := dataFiles(t, rows, func(file string, i int) string { return fmt.Sprintf("%s%05d", file[:1], i) })
	repo := parallelPlugin(t, "ranges", urls, `{"name": "ranges", "parser": "parser:load", "parallelizer": "parallelizer:tsv_jobs", "on_duplicates": "ignore"}`)
	res, err := s.dumpAndUpload("ranges", repo)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if len(res) != 1 || res[0].Count != 2700 || res[0].Stats.Duplicates != 0 || res[0].Stats.Rejected != 0 {
		t.Fatalf("result = %+v, want 2700 stored", res)
	}
	if docs := s.all("ranges"); len(docs) != 2700 {
		t.Fatalf("%d documents stored, want 2700", len(docs))
	}
	for _, id := range []string{"upload/ranges/ranges/jobs-1-2", "upload/ranges/ranges/jobs-3-3"} {
		if err := s.c.GetWorkflow(context.Background(), id, "").Get(context.Background(), nil); err != nil {
			t.Errorf("range %s: %v", id, err)
		}
	}
}

// TestUploadParallelOnHolder: two workers with data folders of their own
// (one document store), as in production without a shared folder. The
// dump's files live on one of them, and every job of the parallel upload
// runs there: on the other worker the files it names do not exist.
func TestUploadParallelOnHolder(t *testing.T) {
	s := newEngines(t)
	folders := map[string]string{}
	for _, name := range []string{"worker-a", "worker-b"} {
		acts := worker.Activities(s.cfg, s.eng, s.c, nil)
		acts.DataDir = filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(acts.DataDir, 0o755); err != nil {
			t.Fatal(err)
		}
		acts.Queue = s.cfg.TaskQueue + "@" + name
		folders[acts.Queue] = acts.DataDir
		for _, w := range []tworker.Worker{worker.New(s.c, s.cfg.TaskQueue, acts), worker.NewOwn(s.c, acts.Queue, acts)} {
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(w.Stop)
		}
	}
	rows := map[string]int{"a.tsv": 500, "b.tsv": 500, "c.tsv": 500, "d.tsv": 500}
	urls := dataFiles(t, rows, func(file string, i int) string { return fmt.Sprintf("%s%05d", file[:1], i) })
	repo := parallelPlugin(t, "held", urls, `{"name": "held", "parser": "parser:load_where", "parallelizer": "parallelizer:tsv_jobs"}`)
	res, err := s.dumpAndUpload("held", repo)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if len(res) != 1 || res[0].Count != 2000 {
		t.Fatalf("result = %+v, want 2000 stored", res)
	}
	wf, err := s.eng.Hub.C("worker_files").Get(context.Background(), "dump/held")
	if err != nil {
		t.Fatal(err)
	}
	holder := folders[wf["queue"].(string)]
	if holder == "" {
		t.Fatalf("the dump's files are held by %v, not by worker-a or worker-b", wf["queue"])
	}
	for _, d := range s.all("held") {
		if !strings.HasPrefix(d["plugin_dir"].(string), holder+string(filepath.Separator)) {
			t.Fatalf("document %v was parsed outside the holder's folder %s", d, holder)
		}
	}
}
