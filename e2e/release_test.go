package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/domain/differ"
	"studio/internal/engine"
	"studio/internal/engine/search"
	"studio/internal/testsupport/testenv"
)

// editCGI edits the tutorial TSV: the rows of deleteN variants are removed,
// the Association of updateN single-row variants changes, and addN rows of
// new variants are appended. It returns the new TSV.
func editCGI(t *testing.T, tsv []byte, deleteN, updateN, addN int) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(tsv))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	count := map[string]int{}
	var order []string
	for _, row := range rows[1:] {
		id := row[col["gDNA"]]
		if row[col["Alteration type"]] != "MUT" || id == "" {
			continue
		}
		if count[id] == 0 {
			order = append(order, id)
		}
		count[id]++
	}
	del, upd := map[string]bool{}, map[string]bool{}
	for _, id := range order {
		switch {
		case len(del) < deleteN:
			del[id] = true
		case count[id] == 1 && len(upd) < updateN:
			upd[id] = true
		}
	}
	out := [][]string{rows[0]}
	var template []string
	for _, row := range rows[1:] {
		id := row[col["gDNA"]]
		if del[id] {
			continue
		}
		if upd[id] {
			row = append([]string(nil), row...)
			row[col["Association"]] = "Changed association"
		}
		if template == nil && row[col["Alteration type"]] == "MUT" {
			template = row
		}
		out = append(out, row)
	}
	for i := range addN {
		row := append([]string(nil), template...)
		row[col["gDNA"]] = "chrX:g." + string(rune('1'+i)) + "00A>T"
		out = append(out, row)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = '\t'
	if err := w.WriteAll(out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestIncrementalRelease builds the CGI data twice, the second time from an
// edited TSV, releases the first build, diffs the two and syncs the diff
// into the index: the diff counts match the edit and the index then equals
// the second build, document by document.
func TestIncrementalRelease(t *testing.T) {
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lab := serveLabFile(t, "cgi.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	repo := cgiPluginRepo(t, "cgi", lab.URL)
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	if err := s.eng.Hub.C("src_master").Update(context.Background(), "cgi", map[string]any{"mapping": cgiMapping}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "default", "doc_type": "variant", "sources": []string{"cgi"}}, nil)

	oldID := s.buildSource("cgi", "default", 2*time.Minute)
	var idx struct{ ID string }
	s.do("PUT", "/index", map[string]any{"build": oldID, "index": "cgi_live"}, &idx)
	result(t, s.wait(idx.ID, 2*time.Minute), &activities.IndexResult{})

	// The lab publishes an edited file.
	lab.publish(zipOf(t, "cgi_biomarkers_per_variant.tsv", editCGI(t, tsv, 3, 2, 2)), lastModified.Add(48*time.Hour))
	newID := s.buildSource("cgi", "default", 2*time.Minute)

	type options struct {
		Incremental struct {
			Possible      bool
			Reason        string
			Previous      string
			RecommendFull *bool `json:"recommend_full"`
		}
	}
	var opts options
	s.do("GET", "/build/"+oldID+"/release_options", nil, &opts)
	if opts.Incremental.Possible || !strings.Contains(opts.Incremental.Reason, "no earlier") {
		t.Fatalf("release options of the first build = %+v", opts)
	}
	var started struct{ ID string }
	s.do("PUT", "/diff", map[string]string{"old": oldID, "new": newID}, &started)
	var md differ.Metadata
	result(t, s.wait(started.ID, 2*time.Minute), &md)
	if md.Stats.Add != 2 || md.Stats.Update != 2 || md.Stats.Delete != 3 {
		t.Fatalf("diff stats = %+v, want 2 added, 2 updated, 3 deleted", md.Stats)
	}
	s.recordHistory(started.ID, "diff")
	opts = options{}
	s.do("GET", "/build/"+newID+"/release_options", nil, &opts)
	if !opts.Incremental.Possible || opts.Incremental.Previous != oldID || opts.Incremental.RecommendFull == nil || *opts.Incremental.RecommendFull {
		t.Fatalf("release options of the second build = %+v", opts)
	}
	var note struct {
		Txt  string
		JSON struct {
			FieldsUpdated map[string]int64 `json:"fields_updated"`
			Sources       []struct{ Source, Old, New string }
		}
	}
	s.do("GET", "/release_note?old="+oldID+"&new="+newID, nil, &note)
	if note.JSON.FieldsUpdated["cgi.association"] != 2 || len(note.JSON.Sources) != 1 || note.JSON.Sources[0].New != "2026-03-16" ||
		!strings.Contains(note.Txt, "cgi.association (2)") {
		t.Fatalf("release note = %+v", note)
	}
	dir := s.cfg.DataDir + "/diff/" + oldID + "-" + newID

	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "cgi_live"}, &started)
	var res activities.SyncResult
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	s.recordHistory(started.ID, "sync")
	if res.Added != 2 || res.Updated != 2 || res.Deleted != 3 || res.Skipped != 0 {
		t.Fatalf("sync = %+v", res)
	}
	assertIndexEqualsBuild(t, s, "cgi_live", newID)

	// The build record tells where its diff was synced, file count and all.
	var rec struct {
		Diff map[string]struct {
			Synced []struct {
				Index   string
				Applied int
			}
		}
	}
	s.do("GET", "/build/"+newID, nil, &rec)
	if sy := rec.Diff[oldID].Synced; len(sy) != 1 || sy[0].Index != "cgi_live" || sy[0].Applied != res.Files {
		t.Fatalf("GET /build/%s: diff.%s.synced = %+v, want cgi_live with %d files", newID, oldID, sy, res.Files)
	}

	// A second sync of the same diff applies nothing again: every file is
	// skipped, and no document's version moves.
	versions := func() map[string]int64 {
		ids := []string{}
		for _, d := range scanTarget(t, s, newID) {
			ids = append(ids, d["_id"].(string))
		}
		hits, err := s.eng.Search.MGet(context.Background(), "cgi_live", ids)
		if err != nil {
			t.Fatal(err)
		}
		v := map[string]int64{}
		for _, h := range hits {
			v[h.ID] = h.Version
		}
		return v
	}
	before := versions()
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "cgi_live"}, &started)
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	if res.Files != 0 || res.Skipped != len(md.Files) {
		t.Fatalf("second sync = %+v, want every file skipped", res)
	}
	if after := versions(); !reflect.DeepEqual(before, after) {
		t.Fatal("document versions changed on a second sync of the same diff: a patch was applied twice")
	}
	assertIndexEqualsBuild(t, s, "cgi_live", newID)

	// A patch that no longer applies fails its file, and nothing of that
	// file reaches the index: into a second release of the old build whose
	// copy of an updated document went away, the sync stops at that file.
	s.do("PUT", "/index", map[string]any{"build": oldID, "index": "cgi_other"}, &idx)
	result(t, s.wait(idx.ID, 2*time.Minute), &activities.IndexResult{})
	f0, err := differ.ReadFile(dir, md.Files[0])
	if err != nil || len(f0.Update) == 0 {
		t.Fatalf("first diff file: %v, %d updates", err, len(f0.Update))
	}
	if _, err := s.eng.Search.Bulk(context.Background(), "cgi_other", []search.BulkOp{{Kind: search.BulkDelete, ID: f0.Update[0].ID}}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "cgi_other"}, &started)
	cmd := s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, f0.Update[0].ID) {
		t.Fatalf("sync with a patch that no longer applies: %s %q", cmd.Status, cmd.Failure)
	}
	for _, add := range f0.Add {
		if _, err := s.eng.Search.Get(context.Background(), "cgi_other", add["_id"].(string)); err == nil {
			t.Fatalf("document %v of the failed file was added anyway", add["_id"])
		}
	}
	t.Logf("BADINPUT class=diff case=patch_no_longer_applies result=%s", badResult(t))

	// Builds of different configurations are not diffed.
	s.do("POST", "/buildconf", map[string]any{"name": "other", "doc_type": "variant", "sources": []string{"cgi"}}, nil)
	s.do("PUT", "/build/other/new", nil, &started)
	var otherBuild activities.BuildResult
	result(t, s.wait(started.ID, 2*time.Minute), &otherBuild)
	s.do("PUT", "/diff", map[string]string{"old": oldID, "new": otherBuild.BuildID}, &started)
	cmd = s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "different build configurations") {
		t.Fatalf("diff across configurations: %s %q", cmd.Status, cmd.Failure)
	}
	t.Logf("BADINPUT class=diff case=builds_of_different_configurations result=%s", badResult(t))

	// A diff with a file missing is refused before anything is applied.
	missing := dir + "/" + md.Files[len(md.Files)-1].Name
	if err := os.Rename(missing, missing+".away"); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "cgi_live"}, &started)
	cmd = s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "missing") {
		t.Fatalf("sync with a file missing: %s %q", cmd.Status, cmd.Failure)
	}
	t.Logf("BADINPUT class=diff case=file_missing result=%s", badResult(t))
	if err := os.Rename(missing+".away", missing); err != nil {
		t.Fatal(err)
	}

	// A tampered diff file is refused before anything is applied.
	f := dir + "/" + md.Files[0].Name
	b, _ := os.ReadFile(f)
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "cgi_live"}, &started)
	cmd = s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "md5") {
		t.Fatalf("sync of a tampered diff: %s %q", cmd.Status, cmd.Failure)
	}
	t.Logf("BADINPUT class=diff case=tampered_file_md5 result=%s", badResult(t))
}

