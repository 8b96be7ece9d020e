package pyparser

import (
	"reflect"
	"strings"
	"testing"
)

// TestDocDecoderMatchesEncodingJSON checks the fast decoder against
// encoding/json with the same number rule.
func TestDocDecoderMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	valid := []string{
		`{}`,
		`{"_id":"a","n":1,"f":1.5,"e":1e3,"neg":-7,"z":0,"nz":-0.0,"t":true,"fa":false,"nil":null}`,
		`{"big":12345678901234567890,"max":9223372036854775807,"min":-9223372036854775808,"over":9223372036854775808}`,
		`{"s":"tab\there \"q\" \\ \/ \b\f\n\r \u00e9 \u2603 \ud83d\ude00 héllo ☃"}`,
		`{"l":[],"m":{},"nested":[[1,[2,{"a":[3]}]],{"b":{"c":null}}]}`,
		` { "sp" : [ 1 , 2 ] , "x" : { } } `,
		`{"dup":1,"dup":2}`,
		`{"small":1e-300,"exp":2E+5,"frac":0.000001}`,
	}
	d := newDocDecoder()
	for _, in := range valid {
		want, err := decodeDocument([]byte(in))
		if err != nil {
			t.Fatalf("encoding/json: %s: %v", in, err)
		}
		got, err := d.decode([]byte(in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", in, got, want)
		}
	}
	invalid := []string{``, `[]`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, `{"a":"x}`, `{"a":tru}`, `{"a":1} x`,
		`{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}", `{"a":1e999}`, `{"a":-}`, "{\"a\":\"\xff\"}",
		`{"a":[1 2]}`, `{a:1}`}
	for _, in := range invalid {
		if _, err := d.decode([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	deep := strings.Repeat(`{"a":`, maxDepth+2) + "1" + strings.Repeat("}", maxDepth+2)
	if _, err := d.decode([]byte(deep)); err == nil {
		t.Error("no error for a document nested too deeply")
	}
}
