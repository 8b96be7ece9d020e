package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// maxDepth is encoding/json's limit on nested objects and arrays.
const maxDepth = 10000

// Errors of AppendCanonical for valid JSON that it cannot rewrite without
// decoding: the caller decodes instead.
var (
	ErrNotUTF8       = errors.New("not UTF-8")
	ErrRepeatedName  = errors.New("a name repeated in an object")
	ErrNumberOutside = errors.New("a number beyond float64")
)

// AppendCanonical appends to dst the JSON object src without its top-level
// members named drop, in the canonical form of search.MarshalDoc: the
// bytes MarshalDoc writes for the document that docstore.DecodeJSON reads
// from src. That is: no white space, the members of every object sorted
// by name, strings escaped as AppendString escapes them, integers in int64
// range as integers and other numbers as shortest float64s with a ".0"
// when integral. It does so at the byte level, copying what is already
// canonical (all of it, for text MarshalDoc or Studio's SQLite store
// wrote, but for the order of names) and rewriting the rest one token at
// a time.
//
// value is the last dropped member's value (the one decoding keeps) as it
// is in src, nil when there is none. It fails for src that is not one
// valid JSON object (as json.Valid has it), and for valid objects it
// cannot rewrite without decoding: ErrNotUTF8, ErrRepeatedName (decoding
// keeps the last), ErrNumberOutside (decoding fails).
func AppendCanonical(dst, src []byte, drop string) (out, value []byte, err error) {
	if !utf8.Valid(src) {
		return dst, nil, ErrNotUTF8
	}
	c := canons.Get().(*canon)
	defer c.release()
	c.s, c.out, c.drop = scanner{b: src}, dst, drop
	c.s.ws()
	if c.s.i >= len(src) || src[c.s.i] != '{' {
		return dst, nil, c.s.errorf("not a JSON object")
	}
	if err := c.object(1, true); err != nil {
		return dst, nil, err
	}
	c.s.ws()
	if c.s.i != len(src) {
		return dst, nil, c.s.errorf("more after the object")
	}
	if c.dropped != nil {
		// Decoding reads the last dropped value: it must read.
		out := c.out
		c.s, c.out = scanner{b: c.dropped}, c.check[:0]
		err := c.value(1)
		c.check, c.out = c.out, out
		if err != nil {
			return dst, nil, fmt.Errorf("member %q: %w", drop, err)
		}
	}
	return c.out, c.dropped, nil
}

// canon writes the canonical form of the text s reads. Its buffers are
// kept for the next call (canons).
type canon struct {
	s       scanner
	out     []byte
	drop    string
	dropped []byte   // the value of the last member dropped
	members []member // the members of the objects being written, innermost last
	names   []byte   // the decoded names of members whose names have escapes
	order   []int32  // the members of an object by name
	scratch []byte
	check   []byte // the last dropped value, written to check it
}

var canons = sync.Pool{New: func() any { return new(canon) }}

func (c *canon) release() {
	c.s, c.out, c.drop, c.dropped = scanner{}, nil, "", nil
	c.members, c.names, c.order, c.scratch, c.check = c.members[:0], c.names[:0], c.order[:0], c.scratch[:0], c.check[:0]
	canons.Put(c)
}

// member is one member written in out: out[start:end], its quoted name
// ending at nameEnd. When that name has escapes, its decoded name is
// names[esc:escEnd] (never empty). No pointers: members are sorted.
type member struct {
	start, nameEnd, end int
	esc, escEnd         int
	key                 uint64 // the name's first 8 bytes, for a quick comparison
}

// prefixKey is the first 8 bytes of name as a big-endian number, zeros
// after a shorter name: names whose keys differ sort as their keys do.
func prefixKey(name []byte) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if i < len(name) {
			k |= uint64(name[i])
		}
	}
	return k
}

func (c *canon) nameOf(m *member) []byte {
	if m.escEnd > m.esc {
		return c.names[m.esc:m.escEnd]
	}
	return c.out[m.start+1 : m.nameEnd-1]
}

// value writes the value at s.i; depth is its container's.
func (c *canon) value(depth int) error {
	s := &c.s
	if s.i >= len(s.b) {
		return s.errorf("want a value")
	}
	switch ch := s.b[s.i]; ch {
	case '"':
		return c.str()
	case '{':
		return c.object(depth+1, false)
	case '[':
		return c.array(depth + 1)
	case 't', 'f', 'n':
		word := "null"
		if ch == 't' {
			word = "true"
		} else if ch == 'f' {
			word = "false"
		}
		if err := s.literal(word); err != nil {
			return err
		}
		c.out = append(c.out, word...)
		return nil
	default:
		if ch == '-' || (ch >= '0' && ch <= '9') {
			return c.number()
		}
	}
	return s.errorf("want a value")
}

