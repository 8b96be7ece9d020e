package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Fault is one kill -9 injected into a pipeline (a FAULT line).
type Fault struct {
	Pipeline, Kill, At, Result, Checksum, Reference, Landed, Test string
}

// TopologyCase is one fault of the production topology (a "FAULT
// topology case=... result=..." line): what the test measured, in the
// order it printed it.
type TopologyCase struct {
	Case, Result, Test string
	Measured           []Pair
}

// Pair is one key=value of a FAULT line.
type Pair struct{ Key, Value string }

// BadInput is one bad input tried (a BADINPUT line).
type BadInput struct {
	Class, Case, Result, Test string
}

// TestResult is how one test ended.
type TestResult struct {
	Name    string
	Action  string // pass, fail, skip
	Elapsed float64
	Output  string // kept for failures
}

// Report is what the fault and bad-input tests printed.
type Report struct {
	Date         time.Time
	Seed, Kills  string
	Faults       []Fault
	Topology     []TopologyCase
	BadInputs    []BadInput
	Tests        []TestResult
	Failed       []TestResult
	SummaryLines []string // FAULTS lines, as printed
	Events       int

	partial map[string]string // unfinished output line per test
	output  map[string]*strings.Builder
	plain   []string // text that was not JSON (build errors)
}

func newReport() *Report {
	return &Report{partial: map[string]string{}, output: map[string]*strings.Builder{}}
}

// logPrefix is what t.Logf puts before a message: indentation and
// file:line.
var logPrefix = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)

func (r *Report) add(ev event) {
	r.Events++
	if r.Date.IsZero() && !ev.Time.IsZero() {
		r.Date = ev.Time
	}
	key := ev.Package + " " + ev.Test
	switch ev.Action {
	case "output":
		text := r.partial[key] + ev.Output
		for {
			line, rest, ok := strings.Cut(text, "\n")
			if !ok {
				break
			}
			r.line(ev.Test, line)
			text = rest
		}
		r.partial[key] = text
		if ev.Test != "" {
			b := r.output[key]
			if b == nil {
				b = &strings.Builder{}
				r.output[key] = b
			}
			if b.Len() < 64<<10 {
				b.WriteString(ev.Output)
			}
		}
	case "pass", "fail", "skip":
		if ev.Test == "" {
			if ev.Action == "fail" && len(r.Failed) == 0 {
				r.Failed = append(r.Failed, TestResult{Name: ev.Package, Action: "fail", Output: r.packageOutput(key)})
			}
			return
		}
		res := TestResult{Name: ev.Test, Action: ev.Action, Elapsed: ev.Elapsed}
		r.Tests = append(r.Tests, res)
		if ev.Action == "fail" {
			if b := r.output[key]; b != nil {
				res.Output = b.String()
			}
			r.Failed = append(r.Failed, res)
		}
	}
}

func (r *Report) packageOutput(key string) string {
	out := strings.Join(r.plain, "\n")
	if b := r.output[key]; b != nil {
		out += b.String()
	}
	return out
}

func (r *Report) addPlain(line string) {
	if len(r.plain) < 200 {
		r.plain = append(r.plain, line)
	}
}

// line reads one output line of a test for the machine-readable records.
func (r *Report) line(test, line string) {
	msg := logPrefix.ReplaceAllString(line, "")
	kind, rest, _ := strings.Cut(msg, " ")
	switch kind {
	case "FAULT":
		if r.topologyLine(test, rest) {
			return
		}
		f := fields(rest)
		r.Faults = append(r.Faults, Fault{Pipeline: f["pipeline"], Kill: f["kill"], At: f["at"], Result: f["result"],
			Checksum: f["checksum"], Reference: f["reference"], Landed: f["landed"], Test: test})
	case "BADINPUT":
		f := fields(rest)
		r.BadInputs = append(r.BadInputs, BadInput{Class: f["class"], Case: f["case"], Result: f["result"], Test: test})
	case "FAULTSEED":
		// Every fault test prints the seed; TestFaults adds the kills.
		f := fields(rest)
		if f["seed"] != "" {
			r.Seed = f["seed"]
		}
		if f["kills"] != "" {
			r.Kills = f["kills"]
		}
	case "FAULTS":
		r.SummaryLines = append(r.SummaryLines, strings.TrimSpace(msg))
	}
}

