package pyparser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"studio/internal/encoding/jsonenc"
)

// Sink receives the documents of RunTo and RunUploaderTo, in order.
// uploadstore.Writer is one.
type Sink interface {
	// Add receives a decoded document.
	Add(ctx context.Context, doc map[string]any) error
	// AddJSON receives a document as the JSON text of one object that
	// jsonenc.Verbatim accepts, with the _id it reports. The text is valid
	// until AddJSON returns.
	AddJSON(ctx context.Context, id string, raw []byte) error
}

// emitSink is the Sink of Run: every document decoded, for emit.
type emitSink func(map[string]any) error

func (e emitSink) Add(_ context.Context, doc map[string]any) error { return e(doc) }

func (e emitSink) AddJSON(context.Context, string, []byte) error {
	panic("pyparser: a Run sink receives no JSON text")
}

// The reader goroutine reads the runner's stream while the caller's
// goroutine stores what it read: the parser is not held up by a write in
// progress, and the caller's goroutine is not held up by the pipe, the
// framing and the decoding. The reader sends what it read in batches, as
// soon as the pipe has nothing more for it or a batch is full.
const (
	batchItems   = 512     // messages per batch
	batchBytes   = 1 << 20 // bytes of document text per batch
	queueBatches = 8       // batches read ahead of the sink
)

// itemKind is what one message of the stream gave.
type itemKind uint8

const (
	itemDoc     itemKind = iota // a decoded document
	itemText                    // a document kept as its JSON text
	itemBad                     // a document that cannot be decoded
	itemControl                 // any other message
)

// item is one message of the stream.
type item struct {
	kind       itemKind
	doc        map[string]any
	id         string
	start, end int // itemText: the text is the batch's buf[start:end]
	err        error
	ctl        control
}

// batch is what the reader sends at once. A batch ends the stream when
// end is set: io.EOF, or the error that stopped the reader.
type batch struct {
	items []item
	buf   []byte
	end   error
}

// reader reads the child's stream into batches.
type reader struct {
	c     *child
	text  bool // keep documents that jsonenc.Verbatim accepts as text
	out   chan *batch
	free  chan *batch
	stop  chan struct{}
	done  chan struct{}
	dec   *docDecoder
	check jsonenc.Verbatim
}

