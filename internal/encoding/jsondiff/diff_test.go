package jsondiff

import (
	"encoding/json"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", `{"a":1,"b":{"c":[1,2]}}`, `{"b":{"c":[1,2]},"a":1}`, `null`},
		{"int equals float", `{"a":1}`, `{"a":1.0}`, `null`},
		{"add", `{"a":1}`, `{"a":1,"b":null}`, `[{"op":"add","path":"/b","value":null}]`},
		{"remove", `{"a":1,"b":2}`, `{"b":2}`, `[{"op":"remove","path":"/a"}]`},
		{"replace scalar", `{"a":1}`, `{"a":"1"}`, `[{"op":"replace","path":"/a","value":"1"}]`},
		{"replace with null", `{"a":1}`, `{"a":null}`, `[{"op":"replace","path":"/a","value":null}]`},
		{"nested", `{"o":{"x":1,"y":2}}`, `{"o":{"x":1,"z":3}}`,
			`[{"op":"remove","path":"/o/y"},{"op":"add","path":"/o/z","value":3}]`},
		{"list replaced whole", `{"l":[1,2,3]}`, `{"l":[1,2,4]}`, `[{"op":"replace","path":"/l","value":[1,2,4]}]`},
		{"list of objects replaced whole", `{"l":[{"a":1}]}`, `{"l":[{"a":2}]}`, `[{"op":"replace","path":"/l","value":[{"a":2}]}]`},
		{"object becomes list", `{"o":{"a":1}}`, `{"o":[1]}`, `[{"op":"replace","path":"/o","value":[1]}]`},
		{"escaped keys", `{"a/b":1,"m~n":1}`, `{"a/b":2}`,
			`[{"op":"replace","path":"/a~1b","value":2},{"op":"remove","path":"/m~0n"}]`},
		{"empty key", `{}`, `{"":{"":1}}`, `[{"op":"add","path":"/","value":{"":1}}]`},
		{"sorted order", `{"c":1,"a":1}`, `{"b":1,"d":{}}`,
			`[{"op":"remove","path":"/a"},{"op":"add","path":"/b","value":1},{"op":"remove","path":"/c"},{"op":"add","path":"/d","value":{}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := doc(t, tt.a), doc(t, tt.b)
			ops := Diff(a, b)
			got, err := json.Marshal(ops)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Diff\n got %s\nwant %s", got, tt.want)
			}
			patched, err := Apply(a, ops)
			if err != nil {
				t.Fatalf("Apply(Diff): %v", err)
			}
			if !Equal(patched, b) {
				t.Errorf("Apply(Diff) = %v, want %v", patched, b)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{int64(3), 3.0, true},
		{3.0, int64(3), true},
		{int64(3), 3.5, false},
		{int64(1<<53 + 1), float64(1 << 53), false},
		{int64(-1 << 63), float64(-1 << 63), true},
		{int64(1<<63 - 1), float64(1 << 63), false},
		{nil, nil, true},
		{nil, false, false},
		{"a", "a", true},
		{[]any{int64(1)}, []any{1.0}, true},
		{[]any{int64(1)}, []any{}, false},
		{map[string]any{"a": nil}, map[string]any{"b": nil}, false},
		{map[string]any{}, []any{}, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
