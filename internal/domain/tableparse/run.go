package tableparse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what a run did.
type Stats struct {
	Rows          int64    // records read (header, comment, blank and skip_lines lines excluded)
	Docs          int64    // documents produced, those skipped by Options.SkipDocs included
	Rejected      int64    // records rejected: bad rows, conversion errors, empty ids
	RejectSamples []string // up to 10 reasons, each naming the file and line
	Skipped       int64    // records left out by where and skip
	Files         int      // files read
	Bytes         int64    // bytes read from disk (compressed size for compressed files)
}

// Options tune a run.
type Options struct {
	// SkipDocs resumes an interrupted run: the first SkipDocs documents are
	// parsed (so grouping and counts are the same) but not emitted.
	SkipDocs int64
	// Progress, when set, is called a few times a second and at the end with
	// the records read and the bytes read from disk out of the total.
	Progress func(rows, bytes, totalBytes int64)
}

const maxSamples = 10

// Run parses every file the spec's glob matches under dataFolder, in sorted
// order, and calls emit for each document (a map with "_id"). Values are
// document types: string, bool, nil, int64, float64, []any and
// map[string]any. An error from emit stops the run and is returned as is.
// Stats are returned with the error too, counting what was done until then.
//
// One goroutine reads and splits the files into batches of records, one
// worker per CPU turns records into documents, and the caller's goroutine
// takes the batches back in file order: it counts, groups and calls emit, so
// emit is never called concurrently and sees the documents in file order.
func Run(ctx context.Context, spec *Spec, dataFolder string, opts Options, emit func(doc map[string]any) error) (Stats, error) {
	if spec == nil || spec.plan == nil {
		return Stats{}, errors.New("tableparse: the spec was not built by ParseSpec")
	}
	files, err := matchFiles(spec.File, dataFolder)
	if err != nil {
		return Stats{}, err
	}
	r := &runner{spec: spec, plan: spec.plan, opts: opts, emit: emit}
	for _, f := range files {
		r.total += f.size
	}
	if spec.Group != nil {
		r.grp = newGrouper(spec.Group, r.out)
	}

	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	workers := min(max(runtime.GOMAXPROCS(0), 1), 8)
	work := make(chan *batch, workers*2)
	ordered := make(chan *batch, workers*4)
	free := make(chan *batch, workers*8)
	var wg sync.WaitGroup
	wg.Go(func() { r.readAll(readCtx, files, work, ordered, free) })
	for range workers {
		wg.Go(func() {
			w := newWorker(spec)
			for b := range work {
				for i := range b.n {
					b.outs[i] = w.build(&b.recs[i])
				}
				close(b.done)
			}
		})
	}
	err = r.deliver(ctx, ordered, free)
	stop()
	wg.Wait()
	if err == nil && r.grp != nil {
		err = r.grp.finish()
	}
	r.stats.Files, r.stats.Bytes = r.files, r.read.Load()
	if err == nil {
		r.progress(true)
	}
	return r.stats, err
}

const batchSize = 512

// batch is a run of records from one file, built into documents by a worker.
type batch struct {
	name string
	recs [batchSize]record
	outs [batchSize]outcome
	n    int
	err  error         // stops the run after the records
	done chan struct{} // closed when outs are ready
}

// runner holds the state of one Run.
type runner struct {
	spec  *Spec
	plan  *plan
	opts  Options
	emit  func(map[string]any) error
	grp   *grouper
	stats Stats

	read  atomic.Int64 // bytes read from disk, by the reading goroutine
	total int64
	files int // set by the reading goroutine, read after it ends
	last  time.Time
}

