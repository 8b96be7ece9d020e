package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// jsonLines writes go test -json events.
func jsonLines(t *testing.T, evs ...event) string {
	t.Helper()
	var b bytes.Buffer
	for _, ev := range evs {
		if err := json.NewEncoder(&b).Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestFields(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"pipeline=dump kill=1 at=120", map[string]string{"pipeline": "dump", "kill": "1", "at": "120"}},
		{"class=manifest case=two words result=pass", map[string]string{"class": "manifest", "case": "two words", "result": "pass"}},
		{"", map[string]string{}},
	} {
		got := fields(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("fields(%q) = %v, want %v", tc.in, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("fields(%q)[%s] = %q, want %q", tc.in, k, got[k], v)
			}
		}
	}
}

func TestReport(t *testing.T) {
	const pkg = "studio/e2e"
	in := jsonLines(t,
		event{Time: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Action: "run", Package: pkg, Test: "TestFaults"},
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "    faults_test.go:80: FAULTSEED seed=42 kills=3\n"},
		event{Action: "output", Package: pkg, Test: "TestFaultsDevRestart", Output: "    faults_dev_test.go:9: FAULTSEED seed=42\n"},
		// A line split across two events.
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "    faults_test.go:115: FAULT pipeline=upload kill=1 at=812 "},
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "result=pass checksum=abc reference=abc landed=mid\n"},
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "    faults_test.go:115: FAULT pipeline=upload kill=2 at=90 result=fail checksum=- reference=abc landed=after\n"},
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "    faults_test.go:99: FAULTS tried=2 passed=1\n"},
		event{Action: "fail", Package: pkg, Test: "TestFaults", Elapsed: 12.5},
		event{Action: "output", Package: pkg, Test: "TestBadThings/url", Output: "    dump_test.go:9: BADINPUT class=url case=gopher_scheme result=pass\n"},
		event{Action: "pass", Package: pkg, Test: "TestBadThings/url", Elapsed: 0.1},
		event{Action: "fail", Package: pkg, Elapsed: 13},
	)
	rep, err := read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seed != "42" || rep.Kills != "3" || len(rep.Faults) != 2 || len(rep.BadInputs) != 1 || len(rep.Failed) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	if f := rep.Faults[0]; f.Pipeline != "upload" || f.At != "812" || f.Result != "pass" || f.Landed != "mid" || f.Test != "TestFaults" {
		t.Fatalf("first fault = %+v", f)
	}
	md := rep.Markdown()
	for _, want := range []string{
		"| upload | 2 | 1 | 1/2 | 1/2 | 812, 90 |",
		"| url | gopher_scheme | pass | TestBadThings/url |",
		"| TestFaults | fail | 12.5 |",
		"`FAULTS tried=2 passed=1`",
		"STUDIO_FAULT_SEED=42",
		"2026-05-01 10:00 UTC",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}

	out := filepath.Join(t.TempDir(), "reliability.md")
	var stdout bytes.Buffer
	if err := run(strings.NewReader(in), &stdout, out); !errors.Is(err, errTestsFailed) {
		t.Fatalf("run with a failed test: %v, want errTestsFailed", err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != md {
		t.Fatalf("written report differs (%v)", err)
	}
	if err := run(strings.NewReader(""), &stdout, out); err == nil {
		t.Fatal("run on empty input succeeded")
	}
}

func TestTopologyLines(t *testing.T) {
	const pkg = "studio/e2e"
	in := jsonLines(t,
		event{Time: time.Date(2026, 5, 2, 9, 30, 0, 0, time.UTC), Action: "run", Package: pkg, Test: "TestTopologyKillWorkerMidUpload"},
		event{Action: "output", Package: pkg, Test: "TestTopologyKillWorkerMidUpload",
			Output: "    topology_faults_test.go:339: FAULT topology case=kill_worker_mid_upload result=pass docs=150000 killed_at_docs=44000 recovered_ms=47615\n"},
		event{Action: "pass", Package: pkg, Test: "TestTopologyKillWorkerMidUpload", Elapsed: 154.8},
		event{Action: "output", Package: pkg, Test: "TestTopologyESNodeStopUnderLoad",
			Output: "    topology_faults_test.go:363: FAULT topology case=es_node_stop_under_load result=fail docs=3000\n"},
		event{Action: "fail", Package: pkg, Test: "TestTopologyESNodeStopUnderLoad", Elapsed: 81.5},
		// A pipeline kill still goes to the faults table.
		event{Action: "output", Package: pkg, Test: "TestFaults", Output: "    faults_test.go:115: FAULT pipeline=upload kill=1 at=812 result=pass checksum=abc reference=abc landed=mid\n"},
	)
	rep, err := read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Faults) != 1 || len(rep.Topology) != 2 {
		t.Fatalf("faults %+v, topology %+v", rep.Faults, rep.Topology)
	}
	want := TopologyCase{Case: "kill_worker_mid_upload", Result: "pass", Test: "TestTopologyKillWorkerMidUpload",
		Measured: []Pair{{"docs", "150000"}, {"killed_at_docs", "44000"}, {"recovered_ms", "47615"}}}
	if got := rep.Topology[0]; !reflect.DeepEqual(got, want) {
		t.Fatalf("first case = %+v, want %+v", got, want)
	}
	md := rep.Markdown()
	for _, w := range []string{
		TopologyHeading + "\n",
		"| kill_worker_mid_upload | pass | 154.8 | docs=150000, killed_at_docs=44000, recovered_ms=47615 | TestTopologyKillWorkerMidUpload |",
		"| es_node_stop_under_load | fail | 81.5 | docs=3000 | TestTopologyESNodeStopUnderLoad |",
		"Cases: 2, passed: 1.",
		"2026-05-02 09:30 UTC",
		"- **kill_worker_mid_upload**: ",
		"| upload | 1 | 1 | 1/1 | 1/1 | 812 |",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q:\n%s", w, md)
		}
	}
	if strings.Index(md, TopologyHeading) < strings.Index(md, "## Bad input") {
		t.Errorf("the topology section comes before the others:\n%s", md)
	}
}