// assertIndexEqualsBuild checks every document of the index against the
// build's collection.
func assertIndexEqualsBuild(t *testing.T, s *stack, index, build string) {
	t.Helper()
	assertEngineIndexEqualsBuild(t, s, s.eng.Search, index, build)
}

func assertEngineIndexEqualsBuild(t *testing.T, s *stack, eng search.Engine, index, build string) {
	t.Helper()
	ctx := context.Background()
	docs := scanTarget(t, s, build)
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i], _ = d["_id"].(string)
	}
	hits, err := eng.MGet(ctx, index, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		want := map[string]any{}
		for k, v := range d {
			if k != "_id" {
				want[k] = v
			}
		}
		if !hits[i].Found || !reflect.DeepEqual(hits[i].Source, want) {
			t.Fatalf("index %s, document %s:\n%v\nwant\n%v", index, ids[i], hits[i].Source, want)
		}
	}
	if err := eng.Refresh(ctx, index); err != nil {
		t.Fatal(err)
	}
	n, err := eng.Count(ctx, index, nil)
	if err != nil || n != int64(len(docs)) {
		t.Fatalf("index %s holds %d documents, build %s %d (%v)", index, n, build, len(docs), err)
	}
}

// versionedParser yields n documents whose values depend on the version
// file that the dump downloaded.
const versionedParser = `import os

def load_data(data_folder, n=100000):
    with open(os.path.join(data_folder, "version.txt")) as f:
        version = f.read().strip()
    for i in range(n):
        yield {"_id": "d%06d" % i, "v": {"n": i, "version": version}}
`

