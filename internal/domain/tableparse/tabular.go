package tableparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rowError is a problem with one record: it is rejected (or fails the run,
// per on_error) and reading goes on.
type rowError struct{ msg string }

func (e *rowError) Error() string { return e.msg }

func rowErrorf(format string, a ...any) *rowError {
	return &rowError{msg: fmt.Sprintf(format, a...)}
}

// source reads the records of one file.
type source interface {
	// next reads the next record into rec: io.EOF at the end. A bad record
	// comes back with rec.err set; other errors stop the run.
	next(rec *record) error
}

// lineReader returns lines without their "\n" or "\r\n", up to a maximum
// length; longer lines are consumed and reported, never held whole.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	line int64 // physical lines read so far
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), max: max}
}

// next returns the next line, valid until the following call; long reports
// a line over the maximum (its content is then empty).
func (r *lineReader) next() (line []byte, long bool, err error) {
	r.buf = r.buf[:0]
	for {
		b, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !long && len(r.buf)+len(b) > r.max {
				long, r.buf = true, r.buf[:0]
			}
			if !long {
				r.buf = append(r.buf, b...)
			}
			continue
		}
		if err != nil && err != io.EOF {
			return nil, false, err
		}
		if err == io.EOF && len(b) == 0 && len(r.buf) == 0 && !long {
			return nil, false, io.EOF
		}
		r.line++
		if long {
			return nil, true, nil
		}
		line = b
		if len(r.buf) > 0 {
			r.buf = append(r.buf, b...)
			line = r.buf
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) > r.max {
			return nil, true, nil
		}
		return line, false, nil
	}
}

var bom = []byte("\xef\xbb\xbf")

// tabSource reads tsv and csv files. Unquoted records are split by the
// workers; quoted ones here, since their end depends on the quotes.
type tabSource struct {
	lr      *lineReader
	spec    *Spec
	plan    *plan
	name    string
	comment []byte

	lay    *layout  // nil until the header (or first row) is read
	fields []string // scratch for split
	rec    []byte   // a quoted record spread over several lines
}

func newTabSource(r io.Reader, s *Spec, name string) *tabSource {
	return &tabSource{lr: newLineReader(r, s.MaxLineBytes), spec: s, plan: s.plan, name: name, comment: []byte(s.Comment)}
}

func (t *tabSource) next(rec *record) error {
	for {
		b, long, err := t.lr.next()
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("%s: read line %d: %w", t.name, t.lr.line+1, err)
			}
			return err
		}
		if t.lr.line <= int64(t.spec.SkipLines) {
			continue
		}
		if t.lr.line == 1 {
			b = bytes.TrimPrefix(b, bom)
		}
		*rec = record{lay: t.lay, line: t.lr.line, size: len(b)}
		if long {
			return t.bad(rec, rowErrorf("line longer than %d bytes (raise max_line_bytes if this is expected)", t.spec.MaxLineBytes))
		}
		if len(b) == 0 || (len(t.comment) > 0 && bytes.HasPrefix(b, t.comment)) {
			continue
		}
		if t.lay != nil && t.spec.Quote == 0 {
			rec.text = string(b)
			return nil
		}
		if err := t.split(b, rec); err != nil {
			return t.bad(rec, err)
		}
		if t.lay == nil {
			names := t.spec.Columns
			switch {
			case t.spec.HeaderRow:
				names = slices.Clone(t.fields)
			case names == nil:
				for i := range t.fields {
					names = append(names, strconv.Itoa(i+1))
				}
			}
			if err := t.setHeader(names); err != nil {
				return err
			}
			if t.spec.HeaderRow {
				continue
			}
			rec.lay = t.lay
		}
		rec.fields = slices.Clone(t.fields)
		return nil
	}
}

// bad marks rec as a bad record, or fails when it is the header row: without
// column names nothing else can be read.
func (t *tabSource) bad(rec *record, err error) error {
	var re *rowError
	if !errors.As(err, &re) {
		return err
	}
	if t.lay == nil && t.spec.HeaderRow {
		return fmt.Errorf("%s line %d: cannot read the header row: %s", t.name, rec.line, re.msg)
	}
	rec.err = re.msg
	return nil
}

func (t *tabSource) setHeader(names []string) error {
	lay := &layout{header: names, idx: make([]int, len(t.plan.cols)), delim: t.spec.Delimiter}
	for i, col := range t.plan.cols {
		lay.idx[i] = slices.Index(names, col)
		if lay.idx[i] < 0 {
			return fmt.Errorf("%s: column %q is not in the header row (columns: %s); check the spelling in the parser spec", t.name, col, strings.Join(names, ", "))
		}
	}
	t.lay = lay
	return nil
}

// split cuts a line into t.fields, reading more lines while a quoted field
// is open.
func (t *tabSource) split(b []byte, rec *record) error {
	if !utf8.Valid(b) {
		return rowErrorf("invalid UTF-8 at byte %d of the line", validPrefix(b))
	}
	line := string(b)
	if t.spec.Quote == 0 {
		t.fields = splitPlain(line, t.spec.Delimiter, t.fields[:0])
		return nil
	}
	for {
		var complete bool
		var err error
		t.fields, complete, err = splitQuoted(line, t.spec.Delimiter, t.spec.Quote, t.fields[:0])
		if err != nil || complete {
			return err
		}
		more, long, rerr := t.lr.next()
		switch {
		case rerr == io.EOF:
			return rowErrorf("quoted field not closed before the end of the file")
		case rerr != nil:
			return fmt.Errorf("%s: read line %d: %w", t.name, t.lr.line+1, rerr)
		case long || len(line)+1+len(more) > t.spec.MaxLineBytes:
			return rowErrorf("record longer than %d bytes (an unclosed quote?)", t.spec.MaxLineBytes)
		case !utf8.Valid(more):
			return rowErrorf("invalid UTF-8 in line %d of the record", t.lr.line)
		}
		t.rec = append(append(append(t.rec[:0], line...), '\n'), more...)
		line = string(t.rec)
		rec.size = len(line)
	}
}

func validPrefix(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// splitPlain cuts an unquoted line on the delimiter; the fields share the
// line's memory.
func splitPlain(line string, d byte, out []string) []string {
	for {
		i := strings.IndexByte(line, d)
		if i < 0 {
			return append(out, line)
		}
		out = append(out, line[:i])
		line = line[i+1:]
	}
}

// splitQuoted cuts a line with RFC 4180 quoting: a field that starts with
// the quote runs to the next lone quote, and a doubled quote inside stands
// for one. complete is false when a quoted field is still open at the end.
// A quote inside an unquoted field is kept as is.
func splitQuoted(line string, d, q byte, out []string) (_ []string, complete bool, err error) {
	for i := 0; ; {
		if i >= len(line) || line[i] != q {
			j := strings.IndexByte(line[i:], d)
			if j < 0 {
				return append(out, line[i:]), true, nil
			}
			out = append(out, line[i:i+j])
			i += j + 1
			continue
		}
		start, j, doubled := i+1, i+1, false
		for {
			k := strings.IndexByte(line[j:], q)
			if k < 0 {
				return out, false, nil
			}
			j += k
			if j+1 < len(line) && line[j+1] == q {
				doubled, j = true, j+2
				continue
			}
			break
		}
		field := line[start:j]
		if doubled {
			field = strings.ReplaceAll(field, string([]byte{q, q}), string(q))
		}
		out = append(out, field)
		j++
		if j == len(line) {
			return out, true, nil
		}
		if line[j] != d {
			return out, true, rowErrorf("column %d: unexpected %q after a closing quote", len(out), line[j])
		}
		i = j + 1
	}
}
