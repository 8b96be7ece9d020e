package tableparse

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// spiller keeps the sorted runs of a grouping that outgrew its memory: one
// file per spill, each holding groups in ascending _id order, each record
// a group (uvarint id length, id, uvarint body length, body: the document
// and the list of grouped values, encoded by appendValue). The runs are in
// file order: a group in run i holds rows that come before those of the
// same _id in run i+1.
//
// merge reads them back k-way, at most maxFanIn files at once (more are
// first merged level by level into fewer, bigger runs), combining the
// groups of one _id in run order. Memory is a read buffer per open run and
// the groups of one _id.
type spiller struct {
	dir      string
	maxBytes int64 // the most one _id's combined group may hold
	runs     []string
	buf      []byte
	spills   int   // runs written by writeRun
	written  int64 // bytes written to runs, merges included
}

// maxFanIn is the most runs one merge reads at once (a variable for the
// tests).
var maxFanIn = 256

const (
	spillReadBuf  = 64 << 10
	spillWriteBuf = 256 << 10
	// spillPrefix starts the name of a run's folder, followed by the pid
	// of the process that made it.
	spillPrefix = "group-"
)

func newSpiller(tempDir string, maxBytes int64) (*spiller, error) {
	if tempDir == "" {
		tempDir = os.TempDir()
	}
	if err := os.MkdirAll(tempDir, 0o755); err != nil {
		return nil, fmt.Errorf("grouping: temporary folder for spilled groups: %w", err)
	}
	removeStale(tempDir)
	dir, err := os.MkdirTemp(tempDir, spillPrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("grouping: temporary folder for spilled groups: %w", err)
	}
	return &spiller{dir: dir, maxBytes: maxBytes}, nil
}

// removeStale removes the spill folders of processes that are gone (a
// worker killed while grouping).
func removeStale(tempDir string) {
	ents, err := os.ReadDir(tempDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), spillPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			_ = os.RemoveAll(filepath.Join(tempDir, e.Name()))
		}
	}
}

func (s *spiller) close() { _ = os.RemoveAll(s.dir) }

// writeRun writes groups, sorted by _id, as the next run.
func (s *spiller) writeRun(groups []*group) error {
	w, err := s.create()
	if err != nil {
		return err
	}
	for _, g := range groups {
		if err := w.write(g); err != nil {
			w.abort()
			return err
		}
	}
	name, err := w.finish()
	if err != nil {
		return err
	}
	s.runs = append(s.runs, name)
	s.spills++
	return nil
}

// runWriter writes one run file.
type runWriter struct {
	s    *spiller
	f    *os.File
	bw   *bufio.Writer
	path string
}

func (s *spiller) create() (*runWriter, error) {
	path := filepath.Join(s.dir, fmt.Sprintf("run-%06d", len(s.runs)))
	for i := 0; ; i++ {
		if _, err := os.Stat(path); err != nil {
			break
		}
		path = filepath.Join(s.dir, fmt.Sprintf("run-%06d.%d", len(s.runs), i))
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("grouping: spill: %w", err)
	}
	return &runWriter{s: s, f: f, bw: bufio.NewWriterSize(f, spillWriteBuf), path: path}, nil
}

func (w *runWriter) write(g *group) error {
	b := w.s.buf[:0]
	b = binary.AppendUvarint(b, uint64(len(g.id)))
	b = append(b, g.id...)
	body := len(b)
	b, ok1 := appendValue(b, g.doc)
	b, ok2 := appendValue(b, []any(g.vals))
	if !ok1 || !ok2 {
		return fmt.Errorf("grouping: spill to %s: _id %q holds a value that is not a document value", w.path, g.id)
	}
	// The body's length goes before it: encode it, then move the body.
	var lenBuf [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(lenBuf[:], uint64(len(b)-body))
	if _, err := w.bw.Write(b[:body]); err != nil {
		return fmt.Errorf("grouping: spill to %s: %w", w.path, err)
	}
	if _, err := w.bw.Write(lenBuf[:n]); err != nil {
		return fmt.Errorf("grouping: spill to %s: %w", w.path, err)
	}
	if _, err := w.bw.Write(b[body:]); err != nil {
		return fmt.Errorf("grouping: spill to %s: %w", w.path, err)
	}
	w.s.written += int64(len(b) + n)
	w.s.buf = b
	return nil
}

func (w *runWriter) finish() (string, error) {
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(w.path)
		return "", fmt.Errorf("grouping: spill to %s: %w", w.path, err)
	}
	return w.path, nil
}

func (w *runWriter) abort() {
	w.f.Close()
	_ = os.Remove(w.path)
}

