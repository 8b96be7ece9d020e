package dataapi

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// appendYAML writes v as biothings.web does for format=yaml: PyYAML's
// safe_dump with default_flow_style=False, that is block style, keys
// sorted, sequences in a mapping not indented, empty collections as {}
// and [], lines folded at 80 columns, and strings quoted only where a
// plain scalar would be read back as something else ('1017', 'true') or
// cannot be written (single quotes; double quotes with escapes for
// control and non-ASCII characters).
func appendYAML(v any) []byte {
	e := &yamlEmitter{whitespace: true, indention: true}
	e.node(yamlValue(v), -1, false, false)
	e.lineBreak()
	return e.buf
}

// yamlEmitter follows the state PyYAML's Emitter keeps while writing.
type yamlEmitter struct {
	buf        []byte
	column     int
	whitespace bool // the last character written is whitespace
	indention  bool // only indentation is on the current line
}

const yamlWidth = 80 // PyYAML's best_width

// node writes v whose block starts at indent (-1: the document's root).
// inMapping tells a sequence that it is a mapping's value (written
// without indentation); simpleKey that v is a mapping key.
func (e *yamlEmitter) node(v any, indent int, inMapping, simpleKey bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			e.indicator("{", true, true, false)
			e.indicator("}", false, false, false)
			return
		}
		in := max(indent+2, 0)
		if indent < 0 {
			in = 0
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e.indent(in)
			e.scalar(k, in, true)
			e.indicator(":", false, false, false)
			e.node(x[k], in, true, false)
		}
	case []any:
		if len(x) == 0 {
			e.indicator("[", true, true, false)
			e.indicator("]", false, false, false)
			return
		}
		in := indent + 2
		switch {
		case indent < 0:
			in = 0
		case inMapping && !e.indention:
			in = indent
		}
		for _, item := range x {
			e.indent(in)
			e.indicator("-", true, false, true)
			e.node(item, in, false, false)
		}
	default:
		e.scalar(x, max(indent, 0)+2, simpleKey)
	}
}

// indent starts a new line at column in, unless only indentation is on
// the current line and it is not past in (PyYAML's write_indent).
func (e *yamlEmitter) indent(in int) {
	if !e.indention || e.column > in || (e.column == in && !e.whitespace) {
		e.lineBreak()
	}
	if e.column < in {
		e.whitespace = true
		e.write(strings.Repeat(" ", in-e.column))
		e.column = in
	}
}

func (e *yamlEmitter) lineBreak() {
	e.buf = append(e.buf, '\n')
	e.whitespace, e.indention, e.column = true, true, 0
}

func (e *yamlEmitter) write(s string) { e.buf = append(e.buf, s...) }

