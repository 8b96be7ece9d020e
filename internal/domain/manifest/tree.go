package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// kind is the JSON type of a value in a manifest tree.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindList
	kindObject
)

// value is one node of a manifest read from JSON or YAML. Both formats are
// turned into this tree so that validation runs once and can report the line
// of each problem.
type value struct {
	kind kind
	b    bool
	num  string // the number as written, for messages
	f    float64
	s    string
	list []*value
	keys []string // object keys, in document order
	vals []*value
	line int // 1-based, 0 when unknown
}

func (v *value) field(key string) (*value, bool) {
	for i, k := range v.keys {
		if k == key {
			return v.vals[i], true
		}
	}
	return nil, false
}

// describe names the value for an error message: `string "x"`, `number 1`.
func (v *value) describe() string {
	switch v.kind {
	case kindNull:
		return "null"
	case kindBool:
		return fmt.Sprintf("boolean %t", v.b)
	case kindNumber:
		return "number " + v.num
	case kindString:
		return "string " + strconv.Quote(v.s)
	case kindList:
		return "a list"
	default:
		return "an object"
	}
}

// plain converts the value to the Go values encoding/json would produce
// (map[string]any, []any, string, float64, bool, nil).
func (v *value) plain() any {
	switch v.kind {
	case kindBool:
		return v.b
	case kindNumber:
		return v.f
	case kindString:
		return v.s
	case kindList:
		out := make([]any, len(v.list))
		for i, e := range v.list {
			out[i] = e.plain()
		}
		return out
	case kindObject:
		out := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			out[k] = v.vals[i].plain()
		}
		return out
	default:
		return nil
	}
}

// maxNodes bounds the tree size so that YAML alias expansion ("billion
// laughs") cannot exhaust memory.
const maxNodes = 100000

// syntaxError is a manifest that is not valid JSON or YAML.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

// ---- JSON ----

type jsonReader struct {
	dec   *json.Decoder
	lines []int // byte offset of the start of each line
	nodes int
}

func parseJSON(data []byte) (*value, error) {
	r := &jsonReader{dec: json.NewDecoder(bytes.NewReader(data)), lines: []int{0}}
	r.dec.UseNumber()
	for i, c := range data {
		if c == '\n' {
			r.lines = append(r.lines, i+1)
		}
	}
	v, err := r.read()
	if err != nil {
		return nil, err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, &syntaxError{line: r.line(), msg: "unexpected data after the top-level object"}
	}
	return v, nil
}

// line is the line of the last token read.
func (r *jsonReader) line() int {
	off := int(r.dec.InputOffset())
	return sort.Search(len(r.lines), func(i int) bool { return r.lines[i] > off-1 })
}

func (r *jsonReader) token() (json.Token, int, error) {
	tok, err := r.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := int(se.Offset)
			line := sort.Search(len(r.lines), func(i int) bool { return r.lines[i] > off-1 })
			return nil, 0, &syntaxError{line: line, msg: "invalid JSON: " + se.Error()}
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, &syntaxError{line: len(r.lines), msg: "invalid JSON: unexpected end of file"}
		}
		return nil, 0, &syntaxError{line: r.line(), msg: "invalid JSON: " + err.Error()}
	}
	return tok, r.line(), nil
}

func (r *jsonReader) read() (*value, error) {
	tok, line, err := r.token()
	if err != nil {
		return nil, err
	}
	return r.build(tok, line)
}

func (r *jsonReader) build(tok json.Token, line int) (*value, error) {
	r.nodes++
	if r.nodes > maxNodes {
		return nil, &syntaxError{line: line, msg: fmt.Sprintf("manifest too large: more than %d values", maxNodes)}
	}
	v := &value{line: line}
	switch t := tok.(type) {
	case nil:
		v.kind = kindNull
	case bool:
		v.kind, v.b = kindBool, t
	case json.Number:
		v.kind, v.num = kindNumber, t.String()
		v.f, _ = t.Float64()
	case string:
		v.kind, v.s = kindString, t
	case json.Delim:
		switch t {
		case '[':
			v.kind = kindList
			for r.dec.More() {
				e, err := r.read()
				if err != nil {
					return nil, err
				}
				v.list = append(v.list, e)
			}
		case '{':
			v.kind = kindObject
			for r.dec.More() {
				ktok, kline, err := r.token()
				if err != nil {
					return nil, err
				}
				key, _ := ktok.(string)
				if _, dup := v.field(key); dup {
					return nil, &syntaxError{line: kline, msg: fmt.Sprintf("duplicate key %q", key)}
				}
				e, err := r.read()
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, key)
				v.vals = append(v.vals, e)
			}
		}
		if _, _, err := r.token(); err != nil { // closing delimiter
			return nil, err
		}
	}
	return v, nil
}

