package uploadstore

import (
	"encoding/json"
	"testing"
)

func TestMerge(t *testing.T) {
	type doc = map[string]any
	tests := []struct {
		name string
		a, b doc
		want doc
	}{
		{"disjoint fields", doc{"_id": "x", "a": int64(1)}, doc{"_id": "x", "b": "two"},
			doc{"_id": "x", "a": int64(1), "b": "two"}},
		{"equal scalars kept once", doc{"a": "s"}, doc{"a": "s"}, doc{"a": "s"}},
		{"numbers compare by value", doc{"a": int64(1)}, doc{"a": 1.0}, doc{"a": int64(1)}},
		{"different scalars become a list", doc{"a": int64(1)}, doc{"a": int64(2)}, doc{"a": []any{int64(1), int64(2)}}},
		{"different types become a list", doc{"a": "1"}, doc{"a": int64(1)}, doc{"a": []any{"1", int64(1)}}},
		{"lists unioned in order", doc{"a": []any{"x", "y"}}, doc{"a": []any{"y", "z", "x", "w"}},
			doc{"a": []any{"x", "y", "z", "w"}}},
		{"union keeps a's own repeats", doc{"a": []any{"x", "x"}}, doc{"a": []any{"x", "y", "y"}},
			doc{"a": []any{"x", "x", "y"}}},
		{"list and absent scalar", doc{"a": []any{"x"}}, doc{"a": "y"}, doc{"a": []any{"x", "y"}}},
		{"list and present scalar", doc{"a": []any{"x", "y"}}, doc{"a": "y"}, doc{"a": []any{"x", "y"}}},
		{"scalar and list", doc{"a": "y"}, doc{"a": []any{"x"}}, doc{"a": []any{"y", "x"}}},
		{"scalar already in list", doc{"a": "x"}, doc{"a": []any{"y", "x"}}, doc{"a": []any{"y", "x"}}},
		{"objects merge recursively",
			doc{"o": doc{"p": int64(1), "q": doc{"r": "a"}}},
			doc{"o": doc{"p": int64(2), "q": doc{"s": "b"}, "t": true}},
			doc{"o": doc{"p": []any{int64(1), int64(2)}, "q": doc{"r": "a", "s": "b"}, "t": true}}},
		{"lists of objects unioned by value",
			doc{"l": []any{doc{"k": int64(1)}}},
			doc{"l": []any{doc{"k": int64(1)}, doc{"k": int64(2)}}},
			doc{"l": []any{doc{"k": int64(1)}, doc{"k": int64(2)}}}},
		{"object and scalar become a list", doc{"a": doc{"k": "v"}}, doc{"a": "v"}, doc{"a": []any{doc{"k": "v"}, "v"}}},
		{"null gives way to a value", doc{"a": nil}, doc{"a": "v"}, doc{"a": "v"}},
		{"a value ignores null", doc{"a": "v"}, doc{"a": nil}, doc{"a": "v"}},
		{"empty b", doc{"a": "v"}, doc{}, doc{"a": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(t, tt.a) + dump(t, tt.b)
			got := Merge(tt.a, tt.b)
			if !same(got, tt.want) {
				t.Errorf("Merge = %s, want %s", dump(t, got), dump(t, tt.want))
			}
			if after := dump(t, tt.a) + dump(t, tt.b); after != before {
				t.Errorf("Merge modified its arguments: %s, was %s", after, before)
			}
			// A resumed upload merges a document again into a result
			// that already holds it: that must change nothing.
			if again := Merge(got, tt.b); !same(again, got) {
				t.Errorf("Merge(Merge(a, b), b) = %s, want %s", dump(t, again), dump(t, got))
			}
		})
	}
}

func TestSame(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{int64(2), 2.0, true},
		{2.5, int64(2), false},
		{"a", "a", true},
		{"1", int64(1), false},
		{nil, nil, true},
		{nil, false, false},
		{[]any{int64(1), "x"}, []any{1.0, "x"}, true},
		{[]any{"x"}, []any{"x", "x"}, false},
		{map[string]any{"a": nil}, map[string]any{"b": nil}, false},
		{map[string]any{"a": []any{}}, map[string]any{"a": []any{}}, true},
		{map[string]any{}, []any{}, false},
	}
	for _, tt := range tests {
		if got := same(tt.a, tt.b); got != tt.want {
			t.Errorf("same(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func dump(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
