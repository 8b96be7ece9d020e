package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/config"
	"studio/internal/engine/docstore"
	"studio/internal/testsupport/testenv"
)

// pharmgkbBranches are the branches of github.com/biothings/tutorials
// holding the BioThings Studio tutorial's second plugin with three zips,
// three uploaders and pandas: as an advanced plugin (a Python package of
// dumper and uploader classes), with manifest.json, with manifest.yaml.
var pharmgkbBranches = []string{"pharmgkb_v4", "pharmgkb_v5", "pharmgkb_v6"}

// pharmgkbPluginAt clones branch of the tutorials repository into a folder
// named pharmgkb and points its three data URLs (in its manifest, or its
// dumper class) at base, the one change made to the plugin; it returns the
// plugin's git repository.
func pharmgkbPluginAt(t *testing.T, tutorials, branch, base string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pharmgkb")
	git := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("clone", "-q", "--branch", branch, tutorials, dir)
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	urls := 0
	for _, f := range files {
		p := filepath.Join(dir, f.Name())
		b, err := os.ReadFile(p)
		if f.IsDir() || err != nil {
			continue
		}
		urls += bytes.Count(b, []byte("https://s3.pgkb.org/data/"))
		b = bytes.ReplaceAll(b, []byte("https://s3.pgkb.org/data/"), []byte(base+"/"))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if urls != 3 {
		t.Fatalf("%s names %d PharmGKB data URLs, want 3", branch, urls)
	}
	git("-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "data URLs on loopback")
	return dir
}

// pharmgkbData is a small PharmGKB release: the three files the plugin
// reads, in PharmGKB's column layout, with what the plugin must make of
// them.
type pharmgkbData struct {
	annotations, labels, occurrences []byte
	// genes each uploader yields a document for.
	annotated, labelled, occurring []string
	// annotationsOf counts the annotations of each gene.
	annotationsOf map[string]int
}

func makePharmgkbData() pharmgkbData {
	var d pharmgkbData
	d.annotationsOf = map[string]int{}
	var ann, lab, occ strings.Builder
	ann.WriteString("Annotation ID\tVariant\tGene\tChemical\tPMID\tPhenotype Category\tSignificance\tNotes\tSentence\tStudyParameters\tAlleles\tChromosome\n")
	lab.WriteString("Gene ID\tGene Symbol\tLabel IDs\tLabel Names\n")
	occ.WriteString("Source Type\tSource ID\tSource Name\tObject Type\tObject ID\tObject Name\n")
	id := 1449000000
	for g := 1; g <= 30; g++ {
		gene, symbol := fmt.Sprintf("PA%d", 100+g), fmt.Sprintf("GENE%d", g)
		for a := 0; a < g%4+1; a++ {
			id++
			notes := fmt.Sprintf("note %d", a)
			if a == 1 {
				notes = "" // NaN in pandas: swept from the document
			}
			fmt.Fprintf(&ann, "%d\trs%d\t%s (%s)\twarfarin (PA451906)\t%d\tEfficacy\tyes\t%s\tGenotype %d is associated with dose.\t%d\tA\tchr%d\n",
				id, 1000+g*10+a, symbol, gene, 20000000+id%1000, notes, a, id*7, g%22+1)
			d.annotationsOf[gene]++
		}
		if g%3 == 0 {
			fmt.Fprintf(&lab, "%s\t%s\tPA166104%d;PA166105%d\tAnnotation of FDA Label for x%d;Annotation of EMA Label for x%d\n", gene, symbol, g, g, g, g)
			d.labelled = append(d.labelled, gene)
		}
		if g%2 == 0 {
			fmt.Fprintf(&occ, "Literature\tPMID:%d\tA paper\tGene\t%s\t%s\n", 3000+g, gene, symbol)
			fmt.Fprintf(&occ, "Literature\tPMID:%d\tAnother paper\tGene\t%s\t%s\n", 4000+g, gene, symbol)
			d.occurring = append(d.occurring, gene)
		}
		fmt.Fprintf(&occ, "Literature\tPMID:%d\tA paper\tChemical\tPA4519%02d\twarfarin\n", 5000+g, g)
		d.annotated = append(d.annotated, gene)
	}
	// An annotation without a gene is skipped by the parser, with a warning.
	fmt.Fprintf(&ann, "%d\trs1\t\twarfarin (PA451906)\t1\tEfficacy\tno\t\tNo gene.\t1\tA\tchr1\n", id+1)
	d.annotations, d.labels, d.occurrences = []byte(ann.String()), []byte(lab.String()), []byte(occ.String())
	sort.Strings(d.annotated)
	return d
}

// TestPharmGKBPlugin runs the BioThings Studio tutorial's PharmGKB plugin
// (as an advanced plugin, and with each manifest form), unmodified but for
// its data URLs (served on loopback from files the test
// makes): registered from git, dumped (three zips, uncompressed), uploaded
// by its three pandas uploaders under the reference interpreter,
// inspected, built into gene documents and served by a data API.
func TestPharmGKBPlugin(t *testing.T) {
	tutorials := testenv.TutorialsRepo(t)
	python := testenv.Pyref(t)
	data := makePharmgkbData()
	files := map[string][]byte{
		"/annotations.zip": zipOf(t, "var_drug_ann.tsv", data.annotations),
		"/drugLabels.zip":  zipOf(t, "drugLabels.byGene.tsv", data.labels),
		"/occurrences.zip": zipOf(t, "occurrences.tsv", data.occurrences),
	}
	for _, branch := range pharmgkbBranches {
		t.Run(branch, func(t *testing.T) {
			srv := serveFiles(t, files)
			repo := pharmgkbPluginAt(t, tutorials, branch, srv.URL)
			s := newStack(t, true, func(c *config.Config) { c.Python = python })
			testPharmGKB(t, s, repo, data)
		})
	}
}

func testPharmGKB(t *testing.T, s *stack, repo string, data pharmgkbData) {
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct {
		ID      string
		BuildID string `json:"build_id"`
	}
	s.do("PUT", "/source/pharmgkb/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/pharmgkb")
	var uploads []activities.UploadResult
	result(t, s.wait("upload/pharmgkb", 3*time.Minute), &uploads)
	counts := map[string]int64{}
	for _, u := range uploads {
		counts[u.Sub] = u.Count
	}
	want := map[string]int64{"annotations": int64(len(data.annotated)), "druglabels": int64(len(data.labelled)), "occurrences": int64(len(data.occurring))}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("upload counts %v, want %v", counts, want)
	}
	// The annotations uploader's documents, as the plugin makes them:
	// annotations grouped by gene, keys lowercased, NaN swept.
	doc := findDoc(t, all(t, s, "annotations"), "PA102")
	anns, _ := doc["annotations"].([]any)
	if len(anns) != data.annotationsOf["PA102"] {
		t.Fatalf("annotations of PA102: %v, want %d", doc, data.annotationsOf["PA102"])
	}
	first, _ := anns[0].(map[string]any)
	second, _ := anns[1].(map[string]any)
	if first["gene"] != "GENE2 (PA102)" || first["phenotype_category"] != "Efficacy" || first["notes"] != "note 0" {
		t.Fatalf("first annotation of PA102: %v", first)
	}
	if _, ok := second["notes"]; ok {
		t.Fatalf("an empty Notes cell (NaN) is kept: %v", second)
	}
	labels := findDoc(t, all(t, s, "druglabels"), "PA103")["drug_labels"]
	if fmt.Sprint(labels) != "[map[id:PA1661043 name:Annotation of FDA Label for x3] map[id:PA1661053 name:Annotation of EMA Label for x3]]" {
		t.Fatalf("drug labels of PA103: %v", labels)
	}

	// The annotations uploader's mapping function is the registered
	// mapping; the two others' come from inspection.
	var m struct{ Registered map[string]any }
	s.do("GET", "/source/annotations/mapping", nil, &m)
	if _, ok := m.Registered["annotations"]; !ok {
		t.Fatalf("annotations mapping (from parser:custom_annotations_mapping) = %v", m.Registered)
	}
	for _, sub := range []string{"druglabels", "occurrences"} {
		s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", sub}}, &started)
		result(t, s.wait(started.ID, 2*time.Minute), &activities.InspectResult{})
		var im struct{ Inspect map[string]any }
		s.do("GET", "/source/"+sub+"/mapping", nil, &im)
		s.do("PUT", "/source/"+sub+"/mapping", map[string]any{"mapping": im.Inspect, "dest": "master"}, nil)
	}

	s.do("POST", "/buildconf", map[string]any{"name": "pharmgkb", "doc_type": "gene",
		"sources": []string{"annotations", "druglabels", "occurrences"}, "root": []string{"annotations"}}, nil)
	s.do("PUT", "/build/pharmgkb/new", nil, &started)
	var build activities.BuildResult
	result(t, s.wait(started.ID, 2*time.Minute), &build)
	if build.Total != int64(len(data.annotated)) {
		t.Fatalf("build = %+v, want %d gene documents", build, len(data.annotated))
	}
	var idx struct{ ID, Index string }
	s.do("PUT", "/index", map[string]any{"build": build.BuildID}, &idx)
	var res activities.IndexResult
	result(t, s.wait(idx.ID, 2*time.Minute), &res)
	if res.Count != build.Total {
		t.Fatalf("release = %+v", res)
	}

	port := freePort(t)
	s.do("POST", "/api", map[string]any{"name": "pharmgkb_api", "index": res.Index, "port": port}, nil)
	s.do("PUT", "/api/pharmgkb_api/start", nil, nil)
	t.Cleanup(func() { _ = s.doErr("PUT", "/api/pharmgkb_api/stop", nil, nil) })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(t, base+"/status", 30*time.Second)

	// A gene with all three sources merged.
	var gene map[string]any
	if code := httpGetJSON(t, base+"/gene/PA106", &gene); code != http.StatusOK {
		t.Fatalf("/gene/PA106: %d %v", code, gene)
	}
	if a, _ := gene["annotations"].([]any); len(a) != data.annotationsOf["PA106"] || gene["drug_labels"] == nil || gene["occurrences"] == nil {
		t.Fatalf("/gene/PA106 = %v: want its annotations, drug labels and occurrences merged", gene)
	}
	// A gene only annotated has neither labels nor occurrences.
	gene = nil
	if code := httpGetJSON(t, base+"/gene/PA101", &gene); code != http.StatusOK || gene["drug_labels"] != nil || gene["occurrences"] != nil {
		t.Fatalf("/gene/PA101 = %d %v", code, gene)
	}
	// Queries through the mapping: the keyword field with the lowercase
	// normalizer matches any case; "gene" is copied to "all".
	var q struct {
		Total int64
		Hits  []map[string]any
	}
	if code := httpGetJSON(t, base+"/query?q=annotations.phenotype_category:efficacy&size=0", &q); code != 200 || q.Total != int64(len(data.annotated)) {
		t.Fatalf("q=annotations.phenotype_category:efficacy: %d, total %d; want %d", code, q.Total, len(data.annotated))
	}
	if code := httpGetJSON(t, base+"/query?q=GENE17", &q); code != 200 || q.Total != 1 || len(q.Hits) != 1 || q.Hits[0]["_id"] != "PA117" {
		t.Fatalf("q=GENE17: %d, total %d, hits %v; want PA117 alone", code, q.Total, q.Hits)
	}
	if code := httpGetJSON(t, base+"/query?q=_exists_:drug_labels&size=0", &q); code != 200 || q.Total != int64(len(data.labelled)) {
		t.Fatalf("q=_exists_:drug_labels: %d, total %d; want %d", code, q.Total, len(data.labelled))
	}
}

// findDoc returns the document with id _id.
func findDoc(t *testing.T, docs []docstore.Doc, id string) docstore.Doc {
	t.Helper()
	for _, d := range docs {
		if d["_id"] == id {
			return d
		}
	}
	t.Fatalf("no document %s among %d", id, len(docs))
	return nil
}
