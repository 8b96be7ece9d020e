package search

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// decodeSlow is DecodeDoc's encoding/json path alone.
func decodeSlow(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errNullDoc
	}
	NormalizeNumbers(doc)
	return doc, nil
}

var errNullDoc = errors.New("the document is null, want an object")

var decodeCases = []string{
	`{}`, `{"a":1}`, `{"a":-0,"b":-12,"c":123456789012345678,"d":1234567890123456789,"e":12345678901234567890,"f":-9223372036854775808,"g":-9223372036854775809}`,
	`{"a":1.5,"b":1e3,"c":2E-3,"d":1.0,"e":-0.0,"f":1e400,"g":-1e400,"h":5e-324,"i":1e-400}`,
	`{"s":"plain","t":"tab\tescaped","u":"\u00e9\ud83e\uddec","v":"\ud800 lone","w":"é漢字🧬","x":"\u2028"}`,
	"{\"bad\":\"\xff\xfe invalid utf-8\",\"k\xffey\":1}",
	`{"a":{"b":[1,2,{"c":null}],"d":[]},"e":true,"f":false}`,
	`{"dup":1,"dup":2}`, ` { "sp" : [ 1 , 2 ] } trailing`, `{"a":1}{"b":2}`,
	`null`, `[1,2]`, `"str"`, `1`, `{`, `{"a"}`, `{"a":}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":+1}`,
	`{"a":tru}`, `{"a":nul}`, "{\"a\":\"ctl\x01\"}", `{"a":"\x"}`, `{"a":[1,]}`, `{"a":1,}`, `{,}`, ``, `   `,
	`{"a":"unterminated}`, `{"a":[1 2]}`, `{"a":1 "b":2}`,
}

func checkDecode(t *testing.T, in []byte) {
	t.Helper()
	got, gerr := DecodeDoc(in)
	want, werr := decodeSlow(in)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("DecodeDoc(%q) error %v; encoding/json %v", in, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeDoc(%q) = %#v; encoding/json %#v", in, got, want)
	}
}

func TestDecodeDocMatchesEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecode(t, []byte(c))
	}
	deep := bytes.Repeat([]byte(`{"a":`), 10001)
	checkDecode(t, append(deep, bytes.Repeat([]byte("}"), 10001)...))
}

func FuzzDecodeDoc(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkDecode(t, in) })
}

var benchSource = []byte(`{"cgi":[{"association":"Resistant","cdna":"c.944C>T","drug":"BCR-ABL inhibitor 2nd gens (Nilotinib,Dasatinib,etc)","evidence_level":"European LeukemiaNet guidelines","gene":"ABL1","primary_tumor_type":"Chronic myeloid leukemia","protein_change":"ABL1:T315I","region":"inside_[cds_in_exon_6]","source":"PMID:21562040","transcript":"ENST00000318560"},{"association":"Responsive","cdna":"c.944C>T","drug":"Axitinib (VEGFR inhibitor)","evidence_level":"Pre-clinical","gene":"ABL1","primary_tumor_type":"Any cancer type","protein_change":"ABL1:T315I","region":"inside_[cds_in_exon_6]","source":"PMID:25686603","transcript":"ENST00000318560"}],"n":12,"f":0.25}`)

func BenchmarkDecodeDoc(b *testing.B) {
	for b.Loop() {
		if _, err := DecodeDoc(benchSource); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDocEncodingJSON(b *testing.B) {
	for b.Loop() {
		if _, err := decodeSlow(benchSource); err != nil {
			b.Fatal(err)
		}
	}
}
