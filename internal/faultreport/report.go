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

// fields reads key=value pairs; a word without "=" belongs to the value
// before it, so values may hold spaces.
func fields(s string) map[string]string {
	out := map[string]string{}
	last := ""
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if ok && k != "" && !strings.ContainsAny(k, `"'`) {
			out[k], last = v, k
			continue
		}
		if last != "" {
			out[last] += " " + w
		}
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
	w("Generated by `make test-faults` (`go run ./internal/faultreport` over `go test -json ./e2e/`) on %s.\n\n", r.Date.UTC().Format("2006-01-02 15:04 MST"))
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
	return b.String()
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
