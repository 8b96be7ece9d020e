package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"studio/internal/app/hubapi"
	"studio/internal/app/hubclient"
	"studio/internal/temporal/commands"
)

// esc escapes one path segment of a hub route.
func esc(s string) string { return url.PathEscape(s) }

// decode re-reads a generic JSON value into out.
func decode(v, out any) bool {
	b, err := json.Marshal(v)
	return err == nil && json.Unmarshal(b, out) == nil
}

// runRegister is `studio register <url> [--ref R]`.
func runRegister(ctx context.Context, c *cli) error {
	var ref string
	c.fs.StringVar(&ref, "ref", "", "commit, branch or tag to pin (default: the remote's default branch)")
	if err := c.parse(1, 1); err != nil {
		return err
	}
	src := c.pos[0]
	// A relative folder means the one here, not one where the hub runs.
	if !strings.Contains(src, "://") && !filepath.IsAbs(src) {
		if _, err := os.Stat(src); err == nil {
			if abs, err := filepath.Abs(src); err == nil {
				src = abs
			}
		}
	}
	var res map[string]any
	if err := c.do(ctx, "POST", "/dataplugin/register_url", hubapi.RegisterRequest{URL: src, Ref: ref}, &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		var p struct {
			Name, URL, Commit, Branch, Release string
			Uploaders                          []string
		}
		decode(res, &p)
		c.say("registered data plugin %s from %s (%s)", p.Name, p.URL, strings.TrimSpace(p.Release))
		if len(p.Uploaders) > 0 {
			c.say("uploaders: %s", strings.Join(p.Uploaders, ", "))
		}
		c.say("next: studio dump %s", p.Name)
		return nil
	})
}

// sourceRow is what `studio sources` shows of a source.
type sourceRow struct {
	Name     string `json:"name"`
	Download struct {
		Status      string `json:"status"`
		Release     string `json:"release"`
		LastSuccess string `json:"last_success"`
	} `json:"download"`
	Upload struct {
		Jobs map[string]struct {
			Status string `json:"status"`
			Count  int64  `json:"count"`
		} `json:"jobs"`
	} `json:"upload"`
	Pending []string `json:"pending"`
}

// uploaded sums the documents of the source's uploaders and joins their
// states.
func (s sourceRow) uploaded() (int64, string) {
	var n int64
	var states []string
	for _, sub := range sortedKeys(s.Upload.Jobs) {
		j := s.Upload.Jobs[sub]
		n += j.Count
		states = append(states, j.Status)
	}
	return n, strings.Join(states, ",")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortedStrings(keys)
}

// runSources is `studio sources`.
func runSources(ctx context.Context, c *cli) error {
	if err := c.parse(0, 0); err != nil {
		return err
	}
	var list []map[string]any
	if err := c.do(ctx, "GET", "/sources", nil, &list); err != nil {
		return err
	}
	return c.output(list, func() error {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tDUMP\tRELEASE\tLAST DUMP\tUPLOAD\tDOCUMENTS\tPENDING")
		for _, raw := range list {
			var s sourceRow
			decode(raw, &s)
			n, up := s.uploaded()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, dash(s.Download.Status), dash(s.Download.Release),
				dash(s.Download.LastSuccess), dash(up), n, dash(strings.Join(s.Pending, ",")))
		}
		return tw.Flush()
	})
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runDump is `studio dump <source>`: the dump, then the upload it starts.
func runDump(ctx context.Context, c *cli) error {
	var force, dumpOnly, noWait bool
	var release string
	c.fs.BoolVar(&force, "force", false, "download even when the local copy is up to date")
	c.fs.StringVar(&release, "release", "", "pin the plugin to this commit, branch or tag first")
	c.fs.BoolVar(&dumpOnly, "dump-only", false, "follow the dump only, not the upload it starts")
	noWaitFlag(c, &noWait)
	if err := c.parse(1, 1); err != nil {
		return err
	}
	source := c.pos[0]
	body := hubapi.DumpRequest{Force: force, Release: release}
	res, err := c.start(ctx, "PUT", "/source/"+esc(source)+"/dump", body)
	if err != nil {
		return err
	}
	if noWait {
		return c.printStarted(res)
	}
	c.progress().Println("started " + res.str("id"))
	dump, err := c.follow(ctx, res.str("id"))
	if err != nil {
		return err
	}
	out := map[string]any{"dump": dump, "upload": nil}
	if dump.Status != "completed" {
		return firstErr(c.emit(out), outcome(dump))
	}
	c.say("%s", summarize(dump))
	var dr struct{ Status string }
	if decode(dump.Result, &dr); dr.Status != "success" {
		return c.emit(out)
	}
	if dumpOnly {
		c.say("the dump started the upload: studio watch upload/%s", source)
		return c.emit(out)
	}
	up, ok := c.triggeredUpload(ctx, source, dump)
	if !ok {
		c.say("the dump started no upload (one may be running): studio upload %s", source)
		return c.emit(out)
	}
	c.progress().Println(up + " started by the dump")
	upload, err := c.follow(ctx, up)
	if err != nil {
		return err
	}
	out["upload"] = upload
	if upload.Status == "completed" {
		c.say("%s", summarize(upload))
	}
	return firstErr(c.emit(out), outcome(upload))
}

