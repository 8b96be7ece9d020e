package explorer

import "testing"

func TestMatches(t *testing.T) {
	doc := map[string]any{"_id": "a", "n": int64(3), "cgi": []any{
		map[string]any{"gene": "ABL1", "tags": []any{"x", "y"}},
		map[string]any{"gene": "KIT", "score": 0.5},
	}}
	tests := []struct {
		name   string
		filter map[string]any
		want   bool
	}{
		{"a top-level number", map[string]any{"n": int64(3)}, true},
		{"a number given as float", map[string]any{"n": 3.0}, true},
		{"a string is not a number", map[string]any{"n": "3"}, false},
		{"through a list of objects", map[string]any{"cgi.gene": "KIT"}, true},
		{"a list of scalars", map[string]any{"cgi.tags": "y"}, true},
		{"all must hold", map[string]any{"cgi.gene": "KIT", "n": int64(4)}, false},
		{"a value not there", map[string]any{"cgi.gene": "EGFR"}, false},
		{"null matches a missing field", map[string]any{"cgi.drug": nil}, true},
		{"null does not match a value", map[string]any{"n": nil}, false},
		{"no path through a scalar", map[string]any{"n.x": int64(3)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Matches(doc, tt.filter); got != tt.want {
				t.Errorf("Matches(%v) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}
