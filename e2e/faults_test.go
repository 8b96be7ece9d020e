package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"studio/activities"
	"studio/internal/domain/differ"
	"studio/internal/engine"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// Fault injection: every pipeline runs once undisturbed, giving a reference
// checksum of its result, then faultKills() more times with the worker
// process killed -9 at a random point of its work; each of those runs must
// end with the reference checksum. Every kill prints one FAULT line, and the
// test a FAULTS summary, which internal/testsupport/faultreport turns into
// docs/reliability.md.

// faultKills is how many killed runs each pipeline gets (STUDIO_FAULT_KILLS,
// default 1).
func faultKills(t *testing.T) int {
	v := os.Getenv("STUDIO_FAULT_KILLS")
	if v == "" {
		return 1
	}
	k, err := strconv.Atoi(v)
	if err != nil || k < 0 {
		t.Fatalf("STUDIO_FAULT_KILLS=%q: want a number of kills, 0 or more", v)
	}
	return k
}

// faultSeed is the seed of the kill points (STUDIO_FAULT_SEED, default the
// clock), one for the whole test binary; it is printed so that a failure
// can be replayed.
func faultSeed(t *testing.T) uint64 {
	seed, err := sharedSeed()
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

var sharedSeed = sync.OnceValues(func() (uint64, error) {
	v := os.Getenv("STUDIO_FAULT_SEED")
	if v == "" {
		return uint64(time.Now().UnixNano()), nil
	}
	seed, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("STUDIO_FAULT_SEED=%q: want an unsigned integer", v)
	}
	return seed, nil
})

// faultPipeline is one pipeline under fault injection.
type faultPipeline struct {
	name string
	// work names the activities whose start opens the kill window.
	work []string
	// start starts run k (0 is the undisturbed reference) and returns the
	// workflow id to follow.
	start func(k int) string
	// sum checks the finished run k and returns the checksum of its result.
	sum func(k int, cmd commands.Command) string
}

// faultRunner runs pipelines against one stack whose worker is a child
// process, and keeps the score.
type faultRunner struct {
	t      *testing.T
	s      *stack
	rng    *rand.Rand
	kills  int
	tried  int
	passed int
}

// run runs p's reference and its killed runs.
func (r *faultRunner) run(p faultPipeline) {
	t := r.t
	began := time.Now()
	defer func() {
		t.Logf("%s: reference and %d killed runs took %s", p.name, r.kills, time.Since(began).Round(time.Second))
	}()
	id := p.start(0)
	workStart := r.waitWork(id, p.work)
	cmd := r.s.wait(id, 5*time.Minute)
	window := time.Since(workStart)
	ref := p.sum(0, cmd)
	t.Logf("%s: reference %s, work took %s", p.name, shortSum(ref), window.Round(time.Millisecond))
	for k := 1; k <= r.kills; k++ {
		r.kill(p, k, window, ref)
	}
}

// kill runs p once more and kills the worker at a random point of its
// work: somewhere between 5% and 60% of the reference's work, sooner if
// this run's work is over already (the machine is not always as busy), so
// that the kill still lands before the workflow ends. It prints the run's
// FAULT line, also when a check stops the test.
func (r *faultRunner) kill(p faultPipeline, k int, window time.Duration, ref string) {
	t := r.t
	r.tried++
	got, res, at, landed := "-", "fail", time.Duration(0), false
	defer func() {
		t.Logf("FAULT pipeline=%s kill=%d at=%d result=%s checksum=%s reference=%s landed=%s",
			p.name, k, at.Milliseconds(), res, shortSum(got), shortSum(ref), map[bool]string{true: "mid", false: "after"}[landed])
	}()
	delay := time.Duration((0.05 + 0.55*r.rng.Float64()) * float64(window))
	id := p.start(k)
	workStart := r.waitWork(id, p.work)
	r.sleepWhileWorking(id, p.work, workStart.Add(delay))
	at = time.Since(workStart)
	landed = r.open(id)
	r.s.killChildWorker()
	r.s.startChildWorker()
	cmd := r.s.wait(id, 5*time.Minute)
	if cmd.Status == "completed" {
		got = p.sum(k, cmd)
	}
	if got != ref {
		t.Errorf("%s, kill %d at %s: %s %s, checksum %s, reference %s (replay with STUDIO_FAULT_SEED)",
			p.name, k, at, cmd.Status, cmd.Failure, got, ref)
		return
	}
	res = "pass"
	r.passed++
}

