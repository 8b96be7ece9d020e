package jsonenc

import (
	"encoding/json"
	"fmt"
)

// maxDepth is encoding/json's limit on nested objects and arrays.
const maxDepth = 10000

// CutMember checks that obj is one JSON object, valid as json.Valid has
// it (surrounding whitespace allowed), and removes every top-level member
// named key from it, at the byte level: no value is decoded. Names are
// compared after unescaping, as encoding/json reads them into a map.
//
// It works in place: rest is the object from its '{' to its '}' in obj's
// own array, and obj is not to be used afterwards, even on error. value is
// a copy of the last removed member's value (the one encoding/json keeps
// in a map), nil when there is no member named key. Whitespace between
// the kept members is dropped; the rest of the bytes are kept as they are.
func CutMember(obj []byte, key string) (rest, value []byte, err error) {
	s := scanner{b: obj}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil, nil, s.errorf("not a JSON object")
	}
	open := s.i
	s.i++
	w := s.i // where the next kept member goes
	kept := 0
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		w = s.i - 1
	} else {
		for {
			start := s.i
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return nil, nil, s.errorf("want a member name")
			}
			plain, err := s.str()
			if err != nil {
				return nil, nil, err
			}
			name := s.b[start:s.i]
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return nil, nil, s.errorf("want ':' after a member name")
			}
			s.i++
			s.ws()
			vstart := s.i
			if err := s.value(1); err != nil {
				return nil, nil, err
			}
			if nameIs(name, plain, key) {
				value = append(value[:0], s.b[vstart:s.i]...)
			} else {
				if kept > 0 {
					s.b[w] = ','
					w++
				}
				if w != start {
					copy(s.b[w:], s.b[start:s.i])
				}
				w += s.i - start
				kept++
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
			return nil, nil, s.errorf("want ',' or '}' after a member")
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return nil, nil, s.errorf("more after the object")
	}
	s.b[w] = '}'
	return s.b[open : w+1], value, nil
}

// nameIs reports whether the quoted member name (plain: no escape and
// ASCII only) reads as key.
func nameIs(quoted []byte, plain bool, key string) bool {
	if plain {
		return string(quoted[1:len(quoted)-1]) == key
	}
	var s string
	return json.Unmarshal(quoted, &s) == nil && s == key
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

// value skips one value at depth (the depth of its container).
func (s *scanner) value(depth int) error {
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
		if err := s.value(depth); err != nil {
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

// str skips a string; plain reports that it holds ASCII characters only
// and no escape.
func (s *scanner) str() (plain bool, err error) {
	plain = true
	s.i++ // the opening quote
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return plain, nil
		case c == '\\':
			plain = false
			s.i++
			if s.i >= len(s.b) {
				return false, s.errorf("unfinished escape")
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				for range 4 {
					if s.i >= len(s.b) || !isHex(s.b[s.i]) {
						return false, s.errorf("want 4 hexadecimal digits after \\u")
					}
					s.i++
				}
			default:
				return false, s.errorf("invalid escape")
			}
		case c < 0x20:
			return false, s.errorf("control character in a string")
		default:
			if c >= 0x80 {
				plain = false
			}
			s.i++
		}
	}
	return false, s.errorf("unfinished string")
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
