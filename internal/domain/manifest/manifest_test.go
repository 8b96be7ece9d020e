package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tutorialManifest is the CGI plugin's manifest from the BioThings Studio
// tutorial, with its legacy ignore_duplicates key.
const tutorialManifest = `{
    "version": "0.1",
    "dumper" : {
        "data_url" : "https://www.cancergenomeinterpreter.org/data/cgi_biomarkers_latest.zip",
        "uncompress" : true
    },
    "uploader" : {
        "parser" : "parser:load_data",
        "ignore_duplicates" : false
    }
}`

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		file string
		data string
		want Manifest
	}{
		{
			name: "tutorial without legacy key",
			file: "manifest.json",
			data: strings.Replace(tutorialManifest, `,
        "ignore_duplicates" : false`, "", 1),
			want: Manifest{
				Version:        "0.1",
				Dumper:         Dumper{DataURLs: []string{"https://www.cancergenomeinterpreter.org/data/cgi_biomarkers_latest.zip"}, Uncompress: true},
				Uploaders:      []Uploader{{Name: "cgi", Parser: Parser{Func: "parser:load_data"}, OnDuplicates: "error"}},
				SingleUploader: true,
			},
		},
		{
			name: "yaml with everything",
			file: "manifest.yaml",
			data: `version: "1.2"
display_name: CGI
biothing_type: variant
requires: [pandas, "numpy>=1"]
__metadata__:
  license: CC BY-NC 4.0
  url: https://www.cancergenomeinterpreter.org
  other: {nested: 1}
dumper:
  data_url:
    - ftp://ftp.example.org/a.tsv.gz
    - ftp://ftp.example.org/b.tsv.gz
  uncompress: false
  schedule: "0 3 * * *"
  release: version:get_release
  disabled: true
uploader:
  parser: {format: tsv, id: "{chrom}:{pos}"}
  parser_kwargs: {sep: "\t"}
  on_duplicates: merge
  mapping: mapping:get_mapping
`,
			want: Manifest{
				Version: "1.2", DisplayName: "CGI", BiothingType: "variant",
				Requires: []string{"pandas", "numpy>=1"},
				Metadata: map[string]any{"license": "CC BY-NC 4.0", "url": "https://www.cancergenomeinterpreter.org", "other": map[string]any{"nested": float64(1)}},
				Dumper: Dumper{
					DataURLs: []string{"ftp://ftp.example.org/a.tsv.gz", "ftp://ftp.example.org/b.tsv.gz"},
					Schedule: "0 3 * * *", Release: "version:get_release", Disabled: true,
				},
				Uploaders: []Uploader{{
					Name:         "cgi",
					Parser:       Parser{Spec: map[string]any{"format": "tsv", "id": "{chrom}:{pos}"}},
					ParserKwargs: map[string]any{"sep": "\t"},
					OnDuplicates: "merge", Mapping: "mapping:get_mapping",
				}},
				SingleUploader: true,
			},
		},
		{
			name: "multi uploader json, seconds cron, file urls",
			file: "manifest.json",
			data: `{"version": "2", "requires": "pandas",
 "dumper": {"data_url": ["file:///data/a.tsv", "file:///data/b.tsv"], "schedule": "30 0 3 * * *"},
 "uploaders": [
   {"name": "cgi_a", "parser": "pkg.parser:load_a"},
   {"name": "cgi_b", "parser": "pkg.parser:load_b", "on_duplicates": "ignore"}
 ]}`,
			want: Manifest{
				Version:  "2",
				Requires: []string{"pandas"},
				Dumper:   Dumper{DataURLs: []string{"file:///data/a.tsv", "file:///data/b.tsv"}, Schedule: "30 0 3 * * *"},
				Uploaders: []Uploader{
					{Name: "cgi_a", Parser: Parser{Func: "pkg.parser:load_a"}, OnDuplicates: "error"},
					{Name: "cgi_b", Parser: Parser{Func: "pkg.parser:load_b"}, OnDuplicates: "ignore"},
				},
			},
		},
		{
			name: "descriptor schedule, yml",
			file: "manifest.yml",
			data: "version: '0.1'\ndumper: {data_url: 'http://x.org/f.csv', schedule: '@daily'}\nuploader: {parser: {format: csv}}\n",
			want: Manifest{
				Version:        "0.1",
				Dumper:         Dumper{DataURLs: []string{"http://x.org/f.csv"}, Schedule: "@daily"},
				Uploaders:      []Uploader{{Name: "cgi", Parser: Parser{Spec: map[string]any{"format": "csv"}}, OnDuplicates: "error"}},
				SingleUploader: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.file, []byte(tt.data), "cgi")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
			}
		})
	}
}

