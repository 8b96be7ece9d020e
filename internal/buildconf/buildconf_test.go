package buildconf

import (
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
