package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginNew(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	data := filepath.Join(t.TempDir(), "variants.tsv")
	os.WriteFile(data, []byte("gene\tpos\tdrug\nABL1\t1\tx\nABL1\t1\ty\nKRAS\t2\tz\n\tNA\tw\n"), 0o644)
	fileURL := (&url.URL{Scheme: "file", Path: data}).String()
	ctx := context.Background()

	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"plugin", "new", "--out", out, "--id", "{gene}", "--group", "--type", "pos=str", "--fields", "gene,pos", fileURL}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("studio plugin new: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{`"data_url": "` + fileURL + `"`, `"id": "{gene}"`, `"path": "variants"`, "Preview: 4 rows read, 2 documents, 1 rows skipped, 0 rejected", "_id", "wrote the plugin variants in " + filepath.Join(out, "variants")} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, stdout.String())
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "variants", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Uploader struct {
			Parser struct {
				Fields map[string]any
				Group  map[string]any
			}
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Uploader.Parser.Fields) != 2 || m.Uploader.Parser.Group["path"] != "variants" {
		t.Fatalf("manifest.json: %s", raw)
	}
	if log, err := exec.Command("git", "-C", filepath.Join(out, "variants"), "log", "--oneline").Output(); err != nil || len(bytes.TrimSpace(log)) == 0 {
		t.Fatalf("the plugin folder is not a git repository with a commit: %v %s", err, log)
	}

	// --dry-run writes nothing; --json prints the plan.
	dry := t.TempDir()
	stdout.Reset()
	if err := run(ctx, []string{"plugin", "new", "--dry-run", "--json", "--out", dry, fileURL}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var plan struct{ Inferred struct{ Format string } }
	if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil || plan.Inferred.Format != "tsv" {
		t.Fatalf("--json: %v %s", err, stdout.String())
	}
	if entries, _ := os.ReadDir(dry); len(entries) != 0 {
		t.Fatalf("--dry-run wrote %v", entries)
	}

	for _, tc := range []struct {
		args    []string
		isUsage bool
		want    string
	}{
		{[]string{"plugin"}, true, "studio plugin new <data file URL>"},
		{[]string{"plugin", "frob"}, true, `unknown sub-command "frob"`},
		{[]string{"plugin", "new"}, true, "studio plugin new [flags] <data file URL>"},
		{[]string{"plugin", "new", "--type", "nope=int", fileURL}, true, `--type: column "nope" is not in the file (columns: gene, pos, drug)`},
		{[]string{"plugin", "new", "--skip", "gene", fileURL}, true, `--skip "gene": write COLUMN:OP[:VALUE]`},
		{[]string{"plugin", "new", "--dry-run", "--type", "pos=date", fileURL}, false, `fields[1].type: "date" is not one of`},
		{[]string{"plugin", "new", "--dry-run", "file:///nonexistent/x.tsv"}, false, "fetching a sample"},
	} {
		stdout.Reset()
		err := run(ctx, tc.args, &stdout, &stderr)
		if err == nil || errors.Is(err, errUsage) != tc.isUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q (usage error: %v)", tc.args, err, tc.want, tc.isUsage)
		}
	}

	stdout.Reset()
	if err := run(ctx, []string{"plugin", "new", "-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || exitCode(err) != 0 {
		t.Fatalf("-h: %v", err)
	}
	for _, want := range []string{"usage: studio plugin new [flags] <data file URL>", "-out", "-id", "-group", "-skip", "-type", "-fields", "-dry-run"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
