package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
)

func TestAppendCanonical(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name, in, drop string
		out, value     string // value "" = no member dropped
		err            error  // errAny: any error
	}{
		{name: "first", in: `{"_id":"a","x":1}`, drop: "_id", out: `{"x":1}`, value: `"a"`},
		{name: "middle, sorted", in: `{"y":[2,{"_id":3}],"_id":"a","x":1}`, drop: "_id", out: `{"x":1,"y":[2,{"_id":3}]}`, value: `"a"`},
		{name: "nested objects sorted", in: `{"b":{"z":1,"a":{"y":null,"x":[{"d":1,"c":2}]}},"a":true}`, drop: "_id", out: `{"a":true,"b":{"a":{"x":[{"c":2,"d":1}],"y":null},"z":1}}`},
		{name: "sorted by bytes", in: `{"é":1,"z":2,"Z":3,"_":4,"a b":5,"":6}`, drop: "_id", out: `{"":6,"Z":3,"_":4,"a b":5,"z":2,"é":1}`},
		{name: "only", in: `{"_id":"a"}`, drop: "_id", out: `{}`, value: `"a"`},
		{name: "empty", in: " {\n} \t", drop: "_id", out: `{}`},
		{name: "white space dropped", in: " { \"_id\" : \"a\" ,\n \"x\" : [ 1 , { } , [ ] ] , \"y\":null }\r\n", drop: "_id", out: `{"x":[1,{},[]],"y":null}`, value: `"a"`},
		{name: "escaped name", in: `{"\u005fid":"a","x":1}`, drop: "_id", out: `{"x":1}`, value: `"a"`},
		{name: "names compared decoded", in: `{"a\"":1,"a#":2,"a\u0022b":3}`, drop: "_id", out: `{"a\"":1,"a\"b":3,"a#":2}`},
		{name: "repeated dropped name: the last", in: `{"_id":"a","x":1,"_id":"b"}`, drop: "_id", out: `{"x":1}`, value: `"b"`},
		{name: "value of any type", in: `{"_id":{"b":[1,2.5e-3]},"z":"é漢字🧬"}`, drop: "_id", out: `{"z":"é漢字🧬"}`, value: `{"b":[1,2.5e-3]}`},
		{name: "integers", in: `{"a":9007199254740993,"b":-9223372036854775808,"c":9223372036854775807,"d":0,"e":-0,"f":123456789012345678}`, drop: "_id", out: `{"a":9007199254740993,"b":-9223372036854775808,"c":9223372036854775807,"d":0,"e":0,"f":123456789012345678}`},
		{name: "integers beyond int64", in: `{"a":9223372036854775808,"b":-99999999999999999999}`, drop: "_id", out: `{"a":9.223372036854776e+18,"b":-1e+20}`},
		{name: "floats", in: `{"a":1.5,"b":2.0,"c":1e2,"d":1E-7,"e":-0.0,"f":5e-324,"g":1.7976931348623157e308,"h":0.10,"i":1e21}`, drop: "_id", out: `{"a":1.5,"b":2.0,"c":100.0,"d":1e-07,"e":-0.0,"f":5e-324,"g":1.7976931348623157e+308,"h":0.1,"i":1e+21}`},
		{name: "strings kept", in: `{"a":"q\"b\\s\n\r\t\u0001\u001f\u2028\u2029 <&> é"}`, drop: "_id", out: `{"a":"q\"b\\s\n\r\t\u0001\u001f\u2028\u2029 <&> é"}`},
		{name: "strings rewritten", in: `{"a":"\/\b\f\u0041\u00e9\u001F\u000a\ud83e\uddec","b":"` + "\u2028" + `"}`, drop: "_id", out: `{"a":"/\u0008\u000cAé\u001f\n🧬","b":"\u2028"}`},
		{name: "deepest allowed", in: `{"a":` + deep(9999) + `}`, drop: "_id", out: `{"a":` + deep(9999) + `}`},
		{name: "too deep", in: `{"a":` + deep(10000) + `}`, drop: "_id", err: errAny},
		{name: "repeated name", in: `{"a":1,"b":2,"a":3}`, drop: "_id", err: jsonenc.ErrRepeatedName},
		{name: "repeated nested name", in: `{"x":{"b":1,"a":2,"b":3}}`, drop: "_id", err: jsonenc.ErrRepeatedName},
		{name: "repeated escaped name", in: `{"a":1,"\u0061":2}`, drop: "_id", err: jsonenc.ErrRepeatedName},
		{name: "not UTF-8", in: "{\"a\":\"\xff\"}", drop: "_id", err: jsonenc.ErrNotUTF8},
		{name: "number beyond float64", in: `{"a":1e400}`, drop: "_id", err: jsonenc.ErrNumberOutside},
		{name: "array", in: `[1]`, drop: "_id", err: errAny},
		{name: "null", in: `null`, drop: "_id", err: errAny},
		{name: "nothing", in: ``, drop: "_id", err: errAny},
		{name: "unfinished", in: `{"_id":"a"`, drop: "_id", err: errAny},
		{name: "two objects", in: `{} {}`, drop: "_id", err: errAny},
		{name: "trailing comma", in: `{"a":1,}`, drop: "_id", err: errAny},
		{name: "missing colon", in: `{"a" 1}`, drop: "_id", err: errAny},
		{name: "leading zero", in: `{"a":01}`, drop: "_id", err: errAny},
		{name: "bad fraction", in: `{"a":1.}`, drop: "_id", err: errAny},
		{name: "bad exponent", in: `{"a":1e}`, drop: "_id", err: errAny},
		{name: "bad literal", in: `{"a":tru}`, drop: "_id", err: errAny},
		{name: "bad escape", in: `{"a":"\x"}`, drop: "_id", err: errAny},
		{name: "short escape", in: `{"a":"\u12"}`, drop: "_id", err: errAny},
		{name: "control character", in: "{\"a\":\"l\nb\"}", drop: "_id", err: errAny},
		{name: "bad dropped value", in: `{"_id":x}`, drop: "_id", err: errAny},
		{name: "name not a string", in: `{a:1}`, drop: "_id", err: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			out, value, err := jsonenc.AppendCanonical([]byte("prefix"), in, tt.drop)
			if string(in) != tt.in {
				t.Fatalf("the input changed to %s", in)
			}
			if tt.err != nil {
				if err == nil || (tt.err != errAny && !errors.Is(err, tt.err)) {
					t.Fatalf("AppendCanonical(%s) = %s, %s, %v; want error %v", tt.in, out, value, err, tt.err)
				}
				if string(out) != "prefix" {
					t.Errorf("on error, out = %q; want dst", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("AppendCanonical(%s): %v", tt.in, err)
			}
			if string(out) != "prefix"+tt.out || string(value) != tt.value || (tt.value == "") != (value == nil) {
				t.Errorf("AppendCanonical(%s) = %s, %s; want prefix%s, %s", tt.in, out, value, tt.out, tt.value)
			}
			checkMarshalDoc(t, in, tt.drop, out[len("prefix"):])
		})
	}
}

