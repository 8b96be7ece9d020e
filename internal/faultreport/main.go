// Command faultreport turns the `go test -json` output of the fault and
// bad-input tests into docs/reliability.md: every kill -9 injected into a
// pipeline (FAULT lines), every class of bad input tried (BADINPUT lines),
// the kill tests' results, the seed and the date. It also prints the
// summary and the tables, and exits non-zero when a test failed.
//
//	STUDIO_FAULT_KILLS=3 go test -count=1 -json -run 'TestFaults|Kill|Bad|Fail|Busy' ./e2e/ |
//		go run ./internal/faultreport -o docs/reliability.md
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	out := flag.String("o", "docs/reliability.md", "where to write the report")
	flag.Parse()
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
