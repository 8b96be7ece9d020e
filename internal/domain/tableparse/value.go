package tableparse

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// cell kinds.
const (
	absent uint8 = iota // the column is not in the row
	text                // a text value (every tsv/csv cell, JSON strings)
	value               // another JSON value: number, bool, list, object
	null                // JSON null
)

// cell is one column of the current row.
type cell struct {
	kind uint8
	s    string
	v    any // kind value: json.Number, bool, []any or map[string]any
}

// text is the cell as text: "" when absent or null, numbers as written,
// lists and objects as compact JSON.
func (c *cell) text() string {
	switch c.kind {
	case text:
		return c.s
	case value:
		if s, ok := c.v.(json.Number); ok {
			return string(s)
		}
		if s, ok := scalarText(c.v); ok {
			return s
		}
		b, _ := json.Marshal(c.v)
		return string(b)
	}
	return ""
}

// scalarText is the text of a scalar (string, number, bool, null).
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}

// condProg is a Cond bound to its column's slot.
type condProg struct {
	Cond
	slot int
}

func (c *condProg) holds(cells []cell) bool {
	s := cells[c.slot].text()
	if c.Eq != nil && s != *c.Eq {
		return false
	}
	if c.Ne != nil && s == *c.Ne {
		return false
	}
	if c.In != nil && !slices.Contains(c.In, s) {
		return false
	}
	if c.NotIn != nil && slices.Contains(c.NotIn, s) {
		return false
	}
	if c.Empty != nil && (s == "") != *c.Empty {
		return false
	}
	if c.re != nil && !c.re.MatchString(s) {
		return false
	}
	if c.notRe != nil && c.notRe.MatchString(s) {
		return false
	}
	return true
}

// fieldProg is a Field bound to its column's slot (or template).
type fieldProg struct {
	Field
	slot      int
	tpl       *template
	keepEmpty bool
	itemType  string // type of each list item when Split is set
}

// value computes the field from a row. ok is false when the field is left
// out; msg is a conversion error written for the user.
func (f *fieldProg) value(cells []cell, buf *[]byte) (v any, ok bool, msg string) {
	var c cell
	if f.tpl != nil {
		s, _ := f.tpl.render(cells, buf)
		c = cell{kind: text, s: s}
	} else {
		c = cells[f.slot]
	}
	switch c.kind {
	case text:
		return f.fromText(c.s)
	case value:
		return f.fromValue(c.v)
	case null:
		return f.empty(true)
	}
	return f.empty(false)
}

func (f *fieldProg) fromText(s string) (any, bool, string) {
	if f.Trim {
		s = strings.TrimSpace(s)
	}
	if f.Strip != "" {
		s = strings.Trim(s, f.Strip)
	}
	if f.Null != nil && slices.Contains(f.Null, s) {
		return f.empty(true)
	}
	if s == "" {
		return f.empty(false)
	}
	if f.Split != "" {
		return f.list(s)
	}
	if f.Type == "" || f.Type == "str" {
		return s, true, ""
	}
	v, msg := convertText(s, f.Type)
	if msg != "" {
		return nil, false, f.where() + msg
	}
	return v, true, ""
}

