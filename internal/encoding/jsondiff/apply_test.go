package jsondiff

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"studio/internal/engine/docstore"
)

// doc decodes JSON text into normalised values.
func doc(t testing.TB, s string) map[string]any {
	t.Helper()
	v, err := docstore.DecodeJSON([]byte(s))
	if err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("test JSON %s is not an object", s)
	}
	return m
}

// patch decodes a JSON patch.
func patch(t testing.TB, s string) []Op {
	t.Helper()
	var ops []Op
	if err := json.Unmarshal([]byte(s), &ops); err != nil {
		t.Fatalf("bad test patch %s: %v", s, err)
	}
	return ops
}

func TestApply(t *testing.T) {
	tests := []struct {
		name, doc, patch, want string
	}{
		{"add key", `{"a":1}`, `[{"op":"add","path":"/b","value":2}]`, `{"a":1,"b":2}`},
		{"add replaces existing key", `{"a":1}`, `[{"op":"add","path":"/a","value":[1]}]`, `{"a":[1]}`},
		{"add null", `{}`, `[{"op":"add","path":"/a","value":null}]`, `{"a":null}`},
		{"add nested", `{"a":{"b":{}}}`, `[{"op":"add","path":"/a/b/c","value":"x"}]`, `{"a":{"b":{"c":"x"}}}`},
		{"add list insert", `{"l":[1,3]}`, `[{"op":"add","path":"/l/1","value":2}]`, `{"l":[1,2,3]}`},
		{"add list front", `{"l":[1]}`, `[{"op":"add","path":"/l/0","value":0}]`, `{"l":[0,1]}`},
		{"add list end index", `{"l":[1]}`, `[{"op":"add","path":"/l/1","value":2}]`, `{"l":[1,2]}`},
		{"add list append", `{"l":[1]}`, `[{"op":"add","path":"/l/-","value":{"x":1}}]`, `{"l":[1,{"x":1}]}`},
		{"add in list of objects", `{"l":[{"a":1}]}`, `[{"op":"add","path":"/l/0/b","value":2}]`, `{"l":[{"a":1,"b":2}]}`},
		{"add escaped keys", `{}`, `[{"op":"add","path":"/a~1b","value":1},{"op":"add","path":"/m~0n","value":2}]`, `{"a/b":1,"m~n":2}`},
		{"add empty key", `{}`, `[{"op":"add","path":"/","value":1}]`, `{"":1}`},
		{"add root", `{"a":1}`, `[{"op":"add","path":"","value":{"b":2}}]`, `{"b":2}`},
		{"remove key", `{"a":1,"b":2}`, `[{"op":"remove","path":"/a"}]`, `{"b":2}`},
		{"remove nested", `{"a":{"b":1,"c":2}}`, `[{"op":"remove","path":"/a/b"}]`, `{"a":{"c":2}}`},
		{"remove list item", `{"l":[1,2,3]}`, `[{"op":"remove","path":"/l/1"}]`, `{"l":[1,3]}`},
		{"replace key", `{"a":1}`, `[{"op":"replace","path":"/a","value":"x"}]`, `{"a":"x"}`},
		{"replace with null", `{"a":1}`, `[{"op":"replace","path":"/a","value":null}]`, `{"a":null}`},
		{"replace list item", `{"l":[1,2]}`, `[{"op":"replace","path":"/l/0","value":9}]`, `{"l":[9,2]}`},
		{"replace root", `{"a":1}`, `[{"op":"replace","path":"","value":{"z":0}}]`, `{"z":0}`},
		{"move key", `{"a":{"b":1},"c":{}}`, `[{"op":"move","from":"/a/b","path":"/c/d"}]`, `{"a":{},"c":{"d":1}}`},
		{"move onto itself", `{"a":1}`, `[{"op":"move","from":"/a","path":"/a"}]`, `{"a":1}`},
		{"move within list", `{"l":[1,2,3]}`, `[{"op":"move","from":"/l/0","path":"/l/2"}]`, `{"l":[2,3,1]}`},
		{"move replaces target", `{"a":1,"b":2}`, `[{"op":"move","from":"/a","path":"/b"}]`, `{"b":1}`},
		{"copy key", `{"a":{"x":[1]}}`, `[{"op":"copy","from":"/a","path":"/b"}]`, `{"a":{"x":[1]},"b":{"x":[1]}}`},
		{"copy to list end", `{"a":1,"l":[]}`, `[{"op":"copy","from":"/a","path":"/l/-"}]`, `{"a":1,"l":[1]}`},
		{"test passes", `{"a":{"b":[1,"x",null]}}`, `[{"op":"test","path":"/a","value":{"b":[1,"x",null]}}]`, `{"a":{"b":[1,"x",null]}}`},
		{"test int equals float", `{"a":3}`, `[{"op":"test","path":"/a","value":3.0}]`, `{"a":3}`},
		{"test null", `{"a":null}`, `[{"op":"test","path":"/a","value":null}]`, `{"a":null}`},
		{"test root", `{"a":1}`, `[{"op":"test","path":"","value":{"a":1}}]`, `{"a":1}`},
		{"sequence", `{"a":1}`, `[{"op":"add","path":"/b","value":{}},{"op":"move","from":"/a","path":"/b/a"},{"op":"test","path":"/b/a","value":1}]`, `{"b":{"a":1}}`},
		{"empty patch", `{"a":1}`, `[]`, `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := doc(t, tt.doc)
			got, err := Apply(a, patch(t, tt.patch))
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if want := doc(t, tt.want); !Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if !Equal(a, doc(t, tt.doc)) {
				t.Errorf("Apply modified its input: %v", a)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		ops       []Op
		want      string // exact error text
	}{
		{"replace missing", `{"cgi":{}}`, []Op{{Op: "test", Path: "/cgi", Value: map[string]any{}}, {}, {}, {Op: "replace", Path: "/cgi/drug", Value: 1}}, ""},
		{"remove missing", `{}`, []Op{{Op: "remove", Path: "/a"}}, "op 0 (remove /a): path does not exist"},
		{"add missing parent", `{}`, []Op{{Op: "add", Path: "/a/b", Value: 1}}, "op 0 (add /a/b): path does not exist"},
		{"add under scalar", `{"a":"s"}`, []Op{{Op: "add", Path: "/a/b", Value: 1}}, "op 0 (add /a/b): path does not exist: the parent is a string, not an object or a list"},
		{"add past list end", `{"l":[1]}`, []Op{{Op: "add", Path: "/l/2", Value: 1}}, "op 0 (add /l/2): path does not exist: index 2 is out of range (the list has 1 items)"},
		{"add leading zero", `{"l":[1]}`, []Op{{Op: "add", Path: "/l/01", Value: 1}}, `op 0 (add /l/01): "01" is not a list index`},
		{"add negative", `{"l":[1]}`, []Op{{Op: "add", Path: "/l/-1", Value: 1}}, `op 0 (add /l/-1): "-1" is not a list index`},
		{"replace dash", `{"l":[1]}`, []Op{{Op: "replace", Path: "/l/-", Value: 1}}, `op 0 (replace /l/-): "-" (the end of a list) is only valid for add`},
		{"remove past end", `{"l":[1]}`, []Op{{Op: "remove", Path: "/l/1"}}, "op 0 (remove /l/1): path does not exist: index 1 is out of range (the list has 1 items)"},
		{"remove root", `{}`, []Op{{Op: "remove", Path: ""}}, `op 0 (remove ""): cannot remove the whole document`},
		{"replace root with list", `{}`, []Op{{Op: "replace", Path: "", Value: []any{}}}, `op 0 (replace ""): the document must stay an object, not become a list`},
		{"bad pointer", `{}`, []Op{{Op: "add", Path: "a", Value: 1}}, "op 0 (add a): a path must be empty or start with '/'"},
		{"bad escape", `{}`, []Op{{Op: "add", Path: "/a~2", Value: 1}}, "op 0 (add /a~2): invalid escape in path: '~' must be followed by 0 or 1"},
		{"test fails", `{"a":1}`, []Op{{Op: "test", Path: "/a", Value: int64(2)}}, "op 0 (test /a): test failed: the value differs"},
		{"test missing", `{}`, []Op{{Op: "test", Path: "/a", Value: nil}}, "op 0 (test /a): path does not exist"},
		{"move missing from", `{}`, []Op{{Op: "move", From: "/a", Path: "/b"}}, "op 0 (move /b from /a): from: path does not exist"},
		{"move into child", `{"a":{}}`, []Op{{Op: "move", From: "/a", Path: "/a/b"}}, "op 0 (move /a/b from /a): cannot move a value into itself"},
		{"copy missing from", `{}`, []Op{{Op: "copy", From: "/x/y", Path: "/b"}}, "op 0 (copy /b from /x/y): from: path does not exist"},
		{"unknown op", `{}`, []Op{{Op: "merge", Path: "/a"}}, "op 0 (merge /a): unknown operation (want add, remove, replace, move, copy or test)"},
		{"fails late", `{"a":1}`, []Op{{Op: "remove", Path: "/a"}, {Op: "remove", Path: "/a"}}, "op 1 (remove /a): path does not exist"},
	}
	// The brief's example: a later op fails on a path that is gone.
	tests[0].ops = []Op{
		{Op: "test", Path: "/cgi", Value: map[string]any{}},
		{Op: "add", Path: "/x", Value: int64(1)},
		{Op: "remove", Path: "/x"},
		{Op: "replace", Path: "/cgi/drug", Value: int64(1)},
	}
	tests[0].want = "op 3 (replace /cgi/drug): path does not exist"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := doc(t, tt.doc)
			got, err := Apply(a, tt.ops)
			if err == nil {
				t.Fatalf("Apply = %v, want error %q", got, tt.want)
			}
			if got != nil {
				t.Errorf("Apply returned a partial result %v with its error", got)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
			var ae *ApplyError
			if !errors.As(err, &ae) {
				t.Errorf("error is a %T, want *ApplyError", err)
			}
			if !Equal(a, doc(t, tt.doc)) {
				t.Errorf("failed Apply modified its input: %v", a)
			}
		})
	}
}

func TestApplyDoesNotAlias(t *testing.T) {
	a := doc(t, `{"a":{"l":[1,2]}}`)
	val := map[string]any{"k": []any{int64(1)}}
	got, err := Apply(a, []Op{{Op: "add", Path: "/v", Value: val}, {Op: "copy", From: "/a", Path: "/b"}})
	if err != nil {
		t.Fatal(err)
	}
	got["a"].(map[string]any)["l"].([]any)[0] = "changed"
	got["v"].(map[string]any)["k"].([]any)[0] = "changed"
	if a["a"].(map[string]any)["l"].([]any)[0] != int64(1) {
		t.Error("result shares a list with the input")
	}
	if val["k"].([]any)[0] != int64(1) {
		t.Error("result shares a list with the patch")
	}
	if got["b"].(map[string]any)["l"].([]any)[0] != int64(1) {
		t.Error("copy shares a list with its source")
	}
}

func TestOpJSON(t *testing.T) {
	ops := []Op{
		{Op: "add", Path: "/a", Value: nil},
		{Op: "replace", Path: "/b", Value: nil},
		{Op: "test", Path: "/c", Value: nil},
		{Op: "remove", Path: "/d"},
		{Op: "move", Path: "/e", From: ""},
		{Op: "copy", Path: "/f", From: "/g"},
		{Op: "add", Path: "/h", Value: map[string]any{"x": []any{int64(1), 2.5, "s", true, nil}}},
	}
	b, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"op":"add","path":"/a","value":null},{"op":"replace","path":"/b","value":null},` +
		`{"op":"test","path":"/c","value":null},{"op":"remove","path":"/d"},{"op":"move","path":"/e","from":""},` +
		`{"op":"copy","path":"/f","from":"/g"},{"op":"add","path":"/h","value":{"x":[1,2.5,"s",true,null]}}]`
	if string(b) != want {
		t.Errorf("Marshal\n got %s\nwant %s", b, want)
	}
	var back []Op
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !opsEqual(back, ops) {
		t.Errorf("round trip\n got %#v\nwant %#v", back, ops)
	}
}

func TestOpUnmarshalErrors(t *testing.T) {
	tests := map[string]string{
		`{"path":"/a"}`:                           `missing "op"`,
		`{"op":"remove"}`:                         `missing "path"`,
		`{"op":"add","path":"/a"}`:                `missing "value"`,
		`{"op":"replace","path":"/a"}`:            `missing "value"`,
		`{"op":"move","path":"/a"}`:               `missing "from"`,
		`{"op":"copy","path":"/a","from":1}`:      `"from" is not a string`,
		`{"op":"frob","path":"/a"}`:               `unknown operation`,
		`{"op":1,"path":"/a"}`:                    `"op" is not a string`,
		`[]`:                                      `cannot unmarshal`,
		`{"op":"test","path":"/a","value":1e999}`: `value`,
	}
	for in, want := range tests {
		var op Op
		err := json.Unmarshal([]byte(in), &op)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Unmarshal(%s) = %v, want an error containing %q", in, err, want)
		}
	}
}

func opsEqual(a, b []Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Op != b[i].Op || a[i].Path != b[i].Path || a[i].From != b[i].From || !Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}