// readAll reads the files into batches, sent to the workers and, in order,
// to deliver. It stops when ctx ends.
func (r *runner) readAll(ctx context.Context, files []inputFile, work, ordered chan<- *batch, free chan *batch) {
	defer close(work)
	defer close(ordered)
	send := func(b *batch) bool {
		select {
		case work <- b:
		case <-ctx.Done():
			return false
		}
		select {
		case ordered <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, f := range files {
		if !r.readFile(ctx, f, send, free) {
			return
		}
	}
}

// readFile sends the batches of one file; false means stop.
func (r *runner) readFile(ctx context.Context, f inputFile, send func(*batch) bool, free chan *batch) bool {
	b := newBatch(free, f.name)
	rd, closeFile, err := openFile(f, &r.read)
	if err != nil {
		b.err = err
		send(b)
		return false
	}
	defer closeFile()
	r.files++
	src := r.source(rd, f.name)
	for {
		err := src.next(&b.recs[b.n])
		if err == io.EOF {
			return b.n == 0 || send(b)
		}
		if err != nil {
			b.err = err
			send(b)
			return false
		}
		if b.n++; b.n == batchSize {
			if ctx.Err() != nil || !send(b) {
				return false
			}
			b = newBatch(free, f.name)
		}
	}
}

func newBatch(free chan *batch, name string) *batch {
	var b *batch
	select {
	case b = <-free:
	default:
		b = &batch{}
	}
	b.name, b.done = name, make(chan struct{})
	return b
}

func (r *runner) source(rd io.Reader, name string) source {
	switch r.spec.Format {
	case "jsonl":
		return &jsonlSource{lr: newLineReader(rd, r.spec.MaxLineBytes), spec: r.spec, name: name, comment: []byte(r.spec.Comment)}
	case "json":
		return newJSONArraySource(rd, name)
	}
	return newTabSource(rd, r.spec, name)
}

// deliver takes the built batches in file order: it counts, rejects, groups
// and emits.
func (r *runner) deliver(ctx context.Context, ordered <-chan *batch, free chan<- *batch) error {
	where := "the start"
	for b := range ordered {
		<-b.done
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("parsing %s stopped before %s: %w", b.name, b.recs[0].where(), err)
		}
		for i := range b.n {
			if err := r.take(b.name, &b.recs[i], &b.outs[i]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		if b.n > 0 {
			where = b.name + " " + b.recs[b.n-1].where()
		}
		r.progress(false)
		clear(b.recs[:b.n])
		clear(b.outs[:b.n])
		b.n = 0
		select {
		case free <- b:
		default:
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("parsing stopped after %s: %w", where, err)
	}
	return nil
}

// take handles one record's outcome.
func (r *runner) take(name string, rec *record, out *outcome) error {
	r.stats.Rows++
	switch {
	case out.msg != "":
		return r.reject(name, rec, out.msg)
	case out.skipped:
		r.stats.Skipped++
		return nil
	case r.grp != nil:
		return r.grp.add(out.id, out.doc, rec.size, name, rec)
	}
	return r.out(out.doc)
}

// build makes the (nested) document of the present fields; nil when none is.
func build(nodes []*outNode, vals []any, has []bool) map[string]any {
	var m map[string]any
	for _, n := range nodes {
		var v any
		if n.field >= 0 {
			if !has[n.field] {
				continue
			}
			v = vals[n.field]
		} else {
			sub := build(n.kids, vals, has)
			if sub == nil {
				continue
			}
			v = sub
		}
		if m == nil {
			m = make(map[string]any, len(nodes)+1)
		}
		m[n.key] = v
	}
	return m
}

// out counts a document and emits it unless it is before the resume point.
func (r *runner) out(doc map[string]any) error {
	r.stats.Docs++
	if r.stats.Docs <= r.opts.SkipDocs {
		return nil
	}
	return r.emit(doc)
}

func (r *runner) reject(name string, rec *record, msg string) error {
	r.stats.Rejected++
	reason := name + " " + rec.where() + ": " + msg
	if r.spec.OnError == "fail" {
		return fmt.Errorf("%s (on_error is \"fail\"; set it to \"reject\" to count and skip such rows)", reason)
	}
	if len(r.stats.RejectSamples) < maxSamples {
		r.stats.RejectSamples = append(r.stats.RejectSamples, reason)
	}
	return nil
}

func (r *runner) progress(force bool) {
	if r.opts.Progress == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(r.last) < 200*time.Millisecond {
		return
	}
	r.last = now
	r.opts.Progress(r.stats.Rows, r.read.Load(), r.total)
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
