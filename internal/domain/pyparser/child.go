package pyparser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// killReason says why Studio killed the child.
type killReason int

const (
	notKilled killReason = iota
	killCanceled
	killStalled
	killEmit
	killProtocol
)

// child is one running studio_runner.py process and its document stream.
type child struct {
	spec   Spec
	lim    Limits
	cmd    *exec.Cmd
	stream *os.File
	lines  *lineReader
	out    *outputTail

	last   atomic.Int64 // time of the last message, unix nanoseconds
	busy   atomic.Bool  // Go is in emit: the parser waits on us, not stalled
	reason atomic.Int32 // killReason
	done   chan struct{}
	once   sync.Once
}

// payload is what the runner reads from its command line.
type payload struct {
	PluginDir  string         `json:"plugin_dir"`
	Func       string         `json:"func"`
	Kwargs     map[string]any `json:"kwargs,omitempty"`
	DataFolder string         `json:"data_folder,omitempty"`
	MaxMemory  int64          `json:"max_memory,omitempty"`
	MaxLine    int            `json:"max_line,omitempty"`
	Requires   []string       `json:"requires,omitempty"`
	Biothings  string         `json:"biothings,omitempty"`
	Package    string         `json:"package,omitempty"` // Spec.Package
	Kind       string         `json:"kind,omitempty"`    // RunUploader's kind
	// Job replaces the data folder as the parser's argument (one job of a
	// parallelizer: a JSON list of one value).
	Job json.RawMessage `json:"job,omitempty"`
	// Uploader carries the attributes a parallelizer sees on "self".
	Uploader *UploaderInfo `json:"uploader,omitempty"`
}

// start launches the runner in mode ("run", "requires" or "call").
func start(ctx context.Context, spec Spec, mode string, p payload, lim Limits) (*child, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parser %s: not started: %w", spec.Func, err)
	}
	cmd, err := buildCommand(spec, mode, p)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("parser %s: %w", spec.Func, err)
	}
	growPipe(w)
	log := spec.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &child{spec: spec, lim: lim, stream: r, done: make(chan struct{})}
	c.out = newOutputTail(log.With("parser", spec.Func))
	maxLine := lim.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	c.lines = newLineReader(r, maxLine+len(docPrefix)+len(docSuffix))

	cmd.ExtraFiles = []*os.File{w} // fd 3: the document stream
	cmd.Stdout = c.out
	cmd.Stderr = c.out
	cmd.WaitDelay = 5 * time.Second // a grandchild holding stdout open must not block Wait
	isolate(cmd)
	c.cmd = cmd
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("parser %s: starting %s: %w", spec.Func, cmd.Path, err)
	}
	w.Close()
	c.last.Store(time.Now().UnixNano())
	go c.watch(ctx)
	return c, nil
}

// buildCommand prepares the runner's command line, folder and environment.
func buildCommand(spec Spec, mode string, p payload) (*exec.Cmd, error) {
	plugin, err := filepath.Abs(spec.PluginDir)
	if err != nil {
		return nil, fmt.Errorf("parser %s: plugin folder %q: %w", spec.Func, spec.PluginDir, err)
	}
	if st, err := os.Stat(plugin); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("parser %s: plugin folder %s does not exist or is not a folder", spec.Func, plugin)
	}
	if mod, fn, ok := strings.Cut(spec.Func, ":"); !ok || mod == "" || fn == "" {
		return nil, fmt.Errorf("parser %q in plugin %s: expected \"module:function\", e.g. \"parser:load_data\"", spec.Func, plugin)
	}
	dir, err := RunnerDir()
	if err != nil {
		return nil, err
	}
	exe, err := exec.LookPath(python(spec))
	if err != nil {
		return nil, fmt.Errorf("parser %s: python interpreter %q not found: install Python 3 or set the interpreter to use: %w", spec.Func, python(spec), err)
	}
	p.PluginDir, p.Func, p.Package = plugin, spec.Func, spec.Package
	arg, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("parser %s: parser_kwargs cannot be passed to Python: %w", spec.Func, err)
	}
	cmd := exec.Command(exe, filepath.Join(dir, runnerScript), mode, string(arg))
	cmd.Dir = plugin
	cmd.Env = childEnv(spec.Env, dir, plugin)
	return cmd, nil
}