// triggeredUpload finds the upload a dump started: upload/<source>, begun
// after the dump.
func (c *cli) triggeredUpload(ctx context.Context, source string, dump commands.Command) (string, bool) {
	id := "upload/" + source
	var up commands.Command
	if err := c.do(ctx, "GET", hubclient.CommandPath(id), nil, &up); err != nil {
		return "", false
	}
	return id, !up.StartTime.Before(dump.StartTime)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runUpload is `studio upload <source>`.
func runUpload(ctx context.Context, c *cli) error {
	var sub string
	var noWait bool
	c.fs.StringVar(&sub, "sub", "", "upload this uploader (sub-source) only")
	noWaitFlag(c, &noWait)
	if err := c.parse(1, 1); err != nil {
		return err
	}
	return c.startAndFollow(ctx, noWait, "PUT", "/source/"+esc(c.pos[0])+"/upload", hubapi.UploadRequest{Sub: sub})
}

// inspectBody is the body of PUT /inspect for a command line.
func inspectBody(name string, build bool, modes []string, limit int64, sample float64) hubapi.InspectRequest {
	body := hubapi.InspectRequest{DataProvider: []string{"src", name}, Mode: modes, Limit: max(limit, 0), Sample: max(sample, 0)}
	if build {
		body.DataProvider = name
	}
	return body
}

// runInspect is `studio inspect <source>`.
func runInspect(ctx context.Context, c *cli) error {
	modes := listFlag{"mapping"}
	var limit int64
	var sample float64
	var build, noWait bool
	c.fs.Var(&modes, "mode", "what to compute, comma-separated: mapping, type, stats")
	c.fs.Int64Var(&limit, "limit", 0, "inspect at most this many documents (0: all)")
	c.fs.Float64Var(&sample, "sample", 0, "inspect about this fraction of the documents, in (0, 1]")
	c.fs.BoolVar(&build, "build", false, "the argument is a build id, not a source")
	noWaitFlag(c, &noWait)
	if err := c.parse(1, 1); err != nil {
		return err
	}
	if sample < 0 || sample > 1 {
		return c.usageErr("--sample: want a fraction in (0, 1]")
	}
	return c.startAndFollow(ctx, noWait, "PUT", "/inspect", inspectBody(c.pos[0], build, modes, limit, sample))
}

// runBuild is `studio build <conf>`.
func runBuild(ctx context.Context, c *cli) error {
	var noWait bool
	noWaitFlag(c, &noWait)
	if err := c.parse(1, 1); err != nil {
		return err
	}
	return c.startAndFollow(ctx, noWait, "PUT", "/build/"+esc(c.pos[0])+"/new", nil)
}

// runBuilds is `studio builds`.
func runBuilds(ctx context.Context, c *cli) error {
	if err := c.parse(0, 0); err != nil {
		return err
	}
	var list []map[string]any
	if err := c.do(ctx, "GET", "/builds", nil, &list); err != nil {
		return err
	}
	return c.output(list, func() error {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "BUILD\tCONFIG\tSTATUS\tDOCUMENTS\tSTARTED")
		for _, raw := range list {
			var b struct {
				ID          string `json:"_id"`
				Status      string `json:"status"`
				Count       int64  `json:"count"`
				StartedAt   string `json:"started_at"`
				BuildConfig struct {
					Name string `json:"name"`
				} `json:"build_config"`
			}
			decode(raw, &b)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", b.ID, b.BuildConfig.Name, b.Status, b.Count, dash(b.StartedAt))
		}
		return tw.Flush()
	})
}
