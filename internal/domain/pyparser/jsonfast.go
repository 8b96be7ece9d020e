package pyparser

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// docDecoder decodes the runner's document JSON straight into the document
// store's value types (int64, float64, string, bool, nil, []any,
// map[string]any). encoding/json with UseNumber and a conversion pass was
// the bottleneck of a run (several µs for a small document); this decoder
// reads the same grammar in one pass and shares repeated key strings.
// It accepts any valid JSON, not only Python's.
type docDecoder struct {
	keys map[string]string
}

const (
	maxKeyCache = 4096
	maxDepth    = 10000
)

// errSyntax wraps every malformed-input error.
var errSyntax = errors.New("invalid JSON")

func newDocDecoder() *docDecoder { return &docDecoder{keys: make(map[string]string)} }

// decode decodes one JSON object.
func (d *docDecoder) decode(b []byte) (map[string]any, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("document is not valid UTF-8")
	}
	p := parser{b: b, dec: d}
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, p.fail("a document must be a JSON object")
	}
	v, err := p.object(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.fail("unexpected data after the document")
	}
	return v, nil
}

type parser struct {
	b   []byte
	i   int
	dec *docDecoder
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%w at byte %d: %s", errSyntax, p.i, what)
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, error) {
	p.ws()
	if p.i >= len(p.b) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.lit("true"):
		return true, nil
	case p.lit("false"):
		return false, nil
	case p.lit("null"):
		return nil, nil
	}
	return nil, p.fail("unexpected character")
}

func (p *parser) lit(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

func (p *parser) object(depth int) (map[string]any, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	p.i++ // '{'
	m := make(map[string]any)
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("expected a key")
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		m[k] = v
		p.ws()
		if p.i >= len(p.b) {
			return nil, p.fail("unexpected end in an object")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

func (p *parser) array(depth int) ([]any, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	p.i++ // '['
	a := []any{}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.ws()
		if p.i >= len(p.b) {
			return nil, p.fail("unexpected end in an array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

// key reads a string used as an object key, sharing repeated keys.
func (p *parser) key() (string, error) {
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		c := p.b[j]
		if c == '"' {
			raw := p.b[start:j]
			p.i = j + 1
			if s, ok := p.dec.keys[string(raw)]; ok {
				return s, nil
			}
			s := string(raw)
			if len(p.dec.keys) < maxKeyCache {
				p.dec.keys[s] = s
			}
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	return p.string()
}

// string reads a JSON string starting at the opening quote.
func (p *parser) string() (string, error) {
	start := p.i + 1
	j := start
	for j < len(p.b) {
		c := p.b[j]
		if c == '"' {
			p.i = j + 1
			return string(p.b[start:j]), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			p.i = j
			return "", p.fail("control character in a string")
		}
		j++
	}
	// Slow path: escapes.
	out := make([]byte, 0, j-start+16)
	out = append(out, p.b[start:j]...)
	for j < len(p.b) {
		c := p.b[j]
		switch {
		case c == '"':
			p.i = j + 1
			return string(out), nil
		case c < 0x20:
			p.i = j
			return "", p.fail("control character in a string")
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(p.b) {
			break
		}
		e := p.b[j+1]
		j += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(p.b, j)
			if !ok {
				p.i = j
				return "", p.fail(`bad \u escape`)
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if j+6 <= len(p.b) && p.b[j] == '\\' && p.b[j+1] == 'u' {
					r2, ok = hex4(p.b, j+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			p.i = j - 1
			return "", p.fail("bad escape")
		}
	}
	p.i = j
	return "", p.fail("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number follows the document store's rule: an integer literal that fits
// is int64, anything else float64.
func (p *parser) number() (any, error) {
	start := p.i
	j := p.i
	if p.b[j] == '-' {
		j++
	}
	isInt := true
	var n uint64
	digits := 0
	for ; j < len(p.b); j++ {
		c := p.b[j]
		if c >= '0' && c <= '9' {
			if digits < 19 {
				n = n*10 + uint64(c-'0')
			}
			digits++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			isInt = false
			continue
		}
		break
	}
	p.i = j
	lit := p.b[start:j]
	if digits == 0 {
		return nil, p.fail("bad number")
	}
	if isInt && digits < 19 {
		if lit[0] == '-' {
			return -int64(n), nil
		}
		return int64(n), nil
	}
	s := string(lit)
	if isInt {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		p.i = start
		return nil, p.fail("bad number " + strconv.Quote(s))
	}
	if math.IsInf(f, 0) {
		p.i = start
		return nil, p.fail("number out of range " + strconv.Quote(s))
	}
	return f, nil
}
