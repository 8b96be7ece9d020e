// Command scalebench measures the whole pipeline through the product at a
// real size: it generates a CGI-shaped TSV of -n rows (one document per
// row), serves it on loopback HTTP, starts `studio dev` on a fresh data
// folder, registers a plugin with the tutorial's declarative parser (with
// "group") from a git repository made on the spot, and runs, with the
// studio CLI as a user does: dump, upload, inspect, mapping commit, build,
// a full release on Bleve, then (with -diff) a second release of the file
// with about 1.2% of the documents changed, dumped, uploaded, built and
// released incrementally (diff and sync).
//
// Per step it prints the wall time of the step's workflow, documents per
// second, the peak resident memory of the studio process (and apart, of
// its Python parser children and of the Temporal dev server), sampled from
// /proc every -interval, and the disk used in the data folder after the
// step; then the Temporal history length of every workflow, and one JSON
// line with all of it. Beside the pipeline it measures the declarative
// parser alone on the same file (the raw engine of the upload step).
//
// With -memory-limit MiB (as root) the studio process runs in a memory
// cgroup with that limit, which counts its own memory and the page cache
// it reads through (SQLite's files, Bleve's mapped index files); the
// kernel reclaims that cache to stay under the limit and kills the
// process only when its own memory does not fit. The run then shows that
// the steps fit in the limit, and prints the most memory charged.
//
//	go run ./internal/bench/scalebench -n 1000000 [-memory-limit 512]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/tableparse"
	"studio/internal/temporal/commands"
)

// step is one measured step of the pipeline.
type step struct {
	Name     string           `json:"step"`
	Command  string           `json:"command,omitempty"` // the workflow id
	Seconds  float64          `json:"seconds"`
	Docs     int64            `json:"docs"`
	DocsPerS float64          `json:"docs_per_s"`
	PeakRSS  map[string]int64 `json:"peak_rss_bytes"` // by class: studio, parser, temporal
	StudioAn int64            `json:"studio_anon_bytes"`
	Disk     int64            `json:"disk_bytes"` // data folder after the step
	from, to time.Time
}

// history is the Temporal history length of one workflow execution.
type history struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Events int64  `json:"events"`
}

// report is the machine-readable line.
type report struct {
	Bench     string           `json:"bench"`
	Rows      int              `json:"rows"`
	FileBytes int64            `json:"file_bytes"`
	CPUs      int              `json:"cpus"`
	RawParse  float64          `json:"raw_parse_docs_per_s,omitempty"`
	Steps     []step           `json:"steps"`
	Histories []history        `json:"histories"`
	DataDisk  map[string]int64 `json:"data_disk"`
	// With -memory-limit: the limit of the studio process's memory
	// cgroup, the most memory charged to it and the processes killed there.
	MemoryLimit    int64 `json:"memory_limit_bytes,omitempty"`
	MemoryCharged  int64 `json:"memory_charged_peak_bytes,omitempty"`
	MemoryOOMKills int64 `json:"memory_oom_kills,omitempty"`
}

type bench struct {
	n        int
	work     string
	data     string
	studio   string
	temporal string
	hub      string
	tport    int
	sampler  *sampler
	interval time.Duration
	steps    []step
	log      io.Writer
	memMB    int       // -memory-limit
	limit    *memLimit // the studio process's memory cgroup
}