var errAny = errors.New("any error")

// checkMarshalDoc checks that out is what search.MarshalDoc writes for
// the document docstore.DecodeJSON reads from in, less drop.
func checkMarshalDoc(t *testing.T, in []byte, drop string, out []byte) {
	t.Helper()
	v, err := docstore.DecodeJSON(in)
	if err != nil {
		t.Fatalf("DecodeJSON(%q): %v", in, err)
	}
	d := v.(map[string]any)
	delete(d, drop)
	want, _, err := search.MarshalDoc(d)
	if err != nil {
		t.Fatalf("MarshalDoc: %v", err)
	}
	if !bytes.Equal(out, want) {
		t.Fatalf("AppendCanonical(%q, %q) = %q; MarshalDoc writes %q", in, drop, out, want)
	}
}

// FuzzAppendCanonical checks AppendCanonical against encoding/json and
// search.MarshalDoc: it accepts the valid JSON objects but those it says
// it cannot rewrite (and only those), writes what MarshalDoc writes for
// their decoded document, and gives the dropped member's value; and a
// document written with its names in reverse order comes out as
// MarshalDoc writes it.
func FuzzAppendCanonical(f *testing.F) {
	for _, s := range []string{
		`{"_id":"a","x":1}`, `{"x":[1,{"_id":2}],"_id":"b"}`, `{}`, ` { "_id" : 1 } `, `{"\u005fid":"a"}`,
		`{"_id":1,"_id":2}`, `{"a":"\ud800","_id":"é"}`, `{"a":1e5,"b":-0.5E-3,"c":[true,false,null],"d":-0}`,
		`{"b":{"d":1,"c":{"f":2,"e":3}},"a":[{"z":1,"y":2}]}`, `{"a":1,"a":2}`, `{"a":"\/\b\f\u00e9\u2028"}`,
		`{"n":99999999999999999999,"m":1e400}`, `[1]`, `{"a":01}`, `{"a":"x\ty"}`, "{\"a\":\"\xff\"}", `{"a":1,}`,
	} {
		f.Add([]byte(s), "_id")
	}
	f.Add([]byte(`{"é":1,"e":2}`), "é")
	f.Fuzz(func(t *testing.T, in []byte, drop string) {
		trimmed := bytes.TrimLeft(in, " \t\r\n")
		object := json.Valid(in) && len(trimmed) > 0 && trimmed[0] == '{'
		out, value, err := jsonenc.AppendCanonical(nil, bytes.Clone(in), drop)
		if err != nil {
			if object && utf8.Valid(in) && !repeatsName(in, drop) && decodes(in) {
				t.Fatalf("AppendCanonical(%q): %v; want it to take a valid object", in, err)
			}
			return
		}
		if !object {
			t.Fatalf("AppendCanonical(%q) = %q; want an error (not a valid JSON object)", in, out)
		}
		checkMarshalDoc(t, in, drop, out)
		v, _ := docstore.DecodeJSON(in)
		wantValue, had := v.(map[string]any)[drop]
		if had != (value != nil) {
			t.Fatalf("AppendCanonical(%q, %q): value %q; member present: %v", in, drop, value, had)
		}
		if had {
			got, err := docstore.DecodeJSON(value)
			if err != nil || !reflect.DeepEqual(got, wantValue) {
				t.Fatalf("AppendCanonical(%q, %q): value %q decodes to %v (%v); want %v", in, drop, value, got, err, wantValue)
			}
		}
		// The same document with its names in reverse order.
		rev := reversed(nil, v)
		out2, _, err := jsonenc.AppendCanonical(nil, rev, drop)
		if err != nil {
			t.Fatalf("AppendCanonical(%q): %v", rev, err)
		}
		checkMarshalDoc(t, rev, drop, out2)
	})
}

