package dataapi

import (
	"bytes"
	"encoding/json"
	"html"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
	"studio/internal/encoding/jsonenc"
)

// contentTypes are the Content-Type of each output format.
var contentTypes = map[string]string{
	"json":    "application/json; charset=UTF-8",
	"yaml":    "text/x-yaml; charset=UTF-8",
	"msgpack": "application/x-msgpack",
	"html":    "text/html; charset=UTF-8",
}

// encode renders an answer (decoded-JSON values: maps, lists, strings,
// numbers, booleans, nil) in one of the formats of the format parameter.
func encode(format string, v any) ([]byte, error) {
	switch format {
	case "yaml":
		return appendYAML(v), nil
	case "msgpack":
		var buf bytes.Buffer
		enc := msgpack.NewEncoder(&buf)
		enc.SetSortMapKeys(true)
		err := enc.Encode(v)
		return buf.Bytes(), err
	case "html":
		return htmlPage(v), nil
	}
	return appendJSON(make([]byte, 0, 2048), v), nil
}

// bufPool recycles the buffers JSON answers are written into.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// htmlPage shows the JSON answer, indented and escaped, in a page a
// browser renders: BioThings serves a pretty page for format=html.
func htmlPage(v any) []byte {
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, appendJSON(nil, v), "", "  ")
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>BioThings API</title>\n")
	b.WriteString("<style>body{font-family:sans-serif;margin:1.5em}pre{background:#f6f8fa;padding:1em;border-radius:4px;overflow:auto}</style>\n")
	b.WriteString("</head><body>\n<pre>")
	b.WriteString(html.EscapeString(pretty.String()))
	b.WriteString("</pre>\n</body></html>\n")
	return b.Bytes()
}

// keyRank puts the BioThings bookkeeping keys first in an object, in the
// order BioThings writes them; the other keys follow sorted. Only the order
// of the output changes, so a document field with one of these names is
// merely moved up. isRankedKey (raw.go) lists the same keys.
func keyRank(k string) int {
	switch k {
	case "code":
		return 1
	case "success":
		return 2
	case "error":
		return 3
	case "query":
		return 4
	case "notfound":
		return 5
	case "_id":
		return 6
	case "_version":
		return 7
	case "_score":
		return 8
	case "took":
		return 9
	case "total":
		return 10
	case "max_score":
		return 11
	case "hits":
		return 12
	case "facets":
		return 13
	case "_scroll_id":
		return 14
	}
	return 1 << 30
}

// rankedKey is a key with its rank, computed once per key for the sort.
type rankedKey struct {
	rank int
	key  string
}

func compareRanked(a, b rankedKey) int {
	if a.rank != b.rank {
		return a.rank - b.rank
	}
	return strings.Compare(a.key, b.key)
}

// appendJSON writes v as JSON. It differs from encoding/json in three ways
// a BioThings client expects: keys in keyRank order, no HTML escaping
// (variant ids hold ">"), and floats with an integral value written with
// ".0" as Elasticsearch returns them from _source (38.0 stays 38.0).
func appendJSON(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case string:
		return jsonenc.AppendString(buf, x)
	case bool:
		return strconv.AppendBool(buf, x)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		return appendFloat(buf, x)
	case map[string]any:
		return appendObject(buf, x)
	case storedDoc:
		return appendRaw(buf, x)
	case []any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, e)
		}
		return append(buf, ']')
	case []map[string]any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendObject(buf, e)
		}
		return append(buf, ']')
	case json.Number:
		if json.Valid([]byte(x)) {
			return append(buf, x...)
		}
		return jsonenc.AppendString(buf, string(x))
	}
	data, err := json.Marshal(v)
	if err != nil {
		return append(buf, "null"...)
	}
	return append(buf, data...)
}

func appendObject(buf []byte, m map[string]any) []byte {
	var small [32]rankedKey
	keys := small[:0]
	for k := range m {
		keys = append(keys, rankedKey{keyRank(k), k})
	}
	slices.SortFunc(keys, compareRanked)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = jsonenc.AppendString(buf, k.key)
		buf = append(buf, ':')
		buf = appendJSON(buf, m[k.key])
	}
	return append(buf, '}')
}

// appendFloat writes a float as encoding/json does, plus ".0" on integral
// values; NaN and infinities, which JSON cannot hold, become null.
func appendFloat(buf []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(buf, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as encoding/json writes it.
		n := len(buf)
		if n-start >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
		return buf
	}
	if bytes.IndexByte(buf[start:], '.') < 0 {
		buf = append(buf, ".0"...)
	}
	return buf
}

// writeAnswer sends v with status in the requested format.
func writeAnswer(w http.ResponseWriter, status int, format string, v any) {
	ctype, body, release := render(format, v)
	defer release()
	send(w, status, ctype, body)
}

// render encodes v; release gives the buffer back once body is sent.
func render(format string, v any) (ctype string, body []byte, release func()) {
	if format != "json" && contentTypes[format] != "" {
		body, err := encode(format, v)
		if err == nil {
			return contentTypes[format], body, func() {}
		}
		// Only a value the encoders cannot take gets here, never user
		// input; fall back to JSON, which takes everything.
	}
	bp := bufPool.Get().(*[]byte)
	body = appendJSON((*bp)[:0], v)
	return contentTypes["json"], body, func() {
		if cap(body) <= 1<<20 {
			*bp = body[:0]
			bufPool.Put(bp)
		}
	}
}

func send(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