// topologyLine reads a "FAULT topology ..." line, and says whether it was
// one.
func (r *Report) topologyLine(test, rest string) bool {
	words, ok := strings.CutPrefix(rest, "topology ")
	if !ok {
		return false
	}
	c := TopologyCase{Test: test}
	for _, p := range pairs(words) {
		switch p.Key {
		case "case":
			c.Case = p.Value
		case "result":
			c.Result = p.Value
		default:
			c.Measured = append(c.Measured, p)
		}
	}
	r.Topology = append(r.Topology, c)
	return true
}

// pairs reads key=value pairs in order; a word without "=" belongs to the
// value before it, so values may hold spaces.
func pairs(s string) []Pair {
	var out []Pair
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if ok && k != "" && !strings.ContainsAny(k, `"'`) {
			out = append(out, Pair{k, v})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].Value += " " + w
		}
	}
	return out
}

// fields reads key=value pairs into a map (see pairs).
func fields(s string) map[string]string {
	out := map[string]string{}
	for _, p := range pairs(s) {
		out[p.Key] = p.Value
	}
	return out
}

// finish flushes unfinished lines.
func (r *Report) finish() {
	for key, text := range r.partial {
		if text != "" {
			_, test, _ := strings.Cut(key, " ")
			r.line(test, text)
		}
	}
}

// pipelineRow sums the kills of one pipeline.
type pipelineRow struct {
	name          string
	tried, passed int
	mid           int
	match         int
	points        []string
}

func (r *Report) pipelines() []*pipelineRow {
	var rows []*pipelineRow
	by := map[string]*pipelineRow{}
	for _, f := range r.Faults {
		row := by[f.Pipeline]
		if row == nil {
			row = &pipelineRow{name: f.Pipeline}
			by[f.Pipeline] = row
			rows = append(rows, row)
		}
		row.tried++
		if f.Result == "pass" {
			row.passed++
		}
		if f.Checksum == f.Reference && f.Checksum != "" && f.Checksum != "-" {
			row.match++
		}
		if f.Landed != "after" {
			row.mid++
		}
		row.points = append(row.points, f.At)
	}
	return rows
}