// waitWork waits until one of the work activities of workflow id has
// started, and returns when it was seen.
func (r *faultRunner) waitWork(id string, work []string) time.Time {
	r.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		d, err := r.s.dev.Client().DescribeWorkflowExecution(context.Background(), id, "")
		if err == nil {
			for _, a := range d.GetPendingActivities() {
				if slices.Contains(work, a.GetActivityType().GetName()) && a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
					return time.Now()
				}
			}
			if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				r.t.Fatalf("%s closed (%s) before any of %v started; worker log:\n%s",
					id, d.GetWorkflowExecutionInfo().GetStatus(), work, r.s.childOutput())
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("none of %v started in %s (%v); worker log:\n%s", work, id, err, r.s.childOutput())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sleepWhileWorking sleeps until the kill point, or until no work
// activity of workflow id has been pending for a moment (a gap between two
// activities is shorter).
func (r *faultRunner) sleepWhileWorking(id string, work []string, until time.Time) {
	var idle time.Time
	for time.Now().Before(until) {
		if r.working(id, work) {
			idle = time.Time{}
		} else if idle.IsZero() {
			idle = time.Now()
		} else if time.Since(idle) > 150*time.Millisecond {
			return
		}
		time.Sleep(min(25*time.Millisecond, time.Until(until)))
	}
}

// working tells whether one of the work activities of workflow id is
// pending.
func (r *faultRunner) working(id string, work []string) bool {
	d, err := r.s.dev.Client().DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		return true
	}
	for _, a := range d.GetPendingActivities() {
		if slices.Contains(work, a.GetActivityType().GetName()) {
			return true
		}
	}
	return false
}

// open tells whether workflow id is still running.
func (r *faultRunner) open(id string) bool {
	d, err := r.s.dev.Client().DescribeWorkflowExecution(context.Background(), id, "")
	return err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}

func shortSum(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// stopChildWorker stops the worker child cleanly (SIGTERM), so that it
// closes the Bleve indexes it holds open.
func (s *stack) stopChildWorker() {
	if s.child == nil {
		return
	}
	_ = s.child.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.child.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.child.Process.Kill()
		<-done
	}
	s.child = nil
}

