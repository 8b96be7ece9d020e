package dataapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/search"
)

// storedDoc is a document of an answer written from the JSON the engine
// stored, without decoding it: {"query", "_id", "_version" or "_score",
// <fields>}. src comes from canonicalize, so that the answer is byte for
// byte what the decoded document would give.
type storedDoc struct {
	query    string
	hasQuery bool
	id       string
	version  int64   // written unless hit
	score    float64 // written when hit
	hit      bool    // a hit of a search
	src      []byte
}

// appendRaw writes d as appendObject writes the decoded document with its
// bookkeeping keys: query, _id and _version (or _score) rank first, and a
// canonicalized source holds no other ranked key and its keys sorted.
func appendRaw(buf []byte, d storedDoc) []byte {
	buf = append(buf, '{')
	if d.hasQuery {
		buf = append(buf, `"query":`...)
		buf = jsonenc.AppendString(buf, d.query)
		buf = append(buf, ',')
	}
	buf = append(buf, `"_id":`...)
	buf = jsonenc.AppendString(buf, d.id)
	if d.hit {
		buf = append(buf, `,"_score":`...)
		buf = appendFloat(buf, d.score)
	} else {
		buf = append(buf, `,"_version":`...)
		buf = strconv.AppendInt(buf, d.version, 10)
	}
	if len(d.src) > 2 {
		buf = append(buf, ',')
		buf = append(buf, d.src[1:len(d.src)-1]...)
	}
	return append(buf, '}')
}

// rawGetter is the engine's raw document reader when the answer may be
// written from stored sources: JSON out, the whole document, no reshaping.
func (a *api) rawGetter(o apiopts.Options) (search.RawGetter, bool) {
	rg, ok := a.eng.(search.RawGetter)
	if !ok || o.Format != "json" || !(o.AllFields || len(o.Fields) == 0) || !a.shapeOf(o).empty() || !stringTerms(o) {
		return nil, false
	}
	return rg, true
}

// rawSearcher is the engine's raw searcher when the hits of a search may
// be written from stored sources: JSON out, whole documents, no
// reshaping, no scroll.
func (a *api) rawSearcher(o apiopts.Options) (search.RawSearcher, bool) {
	rs, ok := a.eng.(search.RawSearcher)
	if !ok || o.Format != "json" || !(o.AllFields || len(o.Fields) == 0) || !a.shapeOf(o).empty() || o.FetchAll {
		return nil, false
	}
	return rs, true
}

// hitOf is a raw search hit as an answer entry: from the stored JSON when
// canonicalize can spell it as appendJSON would, else decoded as Search
// would return it.
func hitOf(h search.RawHit) (any, error) {
	if src, ok := canonicalize(h.Source); ok {
		return storedDoc{id: h.ID, score: h.Score, hit: true, src: src}, nil
	}
	src, err := search.DecodeDoc(h.Source)
	if err != nil {
		return nil, err
	}
	e, _, _ := hitBody(search.Hit{ID: h.ID, Score: h.Score, Version: h.Version, Source: src, Found: true}, src, shape{}, true, false)
	return e, nil
}

// stringTerms reports whether every id was sent as a string, which the
// raw writer echoes; numbers keep their type through the decoded path.
func stringTerms(o apiopts.Options) bool {
	for _, t := range o.Terms {
		if _, isString := t.(string); !isString {
			return false
		}
	}
	return true
}

// docOf is a found raw hit as an answer entry: from the stored JSON when
// canonicalize can spell it as appendJSON would, else decoded as Get would
// return it.
func docOf(h search.RawHit, query string, hasQuery bool) (any, error) {
	if src, ok := canonicalize(h.Source); ok {
		return storedDoc{query: query, hasQuery: hasQuery, id: h.ID, version: h.Version, src: src}, nil
	}
	src, err := search.DecodeDoc(h.Source)
	if err != nil {
		return nil, err
	}
	e, _, _ := hitBody(search.Hit{ID: h.ID, Version: h.Version, Source: src, Found: true}, src, shape{}, false, true)
	if hasQuery {
		e["query"] = query
	}
	return e, nil
}

// maxCanonicalDepth bounds the nesting canonicalize follows; deeper
// documents take the decoding path.
const maxCanonicalDepth = 200

// canonicalize returns src, a JSON object, as appendJSON writes the value
// search.DecodeDoc reads from it, or false when it cannot tell without
// decoding. The engines store sources as search.MarshalDoc writes them:
// no white space, keys sorted; that is kept as is, and the few values
// appendJSON spells differently (floats such as 1e-06, which it writes
// 0.000001; strings with escapes) are rewritten one by one. src itself is
// returned when nothing needs rewriting. Key order cannot be fixed on the
// way: white space, unsorted or escaped keys, and keys that keyRank moves
// up make it give up.
func canonicalize(src []byte) ([]byte, bool) {
	if len(src) < 2 || src[0] != '{' {
		return nil, false
	}
	c := canonScanner{b: src}
	if !c.value(0) || c.i != len(src) {
		return nil, false
	}
	if c.out == nil {
		return src, true
	}
	return append(c.out, src[c.flushed:]...), true
}

// canonScanner walks a JSON text for canonicalize. out, once a value
// needed rewriting, holds the text up to flushed, rewritten.
type canonScanner struct {
	b       []byte
	i       int
	out     []byte
	flushed int
}

