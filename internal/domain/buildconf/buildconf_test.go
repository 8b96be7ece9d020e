package buildconf

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	known := map[string]bool{"cgi": true, "nomap": false}
	tests := []struct {
		name string
		conf Config
		want []string // substrings of the error; none = valid
	}{
		{"valid", Config{Name: "default", DocType: "variant", Sources: []string{"cgi"}}, nil},
		{"dot in name", Config{Name: "a.b", DocType: "v", Sources: []string{"cgi"}}, []string{"a dot is not allowed"}},
		{"empty sources", Config{Name: "x", DocType: "v"}, []string{"sources is empty"}},
		{"unknown and unmapped together", Config{Name: "x", DocType: "v", Sources: []string{"zzz", "nomap"}},
			[]string{`"zzz" is unknown`, `"nomap" has no registered mapping`}},
		{"no doc type", Config{Name: "x", Sources: []string{"cgi"}}, []string{"doc_type is required"}},
		{"bad root", Config{Name: "x", DocType: "v", Sources: []string{"cgi"}, Root: []string{"other"}}, []string{`root "other"`}},
		{"bad version format", Config{Name: "x", DocType: "v", Sources: []string{"cgi"}, BuildVersion: "%Q"}, []string{"%Q is not supported"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.conf.Validate(known)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("valid, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewBuildID(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 5, 9, 0, time.UTC)
	id, version, err := Config{Name: "MyConf", BuildVersion: "%Y%m%d.%H"}.NewBuildID(at)
	if err == nil {
		t.Fatalf("a version with a dot was accepted: %s", id)
	}
	id, version, err = Config{Name: "MyConf"}.NewBuildID(at)
	if err != nil || version != "20261127" || !regexp.MustCompile(`^myconf_20261127_[0-9a-f]{8}$`).MatchString(id) {
		t.Fatalf("NewBuildID = %q, %q, %v", id, version, err)
	}
	if s, _ := Strftime("%y-%j_%H%M%S%%", at); s != "26-331_080509%" {
		t.Fatalf("Strftime = %q", s)
	}
}

func TestBuildMeta(t *testing.T) {
	computed := func() map[string]any {
		return map[string]any{
			"biothing_type": "gene",
			"src":           map[string]any{"cgi": map[string]any{"version": "2024-01", "stats": map[string]any{"cgi": 93}}},
			"stats":         map[string]any{"total": 93},
			"build_version": "20261204",
		}
	}
	cases := []struct {
		name string
		meta map[string]any
		want map[string]any
	}{
		{"no _meta", nil, computed()},
		{"new keys are kept", map[string]any{"build_name": "mybuild", "maintainer": map[string]any{"name": "lab"}},
			map[string]any{"biothing_type": "gene", "src": computed()["src"], "stats": map[string]any{"total": 93}, "build_version": "20261204",
				"build_name": "mybuild", "maintainer": map[string]any{"name": "lab"}}},
		{"a key the configuration gives wins", map[string]any{"biothing_type": "variant", "build_version": "v2"},
			map[string]any{"biothing_type": "variant", "src": computed()["src"], "stats": map[string]any{"total": 93}, "build_version": "v2"}},
		{"objects merge: license beside the version, stats beside the total",
			map[string]any{"src": map[string]any{"cgi": map[string]any{"license_url": "https://x.org/l"}}, "stats": map[string]any{"note": "curated"}},
			map[string]any{"biothing_type": "gene", "build_version": "20261204",
				"src":   map[string]any{"cgi": map[string]any{"version": "2024-01", "stats": map[string]any{"cgi": 93}, "license_url": "https://x.org/l"}},
				"stats": map[string]any{"total": 93, "note": "curated"}}},
		{"a value replaces an object", map[string]any{"stats": "none"},
			map[string]any{"biothing_type": "gene", "src": computed()["src"], "stats": "none", "build_version": "20261204"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conf := Config{Meta: c.meta}
			in := computed()
			got := conf.BuildMeta(in)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("BuildMeta:\n got %v\nwant %v", got, c.want)
			}
			if !reflect.DeepEqual(in, computed()) {
				t.Errorf("BuildMeta modified its argument: %v", in)
			}
			if src, ok := c.meta["src"].(map[string]any); ok {
				got["src"].(map[string]any)["added"] = true
				if _, ok := src["added"]; ok {
					t.Error("BuildMeta shares the configuration's maps")
				}
			}
		})
	}
}
