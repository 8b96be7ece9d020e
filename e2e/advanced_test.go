package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/engine/docstore"
	"studio/internal/testsupport/testenv"
)

// pharmgkbPlugin reads the PharmGKB-shaped advanced plugin (BioThings'
// tutorial, branch pharmgkb_v4: a LastModifiedHTTPDumper and three
// uploaders, its parser on csv rather than pandas), its data URLs pointed
// at base.
func pharmgkbPlugin(t *testing.T, base string) map[string]string {
	t.Helper()
	dir := filepath.Join(testenv.RepoRoot(t), "internal", "domain", "pyparser", "testdata", "advanced", "pharmgkb")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".py") {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[e.Name()] = strings.ReplaceAll(string(b), "https://s3.pgkb.org/data", base)
		}
	}
	return files
}

// servePharmgkb serves PharmGKB's three zips, each holding one small TSV
// with PharmGKB's column names, with Last-Modified and ranges.
func servePharmgkb(t *testing.T) *httptest.Server {
	t.Helper()
	data := filepath.Join(testenv.RepoRoot(t), "internal", "domain", "pyparser", "testdata", "advanced", "pharmgkb_data")
	zips := map[string][]byte{}
	for zipName, tsv := range map[string]string{
		"annotations.zip": "var_drug_ann.tsv", "drugLabels.zip": "drugLabels.byGene.tsv", "occurrences.zip": "occurrences.tsv",
	} {
		b, err := os.ReadFile(filepath.Join(data, tsv))
		if err != nil {
			t.Fatal(err)
		}
		zips["/"+zipName] = zipOf(t, tsv, b)
	}
	return serveFiles(t, zips)
}

