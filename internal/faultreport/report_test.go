package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