// object writes the object at s.i, its members sorted; top drops the
// members named c.drop.
func (c *canon) object(depth int, top bool) error {
	s := &c.s
	if depth > maxDepth {
		return s.errorf("nested deeper than %d", maxDepth)
	}
	s.i++
	objStart := len(c.out)
	c.out = append(c.out, '{')
	base := len(c.members)
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		c.out = append(c.out, '}')
		return nil
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.errorf("want a member name")
		}
		sep := len(c.out)
		if len(c.members) > base {
			c.out = append(c.out, ',')
		}
		m := member{start: len(c.out)}
		if err := c.str(); err != nil {
			return err
		}
		m.nameEnd = len(c.out)
		if bytes.IndexByte(c.out[m.start+1:m.nameEnd-1], '\\') >= 0 {
			var name string
			if err := json.Unmarshal(c.out[m.start:m.nameEnd], &name); err != nil {
				return fmt.Errorf("member name %s: %w", c.out[m.start:m.nameEnd], err)
			}
			m.esc = len(c.names)
			c.names = append(c.names, name...)
			m.escEnd = len(c.names)
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.errorf("want ':' after a member name")
		}
		s.i++
		c.out = append(c.out, ':')
		s.ws()
		vstart := s.i
		if top && string(c.nameOf(&m)) == c.drop {
			// Only the last one counts: checked at the end.
			if err := s.skip(depth); err != nil {
				return err
			}
			c.dropped = s.b[vstart:s.i]
			c.out = c.out[:sep]
		} else {
			if err := c.value(depth); err != nil {
				return err
			}
			m.end = len(c.out)
			m.key = prefixKey(c.nameOf(&m))
			c.members = append(c.members, m)
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			break
		}
		return s.errorf("want ',' or '}' after a member")
	}
	if err := c.sortMembers(objStart, c.members[base:]); err != nil {
		return err
	}
	c.members = c.members[:base]
	c.out = append(c.out, '}')
	return nil
}

// sortMembers puts the members written after the '{' at objStart in
// order of their names.
func (c *canon) sortMembers(objStart int, ms []member) error {
	if len(ms) < 2 {
		return nil
	}
	cmp := func(a, b int32) int {
		ma, mb := &ms[a], &ms[b]
		switch {
		case ma.key < mb.key:
			return -1
		case ma.key > mb.key:
			return 1
		}
		return bytes.Compare(c.nameOf(ma), c.nameOf(mb))
	}
	sorted := true
	for k := int32(1); k < int32(len(ms)); k++ {
		switch cmp(k-1, k) {
		case 0:
			return fmt.Errorf("%w: %q", ErrRepeatedName, c.nameOf(&ms[k]))
		case 1:
			sorted = false
		}
	}
	if sorted {
		return nil
	}
	// Sort the members' indexes, which are cheaper to move.
	order := c.order[:0]
	for k := range ms {
		order = append(order, int32(k))
	}
	c.order = order
	if len(order) <= 16 {
		for k := 1; k < len(order); k++ {
			for j := k; j > 0 && cmp(order[j-1], order[j]) > 0; j-- {
				order[j-1], order[j] = order[j], order[j-1]
			}
		}
	} else {
		slices.SortFunc(order, cmp)
	}
	for k := 1; k < len(order); k++ {
		if cmp(order[k-1], order[k]) == 0 {
			return fmt.Errorf("%w: %q", ErrRepeatedName, c.nameOf(&ms[order[k]]))
		}
	}
	from := objStart + 1
	c.scratch = append(c.scratch[:0], c.out[from:]...)
	c.out = c.out[:from]
	for k, i := range order {
		if k > 0 {
			c.out = append(c.out, ',')
		}
		c.out = append(c.out, c.scratch[ms[i].start-from:ms[i].end-from]...)
	}
	return nil
}

func (c *canon) array(depth int) error {
	s := &c.s
	if depth > maxDepth {
		return s.errorf("nested deeper than %d", maxDepth)
	}
	s.i++
	c.out = append(c.out, '[')
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		c.out = append(c.out, ']')
		return nil
	}
	for {
		if err := c.value(depth); err != nil {
			return err
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			c.out = append(c.out, ',')
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			c.out = append(c.out, ']')
			return nil
		}
		return s.errorf("want ',' or ']'")
	}
}

// str writes the string at s.i as AppendString writes its decoded value.
func (c *canon) str() error {
	s := &c.s
	start := s.i
	canonical, err := s.str()
	if err != nil {
		return err
	}
	quoted := s.b[start:s.i]
	if canonical {
		c.out = append(c.out, quoted...)
		return nil
	}
	var v string
	if err := json.Unmarshal(quoted, &v); err != nil {
		return fmt.Errorf("string %s: %w", quoted, err)
	}
	c.out = AppendString(c.out, v)
	return nil
}