// serveFiles serves files by path, with Last-Modified and ranges.
func serveFiles(t *testing.T, files map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, lastModified, bytes.NewReader(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAdvancedPluginPharmgkb registers an advanced plugin (no manifest)
// shaped like the tutorial's pharmgkb_v4, dumps its three zips from a
// loopback server, and checks that the dump's upload ran each uploader
// class, storing exactly the documents its load_data yields, with the
// class's get_mapping and __metadata__ recorded.
func TestAdvancedPluginPharmgkb(t *testing.T) {
	srv := servePharmgkb(t)
	repo := testenv.GitRepo(t, "pharmgkb", pharmgkbPlugin(t, srv.URL))
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)

	plug, err := s.eng.Hub.C("data_plugin").Get(context.Background(), "pharmgkb")
	if err != nil {
		t.Fatal(err)
	}
	if loader, _ := docstore.GetPath(plug, "plugin.loader"); loader != "advanced" {
		t.Errorf("data_plugin.pharmgkb plugin.loader = %v, want advanced", loader)
	}
	if ups, _ := docstore.GetPath(plug, "manifest.uploaders"); !reflect.DeepEqual(ups, []any{"annotations", "druglabels", "occurrences"}) {
		t.Errorf("data_plugin.pharmgkb manifest.uploaders = %v", ups)
	}

	var started struct{ ID string }
	s.do("PUT", "/source/pharmgkb/dump", nil, &started)
	var dump activities.DumpResult
	result(t, s.wait(started.ID, time.Minute), &dump)
	if len(dump.Files) != 3 || len(dump.Unpacked) != 3 || dump.Release != lastModified.Format("2006-01-02") {
		t.Fatalf("dump = %+v: want three zips unpacked (post_dump's uncompressall), release the Last-Modified date", dump)
	}
	s.waitStarted("upload/pharmgkb")
	var res []activities.UploadResult
	result(t, s.wait("upload/pharmgkb", 2*time.Minute), &res)

	want := map[string][]string{
		"annotations": {"PA124", "PA128"},
		"druglabels":  {"PA124", "PA128", "PA999"},
		"occurrences": {"PA124", "PA128"},
	}
	if len(res) != len(want) {
		t.Fatalf("upload results = %+v, want one per uploader class", res)
	}
	for _, r := range res {
		if r.Count != int64(len(want[r.Sub])) || r.Stats.Rejected != 0 {
			t.Errorf("uploader %s: %+v, want %d documents", r.Sub, r, len(want[r.Sub]))
		}
	}
	for coll, ids := range want {
		var got []string
		for _, d := range all(t, s, coll) {
			got = append(got, d["_id"].(string))
		}
		if !reflect.DeepEqual(got, ids) {
			t.Errorf("collection %s holds %v, want %v", coll, got, ids)
		}
	}
	doc, err := s.eng.Src.C("annotations").Get(context.Background(), "PA128")
	if err != nil {
		t.Fatal(err)
	}
	if anns, _ := doc["annotations"].([]any); len(anns) != 2 || anns[0].(map[string]any)["chemical"] != "tamoxifen (PA451581)" {
		t.Errorf("annotations PA128 = %v", doc)
	}
	master, err := s.eng.Hub.C("src_master").Get(context.Background(), "annotations")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := docstore.GetPath(master, "mapping.annotations.properties.gene.type"); m != "text" {
		t.Errorf("src_master.annotations mapping = %v, want get_mapping's", master["mapping"])
	}
	if u, _ := docstore.GetPath(master, "src_meta.url"); u != "https://www.pharmgkb.org" {
		t.Errorf("src_master.annotations src_meta = %v, want the class's __metadata__", master["src_meta"])
	}

	// Inspect and build take the uploaders' collections as any others.
	s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", "occurrences"}, "mode": []string{"type", "mapping"}}, &started)
	var insp activities.InspectResult
	result(t, s.wait(started.ID, 2*time.Minute), &insp)
	if insp.Result.Count != 2 || len(insp.Result.Errors) != 0 {
		t.Fatalf("inspect occurrences: count %d, errors %v", insp.Result.Count, insp.Result.Errors)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "pgkb", "doc_type": "gene", "sources": []string{"annotations", "occurrences"}}, nil)
	var build struct {
		ID      string
		BuildID string `json:"build_id"`
	}
	s.do("PUT", "/build/pgkb/new", nil, &build)
	var br activities.BuildResult
	result(t, s.wait(build.ID, 2*time.Minute), &br)
	if br.Total != 2 || br.MergeStats["annotations"] != 2 || br.MergeStats["occurrences"] != 2 {
		t.Fatalf("build = %+v, want PA124 and PA128 merged from both sources", br)
	}
	merged := scanTarget(t, s, br.BuildID)
	if len(merged) != 2 || merged[1]["annotations"] == nil || merged[1]["occurrences"] == nil {
		t.Fatalf("build documents = %v, want each with annotations and occurrences", merged)
	}
}

// TestAdvancedPluginRefused registers advanced plugins with classes Studio
// cannot run: one 400 naming each class, its base and what to do.
func TestAdvancedPluginRefused(t *testing.T) {
	s := newStack(t, true)
	repo := testenv.GitRepo(t, "gdrive", map[string]string{
		"__init__.py": `from biothings.hub.dataload.dumper import GoogleDriveDumper, HTTPDumper
from biothings.hub.dataload.uploader import BaseSourceUploader


class DriveDumper(GoogleDriveDumper):
    SRC_URLS = ["https://drive.google.com/uc?id=1"]


class CustomDumper(HTTPDumper):
    def create_todump_list(self, force=False):
        for name in self.client.get("https://example.org/index").json():
            self.to_dump.append({"remote": name, "local": name})


class Up(BaseSourceUploader):
    name = "gdrive"

    def load_data(self, data_folder):
        return []
`,
	})
	var he *hubclient.Error
	err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	if !errors.As(err, &he) || he.Code != 400 {
		t.Fatalf("register a plugin with a GoogleDriveDumper: %v", err)
	}
	for _, want := range []string{
		"dumper DriveDumper (__init__.py, derived from GoogleDriveDumper): Studio does not download from Google Drive",
		"dumper CustomDumper (__init__.py, derived from HTTPDumper) overrides create_todump_list",
		"SRC_URLS",
	} {
		if !strings.Contains(he.Message, want) {
			t.Errorf("error does not say %q:\n%s", want, he.Message)
		}
	}
	if _, err := s.eng.Hub.C("data_plugin").Get(context.Background(), "gdrive"); !errors.Is(err, docstore.ErrNotFound) {
		t.Errorf("refused plugin recorded: %v", err)
	}
}