// ---- YAML ----

func parseYAML(data []byte) (*value, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if _, rest, ok := strings.Cut(msg, "line "); ok {
			n, _, _ := strings.Cut(rest, ":")
			line, _ = strconv.Atoi(n)
		}
		return nil, &syntaxError{line: line, msg: "invalid YAML: " + msg}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &syntaxError{msg: "the file is empty"}
	}
	count := 0
	return fromYAML(doc.Content[0], &count, 0)
}

func fromYAML(n *yaml.Node, count *int, depth int) (*value, error) {
	*count++
	if *count > maxNodes || depth > 1000 {
		return nil, &syntaxError{line: n.Line, msg: fmt.Sprintf("manifest too large or too deep: more than %d values once aliases are expanded", maxNodes)}
	}
	v := &value{line: n.Line}
	switch n.Kind {
	case yaml.AliasNode:
		a, err := fromYAML(n.Alias, count, depth+1)
		if err != nil {
			return nil, err
		}
		a.line = n.Line
		return a, nil
	case yaml.SequenceNode:
		v.kind = kindList
		for _, c := range n.Content {
			e, err := fromYAML(c, count, depth+1)
			if err != nil {
				return nil, err
			}
			v.list = append(v.list, e)
		}
	case yaml.MappingNode:
		v.kind = kindObject
		var merged []*value
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if kn.Kind != yaml.ScalarNode {
				return nil, &syntaxError{line: kn.Line, msg: "a key must be a plain string"}
			}
			e, err := fromYAML(n.Content[i+1], count, depth+1)
			if err != nil {
				return nil, err
			}
			if kn.ShortTag() == "!!merge" {
				m, err := mergeSources(n.Content[i+1], e)
				if err != nil {
					return nil, err
				}
				merged = append(merged, m...)
				continue
			}
			if _, dup := v.field(kn.Value); dup {
				return nil, &syntaxError{line: kn.Line, msg: fmt.Sprintf("duplicate key %q", kn.Value)}
			}
			v.keys = append(v.keys, kn.Value)
			v.vals = append(v.vals, e)
		}
		// Merge keys ("<<: *defaults"), which PyYAML reads: keys of the
		// mapping itself win, then the merged mappings in the order given.
		for _, m := range merged {
			for j, k := range m.keys {
				if _, taken := v.field(k); !taken {
					v.keys = append(v.keys, k)
					v.vals = append(v.vals, m.vals[j])
				}
			}
		}
	case yaml.ScalarNode:
		scalarFromYAML(n, v)
	default:
		return nil, &syntaxError{line: n.Line, msg: "unsupported YAML node"}
	}
	return v, nil
}

// mergeSources checks the value of a merge key: a mapping, or a list of
// mappings.
func mergeSources(n *yaml.Node, v *value) ([]*value, error) {
	bad := &syntaxError{line: n.Line, msg: `the value of a merge key "<<" must be a mapping or a list of mappings`}
	switch v.kind {
	case kindObject:
		return []*value{v}, nil
	case kindList:
		for _, e := range v.list {
			if e.kind != kindObject {
				return nil, bad
			}
		}
		return v.list, nil
	}
	return nil, bad
}

func scalarFromYAML(n *yaml.Node, v *value) {
	const explicit = yaml.TaggedStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle
	if n.Style&explicit == 0 {
		yaml11Scalar(n.Value, v)
		return
	}
	switch n.ShortTag() {
	case "!!null":
		v.kind = kindNull
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			v.kind, v.b = kindBool, b
			return
		}
		v.kind, v.s = kindString, n.Value
	case "!!int", "!!float":
		var f float64
		if n.Decode(&f) == nil {
			v.kind, v.f, v.num = kindNumber, f, n.Value
			return
		}
		v.kind, v.s = kindString, n.Value
	default: // strings, timestamps, binary: keep the text as written
		v.kind, v.s = kindString, n.Value
	}
}