// number writes the number at s.i as MarshalDoc writes the int64 or the
// float64 docstore.DecodeJSON reads from it.
func (c *canon) number() error {
	s := &c.s
	start := s.i
	if err := s.number(); err != nil {
		return err
	}
	tok := s.b[start:s.i]
	if !hasFraction(tok) {
		digits := len(tok)
		if tok[0] == '-' {
			digits--
		}
		if digits < 19 && !(digits == 1 && tok[0] == '-' && tok[1] == '0') {
			c.out = append(c.out, tok...) // within int64, spelled as AppendInt does
			return nil
		}
		if n, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
			c.out = strconv.AppendInt(c.out, n, 10)
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNumberOutside, tok)
	}
	at := len(c.out)
	c.out = strconv.AppendFloat(c.out, f, 'g', -1, 64)
	if !hasFraction(c.out[at:]) {
		c.out = append(c.out, '.', '0')
	}
	return nil
}

// hasFraction reports whether a number is written with a fraction or an
// exponent.
func hasFraction(tok []byte) bool {
	for _, ch := range tok {
		if ch == '.' || ch == 'e' || ch == 'E' {
			return true
		}
	}
	return false
}

// scanner checks JSON text as encoding/json's scanner does.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) errorf(format string, args ...any) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("invalid JSON: unexpected end: "+format, args...)
	}
	return fmt.Errorf("invalid JSON at byte %d (%q): "+format, append([]any{s.i, s.b[s.i]}, args...)...)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// skip skips the value at s.i; depth is its container's.
func (s *scanner) skip(depth int) error {
	if s.i >= len(s.b) {
		return s.errorf("want a value")
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		return s.container(depth + 1)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return s.number()
		}
	}
	return s.errorf("want a value")
}

// container skips an object or an array at depth.
func (s *scanner) container(depth int) error {
	if depth > maxDepth {
		return s.errorf("nested deeper than %d", maxDepth)
	}
	object := s.b[s.i] == '{'
	end := byte(']')
	if object {
		end = '}'
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return nil
	}
	for {
		if object {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return s.errorf("want a member name")
			}
			if _, err := s.str(); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return s.errorf("want ':' after a member name")
			}
			s.i++
			s.ws()
		}
		if err := s.skip(depth); err != nil {
			return err
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == end {
			s.i++
			return nil
		}
		return s.errorf("want ',' or %q", end)
	}
}

// str skips a string; canonical reports that AppendString writes its
// decoded value the same way: valid UTF-8 (the caller checks it), no
// U+2028 or U+2029 unescaped, and only the escapes AppendString writes.
func (s *scanner) str() (canonical bool, err error) {
	canonical = true
	s.i++ // the opening quote
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return canonical, nil
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return false, s.errorf("unfinished escape")
			}
			switch s.b[s.i] {
			case '"', '\\', 'n', 'r', 't':
				s.i++
			case '/', 'b', 'f':
				canonical = false
				s.i++
			case 'u':
				s.i++
				if len(s.b)-s.i < 4 {
					return false, s.errorf("want 4 hexadecimal digits after \\u")
				}
				hex := s.b[s.i : s.i+4]
				for _, h := range hex {
					if !isHex(h) {
						return false, s.errorf("want 4 hexadecimal digits after \\u")
					}
				}
				canonical = canonical && canonicalU(hex)
				s.i += 4
			default:
				return false, s.errorf("invalid escape")
			}
		case c < 0x20:
			return false, s.errorf("control character in a string")
		case c == 0xe2 && s.i+2 < len(s.b) && s.b[s.i+1] == 0x80 && (s.b[s.i+2] == 0xa8 || s.b[s.i+2] == 0xa9):
			canonical = false // U+2028, U+2029: AppendString escapes them
			s.i += 3
		default:
			s.i++
		}
	}
	return false, s.errorf("unfinished string")
}

// canonicalU reports whether \u<hex> is an escape AppendString writes:
// a control character other than \n, \r and \t, or U+2028 or U+2029, in
// lower case.
func canonicalU(hex []byte) bool {
	switch string(hex) {
	case "2028", "2029":
		return true
	}
	if hex[0] != '0' || hex[1] != '0' || hex[2] > '1' {
		return false
	}
	if hex[3] >= 'A' && hex[3] <= 'F' {
		return false
	}
	switch string(hex[2:]) {
	case "0a", "0d", "09":
		return false
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (s *scanner) digits() error {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == start {
		return s.errorf("want a digit")
	}
	return nil
}

// number skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if err := s.digits(); err != nil {
		return err
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if err := s.digits(); err != nil {
			return err
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if err := s.digits(); err != nil {
			return err
		}
	}
	return nil
}

func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.errorf("want %s", word)
	}
	s.i += len(word)
	return nil
}