// RawCommand returns the command Run would start, without its pipes: the
// caller must give it the document stream as its first extra file
// (cmd.ExtraFiles[0], file descriptor 3). It serves benchmarks and
// debugging ("what exactly does the parser write?").
func RawCommand(spec Spec, dataFolder string, lim Limits) (*exec.Cmd, error) {
	return buildCommand(spec, "run", runPayload(spec, dataFolder, lim))
}

// childEnv builds the child's environment: ours, then the spec's, with
// the runner folder and the plugin folder first on PYTHONPATH.
func childEnv(extra []string, runner, plugin string) []string {
	env := append(os.Environ(), "PYTHONUTF8=1", "PYTHONIOENCODING=utf-8", "PYTHONPYCACHEPREFIX="+pycachePrefix())
	env = append(env, extra...)
	pythonPath := runner + string(os.PathListSeparator) + plugin
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PYTHONPATH="); ok && v != "" {
			pythonPath += string(os.PathListSeparator) + v
		}
	}
	return append(env, "PYTHONPATH="+pythonPath)
}

// watch kills the child on cancellation or when it stalls.
func (c *child) watch(ctx context.Context) {
	var tick <-chan time.Time
	if c.lim.NoProgress > 0 {
		every := min(max(c.lim.NoProgress/10, 10*time.Millisecond), time.Second)
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-c.done:
			return
		case <-ctx.Done():
			c.kill(killCanceled)
			return
		case <-tick:
			if !c.busy.Load() && time.Since(time.Unix(0, c.last.Load())) >= c.lim.NoProgress {
				c.kill(killStalled)
				return
			}
		}
	}
}

// kill kills the child's process group; the first reason wins.
func (c *child) kill(why killReason) {
	c.reason.CompareAndSwap(int32(notKilled), int32(why))
	killGroup(c.cmd.Process)
}

// next returns the next line of the stream.
func (c *child) next() ([]byte, error) {
	line, err := c.lines.next()
	if err == nil {
		c.last.Store(time.Now().UnixNano())
	}
	return line, err
}

// emit calls fn with the no-progress clock stopped: time spent storing
// documents is not the parser's.
func (c *child) emit(fn func(map[string]any) error, doc map[string]any) error {
	c.busy.Store(true)
	err := fn(doc)
	c.last.Store(time.Now().UnixNano())
	c.busy.Store(false)
	return err
}

// wait closes the stream, reaps the child and stops the watcher.
func (c *child) wait() error {
	c.stream.Close()
	err := c.cmd.Wait()
	c.once.Do(func() { close(c.done) })
	return err
}

// failure turns how the child ended into an error for the user, or nil
// when it ended normally. pe is the exception the runner reported, if any;
// ended tells whether the end message arrived.
func (c *child) failure(ctx context.Context, waitErr error, pe *ParserError, ended bool) error {
	fn := c.spec.Func
	switch killReason(c.reason.Load()) {
	case killCanceled:
		return fmt.Errorf("parser %s: stopped: %w", fn, context.Cause(ctx))
	case killStalled:
		return fmt.Errorf("parser %s emitted nothing for %s: killed by the no-progress limit (raise --parser-no-progress if the parser needs longer between documents)", fn, c.lim.NoProgress)
	}
	if pe != nil {
		if c.lim.MaxMemory > 0 && strings.HasPrefix(pe.Message, "MemoryError") {
			pe.Message += fmt.Sprintf(" (the parser reached its memory limit of %s; raise the limit or make the parser stream its input)", formatBytes(c.lim.MaxMemory))
		}
		return pe
	}
	if sig, ok := exitSignal(c.cmd.ProcessState); ok {
		msg := fmt.Sprintf("parser %s was killed by signal %s", fn, sig)
		if c.lim.MaxMemory > 0 {
			msg += fmt.Sprintf("; its memory limit is %s, which it may have exceeded", formatBytes(c.lim.MaxMemory))
		} else {
			msg += "; if no one killed it, the system may have run out of memory (OOM killer)"
		}
		return errors.New(msg + c.out.suffix())
	}
	if waitErr != nil {
		return fmt.Errorf("parser %s: python exited abnormally: %w%s", fn, waitErr, c.out.suffix())
	}
	if !ended {
		return fmt.Errorf("parser %s: python stopped before the end of its output (did the parser call os._exit?)%s", fn, c.out.suffix())
	}
	return nil
}

