package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// readFile reads a file of the repository.
func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// all returns every document of a source collection, in _id order.
func all(t *testing.T, s *stack, coll string) []docstore.Doc {
	t.Helper()
	return scan(t, s.eng.Src.C(coll))
}

func scan(t *testing.T, c docstore.Collection) []docstore.Doc {
	t.Helper()
	var docs []docstore.Doc
	for d, err := range c.Scan(context.Background(), docstore.ScanOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	return docs
}

// waitCommand waits for a command id to exist (a child started by another
// workflow) and then to close.
func (s *stack) waitStarted(id string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var cmd commands.Command
		if err := s.doErr("GET", hubclient.CommandPath(id), nil, &cmd); err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("command %s never started", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTutorialUploadPythonAndDeclarative registers the tutorial's plugin
// (a BioThings-style Python parser) and the same data with a declarative
// parser; the dump triggers each upload, and both give the same documents.
func TestTutorialUploadPythonAndDeclarative(t *testing.T) {
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveFile(t, "cgi_biomarkers_per_variant.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv), 0)
	url := srv.URL + "/cgi_biomarkers_per_variant.zip"
	pyRepo := cgiPluginRepo(t, "cgi", url)
	declRepo := testenv.GitRepo(t, "cgi_decl", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "0.1", "dumper": {"data_url": %q, "uncompress": true},
		  "uploader": {"parser": %s, "on_duplicates": "error"}}`, url, readFile(t, "internal/domain/tableparse/testdata/cgi_parser.json")),
	})
	s := newStack(t, true)
	for _, repo := range []string{pyRepo, declRepo} {
		s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	}
	for _, name := range []string{"cgi", "cgi_decl"} {
		var started struct{ ID string }
		s.do("PUT", "/source/"+name+"/dump", nil, &started)
		result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
		s.waitStarted("upload/" + name)
		var res []activities.UploadResult
		result(t, s.wait("upload/"+name, 2*time.Minute), &res)
		if len(res) != 1 || res[0].Count == 0 || res[0].Stats.Rejected != 0 {
			t.Fatalf("upload %s = %+v", name, res)
		}
	}

	py, decl := all(t, s, "cgi"), all(t, s, "cgi_decl")
	if len(py) != 323 {
		t.Fatalf("python parser stored %d documents, want 323 (the tutorial's count)", len(py))
	}
	if len(decl) != len(py) {
		t.Fatalf("declarative parser stored %d documents, python %d", len(decl), len(py))
	}
	diffs := 0
	for i := range py {
		if !reflect.DeepEqual(py[i], decl[i]) {
			diffs++
			if diffs <= 3 {
				a, _ := json.Marshal(py[i])
				b, _ := json.Marshal(decl[i])
				t.Errorf("document %d differs:\npython      %s\ndeclarative %s", i, a, b)
			}
		}
	}
	if diffs > 0 {
		t.Fatalf("%d of %d documents differ", diffs, len(py))
	}

	// A document checked field by field, from the tutorial's example row.
	doc, err := s.eng.Src.C("cgi").Get(context.Background(), "chr9:g.133748283C>T")
	if err != nil {
		t.Fatal(err)
	}
	list, ok := doc["cgi"].([]any)
	if !ok || len(list) < 2 {
		t.Fatalf("chr9:g.133748283C>T: want a list of several associations, got %v", doc["cgi"])
	}
	first := list[0].(map[string]any)
	want := map[string]any{"association": "Resistant", "cdna": "c.944C>T", "gene": "ABL1", "protein_change": "ABL1:T315I",
		"region": "inside_[cds_in_exon_6]", "source": "PMID:21562040", "transcript": "ENST00000318560",
		"primary_tumor_type": "Chronic myeloid leukemia", "evidence_level": "European LeukemiaNet guidelines",
		"drug": "BCR-ABL inhibitor 2nd gens (Nilotinib,Dasatinib,etc)"}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first association of chr9:g.133748283C>T = %v, want %v", first, want)
	}

	// The hub records the job and the sub-source.
	var src struct {
		Pending []string
		Upload  struct {
			Jobs map[string]struct {
				Status string
				Count  int64
			}
		}
	}
	s.do("GET", "/source/cgi", nil, &src)
	if j := src.Upload.Jobs["cgi"]; j.Status != "success" || j.Count != 323 || len(src.Pending) != 0 {
		t.Fatalf("src_dump upload after success = %+v", src)
	}
	master, err := s.eng.Hub.C("src_master").Get(context.Background(), "cgi")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := docstore.GetPath(master, "src_meta.code.commit"); code == nil || code == "" {
		t.Fatalf("src_master.cgi has no code commit: %v", master)
	}
	if lic, _ := docstore.GetPath(master, "src_meta.license"); lic != "CC BY-NC 4.0" {
		t.Fatalf("src_master.cgi license = %v", lic)
	}
}

// slowParser yields n documents, pausing now and then so that a test can
// kill the worker in the middle.
const slowParser = `import time

def load_data(data_folder, n=200000):
    for i in range(n):
        if i % 1000 == 0:
            time.sleep(0.1)
        yield {"_id": "doc%06d" % i, "n": i, "tag": "t%d" % (i % 7)}
`

func expectedChecksum(n int) string {
	h := sha256.New()
	for i := range n {
		b, _ := json.Marshal(map[string]any{"_id": fmt.Sprintf("doc%06d", i), "n": i, "tag": fmt.Sprintf("t%d", i%7)})
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func checksum(t *testing.T, docs []docstore.Doc) string {
	h := sha256.New()
	for _, d := range docs {
		b, _ := json.Marshal(d)
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestUploadSurvivesWorkerKill kills the worker during an upload of 200,000
// documents; after a new worker comes back the upload resumes, and the
// stored documents equal an uninterrupted run's.
func TestUploadSurvivesWorkerKill(t *testing.T) {
	const n = 200000
	srv := serveFile(t, "seed.tsv", []byte("a\tb\n1\t2\n"), 0)
	repo := testenv.GitRepo(t, "slowsrc", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": %d}}}`, srv.URL+"/seed.tsv", n),
		"parser.py": slowParser,
	})
	s := newStack(t, false)
	s.startChildWorker()
	if err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil); err != nil {
		t.Fatalf("register: %v; worker log:\n%s", err, s.childOutput())
	}
	var started struct{ ID string }
	s.do("PUT", "/source/slowsrc/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/slowsrc")

	// Kill -9 once the upload reports a quarter of the documents stored.
	deadline := time.Now().Add(time.Minute)
	for {
		var cmd commands.Command
		s.do("GET", "/command/upload/slowsrc", nil, &cmd)
		if done := progressDone(cmd); done > n/4 {
			t.Logf("killing the worker at %d documents", done)
			break
		}
		if cmd.CloseTime != nil || time.Now().After(deadline) {
			t.Fatalf("upload not killed midway: %s %s; worker log:\n%s", cmd.Status, cmd.Failure, s.childOutput())
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.killChildWorker()
	s.startChildWorker()

	var res []activities.UploadResult
	result(t, s.wait("upload/slowsrc", 3*time.Minute), &res)
	docs := all(t, s, "slowsrc")
	if len(docs) != n || res[0].Count != n {
		t.Fatalf("stored %d documents (result %+v), want %d", len(docs), res, n)
	}
	if got, want := checksum(t, docs), expectedChecksum(n); got != want {
		t.Fatalf("checksum of the stored documents %s, want %s", got, want)
	}
}

// TestParallelUploadSurvivesWorkerKill kills the worker while the three
// jobs of a parallelizer run; after a new worker comes back each job
// resumes, and the one collection holds exactly an uninterrupted run's
// documents.
func TestParallelUploadSurvivesWorkerKill(t *testing.T) {
	const n = 150000
	srv := serveFile(t, "seed.tsv", []byte("a\tb\n1\t2\n"), 0)
	repo := testenv.GitRepo(t, "parsrc", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q},
		  "uploader": {"parser": "parser:load_part", "parallelizer": "parser:thirds", "parser_kwargs": {"n": %d}}}`, srv.URL+"/seed.tsv", n),
		"parser.py": `import time

def thirds(self):
    return [(k,) for k in range(3)]

def load_part(k, n=150000):
    part = n // 3
    for i in range(k * part, (k + 1) * part):
        if i % 1000 == 0:
            time.sleep(0.1)
        yield {"_id": "doc%06d" % i, "n": i, "tag": "t%d" % (i % 7)}
`,
	})
	s := newStack(t, false)
	s.startChildWorker()
	if err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil); err != nil {
		t.Fatalf("register: %v; worker log:\n%s", err, s.childOutput())
	}
	var started struct{ ID string }
	s.do("PUT", "/source/parsrc/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/parsrc")

	// Kill -9 once a job reports a fifth of its documents stored.
	deadline := time.Now().Add(time.Minute)
	for {
		var cmd commands.Command
		s.do("GET", "/command/upload/parsrc", nil, &cmd)
		if done := progressDone(cmd); done > n/15 {
			t.Logf("killing the worker at %d documents of a job (%d jobs running)", done, len(cmd.Activities))
			break
		}
		if cmd.CloseTime != nil || time.Now().After(deadline) {
			t.Fatalf("upload not killed midway: %s %s; worker log:\n%s", cmd.Status, cmd.Failure, s.childOutput())
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.killChildWorker()
	s.startChildWorker()

	var res []activities.UploadResult
	result(t, s.wait("upload/parsrc", 3*time.Minute), &res)
	docs := all(t, s, "parsrc")
	if len(docs) != n || res[0].Count != n || res[0].Stats.Duplicates != 0 {
		t.Fatalf("stored %d documents (result %+v), want %d", len(docs), res, n)
	}
	if got, want := checksum(t, docs), expectedChecksum(n); got != want {
		t.Fatalf("checksum of the stored documents %s, want %s", got, want)
	}
}

// progressDone reads the heartbeat progress of a command's activity.
func progressDone(cmd commands.Command) int64 {
	for _, a := range cmd.Activities {
		if m, ok := a.Progress.(map[string]any); ok {
			if d, ok := m["done"].(float64); ok {
				return int64(d)
			}
		}
	}
	return 0
}

// badParser yields 20 good documents and a few bad ones; when the data
// folder holds a file named "raise", it raises on its 12th document.
const badParser = `import os

def load_data(data_folder):
    fail = os.path.exists(os.path.join(data_folder, "raise"))
    for i in range(20):
        if fail and i == 11:
            raise ValueError("bad row %d" % (i + 1))
        yield {"_id": "d%02d" % i, "v": i}
    yield {"v": "no id"}
    yield {"_id": 42}
    yield {"_id": "x" * 600}


def get_mapping(cls):
    return {"v": {"type": "integer"}}
`

// TestFailedUploadKeepsLiveData: bad documents are counted and reported;
// a parser that raises fails the upload at once, with the traceback, and
// the previous live collection stays as it was.
func TestFailedUploadKeepsLiveData(t *testing.T) {
	srv := serveFile(t, "seed.tsv", []byte("a\n1\n"), 0)
	repo := testenv.GitRepo(t, "badrows", map[string]string{
		"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q}, "uploader": {"parser": "parser:load_data", "mapping": "parser:get_mapping"}}`, srv.URL+"/seed.tsv"),
		"parser.py":     badParser,
	})
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	s.do("PUT", "/source/badrows/dump", nil, &started)
	var dump activities.DumpResult
	result(t, s.wait(started.ID, time.Minute), &dump)
	s.waitStarted("upload/badrows")
	var res []activities.UploadResult
	result(t, s.wait("upload/badrows", time.Minute), &res)
	if res[0].Count != 20 || res[0].Stats.Rejected != 3 {
		t.Fatalf("upload = %+v, want 20 stored and 3 rejected", res)
	}
	reasons := strings.Join(res[0].Stats.RejectSamples, "\n")
	for _, want := range []string{"_id missing", "number", "512"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("reject reasons do not mention %q:\n%s", want, reasons)
		}
	}
	t.Logf("BADINPUT class=documents case=bad_ids_counted_and_sampled result=%s", badResult(t))
	before := checksum(t, all(t, s, "badrows"))
	master, err := s.eng.Hub.C("src_master").Get(context.Background(), "badrows")
	if err != nil || !reflect.DeepEqual(master["mapping"], map[string]any{"v": map[string]any{"type": "integer"}}) {
		t.Fatalf("src_master.badrows mapping from the manifest's mapping function = %v, %v", master["mapping"], err)
	}

	if err := os.WriteFile(filepath.Join(dump.DataFolder, "raise"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s.do("PUT", "/source/badrows/upload", nil, &started)
	cmd := s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "bad row 12") || !strings.Contains(cmd.Failure, "parser.py") {
		t.Fatalf("upload with a raising parser: %s %q", cmd.Status, cmd.Failure)
	}
	t.Logf("BADINPUT class=parser case=raises_on_row_12 result=%s", badResult(t))
	if after := checksum(t, all(t, s, "badrows")); after != before {
		t.Fatal("the live collection changed after a failed upload")
	}
	var src struct {
		Upload struct {
			Jobs map[string]struct{ Status, Err string }
		}
	}
	s.do("GET", "/source/badrows", nil, &src)
	if j := src.Upload.Jobs["badrows"]; j.Status != "failed" || !strings.Contains(j.Err, "bad row 12") {
		t.Fatalf("src_dump upload job after failure = %+v", j)
	}
}

// scanTarget returns every document of a build collection, in _id order.
func scanTarget(t *testing.T, s *stack, coll string) []docstore.Doc {
	t.Helper()
	return scan(t, s.eng.Target.C(coll))
}
