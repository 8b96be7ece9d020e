package jsonenc

import (
	"encoding/json"
	"testing"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\ncr\r\x01\x1f", "chr9:g.133748283C>T <&>", "é ü 漢字", "\u2028\u2029", "bad \xff utf8"} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q -> %s: not JSON: %v", s, got, err)
		}
		want, _ := json.Marshal(s) // replaces invalid UTF-8 the same way
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q round-trips to %q, encoding/json to %q", s, back, wantBack)
		}
	}
	if got := string(AppendString(nil, "a<b")); got != `"a<b"` {
		t.Errorf("HTML characters escaped: %s", got)
	}
}
