package uploadstore

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCheckID(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	tests := []struct {
		name   string
		doc    map[string]any
		id     string
		reason string
	}{
		{"string", map[string]any{"_id": "abc"}, "abc", ""},
		{"longest", map[string]any{"_id": strings.Repeat("x", 512)}, strings.Repeat("x", 512), ""},
		{"missing", map[string]any{"a": 1}, "", "_id missing"},
		{"int", map[string]any{"_id": 42}, "", "_id is a number (42), want a string"},
		{"float", map[string]any{"_id": 4.5}, "", "_id is a number (4.5), want a string"},
		{"bool", map[string]any{"_id": true}, "", "_id is a boolean (true), want a string"},
		{"null", map[string]any{"_id": nil}, "", "_id is null, want a string"},
		{"object", map[string]any{"_id": map[string]any{"a": 1}}, "", `_id is an object ({"a":1}), want a string`},
		{"array", map[string]any{"_id": []any{"a", "b"}}, "", `_id is an array (["a","b"]), want a string`},
		{"long value shortened", map[string]any{"_id": []any{strings.Repeat("a", 50)}}, "",
			`_id is an array (["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…), want a string`},
		{"empty", map[string]any{"_id": ""}, "", "_id is empty"},
		{"too long", map[string]any{"_id": long}, "",
			`_id is 600 bytes long, at most 512 allowed (it starts "` + strings.Repeat("é", 20) + `…")`},
		{"NaN id", map[string]any{"_id": math.NaN()}, "", "_id is a number (NaN), want a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, reason := checkID(tt.doc)
			if id != tt.id || reason != tt.reason {
				t.Errorf("checkID = %q, %q; want %q, %q", id, reason, tt.id, tt.reason)
			}
		})
	}
}

func TestNames(t *testing.T) {
	n := names("src.sub")
	tests := []struct {
		coll           string
		temp, archived bool
	}{
		{"src.sub_temp_0123abcd", true, false},
		{"src.sub_temp_0123ABCD", false, false},
		{"src.sub_temp_0123abc", false, false},
		{"src.sub_temp_0123abcd_x", false, false},
		{"src.sub_archive_20250102_0123abcd", false, true},
		{"src.sub_archive_2025010_0123abcd", false, false},
		{"src.sub_archive_2025010x_0123abcd", false, false},
		{"src.sub", false, false},
		{"src.sub2_temp_0123abcd", false, false},
		{"other_temp_0123abcd", false, false},
	}
	for _, tt := range tests {
		_, isArchive := n.archiveKey(tt.coll)
		if got := n.isTemp(tt.coll); got != tt.temp || isArchive != tt.archived {
			t.Errorf("%s: temp %v, archive %v; want %v, %v", tt.coll, got, isArchive, tt.temp, tt.archived)
		}
	}
}

func TestNewArchiveSortsByAge(t *testing.T) {
	n := names("s")
	day := time.Date(2025, 3, 4, 23, 59, 59, 0, time.UTC)
	var cols []string
	for i := range 5 {
		// The same instant again and again: the suffix must still grow.
		a := n.newArchive(cols, day)
		if !strings.HasPrefix(a, "s_archive_20250304_") {
			t.Fatalf("archive %d: %q", i, a)
		}
		if _, ok := n.archiveKey(a); !ok {
			t.Fatalf("archive %d: %q is not recognised", i, a)
		}
		cols = append(cols, a)
	}
	next := n.newArchive(cols, day.Add(2*time.Second))
	cols = append([]string{next, "s_archive_20240101_ffffffff", "s"}, cols...)
	got := n.archives(cols)
	if len(got) != 7 || got[0] != "s_archive_20240101_ffffffff" || got[6] != next {
		t.Fatalf("archives, oldest first = %q", got)
	}
	for i := 1; i <= 5; i++ {
		if got[i] != cols[i+2] {
			t.Errorf("archive %d = %q, want %q (made in that order)", i, got[i], cols[i+2])
		}
	}
}
