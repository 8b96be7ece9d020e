package docstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// validName is the set of collection names every backend accepts: it is
// safe as a quoted SQLite table name and as a MongoDB collection name.
var validName = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

// CheckName returns an error naming the collection when name is not a
// valid collection name (letters, digits, '_', '.', '-').
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("collection %q: invalid name: use only letters, digits, '_', '.' and '-'", name)
	}
	return nil
}

// Normalize converts a value to the JSON types documents are made of
// (string, bool, nil, int64, float64, []any, map[string]any). Other Go
// integer and float types, json.Number, typed maps and slices are
// converted; anything else goes through a JSON round trip (structs with
// json tags). NaN and infinities are rejected because JSON cannot hold them.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("number %v cannot be stored", x)
		}
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		return uintToInt64(uint64(x))
	case uint64:
		return uintToInt64(x)
	case float32:
		return Normalize(float64(x))
	case json.Number:
		return numberValue(string(x))
	case map[string]any:
		return normalizeMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := Normalize(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	}
	return normalizeReflect(v)
}

// NormalizeDoc normalises every value of a document into a new map.
func NormalizeDoc(d Doc) (Doc, error) {
	return normalizeMap(d)
}

func normalizeMap(m map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		n, err := Normalize(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

func uintToInt64(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("number %d is beyond int64", u)
	}
	return int64(u), nil
}

// numberValue parses a JSON number: integral literals become int64, the
// others (with '.', 'e' or beyond int64) float64.
func numberValue(s string) (any, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %q: %w", s, err)
	}
	return f, nil
}

// normalizeReflect handles typed maps and slices by reflection and falls
// back to a JSON round trip for everything else.
func normalizeReflect(v any) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			out := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				n, err := Normalize(it.Value().Interface())
				if err != nil {
					return nil, fmt.Errorf("%s: %w", it.Key().String(), err)
				}
				out[it.Key().String()] = n
			}
			return out, nil
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() != reflect.Uint8 {
			out := make([]any, rv.Len())
			for i := range out {
				n, err := Normalize(rv.Index(i).Interface())
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				out[i] = n
			}
			return out, nil
		}
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return Normalize(rv.Elem().Interface())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("value of type %T: %w", v, err)
	}
	return DecodeJSON(b)
}

// DecodeJSON decodes JSON text into normalised values: integral numbers
// become int64, the others float64.
func DecodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return fromJSON(v)
}

func fromJSON(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return numberValue(string(x))
	case map[string]any:
		for k, e := range x {
			n, err := fromJSON(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
		return x, nil
	case []any:
		for i, e := range x {
			n, err := fromJSON(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
		return x, nil
	}
	return v, nil
}