// kindsPlugin is an advanced plugin with a ParallelizedSourceUploader (one
// job per downloaded file) and a DummySourceUploader.
const kindsPlugin = `import os

from biothings.hub.dataload.dumper import LastModifiedHTTPDumper
from biothings.hub.dataload.uploader import DummySourceUploader, ParallelizedSourceUploader


class KindsDumper(LastModifiedHTTPDumper):
    SRC_NAME = "kinds"
    SRC_URLS = ["BASE/part1.tsv", "BASE/part2.tsv"]


class PartsUploader(ParallelizedSourceUploader):
    name = "kinds_parts"

    def jobs(self):
        return [(os.path.join(self.data_folder, f),) for f in ("part1.tsv", "part2.tsv")]

    def load_data(self, path):
        with open(path) as f:
            for line in f:
                key, value = line.rstrip("\n").split("\t")
                yield {"_id": key, "value": int(value), "part": os.path.basename(path)}


class KnownUploader(DummySourceUploader):
    name = "kinds_known"
    __metadata__ = {"src_meta": {"url": "https://example.org/known"}}

    @classmethod
    def get_mapping(klass):
        return {"known": {"type": "keyword"}}
`

// TestAdvancedPluginUploaderKinds dumps and uploads an advanced plugin
// whose ParallelizedSourceUploader runs load_data once per job (in one
// run, in order) and whose DummySourceUploader stores nothing but
// registers its source with its mapping and metadata.
func TestAdvancedPluginUploaderKinds(t *testing.T) {
	srv := serveFiles(t, map[string][]byte{"/part1.tsv": []byte("a\t1\nb\t2\n"), "/part2.tsv": []byte("c\t3\n")})
	repo := testenv.GitRepo(t, "kinds", map[string]string{"__init__.py": strings.ReplaceAll(kindsPlugin, "BASE", srv.URL)})
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	s.do("PUT", "/source/kinds/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/kinds")
	var res []activities.UploadResult
	result(t, s.wait("upload/kinds", 2*time.Minute), &res)
	counts := map[string]int64{}
	for _, r := range res {
		counts[r.Sub] = r.Count
	}
	if !reflect.DeepEqual(counts, map[string]int64{"kinds_parts": 3, "kinds_known": 0}) {
		t.Fatalf("upload results = %+v", res)
	}
	var parts []string
	for _, d := range all(t, s, "kinds_parts") {
		parts = append(parts, d["_id"].(string)+"@"+d["part"].(string))
	}
	if want := []string{"a@part1.tsv", "b@part1.tsv", "c@part2.tsv"}; !reflect.DeepEqual(parts, want) {
		t.Errorf("kinds_parts holds %v, want %v", parts, want)
	}
	master, err := s.eng.Hub.C("src_master").Get(context.Background(), "kinds_known")
	if err != nil {
		t.Fatalf("the dummy uploader's source is not registered: %v", err)
	}
	if m, _ := docstore.GetPath(master, "mapping.known.type"); m != "keyword" {
		t.Errorf("src_master.kinds_known mapping = %v", master["mapping"])
	}
	if u, _ := docstore.GetPath(master, "src_meta.url"); u != "https://example.org/known" {
		t.Errorf("src_master.kinds_known src_meta = %v", master["src_meta"])
	}
}