// list splits s and converts every item; empty items are dropped unless
// empty values are kept.
func (f *fieldProg) list(s string) (any, bool, string) {
	out := make([]any, 0, strings.Count(s, f.Split)+1)
	for rest, more := s, true; more; {
		var item string
		item, rest, more = strings.Cut(rest, f.Split)
		item = strings.TrimSpace(item)
		v, ok, msg := f.item(item)
		if msg != "" {
			return nil, false, msg
		}
		if ok {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return f.empty(false)
	}
	return out, true, ""
}

func (f *fieldProg) item(s string) (any, bool, string) {
	isNull := f.Null != nil && slices.Contains(f.Null, s)
	if isNull || s == "" {
		switch {
		case !f.keepEmpty:
			return nil, false, ""
		case !isNull && (f.itemType == "" || f.itemType == "str"):
			return "", true, ""
		}
		return nil, true, ""
	}
	if f.itemType == "" || f.itemType == "str" {
		return s, true, ""
	}
	v, msg := convertText(s, f.itemType)
	if msg != "" {
		return nil, false, f.where() + "item " + msg
	}
	return v, true, ""
}

func (f *fieldProg) fromValue(v any) (any, bool, string) {
	if l, isList := v.([]any); isList && f.Split != "" {
		out := make([]any, 0, len(l))
		for _, it := range l {
			s, ok := scalarText(it)
			if !ok {
				return nil, false, f.where() + fmt.Sprintf("list item %s is not a %s", describe(it), f.itemType)
			}
			x, keep, msg := f.item(s)
			if msg != "" {
				return nil, false, msg
			}
			if keep {
				out = append(out, x)
			}
		}
		if len(out) == 0 {
			return f.empty(false)
		}
		return out, true, ""
	}
	if f.Type == "" {
		n, err := normalizeJSON(v, f.keepEmpty)
		if err != nil {
			return nil, false, f.where() + err.Error()
		}
		if n == nil {
			return f.empty(false)
		}
		return n, true, ""
	}
	s, ok := scalarText(v)
	if !ok {
		return nil, false, f.where() + fmt.Sprintf("%s is not a %s", describe(v), f.Type)
	}
	return f.fromText(s)
}

// empty is the value of a field whose column is empty (or one of its null
// texts when isNull).
func (f *fieldProg) empty(isNull bool) (any, bool, string) {
	switch {
	case f.Default != nil:
		return f.Default, true, ""
	case !f.keepEmpty:
		return nil, false, ""
	case isNull || (f.Type != "" && f.Type != "str") || f.Split != "":
		return nil, true, ""
	}
	return "", true, ""
}

func (f *fieldProg) where() string {
	if f.tpl != nil {
		return fmt.Sprintf("field %q: ", f.Path)
	}
	return fmt.Sprintf("column %q: ", f.Column)
}

// convertText converts a text to a type; msg says why it cannot.
func convertText(s, typ string) (any, string) {
	switch typ {
	case "int":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, fmt.Sprintf("%q is out of the int range", s)
			}
			return nil, fmt.Sprintf("%q is not an int", s)
		}
		return n, ""
	case "float":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Sprintf("%q is not a finite float", s)
		}
		return x, ""
	case "bool":
		switch strings.ToLower(s) {
		case "true", "t", "yes", "y", "1":
			return true, ""
		case "false", "f", "no", "n", "0":
			return false, ""
		}
		return nil, fmt.Sprintf("%q is not a bool (true/false, yes/no, 1/0)", s)
	}
	return s, ""
}

// normalizeJSON converts a decoded JSON value (numbers as json.Number) to
// document types. Unless keepEmpty, "" and null are dropped from objects and
// lists, and objects and lists left empty are dropped too (BioThings'
// dict_sweep with vals ["", None]); a dropped value comes back as nil.
func normalizeJSON(v any, keepEmpty bool) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return jsonNumber(x)
	case string:
		if x == "" && !keepEmpty {
			return nil, nil
		}
		return x, nil
	case []any:
		out := x[:0]
		for _, it := range x {
			n, err := normalizeJSON(it, keepEmpty)
			if err != nil {
				return nil, err
			}
			if n != nil || keepEmpty {
				out = append(out, n)
			}
		}
		if len(out) == 0 && !keepEmpty {
			return nil, nil
		}
		return out, nil
	case map[string]any:
		for k, it := range x {
			n, err := normalizeJSON(it, keepEmpty)
			if err != nil {
				return nil, err
			}
			if n == nil && !keepEmpty {
				delete(x, k)
				continue
			}
			x[k] = n
		}
		if len(x) == 0 && !keepEmpty {
			return nil, nil
		}
		return x, nil
	}
	return v, nil
}
