// Command faultreport turns the `go test -json` output of the fault and
// bad-input tests into docs/reliability.md: every kill -9 injected into a
// pipeline (FAULT lines), every class of bad input tried (BADINPUT lines),
// the kill tests' results, the seed and the date. It also prints the
// summary and the tables, and exits non-zero when a test failed. The
// faults of the production topology ("FAULT topology" lines) make a
// section of their own; a run without any keeps that section of the file
// as it was.
//
//	STUDIO_FAULT_KILLS=3 go test -count=1 -json -run 'TestFaults|Kill|Bad|Fail|Busy|TestTopology' ./e2e/ |
//		go run ./internal/testsupport/faultreport -o docs/reliability.md
//
// With -topology, only that section of the file is written again:
//
//	go test -count=1 -json -run TestTopology ./e2e/ | go run ./internal/testsupport/faultreport -topology -o docs/reliability.md
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

func main() {
	out := flag.String("o", "docs/reliability.md", "where to write the report")
	topology := flag.Bool("topology", false, "write only the section of the production topology into the file")
	flag.Parse()
	run := run
	if *topology {
		run = runTopology
	}
	if err := run(os.Stdin, os.Stdout, *out); err != nil {
		fmt.Fprintln(os.Stderr, "faultreport:", err)
		os.Exit(1)
	}
}

// errTestsFailed is returned when the report is written but a test failed.
var errTestsFailed = fmt.Errorf("some tests failed (see above)")

func run(in io.Reader, stdout io.Writer, path string) error {
	rep, err := read(in)
	if err != nil {
		return err
	}
	if rep.Date.IsZero() {
		rep.Date = time.Now()
	}
	md := rep.Markdown()
	if len(rep.Topology) == 0 {
		// Keep the topology section of an earlier run: it carries its date.
		old, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if sec := section(string(old), TopologyHeading); sec != "" {
			md = replaceSection(md, TopologyHeading, sec)
		}
	}
	return write(rep, md, stdout, path)
}

// runTopology writes the topology section of the report into the file at
// path, leaving the rest of it as it is.
func runTopology(in io.Reader, stdout io.Writer, path string) error {
	rep, err := read(in)
	if err != nil {
		return err
	}
	if rep.Date.IsZero() {
		rep.Date = time.Now()
	}
	if len(rep.Topology) == 0 {
		for _, f := range rep.Failed {
			fmt.Fprintf(stdout, "--- FAIL: %s\n%s\n", f.Name, f.Output)
		}
		return fmt.Errorf("no FAULT topology lines on standard input (%d events): %s left as it was", rep.Events, path)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return write(rep, replaceSection(string(old), TopologyHeading, rep.TopologyMarkdown()), stdout, path)
}

// write writes md to path, prints it with the failures, and says whether
// tests failed.
func write(rep *Report, md string, stdout io.Writer, path string) error {
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(stdout, "--- FAIL: %s\n%s\n", f.Name, f.Output)
	}
	fmt.Fprint(stdout, md)
	fmt.Fprintf(stdout, "\nwritten to %s\n", path)
	if len(rep.Failed) > 0 || rep.Events == 0 {
		if rep.Events == 0 {
			return fmt.Errorf("no `go test -json` events on standard input")
		}
		return errTestsFailed
	}
	return nil
}

// event is one line of `go test -json`.
type event struct {
	Time    time.Time
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// read collects a report from `go test -json` output.
func read(in io.Reader) (*Report, error) {
	rep := newReport()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			// go test prints build failures as plain text.
			rep.addPlain(sc.Text())
			continue
		}
		rep.add(ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read go test output: %w", err)
	}
	rep.finish()
	return rep, nil
}
