package pyparser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"studio/internal/testsupport/testenv"
)

// pharmgkbDir is a plugin shaped like the BioThings tutorial's PharmGKB
// plugin (branch pharmgkb_v4: one LastModifiedHTTPDumper, three uploaders),
// its parser reading the TSVs with csv instead of pandas.
var pharmgkbDir = filepath.Join("testdata", "advanced", "pharmgkb")

// pharmgkbData holds small TSVs with PharmGKB's column names.
var pharmgkbData = filepath.Join("testdata", "advanced", "pharmgkb_data")

func TestIntrospectPharmgkb(t *testing.T) {
	needPython(t)
	t.Parallel()
	p, err := Introspect(context.Background(), Spec{PluginDir: pharmgkbDir, Package: "pharmgkb"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %q", p.Problems)
	}
	wantDumper := []DumperClass{{
		Class: "PharmgkbDumper", Base: "LastModifiedHTTPDumper", SrcName: "pharmgkb", Uncompress: true,
		URLs: []string{"https://s3.pgkb.org/data/annotations.zip", "https://s3.pgkb.org/data/drugLabels.zip", "https://s3.pgkb.org/data/occurrences.zip"},
	}}
	if !reflect.DeepEqual(p.Dumpers, wantDumper) {
		t.Errorf("dumpers = %+v\nwant %+v", p.Dumpers, wantDumper)
	}
	var got []string
	for _, u := range p.Uploaders {
		got = append(got, strings.Join([]string{u.Class, u.Kind, u.Name, u.MainSource, u.OnDuplicates}, " "))
		if !u.Mapping || u.Metadata["src_meta"] == nil {
			t.Errorf("uploader %s: mapping %v, metadata %v: want get_mapping and a src_meta", u.Class, u.Mapping, u.Metadata)
		}
	}
	want := []string{
		"AnnotationsUploader base annotations pharmgkb error",
		"DrugLabelsUploader base druglabels pharmgkb error",
		"OccurrencesUploader base occurrences pharmgkb error",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uploaders = %q\nwant %q", got, want)
	}
}

// TestRunUploaderPharmgkb runs each uploader class's load_data on the TSVs
// (imported as the package pharmgkb, "from pharmgkb.parser import" working,
// "import config" given by the runner) and its get_mapping.
func TestRunUploaderPharmgkb(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		class   string
		wantIDs []any
	}{
		{"AnnotationsUploader", []any{"PA128", "PA124"}},
		{"DrugLabelsUploader", []any{"PA128", "PA124", "PA999"}},
		{"OccurrencesUploader", []any{"PA128", "PA124"}},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			t.Parallel()
			var docs []map[string]any
			spec := Spec{PluginDir: pharmgkbDir, Package: "pharmgkb", Func: "pharmgkb:" + tt.class}
			st, err := RunUploader(context.Background(), spec, UploaderBase, pharmgkbData, Limits{}, func(d map[string]any) error {
				docs = append(docs, d)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(docs), tt.wantIDs) || st.Docs != int64(len(tt.wantIDs)) {
				t.Errorf("ids = %v (stats %+v), want %v", ids(docs), st, tt.wantIDs)
			}
		})
	}
	t.Run("documents", func(t *testing.T) {
		t.Parallel()
		var docs []map[string]any
		spec := Spec{PluginDir: pharmgkbDir, Package: "pharmgkb", Func: "pharmgkb:AnnotationsUploader"}
		if _, err := RunUploader(context.Background(), spec, UploaderBase, pharmgkbData, Limits{}, func(d map[string]any) error {
			docs = append(docs, d)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		anns := docs[0]["annotations"].([]any)
		first := anns[0].(map[string]any)
		if len(anns) != 2 || first["annotation_id"] != "1447954" || first["phenotype_category"] != "efficacy" {
			t.Errorf("PA128 = %v: want two annotations, keys lower-cased with underscores", docs[0])
		}
		if _, ok := first["notes"]; ok {
			t.Errorf("empty notes kept in %v", first)
		}
	})
	t.Run("mapping", func(t *testing.T) {
		t.Parallel()
		m, err := CallMapping(context.Background(), Spec{PluginDir: pharmgkbDir, Package: "pharmgkb", Func: "pharmgkb:AnnotationsUploader.get_mapping"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m["annotations"]; !ok {
			t.Errorf("mapping = %v, want the annotations properties", m)
		}
	})
}

// writePlugin makes a plugin folder named name from files.
func writePlugin(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	for f, content := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const advHeader = `import os
from biothings.hub.dataload.dumper import LastModifiedHTTPDumper, HTTPDumper, FTPDumper, GoogleDriveDumper, DockerContainerDumper, DumperManager
from biothings.hub.dataload.uploader import BaseSourceUploader, ParallelizedSourceUploader, DummySourceUploader, IgnoreDuplicatedSourceUploader, NoDataSourceUploader, UploaderManager
from biothings.utils.storage import UpsertStorage

class Up(BaseSourceUploader):
    name = "up"
    def load_data(self, data_folder):
        return [{"_id": "a"}]
`

// TestIntrospectClasses covers the dumper and uploader classes Studio runs
// and those it refuses, each refusal naming the class and its base.
func TestIntrospectClasses(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		name      string
		code      string
		dumper    *DumperClass // want, when no problem
		uploaders []string     // want "Class kind name on_duplicates"
		problems  [][]string   // each problem must contain these strings
	}{
		{
			name: "http dumper with its own offline create_todump_list; parallelized, dummy, ignore-duplicates uploaders",
			code: `
class D(HTTPDumper):
    SCHEDULE = "0 6 * * *"
    def create_todump_list(self, force=False):
        for f in ("a.tsv", "b.tsv"):
            self.to_dump.append({"remote": "http://127.0.0.1:1/" + f, "local": os.path.join(self.new_data_folder, f)})

class P(ParallelizedSourceUploader):
    name = "par"
    def jobs(self):
        return [("a",), ("b",)]
    def load_data(self, part):
        return [{"_id": part}]

class Dm(DummySourceUploader):
    name = "dummy"
    __metadata__ = {"src_meta": {"url": "http://x"}}

class I(IgnoreDuplicatedSourceUploader):
    name = "ign"
    def load_data(self, data_folder):
        return []
`,
			dumper:    &DumperClass{Class: "D", Base: "HTTPDumper", URLs: []string{"http://127.0.0.1:1/a.tsv", "http://127.0.0.1:1/b.tsv"}, Schedule: "0 6 * * *"},
			uploaders: []string{"Dm dummy dummy error", "I base ign ignore", "P parallelized par error", "Up base up error"},
		},
		{
			name: "ftp dumper",
			code: `
class F(FTPDumper):
    FTP_HOST = "ftp.example.org"
    CWD_DIR = "/pub/data"
    def create_todump_list(self, force=False):
        self.to_dump.append({"remote": "x.gz", "local": "x.gz"})
`,
			dumper:    &DumperClass{Class: "F", Base: "FTPDumper", URLs: []string{"ftp://ftp.example.org/pub/data/x.gz"}},
			uploaders: []string{"Up base up error"},
		},
		{
			name:     "google drive",
			code:     "class G(GoogleDriveDumper):\n    SRC_URLS = ['https://drive.google.com/x']\n",
			problems: [][]string{{"dumper G (classes.py, derived from GoogleDriveDumper)", "Google Drive"}},
		},
		{
			name:     "docker",
			code:     "class K(DockerContainerDumper):\n    pass\n",
			problems: [][]string{{"dumper K (classes.py, derived from DockerContainerDumper)"}},
		},
		{
			name: "create_todump_list needing the network",
			code: `
class N(HTTPDumper):
    def create_todump_list(self, force=False):
        res = self.client.get("https://example.org/latest")
        self.to_dump.append({"remote": res.text, "local": "x"})
`,
			problems: [][]string{{"dumper N (", "derived from HTTPDumper", "overrides create_todump_list", "AttributeError"}},
		},
		{
			name:     "download overridden",
			code:     "class W(LastModifiedHTTPDumper):\n    SRC_URLS = ['http://x/y']\n    def download(self, remote, local):\n        pass\n",
			problems: [][]string{{"dumper W", "derived from LastModifiedHTTPDumper", "overrides download"}},
		},
		{
			name:     "post_dump doing more than unpacking",
			code:     "class PD(LastModifiedHTTPDumper):\n    SRC_URLS = ['http://x/y']\n    def post_dump(self, *a, **k):\n        os.rename('a', 'b')\n",
			problems: [][]string{{"PD", "post_dump", "rename"}},
		},
		{
			name: "custom managers, unknown storage, no-data uploader",
			code: `
class D(LastModifiedHTTPDumper):
    SRC_URLS = ["http://127.0.0.1:1/x.zip"]
class M(UploaderManager):
    pass
class S(BaseSourceUploader):
    name = "s"
    storage_class = UpsertStorage
    def load_data(self, data_folder):
        return []
class ND(NoDataSourceUploader):
    name = "nd"
`,
			problems: [][]string{{"class M", "UploaderManager"}, {"uploader ND", "NoDataSourceUploader"}, {"uploader S", "UpsertStorage"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writePlugin(t, "advcase", map[string]string{"__init__.py": "from .classes import *\n", "classes.py": advHeader + tt.code})
			p, err := Introspect(context.Background(), Spec{PluginDir: dir, Package: "advcase"})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Problems) != len(tt.problems) {
				t.Fatalf("problems = %q, want %d", p.Problems, len(tt.problems))
			}
			for i, want := range tt.problems {
				for _, s := range want {
					if !strings.Contains(p.Problems[i], s) {
						t.Errorf("problem %q does not say %q", p.Problems[i], s)
					}
				}
			}
			if tt.dumper != nil {
				if len(p.Dumpers) != 1 || !reflect.DeepEqual(p.Dumpers[0], *tt.dumper) {
					t.Errorf("dumpers = %+v, want %+v", p.Dumpers, *tt.dumper)
				}
			}
			if tt.uploaders != nil {
				var got []string
				for _, u := range p.Uploaders {
					got = append(got, strings.Join([]string{u.Class, u.Kind, u.Name, u.OnDuplicates}, " "))
				}
				if !reflect.DeepEqual(got, tt.uploaders) {
					t.Errorf("uploaders = %q, want %q", got, tt.uploaders)
				}
			}
		})
	}
}

// TestRunUploaderKinds runs a ParallelizedSourceUploader (load_data once
// per job, in order, documents numbered across jobs) and a
// DummySourceUploader (nothing).
func TestRunUploaderKinds(t *testing.T) {
	needPython(t)
	t.Parallel()
	dir := writePlugin(t, "kinds", map[string]string{
		"__init__.py": `from biothings.hub.dataload.uploader import ParallelizedSourceUploader, DummySourceUploader
import os

class P(ParallelizedSourceUploader):
    name = "par"
    def jobs(self):
        return [(os.path.join(self.data_folder, f),) for f in sorted(os.listdir(self.data_folder))]
    def load_data(self, path):
        with open(path) as f:
            for line in f:
                yield {"_id": line.strip(), "file": os.path.basename(path)}

class D(DummySourceUploader):
    name = "dummy"
`,
	})
	data := t.TempDir()
	for name, content := range map[string]string{"1.txt": "a\nb\n", "2.txt": "c\n"} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		class, kind string
		want        []any
	}{
		{"P", UploaderParallelized, []any{"a", "b", "c"}},
		{"D", UploaderDummy, nil},
	}
	for _, tt := range tests {
		var docs []map[string]any
		st, err := RunUploader(context.Background(), Spec{PluginDir: dir, Package: "kinds", Func: "kinds:" + tt.class}, tt.kind, data, Limits{}, func(d map[string]any) error {
			docs = append(docs, d)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.class, err)
		}
		if got := ids(docs); len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) || st.Docs != int64(len(tt.want)) {
			t.Errorf("%s: ids %v (stats %+v), want %v", tt.class, got, st, tt.want)
		}
	}
	if _, err := RunUploader(context.Background(), Spec{PluginDir: dir, Package: "kinds", Func: "kinds:P"}, "sideways", data, Limits{}, nil); err == nil || !strings.Contains(err.Error(), `unknown kind "sideways"`) {
		t.Errorf("unknown kind: err = %v", err)
	}
}

// TestIntrospectImportError reports a plugin whose package fails to import
// as a ParserError naming the module.
func TestIntrospectImportError(t *testing.T) {
	needPython(t)
	t.Parallel()
	dir := writePlugin(t, "broken", map[string]string{"__init__.py": "from .parser import x\n", "parser.py": "import no_such_module_here\n"})
	_, err := Introspect(context.Background(), Spec{PluginDir: dir, Package: "broken"})
	if !IsParserError(err) || !strings.Contains(err.Error(), "no_such_module_here") {
		t.Errorf("err = %v, want a ParserError naming the missing module", err)
	}
}

// TestTutorialPharmgkbBranches runs the real tutorial plugin, branches
// pharmgkb_v3 and pharmgkb_v4, unchanged: introspected, and each uploader
// run on the TSVs. Its parser needs pandas, which the reference
// interpreter (bin/pyref) has and system python3 may not.
func TestTutorialPharmgkbBranches(t *testing.T) {
	repo := testenv.TutorialsRepo(t)
	py := pyrefPython(t)
	if out, err := exec.Command(py, "-c", "import pandas, numpy").CombinedOutput(); err != nil {
		t.Skipf("%s cannot import pandas and numpy, which the tutorial's parser needs: %v: %s", py, err, out)
	}
	tests := []struct {
		branch string
		want   map[string]int64 // uploader class -> documents
	}{
		{"pharmgkb_v3", map[string]int64{"PharmgkbUploader": 2}},
		{"pharmgkb_v4", map[string]int64{"AnnotationsUploader": 2, "DrugLabelsUploader": 3, "OccurrencesUploader": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.branch, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pharmgkb")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			archive := exec.Command("git", "-C", repo, "archive", tt.branch)
			untar := exec.Command("tar", "-x", "-C", dir)
			untar.Stdin, _ = archive.StdoutPipe()
			if err := untar.Start(); err != nil {
				t.Fatal(err)
			}
			if err := archive.Run(); err != nil {
				t.Skipf("branch %s not in %s: %v", tt.branch, repo, err)
			}
			if err := untar.Wait(); err != nil {
				t.Fatal(err)
			}
			p, err := Introspect(context.Background(), Spec{PluginDir: dir, Package: "pharmgkb", Python: py})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Problems) != 0 || len(p.Dumpers) != 1 || p.Dumpers[0].Base != "LastModifiedHTTPDumper" || !p.Dumpers[0].Uncompress || len(p.Uploaders) != len(tt.want) {
				t.Fatalf("introspected %+v", p)
			}
			for _, u := range p.Uploaders {
				st, err := RunUploader(context.Background(), Spec{PluginDir: dir, Package: "pharmgkb", Func: "pharmgkb:" + u.Class, Python: py},
					u.Kind, pharmgkbData, Limits{}, func(map[string]any) error { return nil })
				if err != nil {
					t.Fatalf("%s: %v", u.Class, err)
				}
				if st.Docs != tt.want[u.Class] || st.Rejected != 0 {
					t.Errorf("%s: %+v, want %d documents", u.Class, st, tt.want[u.Class])
				}
			}
		})
	}
}

// TestIntrospectNameClash refuses a plugin named like a module Python
// finds elsewhere: its package would hide that module (or be hidden).
func TestIntrospectNameClash(t *testing.T) {
	needPython(t)
	t.Parallel()
	for _, name := range []string{"json", "biothings"} {
		dir := writePlugin(t, name, map[string]string{"__init__.py": "\n"})
		_, err := Introspect(context.Background(), Spec{PluginDir: dir, Package: name})
		if err == nil || !strings.Contains(err.Error(), "is also the name of a Python module") {
			t.Errorf("plugin %s: err = %v", name, err)
		}
	}
}
