package plugin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// pharmgkbFiles reads the PharmGKB-shaped advanced plugin of the pyparser
// tests (BioThings' tutorial, branch pharmgkb_v4, without pandas).
func pharmgkbFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join("..", "pyparser", "testdata", "advanced", "pharmgkb")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".py") {
			files[e.Name()] = readFile(t, filepath.Join(dir, e.Name()))
		}
	}
	return files
}

// advancedRepo makes a git repository named name whose last commit holds
// the PharmGKB-shaped advanced plugin and no manifest.
func advancedRepo(t *testing.T, name string) *testRepo {
	t.Helper()
	r := newRepo(t, t.TempDir(), name, "main")
	r.commit("no manifest", map[string]string{"manifest.json": "", "parser.py": ""})
	r.commit("advanced plugin", pharmgkbFiles(t))
	return r
}

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found on PATH: advanced plugins are introspected in Python")
	}
}

// TestFetchAdvanced registers advanced plugins from git: the classes
// become the manifest the dump and upload run, whatever the repository's
// name (the package is imported under the plugin's name; the plugin's
// "from pharmgkb.parser import" falls back to its relative import).
func TestFetchAdvanced(t *testing.T) {
	needPython(t)
	t.Parallel()
	for _, name := range []string{"pharmgkb", "tutorials"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := advancedRepo(t, name)
			info, m, err := Fetch(context.Background(), t.TempDir(), Source{URL: r.dir})
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != name || m.Package != name {
				t.Errorf("name %q, package %q, want %q", info.Name, m.Package, name)
			}
			wantURLs := []string{"https://s3.pgkb.org/data/annotations.zip", "https://s3.pgkb.org/data/drugLabels.zip", "https://s3.pgkb.org/data/occurrences.zip"}
			if !reflect.DeepEqual(m.Dumper.DataURLs, wantURLs) || !m.Dumper.Uncompress || m.Dumper.Class != name+":PharmgkbDumper" {
				t.Errorf("dumper = %+v", m.Dumper)
			}
			var got []string
			for _, u := range m.Uploaders {
				got = append(got, strings.Join([]string{u.Name, u.Class, u.Kind, u.Mapping, u.OnDuplicates}, " "))
				if u.Metadata["url"] != "https://www.pharmgkb.org" {
					t.Errorf("uploader %s: metadata %v, want its src_meta", u.Name, u.Metadata)
				}
			}
			want := []string{
				"annotations " + name + ":AnnotationsUploader base " + name + ":AnnotationsUploader.get_mapping error",
				"druglabels " + name + ":DrugLabelsUploader base " + name + ":DrugLabelsUploader.get_mapping error",
				"occurrences " + name + ":OccurrencesUploader base " + name + ":OccurrencesUploader.get_mapping error",
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("uploaders =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// TestFetchAdvancedRefused: a commit adding a class Studio cannot run is
// refused at registration, naming the class, its base and its file, and
// the previous code stays in place.
func TestFetchAdvancedRefused(t *testing.T) {
	needPython(t)
	t.Parallel()
	r := advancedRepo(t, "pharmgkb")
	plugins := t.TempDir()
	info, _, err := Fetch(context.Background(), plugins, Source{URL: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	good := info.Commit
	r.commit("a docker dumper and a manager", map[string]string{
		"__init__.py": pharmgkbFiles(t)["__init__.py"] + "from .extra import DockerDumper, Manager\n",
		"extra.py": `from biothings.hub.dataload.dumper import DockerContainerDumper
from biothings.hub.dataload.uploader import UploaderManager


class DockerDumper(DockerContainerDumper):
    DOCKER_IMAGE = "x"


class Manager(UploaderManager):
    pass
`,
	})
	_, _, err = Fetch(context.Background(), plugins, Source{URL: r.dir})
	errContains(t, err, "data plugin pharmgkb (advanced", "dumper DockerDumper (extra.py, derived from DockerContainerDumper)",
		"class Manager (extra.py, derived from UploaderManager) is a custom manager", "previous code, if any, is kept")
	if info, err := Describe(plugins, "pharmgkb"); err != nil || info.Commit != good {
		t.Errorf("after the refused commit: %+v, %v; want the previous commit %s", info, err, good)
	}
	assertNoLeftovers(t, plugins)
}

// TestFetchNeitherManifestNorPackage names both ways to make a plugin.
func TestFetchNeitherManifestNorPackage(t *testing.T) {
	t.Parallel()
	r := newRepo(t, t.TempDir(), "empty", "main")
	r.commit("nothing", map[string]string{"manifest.json": ""})
	_, _, err := Fetch(context.Background(), t.TempDir(), Source{URL: r.dir})
	errContains(t, err, "no manifest.json or manifest.yaml", "for an advanced plugin, make the folder a Python package")
}
