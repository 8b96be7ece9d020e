package tableparse

import (
	"math"
	"reflect"
	"testing"
)

// TestCodecRoundTrip encodes document values for a spill file and decodes
// them back exactly: types (int64 against float64), bits of floats, bytes
// of strings.
func TestCodecRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		v    any
	}{
		{"null", nil},
		{"bools", []any{true, false}},
		{"int64 and float64 of the same number", []any{int64(1), float64(1)}},
		{"extreme numbers", []any{int64(math.MinInt64), int64(math.MaxInt64), math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64}},
		{"strings", []any{"", "ascii", "é ✓ \x00 \t\n"}},
		{"empty containers", []any{[]any{}, map[string]any{}}},
		{"nested document", map[string]any{"_id": "chr1:g.1A>T", "cgi": []any{
			map[string]any{"gene": "ABL1", "n": int64(3), "f": 2.5},
			map[string]any{"gene": "ABL1", "tags": []any{"a", nil, true}},
		}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ok := appendValue([]byte("prefix"), c.v)
			if !ok {
				t.Fatal("appendValue refused a document value")
			}
			got, rest, err := decodeValue(b[len("prefix"):])
			if err != nil || len(rest) != 0 {
				t.Fatalf("decode: %v, %d bytes left", err, len(rest))
			}
			if !reflect.DeepEqual(got, c.v) {
				t.Errorf("got %#v, want %#v", got, c.v)
			}
			// Every strict prefix is refused, never read as a value.
			enc := b[len("prefix"):]
			for i := range len(enc) {
				if v, _, err := decodeValue(enc[:i]); err == nil {
					t.Fatalf("a prefix of %d of %d bytes decoded as %#v", i, len(enc), v)
				}
			}
		})
	}
	neg, _ := appendValue(nil, math.Copysign(0, -1))
	if z, _, _ := decodeValue(neg); !math.Signbit(z.(float64)) {
		t.Error("the sign of -0 was lost")
	}
	if _, ok := appendValue(nil, map[string]any{"x": int(1)}); ok {
		t.Error("appendValue took an int, which documents never hold")
	}
}