func newReader(c *child, text bool) *reader {
	r := &reader{
		c: c, text: text, dec: newDocDecoder(),
		out:  make(chan *batch, queueBatches),
		free: make(chan *batch, queueBatches+2),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go r.run()
	return r
}

// run reads until the end of the stream, a read error or stop.
func (r *reader) run() {
	defer close(r.done)
	b := r.newBatch()
	for {
		line, err := r.c.next()
		if err != nil {
			r.c.eof.Store(true)
			b.end = err
			r.send(b)
			return
		}
		r.add(b, line)
		if len(b.items) >= batchItems || len(b.buf) >= batchBytes || r.c.lines.r.Buffered() == 0 {
			if !r.send(b) {
				return
			}
			b = r.newBatch()
		}
	}
}

// add turns one line into an item of b.
func (r *reader) add(b *batch, line []byte) {
	if bytes.HasPrefix(line, docPrefix) && bytes.HasSuffix(line, docSuffix) {
		body := line[len(docPrefix) : len(line)-len(docSuffix)]
		if r.text {
			if id, ok := r.check.Check(body); ok {
				start := len(b.buf)
				b.buf = append(b.buf, body...)
				b.items = append(b.items, item{kind: itemText, id: id, start: start, end: len(b.buf)})
				return
			}
		}
		doc, err := r.dec.decode(body)
		if err != nil {
			b.items = append(b.items, item{kind: itemBad, err: err})
			return
		}
		b.items = append(b.items, item{kind: itemDoc, doc: doc})
		return
	}
	it := item{kind: itemControl}
	if err := json.Unmarshal(line, &it.ctl); err != nil {
		it.err = fmt.Errorf("unexpected message from the runner %.200q: %w", line, err)
	}
	b.items = append(b.items, it)
}

// send hands b to the sink's goroutine; false when told to stop. While it
// waits, the parser waits on Studio: the no-progress clock is stopped.
func (r *reader) send(b *batch) bool {
	select {
	case r.out <- b:
		return true
	default:
	}
	r.c.busy.Store(true)
	defer func() {
		r.c.last.Store(time.Now().UnixNano())
		r.c.busy.Store(false)
	}()
	select {
	case r.out <- b:
		return true
	case <-r.stop:
		return false
	}
}

func (r *reader) newBatch() *batch {
	select {
	case b := <-r.free:
		return b
	default:
		return &batch{items: make([]item, 0, batchItems), buf: make([]byte, 0, batchBytes+batchBytes/4)}
	}
}

// recycle gives a batch the sink is done with back to the reader, unless
// a big document grew its buffer.
func (r *reader) recycle(b *batch) {
	if cap(b.buf) > 4*batchBytes {
		return
	}
	clear(b.items) // drop the documents
	b.items, b.buf, b.end = b.items[:0], b.buf[:0], nil
	select {
	case r.free <- b:
	default:
	}
}

// close stops the reader and waits for it; the child must be ending (its
// stream reaches EOF) or killed.
func (r *reader) close() {
	close(r.stop)
	<-r.done
}

// run streams the documents of a "run" or "upload" runner mode into sink;
// text says whether the sink takes documents as JSON text.
func run(ctx context.Context, spec Spec, mode string, p payload, lim Limits, sink Sink, text bool) (Stats, error) {
	var st Stats
	if _, err := ParseBiothings(string(lim.Biothings)); err != nil {
		return st, fmt.Errorf("parser %s: %w", spec.Func, err)
	}
	c, err := start(ctx, spec, mode, p, lim)
	if err != nil {
		return st, err
	}
	r := newReader(c, text)
	var (
		pe     *ParserError
		ended  bool
		endN   int64
		runErr error
	)
	for runErr == nil {
		b := <-r.out
		for i := range b.items {
			if runErr != nil {
				break
			}
			it := &b.items[i]
			switch it.kind {
			case itemText:
				st.Docs++
				if err := sink.AddJSON(ctx, it.id, b.buf[it.start:it.end]); err != nil {
					runErr = err
					c.kill(killEmit)
				}
			case itemDoc:
				st.Docs++
				if err := sink.Add(ctx, it.doc); err != nil {
					runErr = err
					c.kill(killEmit)
				}
			case itemBad:
				st.reject(fmt.Sprintf("document %d: cannot be decoded: %v", st.Docs+st.Rejected+1, it.err))
			case itemControl:
				if it.err != nil {
					runErr = fmt.Errorf("parser %s: %w", spec.Func, it.err)
					c.kill(killProtocol)
					break
				}
				m := &it.ctl
				switch {
				case m.Reject != nil:
					st.reject(*m.Reject)
					c.out.log.Debug("document rejected", "reason", *m.Reject)
				case m.Exc != nil:
					pe = newParserError(spec.Func, *m.Exc, m.TB)
				case m.End != nil:
					ended, endN = true, *m.End
				}
			}
		}
		end := b.end
		r.recycle(b)
		if end == io.EOF {
			break
		}
		if end != nil && runErr == nil {
			runErr = fmt.Errorf("parser %s: reading its output: %w (a document may be at most %d bytes of JSON: Limits.MaxLine)", spec.Func, end, p.MaxLine)
			c.kill(killProtocol)
		}
		if end != nil {
			break
		}
	}
	r.close()
	waitErr := c.wait()
	if runErr != nil {
		if killReason(c.reason.Load()) == killCanceled {
			return st, c.failure(ctx, waitErr, pe, ended)
		}
		return st, runErr
	}
	if err := c.failure(ctx, waitErr, pe, ended); err != nil {
		return st, err
	}
	if endN != st.Docs+st.Rejected {
		return st, fmt.Errorf("parser %s: the runner counted %d documents but %d arrived", spec.Func, endN, st.Docs+st.Rejected)
	}
	return st, nil
}