// Markdown is the report as docs/reliability.md.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	passed := 0
	for _, f := range r.Faults {
		if f.Result == "pass" {
			passed++
		}
	}
	w("# Reliability\n\n")
	w("Generated by `make test-faults` (`go run ./internal/testsupport/faultreport` over `go test -json ./e2e/`) on %s.\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"))
	w("- seed: `%s` (replay with `STUDIO_FAULT_SEED=%s`)\n", orDash(r.Seed), orDash(r.Seed))
	w("- kills per pipeline: %s (`STUDIO_FAULT_KILLS`)\n", orDash(r.Kills))
	w("- faults injected: %d, passed: %d\n", len(r.Faults), passed)
	w("- bad inputs tried: %d, passed: %d\n", len(r.BadInputs), countPass(r.BadInputs))
	w("- tests: %d run, %d failed\n\n", len(r.Tests), len(r.Failed))

	w("## Faults injected\n\n")
	w("Each pipeline ran once undisturbed for a reference checksum, then once per kill point with the worker (or the whole `studio dev`) killed with SIGKILL at a random delay after its work started; the run had to finish with the reference checksum.\n\n")
	w("| pipeline | kill points tried | passed | checksum match | landed mid-work | kill points (ms after the work started) |\n")
	w("|---|---|---|---|---|---|\n")
	for _, p := range r.pipelines() {
		w("| %s | %d | %d | %d/%d | %d/%d | %s |\n", p.name, p.tried, p.passed, p.match, p.tried, p.mid, p.tried, strings.Join(p.points, ", "))
	}
	w("\n| pipeline | kill | at (ms) | landed | result | checksum | reference | test |\n")
	w("|---|---|---|---|---|---|---|---|\n")
	for _, f := range r.Faults {
		w("| %s | %s | %s | %s | %s | `%s` | `%s` | %s |\n", f.Pipeline, f.Kill, f.At, orDash(f.Landed), f.Result, f.Checksum, f.Reference, f.Test)
	}

	w("\n## Kill and restart tests\n\n| test | result | seconds |\n|---|---|---|\n")
	for _, t := range r.Tests {
		if strings.Contains(t.Name, "Kill") || strings.Contains(t.Name, "Restart") || strings.HasPrefix(t.Name, "TestFaults") {
			w("| %s | %s | %.1f |\n", t.Name, t.Action, t.Elapsed)
		}
	}

	w("\n## Bad input\n\n| class | case | result | test |\n|---|---|---|---|\n")
	bad := slices.Clone(r.BadInputs)
	slices.SortStableFunc(bad, func(a, b BadInput) int { return strings.Compare(a.Class, b.Class) })
	for _, x := range bad {
		w("| %s | %s | %s | %s |\n", x.Class, x.Case, x.Result, x.Test)
	}

	if len(r.Failed) > 0 {
		w("\n## Failed tests\n\n")
		for _, t := range r.Failed {
			w("- %s\n", t.Name)
		}
	}
	for _, l := range r.SummaryLines {
		w("\n`%s`\n", l)
	}
	if len(r.Topology) > 0 {
		w("\n%s", r.TopologyMarkdown())
	}
	return b.String()
}

// TopologyHeading starts the section of the production topology.
const TopologyHeading = "## The production topology"

// topologyCommand is how the section alone is made again.
const topologyCommand = "STUDIO_REQUIRE_ES=1 STUDIO_REQUIRE_TEMPORAL=1 go test -count=1 -json -timeout 30m -run TestTopology ./e2e/ | go run ./internal/testsupport/faultreport -topology -o docs/reliability.md"

// topologyCases says what each known case does and checks.
var topologyCases = map[string]string{
	"kill_worker_mid_upload": "An upload of `docs` documents runs once undisturbed (`reference`, its checksum), then again; once it has stored `killed_at_docs`, the worker running it, which holds the dumped files, is killed with SIGKILL and never comes back. " +
		"The other worker must dump again (`redumped_on`) and upload there; the source collection's checksum (count and an order-independent hash of every document) must equal the reference. `recovered_ms`: from the kill to the upload's end (heartbeat timeout 15 s, then the holder presumed gone after `STUDIO_WORKER_GONE_AFTER`=5s, a new dump, a whole upload).",
	"kill_worker_mid_index": "A full release of a build of `docs` documents into Elasticsearch; once `killed_at_docs` are indexed, the worker running IndexDocs is killed with SIGKILL and never comes back. " +
		"The other worker must resume (`resumed_on`, `attempt`) and the index must hold exactly the build's documents (`checksum` of the scrolled index = `reference`, the build collection's). The build is a real one of 2,000 documents, completed by the test with plain inserts of the documents a bigger merge would write, which keeps the test short: FerretDB v1 (the stand-in for MongoDB) serves an upsert by scanning the collection, so merges that combine sources are slow on it (the first source of a build is written with plain inserts, and a merge keeps heartbeating while a slow store writes).",
	"restart_server_mid_upload": "The `studio server` process is killed with SIGKILL once an upload has stored `killed_at_docs` of `docs`, and started again 3 s later (`server_down_ms` until it answers). " +
		"The upload, run by the workers, must complete; the restarted server's hub API must show it completed with every document, its live channel the upload's end, and the collection's checksum must be the parser's (`reference`).",
	"es_node_stop_under_load": "A release of `docs` documents with `replicas` replica(s) (build configuration `num_replicas`), served by two `studio api` processes given every node's URL; 4 clients send queries (the right total required) and document lookups (the right document required) round-robin to both for at least 25 s. " +
		"The node holding the primary shard (`stopped_node`, `stopped_master`: whether it was the elected master) stops 5 s in and starts again `stopped_ms` later. Counted, not failed: `failed` (5xx or no answer), by phase, their `window_ms` (first to last) and `longest_run`; latency `p50_ms`, `p99_ms`, `max_ms`. " +
		"Failed: any wrong answer, any failure once the node is back and the cluster green.",
}

