package advanced

import (
	"strings"
	"testing"

	"studio/internal/domain/pyparser"
)

func httpDumper() pyparser.DumperClass {
	return pyparser.DumperClass{Class: "D", Base: "LastModifiedHTTPDumper", URLs: []string{"https://example.org/a.zip"}, Uncompress: true, Schedule: "0 6 * * *"}
}

func uploader(class, name string) pyparser.UploaderClass {
	return pyparser.UploaderClass{Class: class, Kind: pyparser.UploaderBase, Name: name, OnDuplicates: "error", Mapping: true,
		Metadata: map[string]any{"src_meta": map[string]any{"url": "https://example.org"}}}
}

func TestFromClasses(t *testing.T) {
	m, err := FromClasses(pyparser.AdvancedPlugin{
		Dumpers:   []pyparser.DumperClass{httpDumper()},
		Uploaders: []pyparser.UploaderClass{uploader("A", "aa"), {Class: "Dm", Kind: pyparser.UploaderDummy, Name: "dm", OnDuplicates: "ignore"}},
	}, "src")
	if err != nil {
		t.Fatal(err)
	}
	if m.Package != "src" || m.Dumper.Class != "src:D" || m.Dumper.ClassBase != "LastModifiedHTTPDumper" || !m.Dumper.Uncompress || m.Dumper.Schedule != "0 6 * * *" {
		t.Errorf("manifest = %+v", m)
	}
	a, dm := m.Uploaders[0], m.Uploaders[1]
	if a.Class != "src:A" || a.Mapping != "src:A.get_mapping" || a.Metadata["url"] != "https://example.org" || a.Parser.Func != "" {
		t.Errorf("uploader a = %+v", a)
	}
	if dm.Kind != pyparser.UploaderDummy || dm.Mapping != "" || dm.OnDuplicates != "ignore" || len(dm.Metadata) != 0 {
		t.Errorf("uploader dm = %+v", dm)
	}
}

func TestFromClassesRefused(t *testing.T) {
	bad := httpDumper()
	bad.URLs = []string{"s3://bucket/a.zip", "https://example.org/b.zip"}
	bad.Schedule = "every day"
	tests := []struct {
		name string
		p    pyparser.AdvancedPlugin
		want []string
	}{
		{"no dumper", pyparser.AdvancedPlugin{Uploaders: []pyparser.UploaderClass{uploader("A", "aa")}},
			[]string{"exposes no dumper class"}},
		{"no uploader", pyparser.AdvancedPlugin{Dumpers: []pyparser.DumperClass{httpDumper()}},
			[]string{"exposes no uploader class"}},
		{"two dumpers", pyparser.AdvancedPlugin{Dumpers: []pyparser.DumperClass{httpDumper(), {Class: "E"}}, Uploaders: []pyparser.UploaderClass{uploader("A", "aa")}},
			[]string{"2 dumper classes (D, E)"}},
		{"names", pyparser.AdvancedPlugin{Dumpers: []pyparser.DumperClass{httpDumper()}, Uploaders: []pyparser.UploaderClass{uploader("A", "aa"), uploader("B", "aa"), uploader("C", "bad-name")}},
			[]string{`uploaders A and B have the same name "aa"`, `uploader C: name "bad-name"`}},
		{"urls and schedule", pyparser.AdvancedPlugin{Dumpers: []pyparser.DumperClass{bad}, Uploaders: []pyparser.UploaderClass{uploader("A", "aa")}},
			[]string{`lists "s3://bucket/a.zip"`, `SCHEDULE "every day"`}},
		{"runner problems kept", pyparser.AdvancedPlugin{Problems: []string{"dumper G (x.py, derived from GoogleDriveDumper): no"}},
			[]string{"Studio cannot run it:\n- dumper G (x.py, derived from GoogleDriveDumper): no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromClasses(tt.p, "src")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "data plugin src (advanced") {
				t.Errorf("error %q does not name the plugin", err)
			}
		})
	}
}