func main() {
	n := flag.Int("n", 1000000, "rows of the generated file (one document per row)")
	studio := flag.String("studio", "", "studio binary (default: go build ./cmd/studio into the work folder)")
	temporal := flag.String("temporal", "bin/temporal", "temporal CLI binary")
	work := flag.String("work", "", "work folder (default: a new temporary folder, removed at the end)")
	keep := flag.Bool("keep", false, "keep the work folder")
	diff := flag.Bool("diff", true, "also release a changed file incrementally (second dump, upload, build, diff, sync)")
	raw := flag.Bool("raw", true, "measure the declarative parser alone on the same file first")
	mode := flag.String("inspect-mode", "mapping", "inspect modes, comma-separated (mapping, type, stats)")
	groupMB := flag.Int("group-memory", 0, "max_memory_mb of the parser's group (0: the default)")
	interval := flag.Duration("interval", 100*time.Millisecond, "interval of the /proc samples")
	memMB := flag.Int("memory-limit", 0, "run the studio process in a memory cgroup limited to this many MiB (0: no limit; needs root)")
	flag.Parse()
	if err := run(*n, *studio, *temporal, *work, *keep, *diff, *raw, *mode, *interval, *groupMB, *memMB); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

func run(n int, studioBin, temporalBin, work string, keep, diff, raw bool, mode string, interval time.Duration, groupMB, memMB int) (err error) {
	if work == "" {
		if work, err = os.MkdirTemp("", "scalebench-"); err != nil {
			return err
		}
		if !keep {
			defer os.RemoveAll(work)
		}
	}
	b := &bench{n: n, work: work, data: filepath.Join(work, "data"), log: os.Stderr, interval: interval, memMB: memMB}
	if b.temporal, err = filepath.Abs(temporalBin); err != nil {
		return err
	}
	if _, err := os.Stat(b.temporal); err != nil {
		return fmt.Errorf("temporal CLI: %w (make temporal installs it into bin/; or pass -temporal)", err)
	}
	b.studio = studioBin
	if b.studio == "" {
		b.studio = filepath.Join(work, "studio")
		b.logf("building %s", b.studio)
		cmd := exec.Command("go", "build", "-o", b.studio, "./cmd/studio")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/studio (run from the repository root): %v\n%s", err, out)
		}
	}

	// The lab's file, version 1.
	files := filepath.Join(work, "files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		return err
	}
	tsv := filepath.Join(files, benchkit.CGIFile)
	start := time.Now()
	rows, size, err := writeTSV(tsv, n, 1)
	if err != nil {
		return err
	}
	b.logf("generated %s: %d rows, %.1f MB in %s", tsv, rows, float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	rep := report{Bench: "scale", Rows: n, FileBytes: size, CPUs: runtime.NumCPU()}
	if raw {
		if rep.RawParse, err = rawParse(files, n, groupMB); err != nil {
			return err
		}
		b.logf("declarative parser alone: %.0f docs/s", rep.RawParse)
	}
	lab := &labServer{path: tsv, mod: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv, dataURL, err := lab.start()
	if err != nil {
		return err
	}
	defer srv.Close()
	repo, err := pluginRepo(filepath.Join(work, "plugin", "scale"), manifest(dataURL, groupMB))
	if err != nil {
		return err
	}

	stop, err := b.startStudio()
	if err != nil {
		return err
	}
	defer stop()
	pipeErr := b.pipeline(repo, mode, diff, lab, tsv)
	rep.Histories, err = b.histories()
	if err != nil {
		b.logf("reading the Temporal histories: %v", err)
	}
	rep.Steps = b.steps
	rep.DataDisk = dataDisk(b.data)
	if b.limit != nil {
		rep.MemoryLimit = int64(b.memMB) << 20
		rep.MemoryCharged, rep.MemoryOOMKills = b.limit.peak()
	}
	b.print(rep)
	return pipeErr
}

func (b *bench) logf(format string, a ...any) {
	fmt.Fprintf(b.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
}

// rawParse runs the plugin's declarative parser over the file with a
// consumer that keeps nothing: the upload's raw engine.
func rawParse(dir string, n, groupMB int) (float64, error) {
	var m struct {
		Uploader struct {
			Parser map[string]any `json:"parser"`
		} `json:"uploader"`
	}
	if err := json.Unmarshal([]byte(manifest("http://x/", groupMB)), &m); err != nil {
		return 0, err
	}
	spec, err := tableparse.ParseSpec(m.Uploader.Parser)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	st, err := tableparse.Run(context.Background(), spec, dir, tableparse.Options{TempDir: filepath.Join(dir, "tmp")}, func(map[string]any) error { return nil })
	if err != nil {
		return 0, fmt.Errorf("declarative parser alone: %w", err)
	}
	if st.Docs != int64(n) {
		return 0, fmt.Errorf("declarative parser alone: %d documents, want %d", st.Docs, n)
	}
	return float64(st.Docs) / time.Since(start).Seconds(), nil
}

// labServer serves the current version of the file with its modification
// time, as a lab's web server does.
type labServer struct {
	mu   sync.Mutex
	path string
	mod  time.Time
}

func (l *labServer) start() (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		path, mod := l.path, l.mod
		l.mu.Unlock()
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, benchkit.CGIFile, mod, f)
	})}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String() + "/" + benchkit.CGIFile, nil
}

