package termprogress

import (
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Options shape a Writer.
type Options struct {
	// Terminal redraws one line in place with "\r"; otherwise each change
	// is a plain line, at most one per Interval.
	Terminal bool
	// Width is the terminal's width in columns; Width() is asked again at
	// each redraw when set, so a resized terminal is followed.
	Width   int
	WidthFn func() int
	// Interval is the least time between two plain lines (default 1 s).
	Interval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Writer shows one changing progress line and messages between its
// updates. It is not safe for concurrent use.
type Writer struct {
	out  io.Writer
	opts Options
	// shown is the progress text on screen (terminal) or last written
	// (plain); drawn is its length in runes on a terminal line.
	shown string
	drawn int
	// pending is a plain-mode change not written yet, and printed when it
	// was.
	pending string
	printed time.Time
}

// New returns a Writer on out with the given options.
func New(out io.Writer, opts Options) *Writer {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Writer{out: out, opts: opts}
}

// For returns a Writer on out that redraws in place when out is a
// terminal, and writes plain lines otherwise.
func For(out io.Writer) *Writer {
	f, ok := out.(*os.File)
	if !ok {
		return New(out, Options{})
	}
	w, isTerm := terminalWidth(f)
	if !isTerm {
		return New(out, Options{})
	}
	return New(out, Options{Terminal: true, Width: w, WidthFn: func() int {
		if w, ok := terminalWidth(f); ok {
			return w
		}
		return 0
	}})
}

// Terminal reports whether the Writer redraws in place.
func (w *Writer) Terminal() bool { return w.opts.Terminal }

// Width is the room a progress line has: one column less than the
// terminal, so that the cursor never wraps; 0 (no limit) for plain lines.
func (w *Writer) Width() int {
	if !w.opts.Terminal {
		return 0
	}
	width := w.opts.Width
	if w.opts.WidthFn != nil {
		if n := w.opts.WidthFn(); n > 0 {
			width = n
		}
	}
	if width <= 0 {
		width = 80
	}
	return width - 1
}

// Update shows line as the current progress. On a terminal the line is
// redrawn in one write, only when it changed; otherwise it is written as a
// line of its own when it changed and a second has passed since the last
// one, else kept for later.
func (w *Writer) Update(line string) {
	if w.opts.Terminal {
		line = Fit(line, w.Width())
		if line == w.shown && w.drawn > 0 {
			return
		}
		n := utf8.RuneCountInString(line)
		pad := max(w.drawn-n, 0)
		_, _ = io.WriteString(w.out, "\r"+line+strings.Repeat(" ", pad))
		w.shown, w.drawn = line, n
		return
	}
	if line == w.shown {
		w.pending = ""
		return
	}
	if now := w.opts.Now(); w.printed.IsZero() || now.Sub(w.printed) >= w.opts.Interval {
		w.writeLine(line, now)
		return
	}
	w.pending = line
}

func (w *Writer) writeLine(line string, now time.Time) {
	_, _ = io.WriteString(w.out, line+"\n")
	w.shown, w.pending, w.printed = line, "", now
}

// Println writes a message line: on a terminal the progress line is
// cleared first and drawn again by the next Update; in plain mode a
// pending progress line is written first, so the order is kept.
func (w *Writer) Println(msg string) {
	if w.opts.Terminal {
		if w.drawn > 0 {
			_, _ = io.WriteString(w.out, "\r"+strings.Repeat(" ", w.drawn)+"\r")
		}
		_, _ = io.WriteString(w.out, msg+"\n")
		w.shown, w.drawn = "", 0
		return
	}
	if w.pending != "" {
		w.writeLine(w.pending, w.opts.Now())
	}
	_, _ = io.WriteString(w.out, msg+"\n")
}

// Finish ends the progress: the terminal line stays as drawn and the
// cursor moves to the next line; a pending plain line is written.
func (w *Writer) Finish() {
	if w.opts.Terminal {
		if w.drawn > 0 {
			_, _ = io.WriteString(w.out, "\n")
		}
		w.shown, w.drawn = "", 0
		return
	}
	if w.pending != "" {
		w.writeLine(w.pending, w.opts.Now())
	}
}

// Done ends the progress with a last line saying how the work ended: on a
// terminal it replaces the progress line; in plain mode it follows the
// lines written so far, and a change not written yet is dropped.
func (w *Writer) Done(line string) {
	if w.opts.Terminal {
		w.Update(line)
		w.Finish()
		return
	}
	w.pending = ""
	w.writeLine(line, w.opts.Now())
}
