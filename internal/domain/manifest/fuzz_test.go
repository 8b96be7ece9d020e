package manifest

import (
	"errors"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that it either
// returns a usable manifest or a non-empty list of located errors.
func FuzzParse(f *testing.F) {
	f.Add([]byte(tutorialManifest), false)
	f.Add([]byte("version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		file := "manifest.json"
		if yaml {
			file = "manifest.yaml"
		}
		m, err := Parse(file, data, "fuzz_plugin")
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not a non-empty Errors: %#v", err)
			}
			for _, e := range errs {
				if e.File != file || e.Path == "" || e.Path[0] != '$' || e.Msg == "" {
					t.Fatalf("malformed error %#v", e)
				}
			}
			return
		}
		if m.Version == "" && m.Dumper.DataURLs == nil {
			t.Fatalf("valid manifest without version and data URLs: %#v", m)
		}
		if len(m.Dumper.DataURLs) == 0 || len(m.Uploaders) == 0 {
			t.Fatalf("valid manifest without data URLs or uploaders: %#v", m)
		}
		for _, u := range m.Uploaders {
			if u.Name == "" || (u.Parser.Func == "" && u.Parser.Spec == nil) {
				t.Fatalf("uploader without name or parser: %#v", u)
			}
		}
	})
}
