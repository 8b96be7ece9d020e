package activities

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckJobs(t *testing.T) {
	many := make([]json.RawMessage, MaxUploadJobs+1)
	for i := range many {
		many[i] = json.RawMessage(`["f"]`)
	}
	long := []json.RawMessage{json.RawMessage(`["` + strings.Repeat("x", MaxUploadJobsBytes) + `"]`)}
	tests := []struct {
		name string
		jobs []json.RawMessage
		want string
	}{
		{"some", []json.RawMessage{json.RawMessage(`["a.tsv"]`), json.RawMessage(`[1]`)}, ""},
		{"none", nil, "parallelizer p:jobs_of returned no jobs: the data folder /d holds nothing it looks for"},
		{"too many", many, "parallelizer p:jobs_of returned 10001 jobs, more than 10000"},
		{"too long", long, "the jobs of parallelizer p:jobs_of take 1048580 bytes of JSON, more than 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJobs(tt.jobs, "p:jobs_of", "/d")
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("checkJobs = %v, want %q", err, tt.want)
			}
		})
	}
}