// sortedSum hashes lines, sorted, so the order they were produced in does not
// matter.
func sortedSum(l []string) string {
	slices.Sort(l)
	h := sha256.New()
	for _, s := range l {
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// canonicalJSON is the JSON of v after a round trip through encoding/json, so
// that an int64 from the document store and a float64 from the search
// engine write the same.
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(back)
	return string(b)
}

// docLine is one document as "<_id>\t<source without _id>".
func docLine(t *testing.T, id string, src map[string]any) string {
	rest := make(map[string]any, len(src))
	for k, v := range src {
		if k != "_id" {
			rest[k] = v
		}
	}
	return id + "\t" + canonicalJSON(t, rest)
}

// collectionSum is the checksum of a build collection, in the form of
// indexSum so that a release can be compared with its build.
func collectionSum(t *testing.T, c docstore.Collection) string {
	var l []string
	for _, d := range scan(t, c) {
		id, _ := docstore.ID(d)
		l = append(l, docLine(t, id, d))
	}
	return sortedSum(l)
}

// indexSum scrolls every document of an index. The worker holds Bleve
// indexes open, so it is stopped for the read and started again after.
func indexSum(t *testing.T, s *stack, index string) string {
	t.Helper()
	s.stopChildWorker()
	defer s.startChildWorker()
	ctx := context.Background()
	eng, err := engine.OpenSearch(ctx, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
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
	return sortedSum(l)
}

// diffSum is the checksum of a diff's operations, whatever the files and
// their order.
func diffSum(t *testing.T, dir string) (string, differ.Metadata) {
	t.Helper()
	md, err := differ.ReadMetadata(dir)
	if err != nil {
		t.Fatal(err)
	}
	var l []string
	for _, f := range md.Files {
		df, err := differ.ReadFile(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range df.Add {
			id, _ := docstore.ID(a)
			l = append(l, "add\t"+docLine(t, id, a))
		}
		for _, u := range df.Update {
			l = append(l, "update\t"+u.ID+"\t"+canonicalJSON(t, u.Patch))
		}
		for _, id := range df.Delete {
			l = append(l, "delete\t"+id)
		}
	}
	return sortedSum(l), md
}

// folderSum is the checksum of the files of a folder: names and contents.
func folderSum(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var l []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		l = append(l, fmt.Sprintf("%s\t%x", e.Name(), sha256.Sum256(b)))
	}
	return sortedSum(l)
}

// faultParser yields n documents, or as many as a file named "rows" in
// the data folder says; when the data folder holds a file named "edited"
// it yields the next release: every tenth document from the fourth gone,
// four in ten changed, and n/50 new ones.
const faultParser = `import os, time

def load_data(data_folder, n=100000):
    rows = os.path.join(data_folder, "rows")
    if os.path.exists(rows):
        with open(rows) as f:
            n = int(f.read())
    edited = os.path.exists(os.path.join(data_folder, "edited"))
    total = n + (n // 50 if edited else 0)
    for i in range(total):
        if i % 5000 == 0:
            time.sleep(0.05)
        if edited and i < n and i % 10 == 3:
            continue
        doc = {"_id": "f%07d" % i, "n": i, "tag": "t%d" % (i % 7),
               "gene": {"symbol": "G%d" % (i % 997), "score": i / 8.0, "ids": [i, i + 1]}}
        if i % 3 == 0:
            doc["note"] = "row %d of the fault data" % i
        if edited and i % 10 in (5, 6, 7, 8):
            doc["tag"] = "changed"
            doc["gene"]["score"] = -1.5
        yield doc
`

// faultRows is the size of the upload, the inspection and the build.
const faultRows = 100000

// releaseRows is the size of the builds that the release, the diff and the
// sync work on: a smaller release of the same source, because indexing
// into Bleve is the slowest step by far.
const releaseRows = 25000

// TestFaults kills the worker at random points of every pipeline (dump,
// upload, inspect, build, full release, diff, sync) and checks that each
// killed run ends with the checksum of an undisturbed run.
func TestFaults(t *testing.T) {
	// Much of a fault test is waiting for Temporal to notice a dead
	// worker: the fault tests overlap, each on its own engine.
	t.Parallel()
	r := &faultRunner{t: t, kills: faultKills(t)}
	seed := faultSeed(t)
	r.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	t.Logf("FAULTSEED seed=%d kills=%d", seed, r.kills)

	// About 5 s of download: the throttle lets a 32 KiB read through every
	// 50 ms.
	blob := make([]byte, 3<<20)
	for i := range blob {
		blob[i] = byte(i*13 + i/8191)
	}
	blobSrv := serveFile(t, "blob.bin", blob, 4<<20)
	seedSrv := serveFile(t, "seed.txt", []byte("fault data\n"), 0)
	dumpRepo := testenv.GitRepo(t, "fdump", map[string]string{
		"manifest.json": tutorialManifest(blobSrv.URL+"/blob.bin", ""),
		"parser.py":     tutorialParser,
	})
	srcRepo := testenv.GitRepo(t, "fsrc", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": %d}, "on_duplicates": "error"}}`, seedSrv.URL+"/seed.txt", faultRows),
		"parser.py": faultParser,
	})
	s := newStack(t, false)
	r.s = s
	s.startChildWorker()
	for _, repo := range []string{dumpRepo, srcRepo} {
		if err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil); err != nil {
			t.Fatalf("register %s: %v; worker log:\n%s", repo, err, s.childOutput())
		}
	}
	began := time.Now()
	defer func() {
		t.Logf("FAULTS tried=%d passed=%d", r.tried, r.passed)
		t.Logf("fault injection took %s", time.Since(began).Round(time.Second))
	}()

	r.run(dumpPipeline(t, s, sha256.Sum256(blob)))
	var dataFolder string
	r.run(uploadPipeline(t, s, &dataFolder))
	var mapping map[string]any
	r.run(inspectPipeline(t, s, &mapping))
	s.do("PUT", "/source/fsrc/mapping", map[string]any{"mapping": mapping, "dest": "master"}, nil)
	s.do("POST", "/buildconf", map[string]any{"name": "fconf", "doc_type": "thing", "sources": []string{"fsrc"}}, nil)
	r.run(buildPipeline(t, s))

	// The releases, the diff and the sync work on two smaller builds of
	// the same source, made undisturbed.
	if err := os.WriteFile(filepath.Join(dataFolder, "rows"), []byte(strconv.Itoa(releaseRows)), 0o644); err != nil {
		t.Fatal(err)
	}
	oldBuild := uploadAndBuild(t, s)
	oldSum := collectionSum(t, s.eng.Target.C(oldBuild))
	var indexes []string
	r.run(releasePipeline(t, s, oldBuild, oldSum, &indexes))

	if err := os.WriteFile(filepath.Join(dataFolder, "edited"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	newBuild := uploadAndBuild(t, s)
	newSum := collectionSum(t, s.eng.Target.C(newBuild))
	dir := filepath.Join(s.cfg.DataDir, "diff", oldBuild+"-"+newBuild)
	r.run(diffPipeline(t, s, oldBuild, newBuild, dir))
	r.run(syncPipeline(t, s, dir, indexes, newSum))
}

// uploadAndBuild uploads the fault source and builds it, undisturbed, and
// returns the build id.
func uploadAndBuild(t *testing.T, s *stack) string {
	t.Helper()
	var started struct{ ID string }
	s.do("PUT", "/source/fsrc/upload", nil, &started)
	result(t, s.wait(started.ID, 5*time.Minute), &[]activities.UploadResult{})
	s.do("PUT", "/build/fconf/new", nil, &started)
	var b activities.BuildResult
	result(t, s.wait(started.ID, 5*time.Minute), &b)
	return b.BuildID
}

// dumpPipeline: a forced dump of a throttled file; the checksum is the
// downloaded folder's.
func dumpPipeline(t *testing.T, s *stack, want [32]byte) faultPipeline {
	return faultPipeline{
		name: "dump", work: []string{"DumpFetch"},
		start: func(k int) string {
			var started struct{ ID string }
			s.do("PUT", "/source/fdump/dump", map[string]any{"force": k > 0}, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res activities.DumpResult
			result(t, cmd, &res)
			// The upload the dump starts must end before the next dump.
			s.wait("upload/fdump", time.Minute)
			if k == 0 {
				got, err := os.ReadFile(filepath.Join(res.DataFolder, "blob.bin"))
				if err != nil || sha256.Sum256(got) != want {
					t.Fatalf("reference dump differs from the served file (%v)", err)
				}
			}
			return folderSum(t, res.DataFolder)
		},
	}
}

// uploadPipeline: the reference is the upload a dump starts; killed runs
// upload again. The checksum is the source collection's.
func uploadPipeline(t *testing.T, s *stack, dataFolder *string) faultPipeline {
	return faultPipeline{
		name: "upload", work: []string{"UploadRun"},
		start: func(k int) string {
			var started struct{ ID string }
			if k == 0 {
				s.do("PUT", "/source/fsrc/dump", nil, &started)
				var dump activities.DumpResult
				result(t, s.wait(started.ID, time.Minute), &dump)
				*dataFolder = dump.DataFolder
				s.waitStarted("upload/fsrc")
				return "upload/fsrc"
			}
			s.do("PUT", "/source/fsrc/upload", nil, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res []activities.UploadResult
			result(t, cmd, &res)
			docs := all(t, s, "fsrc")
			if len(docs) != faultRows || len(res) != 1 || res[0].Count != faultRows {
				t.Fatalf("upload %d stored %d documents (result %+v), want %d", k, len(docs), res, faultRows)
			}
			return checksum(t, docs)
		},
	}
}

// inspectPipeline: the checksum is the canonical JSON of the inspected
// mapping; the reference mapping is handed back for the build.
func inspectPipeline(t *testing.T, s *stack, mapping *map[string]any) faultPipeline {
	return faultPipeline{
		name: "inspect", work: []string{"InspectRun"},
		start: func(int) string {
			var started struct{ ID string }
			s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", "fsrc"}, "mode": []string{"type", "stats", "mapping"}}, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res activities.InspectResult
			result(t, cmd, &res)
			if res.Result.Count != faultRows || len(res.Result.Mapping) == 0 {
				t.Fatalf("inspect %d: %d documents, mapping %v", k, res.Result.Count, res.Result.Mapping)
			}
			if k == 0 {
				*mapping = res.Result.Mapping
			}
			return sortedSum([]string{canonicalJSON(t, res.Result.Mapping)})
		},
	}
}

// buildPipeline: each run is a new build of one configuration; the
// checksum is its collection's.
func buildPipeline(t *testing.T, s *stack) faultPipeline {
	return faultPipeline{
		name: "build", work: []string{"BuildMerge"},
		start: func(int) string {
			var started struct{ ID string }
			s.do("PUT", "/build/fconf/new", nil, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res activities.BuildResult
			result(t, cmd, &res)
			if res.Total != faultRows {
				t.Fatalf("build %d = %+v, want %d documents", k, res, faultRows)
			}
			return collectionSum(t, s.eng.Target.C(res.BuildID))
		},
	}
}

// releasePipeline: run k releases the reference build into index frel<k>;
// the checksum is every document of the index, and the reference must
// equal the build itself. The indexes are kept for the syncs.
func releasePipeline(t *testing.T, s *stack, build, buildSum string, indexes *[]string) faultPipeline {
	return faultPipeline{
		name: "release", work: []string{"IndexDocs"},
		start: func(k int) string {
			var started struct{ ID string }
			s.do("PUT", "/index", map[string]any{"build": build, "index": fmt.Sprintf("frel%d", k)}, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res activities.IndexResult
			result(t, cmd, &res)
			*indexes = append(*indexes, res.Index)
			sum := indexSum(t, s, res.Index)
			if k == 0 && sum != buildSum {
				t.Fatalf("index %s (%s) differs from build %s (%s)", res.Index, shortSum(sum), build, shortSum(buildSum))
			}
			return sum
		},
	}
}

// diffPipeline: every run diffs the same two builds into the same folder;
// the checksum is the decoded operations, whatever the files.
func diffPipeline(t *testing.T, s *stack, oldID, newID, dir string) faultPipeline {
	return faultPipeline{
		name: "diff", work: []string{"DiffRun"},
		start: func(int) string {
			var started struct{ ID string }
			s.do("PUT", "/diff", map[string]string{"old": oldID, "new": newID}, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var md differ.Metadata
			result(t, cmd, &md)
			sum, onDisk := diffSum(t, dir)
			const n = releaseRows
			want := differ.Stats{Add: n / 50, Update: 4 * n / 10, Delete: n / 10, Same: n - n/2}
			if onDisk.Stats != want || md.Stats != want || len(onDisk.Files) < 2 {
				t.Fatalf("diff %d: stats %+v (result %+v) in %d files, want %+v in several", k, onDisk.Stats, md.Stats, len(onDisk.Files), want)
			}
			return sum
		},
	}
}

// syncPipeline: run k applies the diff to index frel<k>, a release of the
// old build; the checksum is the index's, and the reference must equal the
// new build.
func syncPipeline(t *testing.T, s *stack, dir string, indexes []string, newSum string) faultPipeline {
	return faultPipeline{
		name: "sync", work: []string{"SyncFile"},
		start: func(k int) string {
			if k >= len(indexes) {
				t.Fatalf("no release of the old build for sync %d (releases %v)", k, indexes)
			}
			var started struct{ ID string }
			s.do("POST", "/sync", map[string]string{"diff": dir, "index": indexes[k]}, &started)
			return started.ID
		},
		sum: func(k int, cmd commands.Command) string {
			var res activities.SyncResult
			result(t, cmd, &res)
			sum := indexSum(t, s, indexes[k])
			if k == 0 && sum != newSum {
				t.Fatalf("index %s after the sync (%s) differs from the new build (%s)", indexes[k], shortSum(sum), shortSum(newSum))
			}
			return sum
		},
	}
}