// runReader reads one run file a record at a time.
type runReader struct {
	path string
	idx  int // position of the run: ties on _id go in this order
	f    *os.File
	br   *bufio.Reader
	id   string
	body []byte
}

func openRun(path string, idx int) (*runReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("grouping: read spilled groups: %w", err)
	}
	return &runReader{path: path, idx: idx, f: f, br: bufio.NewReaderSize(f, spillReadBuf)}, nil
}

// next reads the next record; false at the end of the file.
func (r *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(r.br)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, r.errf(err)
	}
	if r.body, err = r.read(int(n)); err != nil {
		return false, err
	}
	r.id = string(r.body)
	n, err = binary.ReadUvarint(r.br)
	if err != nil {
		return false, r.errf(err)
	}
	if r.body, err = r.read(int(n)); err != nil {
		return false, err
	}
	return true, nil
}

func (r *runReader) read(n int) ([]byte, error) {
	if n < 0 || n > 1<<31 {
		return nil, r.errf(errCorrupt)
	}
	if cap(r.body) < n {
		r.body = make([]byte, n)
	}
	b := r.body[:n]
	if _, err := io.ReadFull(r.br, b); err != nil {
		return nil, r.errf(err)
	}
	return b, nil
}

// group decodes the current record.
func (r *runReader) group() (*group, error) {
	doc, rest, err := decodeValue(r.body)
	if err != nil {
		return nil, r.errf(err)
	}
	vals, rest, err := decodeValue(rest)
	if err != nil || len(rest) != 0 {
		return nil, r.errf(errCorrupt)
	}
	d, ok1 := doc.(map[string]any)
	l, ok2 := vals.([]any)
	if !ok1 || !ok2 {
		return nil, r.errf(errCorrupt)
	}
	if len(l) == 0 {
		l = nil
	}
	return &group{id: r.id, doc: d, vals: l}, nil
}

func (r *runReader) errf(err error) error {
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = errCorrupt
	}
	return fmt.Errorf("grouping: read spilled groups from %s: %w", r.path, err)
}

// runHeap orders the open runs by their current _id, then position.
type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if h[i].id != h[j].id {
		return h[i].id < h[j].id
	}
	return h[i].idx < h[j].idx
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}

// merge emits every group of the runs in _id order, those of one _id
// combined in run order.
func (s *spiller) merge(ctx context.Context, emit func(*group) error) error {
	// Level by level, maxFanIn consecutive runs become one, until one
	// merge can read them all.
	for len(s.runs) > maxFanIn {
		var next []string
		for i := 0; i < len(s.runs); i += maxFanIn {
			part := s.runs[i:min(i+maxFanIn, len(s.runs))]
			if len(part) == 1 {
				next = append(next, part[0])
				continue
			}
			w, err := s.create()
			if err != nil {
				return err
			}
			if err := s.mergeRuns(ctx, part, w.write); err != nil {
				w.abort()
				return err
			}
			name, err := w.finish()
			if err != nil {
				return err
			}
			for _, p := range part {
				_ = os.Remove(p)
			}
			next = append(next, name)
		}
		s.runs = next
	}
	return s.mergeRuns(ctx, s.runs, emit)
}

// mergeRuns merges runs, in order, into emit.
func (s *spiller) mergeRuns(ctx context.Context, runs []string, emit func(*group) error) error {
	h := make(runHeap, 0, len(runs))
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for i, p := range runs {
		r, err := openRun(p, i)
		if err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil || !ok {
			r.f.Close()
			if err != nil {
				return err
			}
			continue
		}
		h = append(h, r)
	}
	heap.Init(&h)
	for n := 0; len(h) > 0; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("grouping: merging spilled groups: %w", err)
			}
		}
		g, err := s.pop(&h)
		if err != nil {
			return err
		}
		if err := emit(g); err != nil {
			return err
		}
	}
	return nil
}

// pop takes the groups of the smallest _id from every run that has it and
// combines them.
func (s *spiller) pop(h *runHeap) (*group, error) {
	var g *group
	var size int64
	id := (*h)[0].id
	for h.Len() > 0 && (*h)[0].id == id {
		r := (*h)[0]
		part, err := r.group()
		if err != nil {
			return nil, err
		}
		if g == nil {
			g = part
		} else {
			if size == 0 {
				size = memSize(g.doc) + memSize(g.vals)
			}
			size += memSize(part.doc) + memSize(part.vals)
			if size > s.maxBytes {
				return nil, fmt.Errorf("grouping: the rows of _id %q hold more than %d MB; raise group.max_memory_mb", id, s.maxBytes>>20)
			}
			g.combine(part)
		}
		ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			r.f.Close()
			heap.Pop(h)
		}
	}
	return g, nil
}