// TestParseErrors checks that each rule is enforced and that every problem
// of a manifest is reported at once.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		data string
		want []string // each must appear, in order, one per reported error
	}{
		{
			name: "tutorial legacy ignore_duplicates",
			file: "manifest.json",
			data: tutorialManifest,
			want: []string{`manifest.json: $.uploader.ignore_duplicates: "ignore_duplicates" is no longer supported: replace it with "on_duplicates": "error"`},
		},
		{
			name: "ignore_duplicates true",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f', ignore_duplicates: true}\n",
			want: []string{`$.uploader.ignore_duplicates: "ignore_duplicates" is no longer supported: replace it with "on_duplicates": "ignore" (line 3)`},
		},
		{
			name: "unknown keys everywhere",
			file: "manifest.json",
			data: `{"version": "1", "colour": 1,
 "dumper": {"data_url": "https://x.org/a", "DATA_URL": "x"},
 "uploader": {"parser": "p:f", "name": "x"},
 "__metadata__": {"license": 3, "anything": true}}`,
			want: []string{
				`manifest.json: $.colour: unknown key "colour": allowed keys are version,`,
				`$.dumper.DATA_URL: unknown key "DATA_URL": did you mean "data_url"? (line 2)`,
				`$.uploader.name: unknown key "name"`,
				`$.__metadata__.license: want a string, got number 3: quote it ("3") (line 4)`,
			},
		},
		{
			name: "required keys",
			file: "manifest.json",
			data: `{"dumper": {}, "uploaders": [{"parser": "p:f"}, {"name": "bb"}]}`,
			want: []string{
				`$.version: required key is missing`,
				`$.dumper.data_url: required key is missing`,
				`$.uploaders[0].name: required key is missing`,
				`$.uploaders[1].parser: required key is missing`,
			},
		},
		{
			name: "no uploader",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": "https://x.org/a"}}`,
			want: []string{`manifest.json: $: missing "uploader" (or "uploaders")`},
		},
		{
			name: "both uploader and uploaders",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": "p:f"}, "uploaders": [{"name": "ab", "parser": "p:f"}]}`,
			want: []string{`$: has both "uploader" and "uploaders": keep one`},
		},
		{
			name: "data_url rules",
			file: "manifest.json",
			data: `{"version": 0.1,
 "dumper": {"data_url": ["https://x.org/a", "gopher://x", 3, "ftp://x.org/b", "https://", "file:///"]},
 "uploader": {"parser": "p:f"}}`,
			want: []string{
				`$.version: want a string, got number 0.1: quote it ("0.1") (line 1)`,
				`manifest.json: $.dumper.data_url[1]: want an http, https, ftp or file URL, got "gopher://x" (line 2)`,
				`$.dumper.data_url[2]: want a string, got number 3`,
				`$.dumper.data_url[3]: scheme "ftp" differs from "https" of the first URL`,
				`$.dumper.data_url[4]: URL "https://" has no host`,
				`$.dumper.data_url[5]: file URL "file:///" names no file`,
			},
		},
		{
			name: "data_url empty list and wrong type",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: []}\nuploaders: [{name: ab, parser: 'p:f'}, {name: ab, parser: 'p:g'}, {name: 9x, parser: 'p:h'}]\n",
			want: []string{
				`$.dumper.data_url: the list is empty`,
				`$.uploaders[1].name: uploader name "ab" is already used by $.uploaders[0]`,
				`$.uploaders[2].name: uploader name "9x" must match`,
			},
		},
		{
			name: "schedule, release, mapping, parser forms",
			file: "manifest.json",
			data: `{"version": "1",
 "dumper": {"data_url": "https://x.org/a", "schedule": "61 * * * *", "release": "version", "uncompress": "yes", "disabled": 1},
 "uploaders": [
  {"name": "ab", "parser": "parser.load_data", "mapping": "m:1f", "on_duplicates": "skip", "parser_kwargs": []},
  {"name": "cd", "parser": {"format": "xml"}},
  {"name": "ef", "parser": {"sep": ","}},
  {"name": "gh", "parser": 12}
 ]}`,
			want: []string{
				`$.dumper.uncompress: want true or false, got string "yes"`,
				`$.dumper.disabled: want true or false, got number 1`,
				`$.dumper.release: want "module:function"`,
				`$.dumper.schedule: invalid cron schedule "61 * * * *"`,
				`$.uploaders[0].parser: want "module:function" (Python names, e.g. "parser:load_data"), got "parser.load_data"`,
				`$.uploaders[0].parser_kwargs: want an object of keyword arguments, got a list`,
				`$.uploaders[0].on_duplicates: want "error", "ignore" or "merge", got "skip"`,
				`$.uploaders[0].mapping: want "module:function"`,
				`$.uploaders[1].parser.format: unknown parser format "xml"`,
				`$.uploaders[2].parser.format: required key is missing`,
				`$.uploaders[3].parser: want "module:function" or a declarative parser object`,
			},
		},
		{
			name: "requires and metadata types",
			file: "manifest.json",
			data: `{"version": "1", "requires": ["a", 2], "__metadata__": "MIT", "display_name": false,
 "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": "p:f"}}`,
			want: []string{
				`$.display_name: want a string, got boolean false`,
				`$.requires[1]: want a string, got number 2`,
				`$.__metadata__: want an object`,
			},
		},
		{
			name: "not an object",
			file: "manifest.json",
			data: `[1, 2]`,
			want: []string{`manifest.json: $: want an object, got a list`},
		},
		{
			name: "json syntax error with line",
			file: "manifest.json",
			data: "{\n\"version\": \"1\",\n\"dumper\": {,}\n}",
			want: []string{`manifest.json: $: invalid JSON: invalid character ',' (line 3)`},
		},
		{
			name: "json duplicate key",
			file: "manifest.json",
			data: "{\"version\": \"1\",\n\"version\": \"2\"}",
			want: []string{`manifest.json: $: duplicate key "version" (line 2)`},
		},
		{
			name: "yaml syntax error",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: [\n",
			want: []string{`manifest.yaml: $: invalid YAML:`},
		},
		{
			name: "empty yaml",
			file: "manifest.yaml",
			data: "",
			want: []string{`manifest.yaml: $: the file is empty`},
		},
		{
			name: "unknown extension",
			file: "manifest.toml",
			data: "",
			want: []string{`manifest.toml: $: unknown manifest format`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.file, []byte(tt.data), "cgi")
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want %d errors", m, len(tt.want))
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not Errors: %v", err, err)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q\nwant it to contain %q", i, errs[i].Error(), w)
				}
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(tt.want) {
				t.Errorf("Error() has %d lines, want one per error", len(lines))
			}
		})
	}
}

