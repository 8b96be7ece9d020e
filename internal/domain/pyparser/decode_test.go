package pyparser

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3<<20) // longer than the 1 MiB bufio buffer
	tests := []struct {
		name    string
		in      string
		max     int
		want    []string
		wantErr error
	}{
		{"short lines", "a\nbb\n\nccc\n", 10, []string{"a", "bb", "", "ccc"}, nil},
		{"last line without newline", "a\nb", 10, []string{"a", "b"}, nil},
		{"long line", long + "\nz\n", 4 << 20, []string{long, "z"}, nil},
		{"long last line", long, 4 << 20, []string{long}, nil},
		{"over the limit", long + "\n", 2 << 20, nil, errLineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLineReader(strings.NewReader(tt.in), tt.max)
			var got []string
			for {
				line, err := l.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					if tt.wantErr == nil || !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					return
				}
				got = append(got, string(line))
			}
			if tt.wantErr != nil {
				t.Fatalf("no error, want %v", tt.wantErr)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.want))
			}
		})
	}
}