// ParserError is returned when the parser raised an exception. Retrying
// cannot fix it: the plugin's code (or its data) must change.
type ParserError struct {
	Func      string // "module:function"
	Message   string // exception type and text, e.g. "ValueError: bad row"
	Traceback string // the last frames, at most maxTraceback lines
}

// maxTraceback is the number of traceback lines kept.
const maxTraceback = 20

func newParserError(fn, msg, tb string) *ParserError {
	lines := strings.Split(strings.TrimRight(tb, "\n"), "\n")
	if len(lines) > maxTraceback {
		lines = append([]string{"..."}, lines[len(lines)-maxTraceback+1:]...)
	}
	return &ParserError{Func: fn, Message: msg, Traceback: strings.Join(lines, "\n")}
}

func (e *ParserError) Error() string {
	s := "parser " + e.Func + " raised " + e.Message
	if loc := e.Location(); loc != "" {
		s += " at " + loc
	}
	return s
}

// Location returns "file:line" of the innermost frame of the traceback,
// or "" when there is none.
func (e *ParserError) Location() string {
	lines := strings.Split(e.Traceback, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, `File "`) {
			continue
		}
		rest := l[len(`File "`):]
		file, rest, ok := strings.Cut(rest, `", line `)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ",")
		return file + ":" + num
	}
	return ""
}

// outputTail logs the parser's stdout and stderr line by line and keeps
// the last lines for error messages.
type outputTail struct {
	log     *slog.Logger
	mu      sync.Mutex
	partial []byte
	tail    []string
}

const (
	tailLines   = 100
	maxLogLine  = 4096
	tailInError = 10
)

func newOutputTail(log *slog.Logger) *outputTail { return &outputTail{log: log} }

func (o *outputTail) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			o.partial = append(o.partial, p...)
			if len(o.partial) > maxLogLine {
				o.line(o.partial)
				o.partial = o.partial[:0]
			}
			break
		}
		o.partial = append(o.partial, p[:i]...)
		o.line(o.partial)
		o.partial = o.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (o *outputTail) line(b []byte) {
	if len(b) > maxLogLine {
		b = b[:maxLogLine]
	}
	s := strings.ToValidUTF8(strings.TrimRight(string(b), "\r"), "\uFFFD")
	o.log.Info("parser output", "line", s)
	if len(o.tail) == tailLines {
		copy(o.tail, o.tail[1:])
		o.tail = o.tail[:tailLines-1]
	}
	o.tail = append(o.tail, s)
}

// Lines returns the last lines the parser printed (at most 100).
func (o *outputTail) Lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		return append(append([]string(nil), o.tail...), string(o.partial))
	}
	return append([]string(nil), o.tail...)
}

// suffix formats the last few output lines for an error message.
func (o *outputTail) suffix() string {
	lines := o.Lines()
	if len(lines) == 0 {
		return " (it printed nothing)"
	}
	if len(lines) > tailInError {
		lines = lines[len(lines)-tailInError:]
	}
	return "; its last output:\n" + strings.Join(lines, "\n")
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