func TestLoad(t *testing.T) {
	valid := `{"version": "1", "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": "p:f"}}`
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string
		wantErr  string
	}{
		{name: "json", files: map[string]string{"manifest.json": valid}, wantFile: "manifest.json"},
		{name: "yaml", files: map[string]string{"manifest.yaml": "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n"}, wantFile: "manifest.yaml"},
		// As BioThings: manifest.json first, then manifest.yaml.
		{name: "json before yaml", files: map[string]string{"manifest.json": valid, "manifest.yaml": "x: 1"}, wantFile: "manifest.json"},
		{name: "yaml before yml", files: map[string]string{"manifest.yaml": "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n", "manifest.yml": "x: 1"}, wantFile: "manifest.yaml"},
		{name: "yml alone", files: map[string]string{"manifest.yml": "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n"}, wantFile: "manifest.yml"},
		{name: "none", files: map[string]string{"parser.py": ""}, wantErr: "no manifest.json or manifest.yaml"},
		{name: "invalid", files: map[string]string{"manifest.json": "{}"}, wantFile: "manifest.json", wantErr: "manifest.json: $.version: required key is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, file, err := Load(dir, "cgi")
			if file != tt.wantFile {
				t.Errorf("file = %q, want %q", file, tt.wantFile)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Uploaders[0].Name != "cgi" {
				t.Errorf("uploader name = %q, want the plugin name", m.Uploaders[0].Name)
			}
		})
	}
}

func TestPluginName(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "https://github.com/x/cgi.git", want: "cgi"},
		{in: "https://github.com/x/cgi", want: "cgi"},
		{in: "https://github.com/x/cgi/", want: "cgi"},
		{in: "git@github.com:x/cgi.git", want: "cgi"},
		{in: "git@github.com:cgi.git", want: "cgi"},
		{in: "ssh://git@github.com/x/cgi.git", want: "cgi"},
		{in: "ssh://git@github.com:22/x/my_plugin", want: "my_plugin"},
		{in: "file:///tmp/cgi", want: "cgi"},
		{in: "local:///tmp/cgi", want: "cgi"},
		{in: "/tmp/cgi/", want: "cgi"},
		{in: "./plugins/cgi.git/", want: "cgi"},
		{in: "cgi", want: "cgi"},
		{in: "https://github.com/x/my-plugin.git", wantErr: `plugin URL "https://github.com/x/my-plugin.git": plugin name "my-plugin" must match ^[A-Za-z_][A-Za-z0-9_]+$`},
		{in: "/tmp/9lives", wantErr: `plugin name "9lives" must match`},
		{in: "/tmp/a", wantErr: `plugin name "a" must match`},
		{in: "https://github.com/", wantErr: `cannot tell a plugin name`},
		{in: "  ", wantErr: "plugin URL is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := PluginName(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PluginName(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("PluginName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseScheduleForms(t *testing.T) {
	for _, s := range []string{"0 3 * * *", "*/5 0 3 * * *", "@daily", "@every 6h", "0 0 1 jan mon"} {
		if _, err := ParseSchedule(s); err != nil {
			t.Errorf("ParseSchedule(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "* * * *", "0 0 0 0 0 0 0", "@sometimes"} {
		if _, err := ParseSchedule(s); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded, want an error", s)
		}
	}
}
