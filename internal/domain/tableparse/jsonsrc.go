package tableparse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// lookup finds a column in an object: the key itself, else a dotted path
// into nested objects.
func lookup(m map[string]any, col string, parts []string) (any, bool) {
	if v, ok := m[col]; ok || len(parts) == 1 {
		return v, ok
	}
	var cur any = m
	for _, p := range parts {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// jsonlSource reads one JSON object per line; the workers decode them.
type jsonlSource struct {
	lr      *lineReader
	spec    *Spec
	name    string
	comment []byte
}

var jsonLines = &layout{kind: jsonLinesKind}

func (s *jsonlSource) next(rec *record) error {
	for {
		b, long, err := s.lr.next()
		if err != nil {
			if err != io.EOF {
				err = fmt.Errorf("%s: read line %d: %w", s.name, s.lr.line+1, err)
			}
			return err
		}
		if s.lr.line <= int64(s.spec.SkipLines) {
			continue
		}
		*rec = record{lay: jsonLines, line: s.lr.line, size: len(b)}
		if long {
			rec.err = fmt.Sprintf("line longer than %d bytes (raise max_line_bytes if this is expected)", s.spec.MaxLineBytes)
			return nil
		}
		b = bytes.TrimSpace(bytes.TrimPrefix(b, bom))
		if len(b) == 0 || (len(s.comment) > 0 && bytes.HasPrefix(b, s.comment)) {
			continue
		}
		rec.text = string(b)
		return nil
	}
}

// decodeLine decodes a jsonl record; msg says why it cannot.
func decodeLine(text string) (obj map[string]any, msg string) {
	if !utf8.ValidString(text) {
		return nil, fmt.Sprintf("invalid UTF-8 at byte %d of the line", validPrefix([]byte(text)))
	}
	if text[0] != '{' {
		return nil, "not a JSON object (a line must hold one object)"
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Sprintf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "invalid JSON: more than one value on the line"
	}
	return obj, ""
}

// jsonArraySource streams the objects of a top-level JSON array, one at a
// time.
type jsonArraySource struct {
	dec     *json.Decoder
	name    string
	started bool
	elem    int64
}

var jsonArray = &layout{kind: jsonArrayKind}

func newJSONArraySource(r io.Reader, name string) *jsonArraySource {
	dec := json.NewDecoder(&utf8Reader{r: bufio.NewReaderSize(r, 256<<10)})
	dec.UseNumber()
	return &jsonArraySource{dec: dec, name: name}
}

func (s *jsonArraySource) next(rec *record) error {
	if !s.started {
		s.started = true
		tok, err := s.dec.Token()
		if err != nil {
			return s.fatal(err, "the file must hold a JSON array of objects")
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return fmt.Errorf("%s: the file must hold a JSON array of objects, it starts with %v", s.name, tok)
		}
	}
	if !s.dec.More() {
		if _, err := s.dec.Token(); err != nil {
			return s.fatal(err, "after the last element")
		}
		if _, err := s.dec.Token(); err != io.EOF {
			return fmt.Errorf("%s: data after the end of the JSON array (byte %d)", s.name, s.dec.InputOffset())
		}
		return io.EOF
	}
	s.elem++
	*rec = record{lay: jsonArray, line: s.elem, offset: s.dec.InputOffset() + int64(separator(s.dec.Buffered()))}
	var v any
	if err := s.dec.Decode(&v); err != nil {
		return s.fatal(err, rec.where())
	}
	rec.size = int(s.dec.InputOffset() - rec.offset)
	obj, ok := v.(map[string]any)
	if !ok {
		rec.err = describe(v) + " is not an object"
	}
	rec.obj = obj
	return nil
}

// fatal reports invalid JSON, after which the stream cannot be resumed.
func (s *jsonArraySource) fatal(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: the JSON array ends early (%s): the file is truncated", s.name, where)
	}
	var ue *utf8Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", s.name, ue)
	}
	return fmt.Errorf("%s: invalid JSON (%s, near byte %d): %w", s.name, where, s.dec.InputOffset(), err)
}

// utf8Reader fails on invalid UTF-8, which encoding/json would otherwise
// silently replace.
type utf8Reader struct {
	r    io.Reader
	pend []byte // the start of a character cut by the previous read
	off  int64
}

type utf8Error struct{ off int64 }

func (e *utf8Error) Error() string { return fmt.Sprintf("invalid UTF-8 at byte %d", e.off) }

func (u *utf8Reader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	b := p[:n]
	i := 0
	for len(u.pend) > 0 && i < len(b) && !utf8.FullRune(u.pend) {
		u.pend = append(u.pend, b[i])
		i++
	}
	if len(u.pend) > 0 && utf8.FullRune(u.pend) {
		if r, size := utf8.DecodeRune(u.pend); r == utf8.RuneError && size == 1 {
			return 0, &utf8Error{off: u.off - int64(len(u.pend)-i)}
		}
		u.pend = u.pend[:0]
	}
	// Hold back a character cut at the end of this read.
	end := len(b)
	for k := end - 1; k >= i && k >= end-3; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:end]) {
				end = k
			}
			break
		}
	}
	if !utf8.Valid(b[i:end]) {
		return 0, &utf8Error{off: u.off + int64(i+validPrefix(b[i:end]))}
	}
	u.pend = append(u.pend, b[end:]...)
	u.off += int64(n)
	if err == io.EOF && len(u.pend) > 0 {
		return n, &utf8Error{off: u.off - int64(len(u.pend))}
	}
	return n, err
}

// separator counts the white space and comma before the next element.
func separator(r io.Reader) int {
	var b [1]byte
	n := 0
	for {
		if _, err := r.Read(b[:]); err != nil {
			return n
		}
		switch b[0] {
		case ' ', '\t', '\n', '\r', ',':
			n++
		default:
			return n
		}
	}
}