// decodes reports whether docstore.DecodeJSON reads data.
func decodes(data []byte) bool {
	_, err := docstore.DecodeJSON(data)
	return err == nil
}

// repeatsName reports whether an object of the JSON text data holds a
// name twice (as decoded), but for drop at the top level.
func repeatsName(data []byte, drop string) bool {
	type frame struct {
		object, wantName bool
		names            map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantName {
			if name, ok := tok.(string); ok {
				if top.names[name] && !(len(stack) == 1 && name == drop) {
					return true
				}
				top.names[name] = true
				top.wantName = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantName: true, names: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantName = true // a value ended
		}
	}
}

// reversed writes a decoded JSON value with the names of its objects in
// reverse order, its scalars as MarshalDoc writes them.
func reversed(b []byte, v any) []byte {
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		slices.Reverse(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, k)
			b = append(b, ':')
			b = reversed(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = reversed(b, e)
		}
		return append(b, ']')
	}
	one, _, _ := search.MarshalDoc(map[string]any{"": v})
	return append(b, one[len(`{"":`):len(one)-1]...)
}

// benchDoc is a stored document shaped like esbench's, its names in
// reverse order as a store may keep them.
func benchDoc() []byte {
	d := map[string]any{
		"_id": "000123456", "symbol": "G123456", "alias": []any{"A123456-0", "A123456-1"}, "entrezgene": "223456",
		"ensembl":      map[string]any{"gene": "ENSG00000123456", "transcript": []any{"ENST00000493824", "ENST00000493825"}},
		"type_of_gene": "protein-coding", "name": "cyclin dependent kinase protein",
		"summary":     "binding receptor factor transcription regulator membrane transport channel zinc finger domain family member subunit complex associated homolog",
		"taxid":       int64(9606),
		"genomic_pos": map[string]any{"chr": "7", "start": int64(123456789), "end": int64(123499999), "strand": int64(-1)},
		"refseq":      map[string]any{"rna": []any{"NM_004321.3"}, "protein": []any{"NP_004312.2", "NP_001234.1"}},
		"go": map[string]any{"BP": []any{
			map[string]any{"id": "GO:0001234", "term": "cell cycle regulation", "evidence": "IEA"},
			map[string]any{"id": "GO:0005678", "term": "signal pathway activity", "evidence": "TAS"},
		}},
		"exac": map[string]any{"p_li": 0.123456789, "n_lof": 12.0, "mu_syn": 0.000234567},
	}
	return reversed(nil, d)
}

func BenchmarkAppendCanonical(b *testing.B) {
	src := benchDoc()
	buf := make([]byte, 0, 2*len(src))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, _, err := jsonenc.AppendCanonical(buf[:0], src, "_id"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeMarshal is what AppendCanonical spares: decoding a
// stored document and encoding it again.
func BenchmarkDecodeMarshal(b *testing.B) {
	src := benchDoc()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		v, err := docstore.DecodeJSON(src)
		if err != nil {
			b.Fatal(err)
		}
		d := v.(map[string]any)
		delete(d, "_id")
		if _, _, err := search.MarshalDoc(d); err != nil {
			b.Fatal(err)
		}
	}
}
