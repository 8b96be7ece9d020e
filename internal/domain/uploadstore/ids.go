package uploadstore

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// MaxIDBytes is the longest _id accepted, in bytes.
const MaxIDBytes = 512

// checkID returns the document's _id, or why it is not acceptable.
func checkID(doc map[string]any) (string, string) {
	v, ok := doc["_id"]
	if !ok {
		return "", "_id missing"
	}
	s, ok := v.(string)
	switch {
	case !ok:
		return "", fmt.Sprintf("_id is %s, want a string", describe(v))
	case s == "":
		return "", "_id is empty"
	case len(s) > MaxIDBytes:
		return "", fmt.Sprintf("_id is %d bytes long, at most %d allowed (it starts %q)", len(s), MaxIDBytes, shorten(s, 40))
	}
	return s, ""
}

// describe names a value's JSON type with a short rendering of it:
// `a number (42)`, `an object ({"a":1})`, `null`.
func describe(v any) string {
	if v == nil {
		return "null"
	}
	kind := "a " + reflect.TypeOf(v).String()
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		kind = "a number"
	case reflect.Bool:
		kind = "a boolean"
	case reflect.Map, reflect.Struct:
		kind = "an object"
	case reflect.Slice, reflect.Array:
		kind = "an array"
	}
	if _, ok := v.(json.Number); ok {
		kind = "a number"
	}
	text := fmt.Sprint(v)
	if b, err := json.Marshal(v); err == nil {
		text = string(b)
	}
	return fmt.Sprintf("%s (%s)", kind, shorten(text, 40))
}

// shorten cuts s to at most n bytes, on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
