package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"studio/internal/encoding/jsonenc"
)

// MarshalDoc encodes a document as JSON so that it decodes back to the same
// types with DecodeDoc: a float64 with an integral value is written with a
// ".0" (38.0, not 38), so it comes back as a float64, while int64 and the
// other integer types come back as int64. Map keys are sorted. Values of
// types other than decoded JSON are encoded with encoding/json. sawNumber
// reports a json.Number in doc (written as is).
func MarshalDoc(doc map[string]any) (data []byte, sawNumber bool, err error) {
	w := docWriter{buf: make([]byte, 0, 1024)}
	if err := w.value(doc); err != nil {
		return nil, false, err
	}
	return w.buf, w.sawNumber, nil
}

type docWriter struct {
	buf       []byte
	sawNumber bool
	keys      []string
}

func (w *docWriter) value(v any) error {
	switch x := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		w.str(x)
	case bool:
		w.buf = strconv.AppendBool(w.buf, x)
	case float64:
		return w.float(x)
	case float32:
		return w.float(float64(x))
	case int64:
		w.buf = strconv.AppendInt(w.buf, x, 10)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(x), 10)
	case int32:
		w.buf = strconv.AppendInt(w.buf, int64(x), 10)
	case uint64:
		w.buf = strconv.AppendUint(w.buf, x, 10)
	case json.Number:
		w.sawNumber = true
		if !json.Valid([]byte(x)) {
			return fmt.Errorf("invalid number %q", string(x))
		}
		w.buf = append(w.buf, x...)
	case map[string]any:
		return w.object(x)
	case []any:
		w.buf = append(w.buf, '[')
		for i, e := range x {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			if err := w.value(e); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
	default:
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		w.buf = append(w.buf, data...)
	}
	return nil
}

func (w *docWriter) object(m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.buf = append(w.buf, '{')
	for i, k := range keys {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.str(k)
		w.buf = append(w.buf, ':')
		if err := w.value(m[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	w.buf = append(w.buf, '}')
	return nil
}

func (w *docWriter) float(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%v is not a JSON number", f)
	}
	start := len(w.buf)
	w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
	if !bytes.ContainsAny(w.buf[start:], ".eEn") {
		w.buf = append(w.buf, '.', '0')
	}
	return nil
}

// str writes a JSON string (as encoding/json would, without HTML escaping).
func (w *docWriter) str(s string) { w.buf = jsonenc.AppendString(w.buf, s) }

// DecodeDoc decodes a JSON object, integral numbers (written without a
// fraction or exponent and within int64) as int64 and the others as
// float64 (a number beyond float64 stays its literal, a string).
func DecodeDoc(data []byte) (map[string]any, error) {
	if v, ok := jsonenc.Decode(data, numberLiteral); ok {
		if doc, isObject := v.(map[string]any); isObject {
			return doc, nil
		}
	}
	// What jsonenc.Decode cannot vouch for, and the errors.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, fmt.Errorf("the document is null, want an object")
	}
	NormalizeNumbers(doc)
	return doc, nil
}

// NormalizeNumbers replaces, in place, the json.Number values of decoded
// JSON by int64 or float64 as DecodeDoc does, and returns v (or the number
// replacing it).
func NormalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return numberValue(x)
	case map[string]any:
		for k, e := range x {
			switch e.(type) {
			case json.Number, map[string]any, []any:
				x[k] = NormalizeNumbers(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = NormalizeNumbers(e)
		}
	}
	return v
}

// numberLiteral is numberValue for jsonenc.Decode.
func numberLiteral(tok []byte) (any, bool) {
	if n, ok := smallInt(tok); ok {
		return n, true
	}
	return numberValue(json.Number(tok)), true
}

// smallInt reads an integer literal of at most 18 digits, which int64
// holds whatever they are.
func smallInt(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	digits := tok
	if neg {
		digits = tok[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func numberValue(n json.Number) any {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return f
}

// FilterSource keeps the parts of a document under the given dotted paths,
// as Elasticsearch's _source includes do: "a.b" keeps key b of object a,
// or of each object of a list a (objects left empty are dropped); a path
// naming an object keeps all of it. Empty fields keep everything. The
// result shares values with doc.
func FilterSource(doc map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return doc
	}
	root := &pathNode{}
	for _, f := range fields {
		if f != "" {
			root.add(strings.Split(f, "."))
		}
	}
	out, _ := root.filterObject(doc)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// pathNode is a trie of the kept paths; all means the whole subtree.
type pathNode struct {
	all  bool
	kids map[string]*pathNode
}

func (n *pathNode) add(path []string) {
	if n.all {
		return
	}
	if len(path) == 0 {
		n.all, n.kids = true, nil
		return
	}
	if n.kids == nil {
		n.kids = map[string]*pathNode{}
	}
	kid, ok := n.kids[path[0]]
	if !ok {
		kid = &pathNode{}
		n.kids[path[0]] = kid
	}
	kid.add(path[1:])
}

func (n *pathNode) filterObject(m map[string]any) (map[string]any, bool) {
	var out map[string]any
	for k, kid := range n.kids {
		v, ok := m[k]
		if !ok {
			continue
		}
		kept, ok := kid.filter(v)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = kept
	}
	return out, out != nil
}

func (n *pathNode) filter(v any) (any, bool) {
	if n.all {
		return v, true
	}
	switch x := v.(type) {
	case map[string]any:
		return n.filterObject(x)
	case []any:
		var out []any
		for _, e := range x {
			if kept, ok := n.filter(e); ok {
				out = append(out, kept)
			}
		}
		return out, out != nil
	}
	return nil, false
}
