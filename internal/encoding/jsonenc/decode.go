package jsonenc

import (
	"encoding/json"
	"unicode/utf8"
)

// Decode decodes the JSON value at the start of data as encoding/json
// decodes it into an any (objects as map[string]any, the last of repeated
// names winning; arrays as []any; strings, booleans, nil), except numbers,
// which number turns into values from their literal. It is several times
// faster than encoding/json on documents. ok is false when it cannot
// vouch for the result: the text is not valid JSON there, nests deeper
// than maxDepth, or number refuses a literal. The caller then decodes with
// encoding/json, which also says what is wrong. As json.Decoder.Decode,
// it reads one value: what follows it is not looked at.
func Decode(data []byte, number func(literal []byte) (any, bool)) (v any, ok bool) {
	d := decoder{scanner: scanner{b: data}, number: number}
	d.ws()
	v, ok = d.value(0)
	return v, ok
}

type decoder struct {
	scanner
	number func([]byte) (any, bool)
}

func (d *decoder) value(depth int) (any, bool) {
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; c {
	case '{':
		return d.object(depth + 1)
	case '[':
		return d.array(depth + 1)
	case '"':
		s, ok := d.str()
		return s, ok
	case 't':
		return true, d.literal("true") == nil
	case 'f':
		return false, d.literal("false") == nil
	case 'n':
		return nil, d.literal("null") == nil
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			start := d.i
			if d.scanner.number() != nil {
				return nil, false
			}
			return d.number(d.b[start:d.i])
		}
	}
	return nil, false
}

func (d *decoder) object(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // {
	m := make(map[string]any)
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.ws()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[key] = v
		d.ws()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // [
	list := []any{}
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return list, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		list = append(list, v)
		d.ws()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case ']':
			d.i++
			return list, true
		default:
			return nil, false
		}
	}
}

// str reads the string at d.i. One without escapes in valid UTF-8 is its
// own text; others are unquoted by encoding/json, so that escapes and
// invalid bytes come out as it makes them.
func (d *decoder) str() (string, bool) {
	start := d.i
	d.i++ // "
	plain := true
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			text := d.b[start+1 : d.i-1]
			if plain {
				return string(text), true
			}
			var s string
			if json.Unmarshal(d.b[start:d.i], &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			d.i += 2
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			d.i += size
		}
	}
	return "", false
}
