package inspect

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// kind is the type of one value, as the type tree names it.
type kind uint8

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kStr
	kDict
	kList
	nKinds
)

var kindNames = [nKinds]string{"null", "bool", "int", "float", "str", "dict", "list"}

// node accumulates every value found at one place of the documents. Lists
// keep their elements in items, so the tree keeps the documents' shape;
// flatten folds items back in for the paths of stats and mapping. Every
// field is a count, a minimum, a maximum or a flag, which is what makes
// merge associative and commutative.
type node struct {
	count  [nKinds]int64
	sample [nKinds]string // smallest _id of a document with a value of that kind

	minInt, maxInt     int64   // when count[kInt] > 0
	minFloat, maxFloat float64 // when finite > 0
	finite             int64   // float values that are neither NaN nor infinite
	minLen, maxLen     int     // string lengths in runes, when count[kStr] > 0
	multiword          bool    // a string holds several whitespace-separated words
	minList, maxList   int     // list lengths, when count[kList] > 0

	fields map[string]*node
	items  *node
	vals   valueStats // for FieldStats, with mode stats only
}

func (n *node) add(v any, id string, in *Inspector) {
	if in.fieldStats {
		switch v.(type) {
		case string, int64, float64, bool:
			n.vals.addValue(v)
		}
	}
	switch v := v.(type) {
	case nil:
		n.seen(kNull, id)
	case string:
		n.addString(v, id)
	case int64:
		n.addInt(v, id)
	case float64:
		n.addFloat(v, id, in)
	case bool:
		n.seen(kBool, id)
	case map[string]any:
		n.addDict(v, id, in)
	case []any:
		n.addList(v, id, in)
	default:
		n.addOther(v, id, in)
	}
}

func (n *node) seen(k kind, id string) {
	n.count[k]++
	if id != "" && (n.sample[k] == "" || id < n.sample[k]) {
		n.sample[k] = id
	}
}

func (n *node) addString(s string, id string) {
	n.seen(kStr, id)
	l := len(s)
	if !isASCII(s) {
		l = utf8.RuneCountInString(s)
	}
	if n.count[kStr] == 1 {
		n.minLen, n.maxLen = l, l
	} else {
		n.minLen, n.maxLen = min(n.minLen, l), max(n.maxLen, l)
	}
	if !n.multiword {
		n.multiword = severalWords(s)
	}
}

func (n *node) addInt(v int64, id string) {
	n.seen(kInt, id)
	if n.count[kInt] == 1 {
		n.minInt, n.maxInt = v, v
	} else {
		n.minInt, n.maxInt = min(n.minInt, v), max(n.maxInt, v)
	}
}

func (n *node) addFloat(v float64, id string, in *Inspector) {
	n.seen(kFloat, id)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		in.issueHere(fmt.Sprintf("%v is not a valid JSON number and Elasticsearch cannot index it: drop the value or make it null", v), id)
		return
	}
	if v == 0 {
		v = 0 // -0 and 0 are the same value; keep min and max independent of order
	}
	n.finite++
	if n.finite == 1 {
		n.minFloat, n.maxFloat = v, v
	} else {
		n.minFloat, n.maxFloat = min(n.minFloat, v), max(n.maxFloat, v)
	}
}

func (n *node) addDict(m map[string]any, id string, in *Inspector) {
	n.seen(kDict, id)
	if n.fields == nil {
		n.fields = make(map[string]*node, len(m))
	}
	depth := len(in.path)
	for k, v := range m {
		child := n.fields[k]
		if child == nil {
			child = &node{}
			n.fields[k] = child
		}
		in.path = append(in.path[:depth], k)
		if in.fieldStats && v != nil {
			child.vals.markDoc(in.count)
		}
		child.add(v, id, in)
	}
	in.path = in.path[:depth]
}

