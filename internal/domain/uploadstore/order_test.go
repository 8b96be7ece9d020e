package uploadstore

import (
	"fmt"
	"testing"
)

func TestInOrder(t *testing.T) {
	batch := func(ids ...string) []pending {
		b := make([]pending, len(ids))
		for i, id := range ids {
			b[i] = pending{id: id}
		}
		return b
	}
	var sorted, rotating, shuffled []string
	for i := range 400 {
		sorted = append(sorted, fmt.Sprintf("chr1:g.%06d", i))
		rotating = append(rotating, fmt.Sprintf("chr%c:g.%06d", 'A'+i%8, i/8))
		shuffled = append(shuffled, fmt.Sprintf("chr1:g.%06d", (i*7919)%400))
	}
	tests := []struct {
		name string
		ids  []string
		want bool
	}{
		{"one document", []string{"a"}, true},
		{"sorted", sorted, true},
		{"eight sorted streams interleaved", rotating, true},
		{"shuffled", shuffled, false},
		{"descending", []string{"d", "c", "b", "a"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inOrder(batch(tt.ids...)); got != tt.want {
				t.Errorf("inOrder = %v, want %v", got, tt.want)
			}
		})
	}
}