// TopologyMarkdown is the section of the production topology.
func (r *Report) TopologyMarkdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	passed := 0
	for _, c := range r.Topology {
		if c.Result == "pass" {
			passed++
		}
	}
	w("%s\n\n", TopologyHeading)
	w("Studio as separate processes of the built binary (`studio server`, two `studio worker`s with data folders of their own, `studio api`s) on an external Temporal (the dev server), FerretDB standing in for MongoDB and a three-node Elasticsearch 8 cluster (e2e/topology_faults_test.go). ")
	w("From a run on %s of:\n\n    %s\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"), topologyCommand)
	w("(`make test-faults` writes this section too, with the rest of the file.) Cases: %d, passed: %d. Times are measured on a shared machine and are reported, never asserted.\n\n", len(r.Topology), passed)
	w("| case | result | seconds | measured | test |\n|---|---|---|---|---|\n")
	elapsed := map[string]float64{}
	for _, t := range r.Tests {
		elapsed[t.Name] = t.Elapsed
	}
	for _, c := range r.Topology {
		m := make([]string, len(c.Measured))
		for i, p := range c.Measured {
			m[i] = fmt.Sprintf("%s=%s", p.Key, p.Value)
		}
		secs := "-"
		if e, ok := elapsed[c.Test]; ok {
			secs = fmt.Sprintf("%.1f", e)
		}
		w("| %s | %s | %s | %s | %s |\n", c.Case, orDash(c.Result), secs, strings.Join(m, ", "), c.Test)
	}
	w("\n")
	seen := map[string]bool{}
	for _, c := range r.Topology {
		if d, ok := topologyCases[c.Case]; ok && !seen[c.Case] {
			seen[c.Case] = true
			w("- **%s**: %s\n", c.Case, d)
		}
	}
	w("\nKeys ending in `_ms` are milliseconds; `_docs` are documents done (the last heartbeat) at that moment.\n")
	return b.String()
}

// replaceSection returns doc with its section starting at heading (up to
// the next "## " heading) replaced by section, or section appended when
// doc has none.
func replaceSection(doc, heading, section string) string {
	start := sectionStart(doc, heading)
	if start < 0 {
		if doc != "" && !strings.HasSuffix(doc, "\n") {
			doc += "\n"
		}
		if doc != "" {
			doc += "\n"
		}
		return doc + section
	}
	end := len(doc)
	if i := strings.Index(doc[start+len(heading):], "\n## "); i >= 0 {
		end = start + len(heading) + i + 1
		section += "\n"
	}
	return doc[:start] + section + doc[end:]
}

// section returns doc's section starting at heading, ending with one
// newline, or "".
func section(doc, heading string) string {
	start := sectionStart(doc, heading)
	if start < 0 {
		return ""
	}
	rest := doc[start:]
	if i := strings.Index(rest[len(heading):], "\n## "); i >= 0 {
		rest = rest[:len(heading)+i+1]
	}
	return strings.TrimRight(rest, "\n") + "\n"
}

// sectionStart finds the line that is heading.
func sectionStart(doc, heading string) int {
	for off := 0; ; {
		i := strings.Index(doc[off:], heading)
		if i < 0 {
			return -1
		}
		at := off + i
		end := at + len(heading)
		if (at == 0 || doc[at-1] == '\n') && (end == len(doc) || doc[end] == '\n') {
			return at
		}
		off = end
	}
}

func countPass(l []BadInput) int {
	n := 0
	for _, x := range l {
		if x.Result == "pass" {
			n++
		}
	}
	return n
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