// TestSyncSurvivesWorkerKill kills the worker in the middle of a sync of
// 100,000 updates; after a new worker comes back, the index equals the new
// build, and every document was written exactly twice (full release, then
// one patch): a patch applied twice would show as a third version.
func TestSyncSurvivesWorkerKill(t *testing.T) {
	const n = 100000
	lab := serveLabFile(t, "version.txt", []byte("1\n"))
	repo := testenv.GitRepo(t, "gen", map[string]string{
		"manifest.json": `{"version": "1", "dumper": {"data_url": "` + lab.URL + `"},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": 100000}}}`,
		"parser.py": versionedParser,
	})
	s := newStack(t, false)
	s.startChildWorker()
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	mapping := map[string]any{"v": map[string]any{"properties": map[string]any{
		"n": map[string]any{"type": "integer"}, "version": map[string]any{"type": "keyword"}}}}
	if err := s.eng.Hub.C("src_master").Update(context.Background(), "gen", map[string]any{"mapping": mapping}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "gen", "doc_type": "thing", "sources": []string{"gen"}}, nil)
	oldID := s.buildSource("gen", "gen", 3*time.Minute)
	var idx struct{ ID string }
	s.do("PUT", "/index", map[string]any{"build": oldID, "index": "gen_live"}, &idx)
	result(t, s.wait(idx.ID, 5*time.Minute), &activities.IndexResult{})

	lab.publish([]byte("2\n"), lastModified.Add(24*time.Hour))
	newID := s.buildSource("gen", "gen", 3*time.Minute)
	var started struct{ ID string }
	s.do("PUT", "/diff", map[string]string{"old": oldID, "new": newID}, &started)
	var md differ.Metadata
	result(t, s.wait(started.ID, 3*time.Minute), &md)
	if md.Stats.Update != n || len(md.Files) < 2 {
		t.Fatalf("diff = %+v, want %d updates in several files", md.Stats, n)
	}

	dir := s.cfg.DataDir + "/diff/" + oldID + "-" + newID
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "gen_live"}, &started)
	// Kill -9 once a file is applied and the next one is under way.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		st, _ := s.eng.Hub.C(activities.SyncState).Get(context.Background(), "gen_live|"+dir)
		applied, _ := st["applied"].([]any)
		if len(applied) >= 1 && len(applied) < len(md.Files) {
			t.Logf("killing the worker with %d of %d files applied", len(applied), len(md.Files))
			break
		}
		if time.Now().After(deadline) || len(applied) == len(md.Files) {
			t.Fatalf("sync not killed midway (%d of %d files applied); worker log:\n%s", len(applied), len(md.Files), s.childOutput())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.killChildWorker()
	s.startChildWorker()
	var res activities.SyncResult
	result(t, s.wait(started.ID, 5*time.Minute), &res)
	// A file applied just before the kill may be counted as skipped by its
	// retry; the index below is the proof.
	if res.Files+res.Skipped != len(md.Files) || res.Files == 0 {
		t.Fatalf("sync = %+v, want %d files applied or skipped", res, len(md.Files))
	}
	// The worker holds the Bleve index open; let it go, and open the
	// indexes afresh here (this process has not seen the index created).
	s.killChildWorker()
	eng, err := engine.OpenSearch(context.Background(), s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	assertEngineIndexEqualsBuild(t, s, eng, "gen_live", newID)
	ids := make([]string, 0, n)
	for i := range n {
		ids = append(ids, fmt.Sprintf("d%06d", i))
	}
	hits, err := eng.MGet(context.Background(), "gen_live", ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Version != 2 {
			t.Fatalf("document %s has version %d, want 2 (released once, patched once)", h.ID, h.Version)
		}
	}
}
