package jsondiff

import (
	"encoding/json"
	"testing"

	"studio/internal/engine/docstore"
)

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"a":1}`), []byte(`{"a":2}`))
	f.Add([]byte(`{"a":{"b":[1,2]},"c":null}`), []byte(`{"a":{"b":[2]},"d":"x"}`))
	f.Fuzz(func(t *testing.T, ja, jb []byte) {
		a, ok := object(ja)
		if !ok {
			return
		}
		b, ok := object(jb)
		if !ok {
			return
		}
		if ops := Diff(a, a); ops != nil {
			t.Fatalf("Diff(a, a) = %v", ops)
		}
		ops := Diff(a, b)
		got, err := Apply(a, ops)
		if err != nil {
			t.Fatalf("Apply(a, Diff(a, b)): %v", err)
		}
		if !Equal(got, b) {
			t.Fatalf("Apply(a, Diff(a, b)) = %v, want %v", got, b)
		}
		if a2, _ := object(ja); !Equal(a, a2) {
			t.Fatal("Apply modified its input")
		}
		js, err := json.Marshal(ops)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back []Op
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("Unmarshal %s: %v", js, err)
		}
		if got, err := Apply(a, back); err != nil || !Equal(got, b) {
			t.Fatalf("Apply of decoded ops %s = %v, %v; want %v", js, got, err, b)
		}
		// A patch applied to the wrong document may fail but must not panic.
		_, _ = Apply(b, ops)
	})
}

func object(b []byte) (map[string]any, bool) {
	v, err := docstore.DecodeJSON(b)
	if err != nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}
