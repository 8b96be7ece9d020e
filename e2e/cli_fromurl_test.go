package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// TestCLIPluginFromFile makes the tutorial's plugin with `studio plugin
// new` from the zipped CGI file's URL, then registers, dumps and uploads it
// with the CLI: 323 documents, as the tutorial's Python parser makes.
func TestCLIPluginFromFile(t *testing.T) {
	s := newStack(t, true)
	cli := &studioCLI{t: t, bin: buildStudio(t), hub: s.base}
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lab := serveLabFile(t, "cgi_biomarkers_per_variant.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	out := t.TempDir()

	r := cli.ok("plugin", "new", "--out", out, "--name", "cgi", "--id", "{gDNA}", "--group", "--rows", "3", lab.URL)
	for _, want := range []string{`"data_url": "` + lab.URL + `"`, `"uncompress": true`, `"file": "cgi_biomarkers_per_variant.tsv"`,
		"Preview: 1442 rows read, 323 documents, 829 rows skipped, 0 rejected; the first 3:", "chr9:g.133748283C>T", "studio register " + filepath.Join(out, "cgi")} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("studio plugin new: the output lacks %q:\n%s", want, r.stdout)
		}
	}
	var plugin struct{ Name string }
	cli.json(&plugin, "register", filepath.Join(out, "cgi"))
	if plugin.Name != "cgi" {
		t.Fatalf("register --json = %+v", plugin)
	}
	var dumped struct {
		Dump   commands.Command
		Upload *commands.Command
	}
	cli.json(&dumped, "dump", "cgi")
	if dumped.Upload == nil {
		var up commands.Command
		cli.json(&up, "upload", "cgi")
		dumped.Upload = &up
	}
	if dumped.Dump.Status != "completed" || dumped.Upload.Status != "completed" {
		t.Fatalf("dump --json = %+v, upload %+v", dumped.Dump, dumped.Upload)
	}
	var sources []sourceRowJSON
	cli.json(&sources, "sources")
	if len(sources) != 1 || sources[0].Upload.Jobs["cgi"].Count != 323 {
		t.Fatalf("sources --json = %+v, want cgi with 323 documents", sources)
	}

	// A bad choice is a usage error naming the flag and the columns.
	if r := cli.run("plugin", "new", "--dry-run", "--type", "nope=int", lab.URL); r.code != 2 || !strings.Contains(r.stderr, `--type: column "nope" is not in the file`) {
		t.Fatalf("a bad --type: exit %d, stderr %q", r.code, r.stderr)
	}
}