func (n *node) addList(l []any, id string, in *Inspector) {
	n.seen(kList, id)
	if n.count[kList] == 1 {
		n.minList, n.maxList = len(l), len(l)
	} else {
		n.minList, n.maxList = min(n.minList, len(l)), max(n.maxList, len(l))
	}
	if len(l) == 0 {
		return
	}
	if n.items == nil {
		n.items = &node{}
	}
	for _, e := range l {
		n.items.add(e, id, in)
	}
}

// addOther accepts the other Go numbers and json.Number, which callers
// that did not normalise their documents may pass, and reports the rest.
func (n *node) addOther(v any, id string, in *Inspector) {
	switch v := v.(type) {
	case int:
		n.addInt(int64(v), id)
	case int8:
		n.addInt(int64(v), id)
	case int16:
		n.addInt(int64(v), id)
	case int32:
		n.addInt(int64(v), id)
	case uint8:
		n.addInt(int64(v), id)
	case uint16:
		n.addInt(int64(v), id)
	case uint32:
		n.addInt(int64(v), id)
	case float32:
		n.addFloat(float64(v), id, in)
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			n.addInt(i, id)
		} else if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			n.addFloat(f, id, in)
		} else {
			in.issueHere(fmt.Sprintf("number %q out of range", string(v)), id)
		}
	default:
		in.issueHere(fmt.Sprintf("unsupported value of Go type %T: documents hold JSON values only", v), id)
	}
}

// merge adds o's values to n; o is not changed and shares nothing with n
// afterwards.
func (n *node) merge(o *node) {
	if o == nil {
		return
	}
	if n.count[kInt] == 0 {
		n.minInt, n.maxInt = o.minInt, o.maxInt
	} else if o.count[kInt] > 0 {
		n.minInt, n.maxInt = min(n.minInt, o.minInt), max(n.maxInt, o.maxInt)
	}
	if n.finite == 0 {
		n.minFloat, n.maxFloat = o.minFloat, o.maxFloat
	} else if o.finite > 0 {
		n.minFloat, n.maxFloat = min(n.minFloat, o.minFloat), max(n.maxFloat, o.maxFloat)
	}
	if n.count[kStr] == 0 {
		n.minLen, n.maxLen = o.minLen, o.maxLen
	} else if o.count[kStr] > 0 {
		n.minLen, n.maxLen = min(n.minLen, o.minLen), max(n.maxLen, o.maxLen)
	}
	if n.count[kList] == 0 {
		n.minList, n.maxList = o.minList, o.maxList
	} else if o.count[kList] > 0 {
		n.minList, n.maxList = min(n.minList, o.minList), max(n.maxList, o.maxList)
	}
	n.vals.merge(&o.vals)
	n.finite += o.finite
	n.multiword = n.multiword || o.multiword
	for k := range nKinds {
		n.count[k] += o.count[k]
		n.sample[k] = minID(n.sample[k], o.sample[k])
	}
	if len(o.fields) > 0 && n.fields == nil {
		n.fields = make(map[string]*node, len(o.fields))
	}
	for name, oc := range o.fields {
		c := n.fields[name]
		if c == nil {
			c = &node{}
			n.fields[name] = c
		}
		c.merge(oc)
	}
	if o.items != nil {
		if n.items == nil {
			n.items = &node{}
		}
		n.items.merge(o.items)
	}
}

// flatten returns a copy of n with the elements of its lists (at any
// depth) folded in, as Elasticsearch sees a field. Fields keep their own
// items; flatten them in turn.
func (n *node) flatten() *node {
	f := &node{}
	for level := n; level != nil; level = level.items {
		shallow := *level
		shallow.items = nil
		f.merge(&shallow)
	}
	return f
}

// isASCII reports whether s has only ASCII bytes, so its length in runes
// is len(s).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// severalWords reports whether s splits into more than one word on
// whitespace (as strings.Fields would), without allocating.
func severalWords(s string) bool {
	inWord, words := false, 0
	for i := 0; i < len(s); {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		switch {
		case space:
			inWord = false
		case !inWord:
			inWord = true
			words++
			if words > 1 {
				return true
			}
		}
	}
	return false
}