// replace puts repl in place of b[start:c.i].
func (c *canonScanner) replace(start int, repl []byte) {
	if c.out == nil {
		c.out = make([]byte, 0, len(c.b)+len(c.b)/8)
	}
	c.out = append(c.out, c.b[c.flushed:start]...)
	c.out = append(c.out, repl...)
	c.flushed = c.i
}

func (c *canonScanner) value(depth int) bool {
	if c.i >= len(c.b) || depth > maxCanonicalDepth {
		return false
	}
	switch ch := c.b[c.i]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		return c.str()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	}
	return false
}

func (c *canonScanner) literal(lit string) bool {
	if !bytes.HasPrefix(c.b[c.i:], []byte(lit)) {
		return false
	}
	c.i += len(lit)
	return true
}

func (c *canonScanner) object(depth int) bool {
	c.i++ // {
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return true
	}
	var prev []byte
	for {
		key, ok := c.key()
		if !ok || isRankedKey(key) || (prev != nil && bytes.Compare(prev, key) >= 0) {
			return false
		}
		prev = key
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return false
		}
		c.i++
		if !c.value(depth) || c.i >= len(c.b) {
			return false
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

func (c *canonScanner) array(depth int) bool {
	c.i++ // [
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return true
	}
	for {
		if !c.value(depth) || c.i >= len(c.b) {
			return false
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case ']':
			c.i++
			return true
		default:
			return false
		}
	}
}

// scanString moves past the string at c.i and returns its content as
// written, and whether jsonenc.AppendString writes its decoded value the
// same way for certain: no escapes, valid UTF-8, no U+2028 or U+2029.
func (c *canonScanner) scanString() (content []byte, plain, ok bool) {
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return nil, false, false
	}
	start := c.i + 1
	j := start
	plain = true
	ascii := true
	for j < len(c.b) && c.b[j] != '"' {
		switch ch := c.b[j]; {
		case ch == '\\':
			plain = false
			j += 2
		case ch < 0x20:
			return nil, false, false
		default:
			ascii = ascii && ch < utf8.RuneSelf
			j++
		}
	}
	if j >= len(c.b) {
		return nil, false, false
	}
	c.i = j + 1
	content = c.b[start:j]
	if plain && !ascii && (!utf8.Valid(content) || bytes.IndexByte(content, 0xe2) >= 0 &&
		(bytes.Contains(content, []byte("\u2028")) || bytes.Contains(content, []byte("\u2029")))) {
		plain = false
	}
	return content, plain, true
}

// key reads an object key; only plain keys sort as they are written.
func (c *canonScanner) key() ([]byte, bool) {
	content, plain, ok := c.scanString()
	return content, ok && plain
}

// str reads a string value, rewritten as AppendString writes its decoded
// value when it is not plain.
func (c *canonScanner) str() bool {
	start := c.i
	_, plain, ok := c.scanString()
	if !ok || plain {
		return ok
	}
	quoted := c.b[start:c.i]
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return false
	}
	var small [64]byte
	if repl := jsonenc.AppendString(small[:0], s); !bytes.Equal(repl, quoted) {
		c.replace(start, repl)
	}
	return true
}

// number reads a number, rewritten as appendJSON writes its decoded value
// (int64 when integral and in range, float64 otherwise) when that differs.
func (c *canonScanner) number() bool {
	start := c.i
	isFloat := false
	for c.i < len(c.b) {
		ch := c.b[c.i]
		if ch == '.' || ch == 'e' || ch == 'E' {
			isFloat = true
		} else if ch != '-' && ch != '+' && (ch < '0' || ch > '9') {
			break
		}
		c.i++
	}
	tok := c.b[start:c.i]
	if !validNumber(tok) {
		return false
	}
	if !isFloat && canonicalInt(tok) {
		return true
	}
	var small [32]byte
	repl, ok := []byte(nil), false
	if !isFloat {
		var n int64
		if n, ok = parseInt(tok); ok {
			repl = strconv.AppendInt(small[:0], n, 10)
		}
	}
	if !ok { // a fraction or an exponent, or beyond int64
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return false // DecodeDoc keeps such a number as a string
		}
		repl = appendFloat(small[:0], f)
	}
	if !bytes.Equal(repl, tok) {
		c.replace(start, repl)
	}
	return true
}

// canonicalInt reports whether a valid integer token is written as
// appendJSON writes its int64: at most 18 digits (int64 holds them all),
// no "-0".
func canonicalInt(tok []byte) bool {
	digits := tok
	if len(tok) > 0 && tok[0] == '-' {
		digits = tok[1:]
		if len(digits) == 1 && digits[0] == '0' {
			return false
		}
	}
	return len(digits) <= 18
}

// parseInt reads an integer token as strconv.ParseInt does.
func parseInt(tok []byte) (int64, bool) {
	n, err := strconv.ParseInt(string(tok), 10, 64)
	return n, err == nil
}

// validNumber checks the JSON number grammar, which strconv is laxer
// about (it takes "+1", "01", "1.", ".5", "1_000", "0x1p3", "inf").
func validNumber(tok []byte) bool {
	i := 0
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(tok) && tok[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(tok)
}

// isRankedKey reports whether keyRank moves key up (so that a source
// holding it is not in appendObject's order).
func isRankedKey(key []byte) bool {
	switch string(key) {
	case "code", "success", "error", "query", "notfound", "_id", "_version", "_score",
		"took", "total", "max_score", "hits", "facets", "_scroll_id":
		return true
	}
	return false
}