// indicator writes a YAML indicator, after a space when needed.
func (e *yamlEmitter) indicator(ind string, needSpace, whitespace, indention bool) {
	data := ind
	if !e.whitespace && needSpace {
		data = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.column += len(data)
	e.write(data)
}

// scalar writes a scalar; in is the indentation of folded lines.
func (e *yamlEmitter) scalar(v any, in int, simpleKey bool) {
	var text string
	str, isString := v.(string)
	switch x := v.(type) {
	case nil:
		text = "null"
	case bool:
		text = strconv.FormatBool(x)
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		text = yamlFloat(x)
	case string:
		text = x
	}
	if !isString {
		e.plain(text, in, !simpleKey)
		return
	}
	a := analyzeScalar(str)
	switch {
	case !resolvesAsOther(str) && !(simpleKey && (a.empty || a.multiline)) && a.blockPlain:
		e.plain(str, in, !simpleKey)
	case a.singleQuoted && !(simpleKey && a.multiline):
		e.singleQuoted(str, in, !simpleKey)
	default:
		e.doubleQuoted(str, in, !simpleKey)
	}
}

// plain writes a plain scalar, folding at a single space past the width.
func (e *yamlEmitter) plain(text string, in int, split bool) {
	if text == "" {
		return
	}
	if !e.whitespace {
		e.write(" ")
		e.column++
	}
	e.whitespace, e.indention = false, false
	r := []rune(text)
	spaces := false
	start := 0
	for end := 0; end <= len(r); end++ {
		var ch rune = -1
		if end < len(r) {
			ch = r[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && e.column > yamlWidth && split {
					e.indent(in)
					e.whitespace, e.indention = false, false
				} else {
					e.write(string(r[start:end]))
					e.column += end - start
				}
				start = end
			}
		} else if ch == -1 || ch == ' ' || isBreak(ch) {
			e.write(string(r[start:end]))
			e.column += end - start
			start = end
		}
		if ch != -1 {
			spaces = ch == ' '
		}
	}
}

// singleQuoted writes a single-quoted scalar: quotes doubled, folded at
// a single inner space past the width, line breaks written twice.
func (e *yamlEmitter) singleQuoted(text string, in int, split bool) {
	e.indicator("'", true, false, false)
	r := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(r); end++ {
		var ch rune = -1
		if end < len(r) {
			ch = r[end]
		}
		switch {
		case spaces:
			if ch != ' ' {
				if start+1 == end && e.column > yamlWidth && split && start != 0 && end != len(r) {
					e.indent(in)
				} else {
					e.write(string(r[start:end]))
					e.column += end - start
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isBreak(ch) {
				if r[start] == '\n' {
					e.lineBreak()
				}
				for _, br := range r[start:end] {
					if br == '\n' {
						e.lineBreak()
					} else {
						e.write(string(br))
						e.whitespace, e.indention, e.column = true, true, 0
					}
				}
				e.indent(in)
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isBreak(ch) || ch == '\'' {
				if start < end {
					e.write(string(r[start:end]))
					e.column += end - start
					start = end
				}
			}
		}
		if ch == '\'' {
			e.write("''")
			e.column += 2
			start = end + 1
		}
		if ch != -1 {
			spaces, breaks = ch == ' ', isBreak(ch)
		}
	}
	e.indicator("'", false, false, false)
}

var yamlEscapes = map[rune]string{
	0: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x1B: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P",
}

// doubleQuoted writes a double-quoted scalar: characters outside
// printable ASCII escaped, folded with a trailing backslash past the
// width.
func (e *yamlEmitter) doubleQuoted(text string, in int, split bool) {
	e.indicator("\"", true, false, false)
	r := []rune(text)
	start := 0
	for end := 0; end <= len(r); end++ {
		var ch rune = -1
		if end < len(r) {
			ch = r[end]
		}
		if ch == -1 || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF || ch < 0x20 || ch > 0x7E {
			if start < end {
				e.write(string(r[start:end]))
				e.column += end - start
				start = end
			}
			if ch != -1 {
				data, ok := yamlEscapes[ch]
				switch {
				case ok:
					data = "\\" + data
				case ch <= 0xFF:
					data = "\\x" + hexUpper(int(ch), 2)
				case ch <= 0xFFFF:
					data = "\\u" + hexUpper(int(ch), 4)
				default:
					data = "\\U" + hexUpper(int(ch), 8)
				}
				e.write(data)
				e.column += len(data)
				start = end + 1
			}
		}
		if 0 < end && end < len(r)-1 && (ch == ' ' || start >= end) && e.column+(end-start) > yamlWidth && split {
			data := string(r[start:end]) + "\\"
			if start < end {
				start = end
			}
			e.write(data)
			e.column += len([]rune(data))
			e.indent(in)
			e.whitespace, e.indention = false, false
			if r[start] == ' ' {
				e.write("\\")
				e.column++
			}
		}
	}
	e.indicator("\"", false, false, false)
}

func hexUpper(n, width int) string {
	s := strings.ToUpper(strconv.FormatInt(int64(n), 16))
	return strings.Repeat("0", max(width-len(s), 0)) + s
}

func isBreak(ch rune) bool { return ch == '\n' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 }

func isSpaceOrBreak(ch rune) bool {
	return ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || isBreak(ch)
}

// scalarAnalysis is what PyYAML's analyze_scalar finds of a string, for
// the styles a block context allows.
type scalarAnalysis struct {
	empty, multiline, blockPlain, singleQuoted bool
}

func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, blockPlain: true, singleQuoted: true}
	}
	r := []rune(s)
	var blockIndicators, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	preceded := true
	followed := len(r) == 1 || isSpaceOrBreak(r[1])
	prevSpace, prevBreak := false, false
	for i, ch := range r {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				blockIndicators = true
			}
			if (ch == '?' || ch == ':' || ch == '-') && followed {
				blockIndicators = true
			}
		} else if (ch == ':' && followed) || (ch == '#' && preceded) {
			blockIndicators = true
		}
		if isBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || (ch >= 0x20 && ch <= 0x7E)) {
			special = true // not printable ASCII: PyYAML's default allow_unicode=False
		}
		switch {
		case ch == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || i == len(r)-1
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isBreak(ch):
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || i == len(r)-1
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		preceded = isSpaceOrBreak(ch)
		followed = i+2 >= len(r) || isSpaceOrBreak(r[i+2])
	}
	a := scalarAnalysis{multiline: lineBreaks, blockPlain: true, singleQuoted: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || blockIndicators {
		a.blockPlain = false
	}
	if breakSpace {
		a.blockPlain, a.singleQuoted = false, false
	}
	if spaceBreak || special {
		a.blockPlain, a.singleQuoted = false, false
	}
	return a
}

// yamlImplicit are the patterns of PyYAML's SafeResolver: a plain scalar
// matching one is read back as a bool, int, float, null or timestamp.
var yamlImplicit = []*regexp.Regexp{
	regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
	regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
	regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
	regexp.MustCompile(`^(?:<<)$`),
	regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
	regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
	regexp.MustCompile(`^(?:=)$`),
}

// resolvesAsOther reports whether s, written plain, would be read back
// as something other than a string. Python's $ also matches before a
// final newline.
func resolvesAsOther(s string) bool {
	t := strings.TrimSuffix(s, "\n")
	for _, re := range yamlImplicit {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}

// yamlFloat is PyYAML's spelling of a float: Python's repr, lower case,
// with ".0" before an exponent that has no dot before it.
func yamlFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := pyRepr(f)
	if !strings.Contains(s, ".") && strings.Contains(s, "e") {
		s = strings.Replace(s, "e", ".0e", 1)
	}
	return s
}

// pyRepr is Python's repr of a float: the shortest digits, fixed from
// 1e-4 up to 1e16 (with ".0" when integral), else scientific with a
// signed exponent of at least two digits.
func pyRepr(f float64) string {
	sci := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(sci, "e")
	x, _ := strconv.Atoi(exp)
	if x >= -4 && x < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.ContainsAny(s, ".") {
			s += ".0"
		}
		return s
	}
	sign := "+"
	if x < 0 {
		sign, x = "-", -x
	}
	es := strconv.Itoa(x)
	if len(es) < 2 {
		es = "0" + es
	}
	return mant + "e" + sign + es
}

// yamlValue turns an answer into the decoded-JSON values appendYAML
// writes: maps, lists, strings, int64, float64, bools and nil.
func yamlValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		return x
	case int:
		return int64(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = yamlValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlValue(e)
		}
		return out
	}
	// Anything else goes through its JSON form.
	var back any
	dec := json.NewDecoder(strings.NewReader(string(appendJSON(nil, v))))
	dec.UseNumber()
	if err := dec.Decode(&back); err != nil {
		return nil
	}
	return yamlValue(back)
}
