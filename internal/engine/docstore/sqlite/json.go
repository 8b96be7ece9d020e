package sqlite

import (
	"fmt"
	"math"
	"strconv"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
)

// The documents are stored as JSON written by appendJSON rather than
// encoding/json because a float64 must stay a float64: encoding/json
// writes 3.0 as "3", which reads back as an integer. appendJSON writes
// "3.0", and decodeDoc turns numbers without '.' or exponent into int64.

// encodeDocs encodes a batch before any write, so that a bad value fails
// the batch before the transaction starts.
func encodeDocs(docs []docstore.Doc) ([][]byte, error) {
	out := make([][]byte, len(docs))
	for i, d := range docs {
		b, err := encodeDoc(d)
		if err != nil {
			id, _ := d["_id"].(string)
			return nil, fmt.Errorf("document %d (_id %q): %w", i, id, err)
		}
		out[i] = b
	}
	return out, nil
}

func encodeDoc(d docstore.Doc) ([]byte, error) {
	return appendJSON(make([]byte, 0, 256), d)
}

func decodeDoc(raw []byte) (docstore.Doc, error) {
	v, err := docstore.DecodeJSON(raw)
	if err != nil {
		return nil, err
	}
	d, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("stored document is a %T, not an object", v)
	}
	return d, nil
}

func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonenc.AppendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return appendFloat(b, x)
	case map[string]any:
		b = append(b, '{')
		first := true
		for k, e := range x {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = jsonenc.AppendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return append(b, ']'), nil
	}
	n, err := docstore.Normalize(v)
	if err != nil {
		return nil, err
	}
	return appendJSON(b, n)
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %v cannot be stored", f)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, 64)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' {
			return b, nil
		}
	}
	return append(b, ".0"...), nil
}
