package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// studioCLI runs the studio binary against one hub.
type studioCLI struct {
	t   *testing.T
	bin string
	hub string
}

// cliRun is one finished run of the binary.
type cliRun struct {
	args           []string
	stdout, stderr string
	code           int
}

// buildStudio builds the studio binary once for the test.
func buildStudio(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "studio")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/studio")
	cmd.Dir = testenv.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/studio: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// run runs `studio args...` with a deadline and returns what it did.
func (c *studioCLI) run(args ...string) cliRun {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), "STUDIO_HUB="+c.hub)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := cliRun{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		c.t.Fatalf("studio %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		c.t.Fatalf("studio %s did not end within its deadline\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.stdout, r.stderr)
	}
	c.t.Logf("studio %s: exit %d in %s", strings.Join(args, " "), r.code, time.Since(start).Round(time.Millisecond))
	return r
}

// ok runs a command that must succeed.
func (c *studioCLI) ok(args ...string) cliRun {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("studio %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// json runs a command with --json that must succeed and decodes its
// stdout into out.
func (c *studioCLI) json(out any, args ...string) cliRun {
	c.t.Helper()
	r := c.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(r.stdout), out); err != nil {
		c.t.Fatalf("studio %s --json: stdout is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
	return r
}

// cliBuild is `studio build --json`: the command, and the build id and
// document count of its result.
type cliBuild struct {
	commands.Command
	BuildID string
	Total   int64
}

// build runs `studio build conf --json` (which must exit 0) and decodes
// its result.
func (c *studioCLI) build(conf string) cliBuild {
	c.t.Helper()
	var cmd commands.Command
	c.json(&cmd, "build", conf)
	var res struct {
		BuildID string `json:"build_id"`
		Total   int64
	}
	b, _ := json.Marshal(cmd.Result)
	if err := json.Unmarshal(b, &res); err != nil {
		c.t.Fatalf("build %s --json: result %s: %v", conf, b, err)
	}
	return cliBuild{Command: cmd, BuildID: res.BuildID, Total: res.Total}
}

// TestCLITutorial runs the tutorial from the command line, verb by verb,
// against a running hub: register, dump (the upload follows), sources,
// inspect, mapping edit and commit, build configuration, build, full
// release, and a data API that finds ABL1.
func TestCLITutorial(t *testing.T) {
	s := newStack(t, true)
	cli := &studioCLI{t: t, bin: buildStudio(t), hub: s.base}

	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	// The lab's file, which the test edits later for an incremental release.
	lab := serveLabFile(t, "cgi.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv))
	repo := cgiPluginRepo(t, "cgi", lab.URL)

	var plugin struct {
		Name      string
		Commit    string
		Uploaders []string
	}
	cli.json(&plugin, "register", repo)
	if plugin.Name != "cgi" || plugin.Commit == "" || len(plugin.Uploaders) != 1 {
		t.Fatalf("register --json = %+v", plugin)
	}

	// The dump starts the upload by itself; the CLI follows both.
	var dumped struct {
		Dump   commands.Command
		Upload *commands.Command
	}
	cli.json(&dumped, "dump", "cgi")
	if dumped.Dump.ID != "dump/cgi" || dumped.Dump.Status != "completed" {
		t.Fatalf("dump --json: dump = %+v", dumped.Dump)
	}
	if dumped.Upload == nil {
		t.Log("the dump's upload was not followed: uploading by hand")
		var up commands.Command
		cli.json(&up, "upload", "cgi")
		dumped.Upload = &up
	}
	if dumped.Upload.ID != "upload/cgi" || dumped.Upload.Status != "completed" || !dumped.Upload.StartTime.After(dumped.Dump.StartTime) {
		t.Fatalf("dump --json: upload = %+v", dumped.Upload)
	}

	var sources []sourceRowJSON
	cli.json(&sources, "sources")
	if len(sources) != 1 || sources[0].Name != "cgi" || sources[0].Download.Status != "success" ||
		sources[0].Upload.Jobs["cgi"].Count != 323 || sources[0].Upload.Jobs["cgi"].Status != "success" {
		t.Fatalf("sources --json = %+v", sources)
	}
	if r := cli.ok("sources"); !strings.Contains(r.stdout, "cgi") || !strings.Contains(r.stdout, "323") {
		t.Fatalf("sources:\n%s", r.stdout)
	}

	var inspected commands.Command
	cli.json(&inspected, "inspect", "cgi")
	var insp struct {
		Result struct {
			Count   int64
			Mapping map[string]any
		}
	}
	b, _ := json.Marshal(inspected.Result)
	if err := json.Unmarshal(b, &insp); err != nil || inspected.Status != "completed" || insp.Result.Count != 323 || insp.Result.Mapping["cgi"] == nil {
		t.Fatalf("inspect --json = %s %s", inspected.Status, b)
	}

	// The tutorial makes cgi.gene searched by default, then commits.
	cli.ok("mapping", "field", "cgi", "cgi.gene", "--search-by-default")
	var committed struct {
		Saved, Dest string
		Validated   bool
	}
	cli.json(&committed, "mapping", "commit", "cgi")
	if committed.Saved != "cgi" || committed.Dest != "master" || !committed.Validated {
		t.Fatalf("mapping commit --json = %+v", committed)
	}
	var mapping struct {
		Registered map[string]any
		Fields     []struct {
			Path              string
			SearchedByDefault bool `json:"searched_by_default"`
		}
	}
	cli.json(&mapping, "mapping", "cgi")
	gene := false
	for _, f := range mapping.Fields {
		gene = gene || (f.Path == "cgi.gene" && f.SearchedByDefault)
	}
	if mapping.Registered == nil || !gene {
		t.Fatalf("mapping --json = %+v", mapping)
	}
	if r := cli.ok("mapping", "cgi"); !strings.Contains(r.stdout, "registered mapping:") || !strings.Contains(r.stdout, "cgi.gene") {
		t.Fatalf("mapping:\n%s", r.stdout)
	}

	var conf map[string]any
	cli.json(&conf, "buildconf", "create", "--name", "default", "--doctype", "variant", "--sources", "cgi")
	if conf["name"] != "default" || conf["doc_type"] != "variant" {
		t.Fatalf("buildconf create --json = %v", conf)
	}
	var confs []map[string]any
	cli.json(&confs, "buildconf", "list")
	if len(confs) != 1 || confs[0]["name"] != "default" {
		t.Fatalf("buildconf list --json = %v", confs)
	}

	build := cli.build("default")
	built := build.Command
	if built.Status != "completed" || build.Total != 323 || build.BuildID == "" {
		t.Fatalf("build --json = %+v", build)
	}
	var builds []struct {
		ID     string `json:"_id"`
		Status string
	}
	cli.json(&builds, "builds")
	if len(builds) != 1 || builds[0].ID != build.BuildID || builds[0].Status != "success" {
		t.Fatalf("builds --json = %+v", builds)
	}

	// Without --full, the hub's options choose: no earlier build, so full.
	var rel struct {
		Build, Mode, Reason, Index string
		Commands                   []commands.Command
	}
	cli.json(&rel, "release", build.BuildID, "--index", "cgi_live")
	if rel.Mode != "full" || !strings.Contains(rel.Reason, "no earlier") || rel.Index != "cgi_live" ||
		len(rel.Commands) != 1 || rel.Commands[0].Status != "completed" {
		t.Fatalf("release --json = %+v", rel)
	}
	var indexed struct{ Count int64 }
	b, _ = json.Marshal(rel.Commands[0].Result)
	if json.Unmarshal(b, &indexed) != nil || indexed.Count != 323 {
		t.Fatalf("release result = %s", b)
	}
	// --full, asked, in human form.
	if r := cli.ok("release", build.BuildID, "--full", "--index", "cgi_full"); !strings.Contains(r.stdout, "into index cgi_full: 323 documents") {
		t.Fatalf("release --full:\n%s", r.stdout)
	}

	port := freePort(t)
	var api map[string]any
	cli.json(&api, "api", "create", "--name", "cgi_api", "--index", "cgi_live", "--port", fmt.Sprint(port))
	if api["name"] != "cgi_api" {
		t.Fatalf("api create --json = %v", api)
	}
	cli.json(&api, "api", "start", "cgi_api")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if api["status"] != "running" || api["url"] != base {
		t.Fatalf("api start --json = %v", api)
	}
	var q struct {
		Total int64
		Hits  []map[string]any
	}
	if code := httpGetJSON(t, base+"/query?q=ABL1", &q); code != 200 || q.Total == 0 || len(q.Hits) == 0 {
		t.Fatalf("/query?q=ABL1 = %d, total %d, %d hits", code, q.Total, len(q.Hits))
	}
	t.Logf("/query?q=ABL1: %d hits", q.Total)
	if r := cli.ok("api", "list"); !strings.Contains(r.stdout, "cgi_api") || !strings.Contains(r.stdout, "running") {
		t.Fatalf("api list:\n%s", r.stdout)
	}

	// The lab publishes an edited file: dump and build again; the hub's
	// options pick an incremental release (a small diff), which the CLI
	// follows from the diff to the sync into the live index.
	lab.publish(zipOf(t, "cgi_biomarkers_per_variant.tsv", editCGI(t, tsv, 3, 2, 2)), lastModified.Add(48*time.Hour))
	cli.json(&dumped, "dump", "cgi")
	if dumped.Upload == nil || dumped.Upload.Status != "completed" {
		t.Fatalf("second dump --json = %+v", dumped)
	}
	build2 := cli.build("default")
	if build2.BuildID == "" || build2.BuildID == build.BuildID {
		t.Fatalf("second build = %+v", build2)
	}
	rel.Commands = nil
	cli.json(&rel, "release", build2.BuildID, "--index", "cgi_live")
	if rel.Mode != "incremental" || !strings.Contains(rel.Reason, "within") || rel.Index != "cgi_live" || len(rel.Commands) != 2 ||
		rel.Commands[0].Type != "Diff" || rel.Commands[1].Type != "Sync" || rel.Commands[1].Status != "completed" {
		t.Fatalf("incremental release --json = %+v", rel)
	}
	var synced struct{ Added, Updated, Deleted int }
	b, _ = json.Marshal(rel.Commands[1].Result)
	if json.Unmarshal(b, &synced) != nil || synced.Added != 2 || synced.Updated != 2 || synced.Deleted != 3 {
		t.Fatalf("sync result = %s", b)
	}
	assertIndexEqualsBuild(t, s, "cgi_live", build2.BuildID)
	if r := cli.ok("release-note", build2.BuildID); !strings.Contains(r.stdout, "cgi.association (2)") {
		t.Fatalf("release-note:\n%s", r.stdout)
	}

	// A failing verb: the hub's own message on stderr, exit 1.
	r := cli.run("dump", "nosuch")
	if r.code != 1 || !strings.Contains(r.stderr, `hub: PUT /source/nosuch/dump: 404 no such source "nosuch"`) || r.stdout != "" {
		t.Fatalf("dump nosuch: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	// A bad command line: exit 2.
	if r := cli.run("release"); r.code != 2 || !strings.Contains(r.stderr, "studio release") {
		t.Fatalf("release without a build: exit %d\nstderr: %s", r.code, r.stderr)
	}
	// A failed command: exit 1 with its failure (the index exists).
	r = cli.run("release", build.BuildID, "--full", "--index", "cgi_live")
	if r.code != 1 || !strings.Contains(r.stderr, "failed") || !strings.Contains(r.stderr, "purge") {
		t.Fatalf("release into an existing index: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}

	// watch on a finished command prints how it ended.
	r = cli.ok("watch", built.ID)
	if !strings.Contains(r.stdout, built.ID+" completed in") || !strings.Contains(r.stdout, "323 documents") {
		t.Fatalf("watch %s:\n%s", built.ID, r.stdout)
	}
	var watched commands.Command
	cli.json(&watched, "watch", "dump/cgi")
	if watched.ID != "dump/cgi" || watched.Status != "completed" || watched.Result == nil {
		t.Fatalf("watch dump/cgi --json = %+v", watched)
	}
	var cmds []commands.Command
	cli.json(&cmds, "commands", "--all")
	if len(cmds) < 12 {
		t.Fatalf("commands --all --json lists %d commands", len(cmds))
	}

	cli.ok("api", "stop", "cgi_api")
	cli.ok("api", "delete", "cgi_api")
	var apis []map[string]any
	cli.json(&apis, "api", "list")
	if len(apis) != 0 {
		t.Fatalf("api list after delete = %v", apis)
	}
}

// sourceRowJSON is a source as `studio sources --json` prints it.
type sourceRowJSON struct {
	Name     string
	Download struct{ Status string }
	Upload   struct {
		Jobs map[string]struct {
			Status string
			Count  int64
		}
	}
}
