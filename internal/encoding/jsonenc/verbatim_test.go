package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
)

func TestVerbatimCheck(t *testing.T) {
	many := func(dup bool) string {
		var b strings.Builder
		b.WriteString(`{"_id":"m"`)
		for i := range 40 {
			fmt.Fprintf(&b, `,"k%d":%d`, i, i)
		}
		if dup {
			b.WriteString(`,"k17":0`)
		}
		return b.String() + "}"
	}
	tests := []struct {
		name, in string
		id       string // "" = want false
	}{
		{name: "plain", in: `{"_id":"a","x":1}`, id: "a"},
		{name: "python's output", in: `{"_id":"chr1:g.1A>G","cgi":[{"drug":"Ponatinib (BCR-ABL inhibitor 3rd gen&Pan-TK inhibitor)","n":-12,"f":1.5e-07,"g":1e+16,"t":true,"z":null}]}`, id: "chr1:g.1A>G"},
		{name: "_id not first", in: `{"x":{"_id":3},"_id":"b"}`, id: "b"},
		{name: "white space", in: " {\n \"_id\" : \"a\" , \"x\" : [ 1 , { } , [ ] ] }\r\n", id: "a"},
		{name: "escapes in values", in: `{"_id":"a\"b\\c\u00e9\n","s":"\/\b\f\t\r\u0001\u2028é漢字🧬"}`, id: "a\"b\\c\u00e9\n"},
		{name: "same names in different objects", in: `{"_id":"a","x":{"x":{"x":1}},"y":[{"x":1},{"x":2}]}`, id: "a"},
		{name: "many distinct names", in: many(false), id: "m"},
		{name: "int64 range", in: `{"_id":"a","n":123456789012345678,"m":-123456789012345678,"z":-0}`, id: "a"},
		{name: "floats", in: `{"_id":"a","f":1.7976931348623157e+308,"g":5e-324,"h":-0.0,"i":1e-400,"j":12345678901234567890.5e10}`, id: "a"},

		{name: "repeated name", in: `{"_id":"a","x":1,"x":2}`},
		{name: "repeated name, nested", in: `{"_id":"a","o":{"y":1,"y":1}}`},
		{name: "repeated name among many", in: many(true)},
		{name: "repeated _id", in: `{"_id":"a","_id":"a"}`},
		{name: "escaped name", in: `{"_id":"a","\u0078":1}`},
		{name: "escaped _id name", in: `{"\u005fid":"a"}`},
		{name: "19-digit integer", in: `{"_id":"a","n":1234567890123456789}`},
		{name: "beyond int64", in: `{"_id":"a","n":-99999999999999999999}`},
		{name: "beyond float64", in: `{"_id":"a","f":1e400}`},
		{name: "lone surrogate escape", in: `{"_id":"a","s":"\ud800"}`},
		{name: "surrogate pair escape", in: `{"_id":"a","s":"\uD83E\uDDEC"}`},
		{name: "no _id", in: `{"x":1}`},
		{name: "number _id", in: `{"_id":1}`},
		{name: "null _id", in: `{"_id":null}`},
		{name: "object _id", in: `{"_id":{"a":"b"}}`},
		{name: "not an object", in: `["_id","a"]`},
		{name: "invalid UTF-8", in: "{\"_id\":\"a\",\"s\":\"\xff\"}"},
		{name: "control character", in: "{\"_id\":\"a\",\"s\":\"a\tb\"}"},
		{name: "trailing comma", in: `{"_id":"a",}`},
		{name: "leading zero", in: `{"_id":"a","n":01}`},
		{name: "more after", in: `{"_id":"a"} {}`},
		{name: "bad escape", in: `{"_id":"a","s":"\x"}`},
		{name: "NaN", in: `{"_id":"a","n":NaN}`},
		{name: "unfinished", in: `{"_id":"a","x":[1,2`},
		{name: "too deep", in: `{"_id":"a","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`},
	}
	var v jsonenc.Verbatim
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := v.Check([]byte(tt.in))
			if want := tt.id != ""; ok != want || id != tt.id {
				t.Fatalf("Check(%.80q) = %q, %v; want %q, %v", tt.in, id, ok, tt.id, want)
			}
		})
	}
}

// FuzzVerbatimCheck checks that what Check accepts is one valid JSON
// object without repeated names, whose integers are int64s and whose _id
// is the string Check returns; and that writing its decoded document again
// gives text that decodes to the same document.
func FuzzVerbatimCheck(f *testing.F) {
	for _, s := range []string{
		`{"_id":"a","x":1}`, `{"x":[1,{"_id":2}],"_id":"b"}`, `{}`, ` { "_id" : "1" } `, `{"\u005fid":"a"}`,
		`{"_id":"a","_id":"b"}`, `{"a":"\ud800","_id":"é"}`, `{"_id":"a","a":1e5,"b":-0.5E-3,"c":[true,false,null],"d":-0}`,
		`{"_id":"\"\\\/\b","b":{"d":1,"c":{"f":2,"e":3}},"a":[{"z":1,"y":2}]}`, `{"_id":"a","a":1,"a":2}`,
		`{"_id":"x","n":99999999999999999999,"m":1e400}`, `[1]`, `{"_id":"a","a":01}`, "{\"_id\":\"a\",\"s\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	var v jsonenc.Verbatim
	f.Fuzz(func(t *testing.T, in []byte) {
		id, ok := v.Check(in)
		if !ok {
			return
		}
		trimmed := bytes.TrimLeft(in, " \t\r\n")
		if !json.Valid(in) || trimmed[0] != '{' {
			t.Fatalf("Check(%q) accepted what is not one JSON object", in)
		}
		if repeatsName(in, "") {
			t.Fatalf("Check(%q) accepted a repeated name", in)
		}
		doc, err := docstore.DecodeJSON(in)
		if err != nil {
			t.Fatalf("Check(%q) accepted what DecodeJSON refuses: %v", in, err)
		}
		m := doc.(map[string]any)
		if m["_id"] != id {
			t.Fatalf("Check(%q) gave _id %q; DecodeJSON reads %v", in, id, m["_id"])
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := docstore.DecodeJSON(again)
		if err != nil {
			t.Fatal(err)
		}
		if !sameNumbers(m, back) {
			t.Fatalf("Check(%q): %v written again reads %v", in, m, back)
		}
	})
}

// sameNumbers compares decoded documents, taking float64s that are whole
// numbers equal to the int64s encoding/json writes them as.
func sameNumbers(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			if !sameNumbers(e, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameNumbers(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int64:
			return x == float64(y)
		}
		return false
	}
	return reflect.DeepEqual(a, b)
}

func BenchmarkVerbatimCheck(b *testing.B) {
	doc := []byte(`{"_id":"chr9:g.133748283C>T","cgi":{"association":"Resistant","cdna":"c.944C>T","drug":"BCR-ABL inhibitor 2nd gens (Nilotinib,Dasatinib,etc)","evidence_level":"European LeukemiaNet guidelines","gene":"ABL1","primary_tumor_type":"Chronic myeloid leukemia","protein_change":"ABL1:T315I","region":"inside_[cds_in_exon_6]","source":"PMID:21562040","transcript":"ENST00000318560"}}`)
	var v jsonenc.Verbatim
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := v.Check(doc); !ok {
			b.Fatal("refused")
		}
	}
}
