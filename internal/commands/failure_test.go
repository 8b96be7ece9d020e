package commands

import (
	"testing"

	failurepb "go.temporal.io/api/failure/v1"
)

func chain(msgs ...string) *failurepb.Failure {
	var f *failurepb.Failure
	for i := len(msgs) - 1; i >= 0; i-- {
		f = &failurepb.Failure{Message: msgs[i], Cause: f}
	}
	return f
}

func TestFailureText(t *testing.T) {
	tests := []struct {
		name string
		f    *failurepb.Failure
		want string
	}{
		{"none", nil, ""},
		{"one", chain("boom"), "boom"},
		{"distinct causes", chain("activity error", "upload cgi", "disk full"), "activity error: upload cgi: disk full"},
		{"cause repeated", chain("activity error", "boom", "boom"), "activity error: boom"},
		{"cause quoted by its wrapper", chain("activity error", "source x: parser killed", "parser killed"), "activity error: source x: parser killed"},
		{"empty messages", chain("", "boom", ""), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FailureText(tt.f); got != tt.want {
				t.Fatalf("FailureText = %q, want %q", got, tt.want)
			}
		})
	}
}