func (l *labServer) publish(mod time.Time) {
	l.mu.Lock()
	l.mod = mod
	l.mu.Unlock()
}

// pluginRepo makes a git repository holding the manifest.
func pluginRepo(dir, manifest string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		return "", err
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"-c", "user.name=scalebench", "-c", "user.email=scalebench@example.org", "commit", "-q", "-m", "plugin"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir, nil
}

// startStudio starts `studio dev` on a fresh data folder and waits until
// its /status answers with Temporal reachable.
func (b *bench) startStudio() (stop func(), err error) {
	port, err := benchkit.FreePort()
	if err != nil {
		return nil, err
	}
	if b.tport, err = benchkit.FreePort(); err != nil {
		return nil, err
	}
	b.hub = "http://127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(filepath.Join(b.work, "studio.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.studio, "dev", "--data-dir", b.data, "--listen", "127.0.0.1:"+strconv.Itoa(port),
		"--temporal-port", strconv.Itoa(b.tport), "--temporal-cli", b.temporal, "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s dev: %w", b.studio, err)
	}
	b.sampler = newSampler(cmd.Process.Pid, b.interval)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		b.sampler.close()
		logf.Close()
		if b.limit != nil {
			b.limit.remove()
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			stop()
			return nil, fmt.Errorf("studio dev exited before it was ready; see %s", logf.Name())
		default:
		}
		if benchkit.StudioReady(b.hub + "/status") {
			b.logf("studio dev ready at %s (data folder %s)", b.hub, b.data)
			if b.memMB > 0 {
				if b.limit, err = limitMemory(cmd.Process.Pid, b.memMB); err != nil {
					stop()
					return nil, err
				}
				b.logf("studio process %d in the memory cgroup %s, limited to %d MiB", cmd.Process.Pid, b.limit.dir, b.memMB)
			}
			return stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, fmt.Errorf("studio dev not ready within 2 minutes; see %s", logf.Name())
}

