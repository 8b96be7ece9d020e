package jsonenc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestCutMember(t *testing.T) {
	tests := []struct {
		name, in, key string
		rest, value   string // value "" = no member named key
		err           bool
	}{
		{name: "first", in: `{"_id":"a","x":1}`, key: "_id", rest: `{"x":1}`, value: `"a"`},
		{name: "middle", in: `{"x":1,"_id":"a","y":[2,{"_id":3}]}`, key: "_id", rest: `{"x":1,"y":[2,{"_id":3}]}`, value: `"a"`},
		{name: "last", in: `{"x":{"a":"}"},"_id":"a"}`, key: "_id", rest: `{"x":{"a":"}"}}`, value: `"a"`},
		{name: "only", in: `{"_id":"a"}`, key: "_id", rest: `{}`, value: `"a"`},
		{name: "absent", in: `{"x":"_id","y":{"_id":1}}`, key: "_id", rest: `{"x":"_id","y":{"_id":1}}`},
		{name: "empty object", in: `{}`, key: "_id", rest: `{}`},
		{name: "empty object with spaces", in: " {\n} \t", key: "_id", rest: "{\n}"},
		{name: "whitespace", in: " { \"_id\" : \"a\" ,\n \"x\" : [ 1 , 2 ] , \"y\":null }\r\n", key: "_id", rest: `{"x" : [ 1 , 2 ],"y":null}`, value: `"a"`},
		{name: "escaped name", in: `{"\u005fid":"a","x":1}`, key: "_id", rest: `{"x":1}`, value: `"a"`},
		{name: "escaped slash in name", in: `{"_\/id":1,"_id":2}`, key: "_id", rest: `{"_\/id":1}`, value: `2`},
		{name: "repeated: last one kept", in: `{"_id":"a","x":1,"_id":"b"}`, key: "_id", rest: `{"x":1}`, value: `"b"`},
		{name: "value any type", in: `{"_id":{"a":[1,2.5e-3,true,false,null]},"z":"é漢字🧬"}`, key: "_id", rest: `{"z":"é漢字🧬"}`, value: `{"a":[1,2.5e-3,true,false,null]}`},
		{name: "unicode name", in: `{"é":1,"_id":"\"\\"}`, key: "é", rest: `{"_id":"\"\\"}`, value: `1`},
		{name: "big number kept as written", in: `{"n":9007199254740993,"_id":"x"}`, key: "_id", rest: `{"n":9007199254740993}`, value: `"x"`},
		{name: "array", in: `[1]`, key: "_id", err: true},
		{name: "null", in: `null`, key: "_id", err: true},
		{name: "string", in: `"{}"`, key: "_id", err: true},
		{name: "empty", in: ``, key: "_id", err: true},
		{name: "unfinished", in: `{"_id":"a"`, key: "_id", err: true},
		{name: "two objects", in: `{} {}`, key: "_id", err: true},
		{name: "trailing comma", in: `{"a":1,}`, key: "_id", err: true},
		{name: "missing colon", in: `{"a" 1}`, key: "_id", err: true},
		{name: "bad number", in: `{"a":01}`, key: "_id", err: true},
		{name: "bad fraction", in: `{"a":1.}`, key: "_id", err: true},
		{name: "bad exponent", in: `{"a":1e}`, key: "_id", err: true},
		{name: "lone minus", in: `{"a":-}`, key: "_id", err: true},
		{name: "bad literal", in: `{"a":tru}`, key: "_id", err: true},
		{name: "bad escape", in: `{"a":"\x"}`, key: "_id", err: true},
		{name: "short unicode escape", in: `{"a":"\u12"}`, key: "_id", err: true},
		{name: "control character", in: "{\"a\":\"l\nb\"}", key: "_id", err: true},
		{name: "bad value after the key", in: `{"_id":x}`, key: "_id", err: true},
		{name: "bad nested", in: `{"a":[1 2]}`, key: "_id", err: true},
		{name: "name not a string", in: `{a:1}`, key: "_id", err: true},
		{name: "too deep", in: `{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`, key: "_id", err: true},
		{name: "deepest allowed", in: `{"a":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`, key: "a", rest: `{}`, value: strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if object := json.Valid([]byte(tt.in)) && strings.HasPrefix(strings.TrimSpace(tt.in), "{"); object == tt.err {
				t.Fatalf("bad case: a valid JSON object: %v", object)
			}
			rest, value, err := CutMember([]byte(tt.in), tt.key)
			if tt.err {
				if err == nil {
					t.Fatalf("CutMember(%s) = %s, %s; want an error", tt.in, rest, value)
				}
				return
			}
			if err != nil {
				t.Fatalf("CutMember(%s): %v", tt.in, err)
			}
			if string(rest) != tt.rest || string(value) != tt.value || (tt.value == "") != (value == nil) {
				t.Errorf("CutMember(%s) = %s, %s; want %s, %s", tt.in, rest, value, tt.rest, tt.value)
			}
		})
	}
}

// FuzzCutMember checks CutMember against encoding/json: it accepts what
// json.Valid accepts as an object, and its rest decodes to the object
// decoded without the key, and its value to the key's value.
func FuzzCutMember(f *testing.F) {
	for _, s := range []string{
		`{"_id":"a","x":1}`, `{"x":[1,{"_id":2}],"_id":"b"}`, `{}`, ` { "_id" : 1 } `, `{"\u005fid":"a"}`,
		`{"_id":1,"_id":2}`, `{"a":"\ud800","_id":"é"}`, `{"a":1e5,"b":-0.5E-3,"c":[true,false,null]}`,
		`[1]`, `{"a":01}`, `{"a":"x\ty"}`, "{\"a\":\"\xff\"}", `{"a":1,}`, `{"a":{}}}`,
	} {
		f.Add([]byte(s), "_id")
	}
	f.Add([]byte(`{"é":1,"e":2}`), "é")
	f.Fuzz(func(t *testing.T, in []byte, key string) {
		trimmed := bytes.TrimLeft(in, " \t\r\n")
		isObject := json.Valid(in) && len(trimmed) > 0 && trimmed[0] == '{'
		rest, value, err := CutMember(bytes.Clone(in), key)
		if (err == nil) != isObject {
			t.Fatalf("CutMember(%q): error %v; json.Valid object: %v", in, err, isObject)
		}
		if err != nil {
			return
		}
		want := decode(t, in).(map[string]any)
		wantValue, had := want[key]
		delete(want, key)
		if len(rest) == 0 || rest[0] != '{' || rest[len(rest)-1] != '}' {
			t.Fatalf("CutMember(%q) = %q: not one object without surrounding space", in, rest)
		}
		if got := decode(t, rest); !reflect.DeepEqual(got, want) {
			t.Fatalf("CutMember(%q, %q) = %q, decoding to %v; want %v", in, key, rest, got, want)
		}
		if had != (value != nil) {
			t.Fatalf("CutMember(%q, %q): value %q; key present: %v", in, key, value, had)
		}
		if had {
			if got := decode(t, value); !reflect.DeepEqual(got, wantValue) {
				t.Fatalf("CutMember(%q, %q): value %q decodes to %v; want %v", in, key, value, got, wantValue)
			}
		}
	})
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return v
}
