package tableparse

import (
	"encoding/binary"
	"errors"
	"math"
)

// The spill files of grouping hold document values in a small typed
// binary form that gives back exactly what was written: int64 stays int64,
// float64 keeps its bits, strings their bytes. A value is a tag byte, then:
//
//	'n' null, 't' true, 'f' false
//	'i' zig-zag varint int64
//	'd' 8 bytes, little-endian float64 bits
//	's' uvarint length, bytes
//	'a' uvarint count, values
//	'm' uvarint count, (uvarint key length, key bytes, value) pairs

// appendValue appends the encoding of a document value; ok is false for a
// value of another type (Run builds none).
func appendValue(b []byte, v any) (_ []byte, ok bool) {
	switch x := v.(type) {
	case nil:
		return append(b, 'n'), true
	case bool:
		if x {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case int64:
		return binary.AppendVarint(append(b, 'i'), x), true
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, 'd'), math.Float64bits(x)), true
	case string:
		b = binary.AppendUvarint(append(b, 's'), uint64(len(x)))
		return append(b, x...), true
	case []any:
		b = binary.AppendUvarint(append(b, 'a'), uint64(len(x)))
		for _, it := range x {
			if b, ok = appendValue(b, it); !ok {
				return b, false
			}
		}
		return b, true
	case map[string]any:
		b = binary.AppendUvarint(append(b, 'm'), uint64(len(x)))
		for k, it := range x {
			b = binary.AppendUvarint(b, uint64(len(k)))
			b = append(b, k...)
			if b, ok = appendValue(b, it); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false
}

var errCorrupt = errors.New("corrupt spill record")

// decodeValue decodes one value from the start of b and returns the rest.
func decodeValue(b []byte) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errCorrupt
	}
	tag, b := b[0], b[1:]
	switch tag {
	case 'n':
		return nil, b, nil
	case 't':
		return true, b, nil
	case 'f':
		return false, b, nil
	case 'i':
		x, n := binary.Varint(b)
		if n <= 0 {
			return nil, nil, errCorrupt
		}
		return x, b[n:], nil
	case 'd':
		if len(b) < 8 {
			return nil, nil, errCorrupt
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), b[8:], nil
	case 's':
		s, rest, err := decodeString(b)
		return s, rest, err
	case 'a':
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return nil, nil, errCorrupt
		}
		b = b[k:]
		out := make([]any, n)
		for i := range out {
			var err error
			if out[i], b, err = decodeValue(b); err != nil {
				return nil, nil, err
			}
		}
		return out, b, nil
	case 'm':
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return nil, nil, errCorrupt
		}
		b = b[k:]
		out := make(map[string]any, n)
		for range n {
			key, rest, err := decodeString(b)
			if err != nil {
				return nil, nil, err
			}
			var v any
			if v, b, err = decodeValue(rest); err != nil {
				return nil, nil, err
			}
			out[key] = v
		}
		return out, b, nil
	}
	return nil, nil, errCorrupt
}

func decodeString(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, errCorrupt
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}

// memSize estimates the bytes a document value holds on the heap: string
// headers and bytes, boxed numbers, list backing arrays and map slots. It
// is deterministic, so the point where grouping spills depends on the
// input only.
func memSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return 16 + int64(len(x))
	case int64, float64:
		return 8
	case []any:
		n := int64(24 + 16*cap(x))
		for _, it := range x {
			n += memSize(it)
		}
		return n
	case map[string]any:
		// A map header and its slots: key and value headers plus control
		// bytes, at a load of 7/8.
		n := int64(64 + 40*len(x)*8/7)
		for k, it := range x {
			n += int64(len(k)) + memSize(it)
		}
		return n
	}
	return 0
}