func TestReplaceSection(t *testing.T) {
	const sec = TopologyHeading + "\n\nnew\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", "", sec},
		{"absent", "# R\n\n## A\n\na\n", "# R\n\n## A\n\na\n\n" + sec},
		{"absent without a last newline", "# R\n\n## A", "# R\n\n## A\n\n" + sec},
		{"last", "# R\n\n## A\n\na\n\n" + TopologyHeading + "\n\nold\n", "# R\n\n## A\n\na\n\n" + sec},
		{"in the middle", "# R\n\n" + TopologyHeading + "\n\nold\n\n## B\n\nb\n", "# R\n\n" + sec + "\n## B\n\nb\n"},
		{"heading inside a line", "# R\n\nsee " + TopologyHeading + " here\n", "# R\n\nsee " + TopologyHeading + " here\n\n" + sec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := replaceSection(tc.doc, TopologyHeading, sec); got != tc.want {
				t.Errorf("replaceSection:\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	if got := section("# R\n\n"+TopologyHeading+"\n\nold\n\n## B\n", TopologyHeading); got != TopologyHeading+"\n\nold\n" {
		t.Errorf("section = %q", got)
	}
}

func TestRunTopologyKeepsTheRest(t *testing.T) {
	const pkg = "studio/e2e"
	topo := jsonLines(t,
		event{Time: time.Date(2026, 5, 3, 8, 0, 0, 0, time.UTC), Action: "output", Package: pkg, Test: "TestTopologyServerRestartMidUpload",
			Output: "    x.go:1: FAULT topology case=restart_server_mid_upload result=pass docs=100000 server_down_ms=3300\n"},
		event{Action: "pass", Package: pkg, Test: "TestTopologyServerRestartMidUpload", Elapsed: 90},
		event{Action: "pass", Package: pkg, Elapsed: 91},
	)
	path := filepath.Join(t.TempDir(), "reliability.md")
	const rest = "# Reliability\n\n## Faults injected\n\nkept as it is\n"
	if err := os.WriteFile(path, []byte(rest), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := runTopology(strings.NewReader(topo), &stdout, path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), rest+"\n"+TopologyHeading+"\n") || !strings.Contains(string(b), "server_down_ms=3300") {
		t.Fatalf("after runTopology:\n%s", b)
	}
	// A second run replaces the section, once.
	if err := runTopology(strings.NewReader(strings.Replace(topo, "3300", "1200", 1)), &stdout, path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	if strings.Count(string(b), TopologyHeading) != 1 || !strings.Contains(string(b), "server_down_ms=1200") || strings.Contains(string(b), "3300") {
		t.Fatalf("after a second runTopology:\n%s", b)
	}
	withTopology := string(b)

	// A full report without topology lines keeps the section as it was.
	full := jsonLines(t,
		event{Time: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC), Action: "output", Package: pkg, Test: "TestFaults",
			Output: "    faults_test.go:115: FAULT pipeline=dump kill=1 at=10 result=pass checksum=a reference=a landed=mid\n"},
		event{Action: "pass", Package: pkg, Test: "TestFaults", Elapsed: 12},
	)
	if err := run(strings.NewReader(full), &stdout, path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	if !strings.Contains(string(b), "| dump | 1 | 1 |") || section(string(b), TopologyHeading) != section(withTopology, TopologyHeading) {
		t.Fatalf("full report lost the topology section:\n%s", b)
	}
	// Without topology lines, -topology writes nothing.
	if err := runTopology(strings.NewReader(full), &stdout, path); err == nil {
		t.Fatal("runTopology without topology lines succeeded")
	}
}
