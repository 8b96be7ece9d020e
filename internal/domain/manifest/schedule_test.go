package manifest

import "testing"

func TestScheduleSecondsField(t *testing.T) {
	tests := []struct {
		spec, temporal string
		valid          bool
	}{
		{"0 3 * * *", "0 3 * * *", true},
		{"@daily", "@daily", true},
		{"0 3 * * * 30", "30 0 3 * * * *", true}, // BioThings: the sixth field is seconds
		{"0 3 * * * 61", "", false},              // seconds out of range
		{"0 3 * * * *", "* 0 3 * * * *", true},
	}
	for _, tc := range tests {
		_, err := ParseSchedule(tc.spec)
		if (err == nil) != tc.valid {
			t.Errorf("ParseSchedule(%q) error = %v, want valid %v", tc.spec, err, tc.valid)
		}
		if tc.valid {
			if got := TemporalCron(tc.spec); got != tc.temporal {
				t.Errorf("TemporalCron(%q) = %q, want %q", tc.spec, got, tc.temporal)
			}
		}
	}
}