// cli runs `studio args... --json` against the hub and decodes its output.
func (b *bench) cli(out any, args ...string) error {
	cmd := exec.Command(b.studio, append(args, "--json")...)
	cmd.Env = append(os.Environ(), "STUDIO_HUB="+b.hub)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("studio %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal([]byte(stdout.String()), out); err != nil {
		return fmt.Errorf("studio %s --json: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return nil
}

// record adds a step measured over a finished command.
func (b *bench) record(name string, c commands.Command, docs int64) error {
	if c.Status != "completed" {
		return fmt.Errorf("%s: command %s is %s: %s", name, c.ID, c.Status, c.Failure)
	}
	to := time.Now()
	if c.CloseTime != nil {
		to = *c.CloseTime
	}
	b.add(name, c.ID, c.StartTime, to, docs)
	return nil
}

func (b *bench) add(name, id string, from, to time.Time, docs int64) {
	// The last sample before the end may be up to one interval late.
	time.Sleep(2 * b.sampler.interval)
	p, anon := b.sampler.peak(from, to.Add(b.sampler.interval))
	s := step{Name: name, Command: id, Seconds: to.Sub(from).Seconds(), Docs: docs, StudioAn: anon,
		PeakRSS: map[string]int64{}, Disk: diskUsage(b.data), from: from, to: to}
	for c, v := range p {
		s.PeakRSS[classNames[c]] = v
	}
	if s.Seconds > 0 {
		s.DocsPerS = float64(docs) / s.Seconds
	}
	b.steps = append(b.steps, s)
	b.logf("%-18s %8.1f s %10.0f docs/s  studio %s (anon %s), parser %s, temporal %s, disk %s", name, s.Seconds, s.DocsPerS,
		mb(p[classStudio]), mb(anon), mb(p[classParser]), mb(p[classTemporal]), mb(s.Disk))
}

// pipeline runs the steps.
func (b *bench) pipeline(repo, mode string, diff bool, lab *labServer, tsv string) error {
	const src = "scale"
	var plugin struct{ Name string }
	t0 := time.Now()
	if err := b.cli(&plugin, "register", repo); err != nil {
		return err
	}
	if plugin.Name != src {
		return fmt.Errorf("register: plugin %q, want %q", plugin.Name, src)
	}
	b.add("register", "plugin/"+src, t0, time.Now(), 0)

	docs := int64(b.n)
	if err := b.dumpUpload(src, docs); err != nil {
		return err
	}
	var insp commands.Command
	if err := b.cli(&insp, "inspect", src, "--mode", mode); err != nil {
		return err
	}
	if err := b.record("inspect", insp, docs); err != nil {
		return err
	}
	t0 = time.Now()
	if err := b.cli(nil, "mapping", "commit", src); err != nil {
		return err
	}
	b.add("mapping commit", "", t0, time.Now(), 0)
	if err := b.cli(nil, "buildconf", "create", "--name", src, "--doctype", "variant", "--sources", src); err != nil {
		return err
	}
	build1, err := b.build(src, docs)
	if err != nil {
		return err
	}
	var rel struct {
		Mode     string
		Commands []commands.Command
	}
	if err := b.cli(&rel, "release", build1, "--full", "--index", src+"_live"); err != nil {
		return err
	}
	if len(rel.Commands) != 1 {
		return fmt.Errorf("full release: %d commands, want 1", len(rel.Commands))
	}
	var idx struct{ Count int64 }
	decode(rel.Commands[0].Result, &idx)
	if idx.Count != docs {
		return fmt.Errorf("full release: %d documents indexed, want %d", idx.Count, docs)
	}
	if err := b.record("release full", rel.Commands[0], docs); err != nil {
		return err
	}
	if !diff {
		return nil
	}

	// Version 2 of the lab's file: every 100th row changed, every 1000th
	// gone, n/1000 new.
	start := time.Now()
	rows2, _, err := writeTSV(tsv+".v2", b.n, 2)
	if err != nil {
		return err
	}
	if err := os.Rename(tsv+".v2", tsv); err != nil {
		return err
	}
	b.logf("generated version 2: %d rows in %s", rows2, time.Since(start).Round(time.Millisecond))
	lab.publish(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	if err := b.dumpUpload(src, rows2); err != nil {
		return err
	}
	build2, err := b.build(src, rows2)
	if err != nil {
		return err
	}
	rel.Commands = nil
	if err := b.cli(&rel, "release", build2, "--incremental", "--index", src+"_live"); err != nil {
		return err
	}
	if len(rel.Commands) != 2 {
		return fmt.Errorf("incremental release: %d commands, want the diff and the sync", len(rel.Commands))
	}
	var synced struct{ Added, Updated, Deleted int64 }
	decode(rel.Commands[1].Result, &synced)
	gone := int64(b.n/1000) + boolInt(b.n%1000 > 13)
	if synced.Added != int64(b.n/1000) || synced.Deleted != gone {
		return fmt.Errorf("sync: %+v, want %d added and %d deleted", synced, b.n/1000, gone)
	}
	if err := b.record("diff", rel.Commands[0], rows2); err != nil {
		return err
	}
	return b.record("sync", rel.Commands[1], synced.Added+synced.Updated+synced.Deleted)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// dumpUpload dumps the source and follows the upload the dump starts.
func (b *bench) dumpUpload(src string, docs int64) error {
	suffix := ""
	if slices.ContainsFunc(b.steps, func(s step) bool { return s.Name == "upload" }) {
		suffix = " 2"
	}
	var dumped struct {
		Dump   commands.Command
		Upload *commands.Command
	}
	if err := b.cli(&dumped, "dump", src); err != nil {
		return err
	}
	if err := b.record("dump"+suffix, dumped.Dump, 0); err != nil {
		return err
	}
	if dumped.Upload == nil {
		var up commands.Command
		if err := b.cli(&up, "upload", src); err != nil {
			return err
		}
		dumped.Upload = &up
	}
	if err := b.record("upload"+suffix, *dumped.Upload, docs); err != nil {
		return err
	}
	var sources []struct {
		Upload struct {
			Jobs map[string]struct{ Count int64 }
		}
	}
	if err := b.cli(&sources, "sources"); err != nil {
		return err
	}
	if len(sources) != 1 || sources[0].Upload.Jobs[src].Count != docs {
		return fmt.Errorf("upload: sources say %+v, want %d documents", sources, docs)
	}
	return nil
}

// build runs a build of the configuration and returns its id.
func (b *bench) build(conf string, docs int64) (string, error) {
	var c commands.Command
	if err := b.cli(&c, "build", conf); err != nil {
		return "", err
	}
	var res struct {
		BuildID string `json:"build_id"`
		Total   int64
	}
	decode(c.Result, &res)
	if res.Total != docs {
		return "", fmt.Errorf("build: %d documents, want %d", res.Total, docs)
	}
	name := "build"
	if slices.ContainsFunc(b.steps, func(s step) bool { return s.Name == "build" }) {
		name = "build 2"
	}
	return res.BuildID, b.record(name, c, docs)
}

func decode(v any, out any) {
	raw, _ := json.Marshal(v)
	_ = json.Unmarshal(raw, out)
}

// histories reads the history length of every workflow of the namespace.
func (b *bench) histories() ([]history, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: "127.0.0.1:" + strconv.Itoa(b.tport),
		Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var out []history
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000, NextPageToken: token})
		if err != nil {
			return out, err
		}
		for _, e := range resp.Executions {
			d, err := c.DescribeWorkflowExecution(ctx, e.Execution.WorkflowId, e.Execution.RunId)
			if err != nil {
				return out, err
			}
			info := d.WorkflowExecutionInfo
			out = append(out, history{ID: e.Execution.WorkflowId, Type: e.Type.Name,
				Status: strings.ToLower(strings.TrimPrefix(info.Status.String(), "WORKFLOW_EXECUTION_STATUS_")),
				Events: info.HistoryLength})
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	slices.SortFunc(out, func(x, y history) int { return strings.Compare(x.ID, y.ID) })
	return out, nil
}

// dataDisk is the disk used by each entry of the data folder.
func dataDisk(dir string) map[string]int64 {
	out := map[string]int64{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		out[e.Name()] = diskUsage(filepath.Join(dir, e.Name()))
	}
	return out
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }

// print writes the table and the JSON line.
func (b *bench) print(rep report) {
	fmt.Printf("\nscale benchmark: %d rows (%.0f MB TSV, one document per row, declarative parser with group), %d CPUs\n",
		rep.Rows, float64(rep.FileBytes)/1e6, rep.CPUs)
	fmt.Printf("%-16s %9s %10s %12s %12s %10s %10s %10s\n", "step", "time", "docs/s", "studio RSS", "(anon)", "parser", "temporal", "disk")
	for _, s := range rep.Steps {
		fmt.Printf("%-16s %8.1fs %10.0f %12s %12s %10s %10s %10s\n", s.Name, s.Seconds, s.DocsPerS,
			mb(s.PeakRSS["studio"]), mb(s.StudioAn), mb(s.PeakRSS["parser"]), mb(s.PeakRSS["temporal"]), mb(s.Disk))
	}
	if rep.RawParse > 0 {
		for _, s := range rep.Steps {
			if s.Name == "upload" {
				fmt.Printf("upload %.0f docs/s = %.2fx the declarative parser alone (%.0f docs/s, same file, same run)\n",
					s.DocsPerS, s.DocsPerS/rep.RawParse, rep.RawParse)
			}
		}
	}
	names := make([]string, 0, len(rep.DataDisk))
	for k := range rep.DataDisk {
		names = append(names, k)
	}
	slices.Sort(names)
	fmt.Printf("data folder at the end:")
	for _, k := range names {
		fmt.Printf(" %s %s;", k, mb(rep.DataDisk[k]))
	}
	fmt.Println()
	if rep.MemoryLimit > 0 {
		fmt.Printf("memory cgroup of the studio process: limit %s, most charged %s (its own memory and the page cache it read through), %d killed for memory\n",
			mb(rep.MemoryLimit), mb(rep.MemoryCharged), rep.MemoryOOMKills)
	}
	fmt.Printf("\nTemporal histories (events per workflow execution):\n")
	for _, h := range rep.Histories {
		fmt.Printf("  %-44s %-16s %-10s %5d\n", h.ID, h.Type, h.Status, h.Events)
	}
	line, err := json.Marshal(rep)
	if err != nil {
		panic(errors.New("scalebench: the report does not encode: " + err.Error()))
	}
	fmt.Printf("\n%s\n", line)
}
