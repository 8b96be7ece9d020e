package termprogress

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"studio/internal/temporal/progress"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name  string
		label string
		p     progress.Progress
		width int
		want  string
	}{
		{"docs with total", "upload/cgi", progress.Progress{Step: "parse", Unit: "docs", Done: 1234, Total: 2700, Rate: 1200},
			0, "upload/cgi parse  [############................]   45%  1,234/2,700 docs  1,200 docs/s  ETA 2s"},
		{"bytes with total", "dump/cgi", progress.Progress{Step: "download", Unit: "bytes", Done: 3 << 20, Total: 12 << 20, Rate: 1 << 20},
			0, "dump/cgi download  [#######.....................]   25%  3.0 MiB/12.0 MiB  1.0 MiB/s  ETA 9s"},
		{"unknown total", "build/default/x", progress.Progress{Step: "merge", Unit: "docs", Done: 5000, Rate: 2.5},
			0, "build/default/x merge  5,000 docs  2.5 docs/s"},
		{"no rate no ETA", "index/i", progress.Progress{Step: "index", Unit: "docs", Done: 0, Total: 10},
			0, "index/i index  [............................]    0%  0/10 docs"},
		{"done", "index/i", progress.Progress{Step: "index", Unit: "docs", Done: 10, Total: 10, Rate: 5},
			0, "index/i index  [############################]  100%  10/10 docs  5.0 docs/s"},
		{"bar shrinks to the width", "dump/cgi", progress.Progress{Step: "download", Unit: "bytes", Done: 1 << 20, Total: 2 << 20},
			54, "dump/cgi download  [#####.....]   50%  1.0 MiB/2.0 MiB"},
		{"bar left out when too narrow", "dump/cgi", progress.Progress{Step: "download", Unit: "bytes", Done: 1 << 20, Total: 2 << 20},
			51, "dump/cgi download   50%  1.0 MiB/2.0 MiB"},
		{"cut to the width", "a-very-long-command-id/with/parts", progress.Progress{Step: "parse", Unit: "docs", Done: 7, Total: 9},
			30, "a-very-long-command-id/with/p…"},
		{"no unit", "selfcheck/x", progress.Progress{Step: "selfcheck", Done: 2, Total: 4, Rate: 20},
			0, "selfcheck/x selfcheck  [##############..............]   50%  2/4  20/s  ETA 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Line(tc.label, tc.p, tc.width)
			if got != tc.want {
				t.Fatalf("Line =\n%q\nwant\n%q", got, tc.want)
			}
			if tc.width > 0 && utf8.RuneCountInString(got) > tc.width {
				t.Fatalf("Line is %d runes, wider than %d", utf8.RuneCountInString(got), tc.width)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{Bytes(0), "0 B"},
		{Bytes(1023), "1023 B"},
		{Bytes(1536), "1.5 KiB"},
		{Bytes(5 << 30), "5.0 GiB"},
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1,000"},
		{Count(-1234567), "-1,234,567"},
		{Duration(45 * time.Second), "45s"},
		{Duration(100 * time.Millisecond), "1s"},
		{Duration(185 * time.Second), "3m05s"},
		{Duration(2*time.Hour + 7*time.Minute + 30*time.Second), "2h07m"},
		{Rate(0.25, "docs"), "0.2 docs/s"},
		{Rate(1500.4, "docs"), "1,500 docs/s"},
		{Rate(2048, "bytes"), "2.0 KiB/s"},
		{Amount(5, 0, "bytes"), "5 B"},
		{Bar(3, 4, 6), "[###.]"},
		{Bar(9, 4, 6), "[####]"},
		{Bar(-1, 4, 6), "[....]"},
		{Fit("abcdef", 4), "abc…"},
		{Fit("abc", 4), "abc"},
		{Fit("abc", 0), "abc"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("case %d: got %q, want %q", i, tc.got, tc.want)
		}
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestWriterTerminal(t *testing.T) {
	var b strings.Builder
	w := New(&b, Options{Terminal: true, Width: 20})
	w.Update("downloading 10%")
	w.Update("downloading 10%") // unchanged: not redrawn
	w.Update("dl 20%")          // shorter: the rest of the old line is blanked
	w.Update("a line much longer than the terminal is wide")
	w.Println("started upload/cgi")
	w.Update("parse 5%")
	w.Finish()
	w.Finish() // nothing more to end
	want := "\rdownloading 10%" +
		"\rdl 20%         " +
		"\ra line much longer…" +
		"\r                   \rstarted upload/cgi\n" +
		"\rparse 5%" +
		"\n"
	if b.String() != want {
		t.Fatalf("terminal output =\n%q\nwant\n%q", b.String(), want)
	}
}

func TestWriterPlain(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	var b strings.Builder
	w := New(&b, Options{Now: clock.now})
	w.Update("a 1") // first change: written at once
	clock.t = clock.t.Add(300 * time.Millisecond)
	w.Update("a 2") // within the second: kept
	clock.t = clock.t.Add(300 * time.Millisecond)
	w.Update("a 3") // replaces the kept one
	clock.t = clock.t.Add(500 * time.Millisecond)
	w.Update("a 4") // a second later: written
	w.Update("a 4") // unchanged: nothing
	clock.t = clock.t.Add(100 * time.Millisecond)
	w.Update("a 5")
	w.Println("done") // the kept change comes first
	clock.t = clock.t.Add(100 * time.Millisecond)
	w.Update("a 6")
	w.Finish() // the kept change is written at the end
	want := "a 1\na 4\na 5\ndone\na 6\n"
	if b.String() != want {
		t.Fatalf("plain output =\n%q\nwant\n%q", b.String(), want)
	}
	if strings.Contains(b.String(), "\r") {
		t.Fatal("plain output holds a carriage return")
	}
}

func TestForNonFileIsPlain(t *testing.T) {
	var b strings.Builder
	if w := For(&b); w.Terminal() || w.Width() != 0 {
		t.Fatalf("For(a builder) = terminal %v, width %d", w.Terminal(), w.Width())
	}
}

func TestWriterDone(t *testing.T) {
	var term strings.Builder
	w := New(&term, Options{Terminal: true, Width: 40})
	w.Update("upload/cgi parse 50%")
	w.Done("upload/cgi completed")
	if want := "\rupload/cgi parse 50%\rupload/cgi completed\n"; term.String() != want {
		t.Fatalf("terminal Done =\n%q\nwant\n%q", term.String(), want)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	var plain strings.Builder
	w = New(&plain, Options{Now: clock.now})
	w.Update("parse 10%")
	w.Update("parse 60%") // kept, then dropped: the end says more
	w.Done("upload/cgi failed")
	if want := "parse 10%\nupload/cgi failed\n"; plain.String() != want {
		t.Fatalf("plain Done =\n%q\nwant\n%q", plain.String(), want)
	}
}
