package jsonenc

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Verbatim checks documents that arrive as JSON text (a Python parser's
// output) for storing that text as it is, which spares decoding each one
// into maps and encoding it again. Its buffers are kept between calls; it
// is not safe for concurrent use. The zero value is ready.
type Verbatim struct {
	names  []nameAt // the member names of the objects being read, innermost last
	order  []int32  // a large object's names, by hash
	hash   []uint64 // their hashes
	seed   maphash.Seed
	seeded bool
}

// nameAt is a member name b[start:end], quotes excluded.
type nameAt struct{ start, end int32 }

// Check reports whether b can be stored in place of the document decoded
// from it, and returns that document's _id. It is true when b is one JSON
// object (as json.Valid has it) that every decoder Studio uses reads alike,
// in which a copy of the text means the same document as a copy of the
// decoded value:
//
//   - valid UTF-8, nested at most 10000 deep;
//   - no object repeats a member name, and no member name has an escape
//     (decoders keep the last of repeated names; text cannot);
//   - integers (numbers without fraction or exponent) have at most 18
//     digits, so they are int64s however they are read, and the other
//     numbers are finite float64s;
//   - no \u escape of a UTF-16 surrogate (decoders differ on lone halves);
//   - the top-level object has a member "_id" whose value is a string,
//     which Check returns decoded.
//
// When Check reports false the caller decodes b instead: false says
// nothing about b's validity.
func (v *Verbatim) Check(b []byte) (id string, ok bool) {
	if !utf8.Valid(b) {
		return "", false
	}
	s := verbatimScan{scanner: scanner{b: b}, v: v}
	s.ws()
	if s.i >= len(b) || b[s.i] != '{' {
		return "", false
	}
	v.names = v.names[:0]
	idStart, idEnd, ok := s.object(1, true)
	if !ok {
		return "", false
	}
	s.ws()
	if s.i != len(b) || idStart < 0 {
		return "", false
	}
	raw := b[idStart:idEnd] // the quoted _id
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	return unquote(raw)
}

// unquote decodes a JSON string with escapes.
func unquote(raw []byte) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// verbatimScan is one Check's position in its text.
type verbatimScan struct {
	scanner // the text and the position; ws skips white space
	v       *Verbatim
}

// value reads the value at s.i; depth is its container's.
func (s *verbatimScan) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, ok := s.str()
		return ok
	case '{':
		_, _, ok := s.object(depth+1, false)
		return ok
	case '[':
		return s.array(depth + 1)
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
	return false
}

// object reads the object at s.i. At the top it also returns where the
// value of its "_id" member is (quotes included) when that is a string;
// idStart is -1 when there is none.
func (s *verbatimScan) object(depth int, top bool) (idStart, idEnd int, ok bool) {
	idStart = -1
	if depth > maxDepth {
		return idStart, 0, false
	}
	v := s.v
	base := len(v.names)
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return idStart, 0, true
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return idStart, 0, false
		}
		start := s.i
		escaped, ok := s.str()
		if !ok || escaped {
			return idStart, 0, false
		}
		nameEnd := s.i - 1
		v.names = append(v.names, nameAt{int32(start + 1), int32(nameEnd)})
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return idStart, 0, false
		}
		s.i++
		s.ws()
		if top && string(s.b[start+1:nameEnd]) == "_id" {
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return idStart, 0, false // an _id that is not a string: decoded, for its message
			}
			idStart = s.i
			if _, ok := s.str(); !ok {
				return idStart, 0, false
			}
			idEnd = s.i
		} else if !s.value(depth) {
			return idStart, 0, false
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
		return idStart, 0, false
	}
	ok = s.distinct(v.names[base:])
	v.names = v.names[:base]
	return idStart, idEnd, ok
}

// distinct reports whether no two names are equal.
func (s *verbatimScan) distinct(names []nameAt) bool {
	name := func(n nameAt) []byte { return s.b[n.start:n.end] }
	if len(names) <= 12 {
		for i := 1; i < len(names); i++ {
			ni := name(names[i])
			for j := 0; j < i; j++ {
				if bytes.Equal(ni, name(names[j])) {
					return false
				}
			}
		}
		return true
	}
	v := s.v
	if !v.seeded {
		v.seed, v.seeded = maphash.MakeSeed(), true
	}
	v.hash, v.order = v.hash[:0], v.order[:0]
	for k, n := range names {
		v.hash = append(v.hash, maphash.Bytes(v.seed, name(n)))
		v.order = append(v.order, int32(k))
	}
	slices.SortFunc(v.order, func(a, b int32) int {
		switch ha, hb := v.hash[a], v.hash[b]; {
		case ha < hb:
			return -1
		case ha > hb:
			return 1
		}
		return 0
	})
	for k := 1; k < len(v.order); k++ {
		a, b := v.order[k-1], v.order[k]
		if v.hash[a] == v.hash[b] && bytes.Equal(name(names[a]), name(names[b])) {
			return false
		}
	}
	return true
}

func (s *verbatimScan) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !s.value(depth) {
			return false
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			s.ws()
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		return false
	}
}

// str reads the string at s.i and reports whether it has escapes.
func (s *verbatimScan) str() (escaped, ok bool) {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		// The common case: a run of plain bytes.
		j := s.i
		for j < len(s.b) && s.b[j] != '"' && s.b[j] != '\\' && s.b[j] >= 0x20 {
			j++
		}
		s.i = j
		if j >= len(s.b) {
			break
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i++
			return escaped, true
		case c < 0x20:
			return escaped, false
		}
		// A backslash.
		escaped = true
		s.i++
		if s.i >= len(s.b) {
			return escaped, false
		}
		switch s.b[s.i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.i++
		case 'u':
			if len(s.b)-s.i < 5 {
				return escaped, false
			}
			hex := s.b[s.i+1 : s.i+5]
			for _, h := range hex {
				if !isHex(h) {
					return escaped, false
				}
			}
			if (hex[0] == 'd' || hex[0] == 'D') && (hex[1] >= '8' && hex[1] <= '9' || hex[1] >= 'a' && hex[1] <= 'f' || hex[1] >= 'A' && hex[1] <= 'F') {
				return escaped, false // a surrogate half
			}
			s.i += 5
		default:
			return escaped, false
		}
	}
	return escaped, false
}

// number reads the number at s.i: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// with the limits of Check.
func (s *verbatimScan) number() bool {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	intStart := s.i
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if !s.digits() {
		return false
	}
	intDigits := s.i - intStart
	frac := false
	if s.i < len(s.b) && s.b[s.i] == '.' {
		frac = true
		s.i++
		if !s.digits() {
			return false
		}
	}
	expDigits := 0
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		frac = true
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		at := s.i
		if !s.digits() {
			return false
		}
		expDigits = s.i - at
	}
	if !frac {
		return intDigits <= 18
	}
	if intDigits <= 18 && expDigits <= 2 {
		return true // at most ~1e118: finite
	}
	_, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	return err == nil
}

func (s *verbatimScan) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *verbatimScan) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}
