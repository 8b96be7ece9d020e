package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr error
		errPart string
		outPart string
	}{
		{"no command", nil, errUsage, "", "usage: studio <command>"},
		{"unknown command", []string{"frobnicate"}, errUsage, `unknown command "frobnicate"`, "commands:"},
		{"dev help lists env", []string{"dev", "-h"}, flag.ErrHelp, "", "STUDIO_DATA_DIR"},
		{"bad listen", []string{"dev", "--listen", "8080"}, nil, "--listen", ""},
		{"bad log level", []string{"worker", "--log-level", "loud"}, nil, "--log-level", ""},
		{"worker needs temporal", []string{"worker", "--data-dir", "/tmp/studio-cli-test"}, nil, "TEMPORAL_ADDRESS", ""},
		{"register needs a url", []string{"register"}, errUsage, "studio register", ""},
		{"hub unreachable", []string{"sources", "--hub", "http://127.0.0.1:1"}, nil, "not reachable", ""},
		{"version", []string{"version"}, nil, "", "studio "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, &out, &errOut)
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.errPart != "" && (err == nil || !strings.Contains(err.Error(), tc.errPart)) {
				t.Fatalf("err = %v, want it to name %q", err, tc.errPart)
			}
			if tc.wantErr == nil && tc.errPart == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tc.outPart) {
				t.Fatalf("output %q does not contain %q", all, tc.outPart)
			}
		})
	}
}
