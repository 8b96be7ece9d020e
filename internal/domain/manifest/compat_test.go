package manifest

import (
	"errors"
	"reflect"
	"testing"
)

// TestBioThingsForms checks the manifest forms BioThings' own loader
// accepts: each is accepted with the meaning BioThings gives it, and the
// forms it does not take, or that Studio cannot run, are refused with these
// exact messages.
func TestBioThingsForms(t *testing.T) {
	one := func(u Uploader) []Uploader {
		u.Name, u.OnDuplicates = "cgi", OnDuplicatesError
		return []Uploader{u}
	}
	tests := []struct {
		name string
		file string
		data string
		want *Manifest // nil when refused
		errs []string  // the exact messages when refused
	}{
		{
			name: "data_url mixing http and https",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": ["https://x.org/a.tsv", "http://y.org/b.tsv", "HTTPS://z.org/c.tsv"]}, "uploader": {"parser": "p:f"}}`,
			want: &Manifest{
				Version:        "1",
				Dumper:         Dumper{DataURLs: []string{"https://x.org/a.tsv", "http://y.org/b.tsv", "HTTPS://z.org/c.tsv"}},
				Uploaders:      one(Uploader{Parser: Parser{Func: "p:f"}}),
				SingleUploader: true,
			},
		},
		{
			name: "data_url mixing http and ftp",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": ["http://x.org/a", "ftp://x.org/b", "https://x.org/c"]}, "uploader": {"parser": "p:f"}}`,
			errs: []string{`manifest.json: $.dumper.data_url[1]: scheme "ftp" differs from "http" of the first URL: all URLs of a dumper must use one scheme (http and https count as one) (line 1)`},
		},
		{
			name: "data_url with a bad URL among good ones",
			file: "manifest.json",
			data: "{\"version\": \"1\",\n\"dumper\": {\"data_url\": [\"https://x.org/a\", \"http//x.org/b\", \"http:///b\"]},\n\"uploader\": {\"parser\": \"p:f\"}}",
			errs: []string{
				`manifest.json: $.dumper.data_url[1]: want an http, https, ftp or file URL, got "http//x.org/b" (line 2)`,
				`manifest.json: $.dumper.data_url[2]: URL "http:///b" has no host (line 2)`,
			},
		},
		{
			name: "requires as one string, json",
			file: "manifest.json",
			data: `{"version": "1", "requires": "biothings_client>=0.3", "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": "p:f"}}`,
			want: &Manifest{
				Version: "1", Requires: []string{"biothings_client>=0.3"},
				Dumper:         Dumper{DataURLs: []string{"https://x.org/a"}},
				Uploaders:      one(Uploader{Parser: Parser{Func: "p:f"}}),
				SingleUploader: true,
			},
		},
		{
			name: "requires as one string, yaml",
			file: "manifest.yaml",
			data: "version: '1'\nrequires: pandas\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n",
			want: &Manifest{
				Version: "1", Requires: []string{"pandas"},
				Dumper:         Dumper{DataURLs: []string{"https://x.org/a"}},
				Uploaders:      one(Uploader{Parser: Parser{Func: "p:f"}}),
				SingleUploader: true,
			},
		},
		{
			name: "requires as a number",
			file: "manifest.yaml",
			data: "version: '1'\nrequires: 3\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n",
			errs: []string{`manifest.yaml: $.requires: want a list of Python package names, got number 3 (line 2)`},
		},
		{
			name: "yaml 1.1 scalars, as PyYAML reads them",
			file: "manifest.yaml",
			data: `version: 1e3
dumper:
  data_url: https://x.org/a
  uncompress: yes
  disabled: Off
uploader:
  parser: p:f
  parser_kwargs: {octal: 017, bin: 0b101, hex: 0x1F, big: 1_000, sexa: '1:30', sexa_plain: 1:30, f: 1.5e+3, dot: .5, flag: on, none: ~, nul: null, date: 2024-01-02, o: 0o17, n: n, caps: NO}
`,
			want: &Manifest{
				Version: "1e3",
				Dumper:  Dumper{DataURLs: []string{"https://x.org/a"}, Uncompress: true},
				Uploaders: one(Uploader{Parser: Parser{Func: "p:f"}, ParserKwargs: map[string]any{
					"octal": 15.0, "bin": 5.0, "hex": 31.0, "big": 1000.0, "sexa": "1:30", "sexa_plain": 90.0,
					"f": 1500.0, "dot": 0.5, "flag": true, "none": nil, "nul": nil, "date": "2024-01-02", "o": "0o17", "n": "n", "caps": false,
				}}),
				SingleUploader: true,
			},
		},
		{
			name: "yaml quoted yes stays a string",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: 'https://x.org/a', uncompress: 'yes'}\nuploader: {parser: 'p:f'}\n",
			errs: []string{`manifest.yaml: $.dumper.uncompress: want true or false, got string "yes" (line 2)`},
		},
		{
			name: "yaml unquoted 1.0 version is a number, as in PyYAML",
			file: "manifest.yaml",
			data: "version: 1.0\ndumper: {data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n",
			errs: []string{`manifest.yaml: $.version: want a string, got number 1.0: quote it ("1.0") (line 1)`},
		},
		{
			name: "yaml anchors on a key BioThings refuses",
			file: "manifest.yaml",
			data: `version: '1'
dumper: {data_url: 'https://x.org/a'}
x-common: &common
  parser: p:f
  on_duplicates: ignore
  parser_kwargs: {sep: ","}
uploaders:
  - <<: *common
    name: aa
  - <<: [{on_duplicates: merge}, *common]
    name: bb
    parser: p:g
`,
			errs: []string{`manifest.yaml: $["x-common"]: unknown key "x-common": allowed keys are version, display_name, biothing_type, requires, __metadata__, dumper, uploader, uploaders (line 3)`},
		},
		{
			name: "yaml merge keys from a key BioThings allows",
			file: "manifest.yaml",
			data: `version: '1'
__metadata__: &meta {license: CC0, url: 'https://x.org'}
dumper: {data_url: 'https://x.org/a'}
uploaders:
  - name: aa
    parser: p:f
    parser_kwargs: {<<: *meta, sep: ","}
  - name: bb
    parser: p:g
    on_duplicates: ignore
    parser_kwargs:
      <<: [{extra: 1}, *meta]
      url: 'https://y.org'
`,
			want: &Manifest{
				Version:  "1",
				Metadata: map[string]any{"license": "CC0", "url": "https://x.org"},
				Dumper:   Dumper{DataURLs: []string{"https://x.org/a"}},
				Uploaders: []Uploader{
					{Name: "aa", Parser: Parser{Func: "p:f"}, OnDuplicates: "error",
						ParserKwargs: map[string]any{"license": "CC0", "url": "https://x.org", "sep": ","}},
					{Name: "bb", Parser: Parser{Func: "p:g"}, OnDuplicates: "ignore",
						ParserKwargs: map[string]any{"license": "CC0", "extra": 1.0, "url": "https://y.org"}},
				},
			},
		},
		{
			name: "yaml merge key of a scalar",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {<<: 3, data_url: 'https://x.org/a'}\nuploader: {parser: 'p:f'}\n",
			errs: []string{`manifest.yaml: $: the value of a merge key "<<" must be a mapping or a list of mappings (line 2)`},
		},
		{
			name: "keylookup",
			file: "manifest.json",
			data: "{\"version\": \"1\", \"dumper\": {\"data_url\": \"https://x.org/a\"},\n\"uploader\": {\"parser\": \"p:f\",\n \"keylookup\": {\"input_types\": [[\"entrez\", \"pantherdb.GeneID\"]], \"skip_on_failure\": true}}}",
			errs: []string{`manifest.json: $.uploader.keylookup: keylookup is not supported: it converts identifiers through network calls to public BioThings APIs (biothings_client), which Studio does not make; remove "keylookup" and convert the identifiers in the parser (line 3)`},
		},
		{
			name: "parallelizer",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploaders:\n  - name: aa\n    parser: p:f\n    parallelizer: parallelizer:parallel_jobs\n",
			want: &Manifest{Version: "1", Dumper: Dumper{DataURLs: []string{"https://x.org/a"}},
				Uploaders: []Uploader{{Name: "aa", Parser: Parser{Func: "p:f"}, OnDuplicates: "error", Parallelizer: "parallelizer:parallel_jobs"}}},
		},
		{
			name: "parallelizer named jobs",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploaders:\n  - name: aa\n    parser: p:f\n    parallelizer: parallelizer:jobs\n",
			errs: []string{`manifest.yaml: $.uploaders[0].parallelizer: the parallelizer function may not be named "jobs": BioThings reserves that name for the uploader method calling it; rename the function, e.g. "parallelizer:parallel_jobs" (line 6)`},
		},
		{
			name: "parallelizer not module:function",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": "p:f", "parallelizer": "jobs.py"}}`,
			errs: []string{`manifest.json: $.uploader.parallelizer: want "module:function" (Python names, e.g. "parser:load_data"), got "jobs.py" (line 1)`},
		},
		{
			name: "parallelizer beside a declarative parser",
			file: "manifest.json",
			data: `{"version": "1", "dumper": {"data_url": "https://x.org/a"}, "uploader": {"parser": {"format": "tsv"}, "parallelizer": "p:parallel_jobs"}}`,
			errs: []string{`manifest.json: $.uploader.parallelizer: a parallelizer needs a Python parser ("module:function"): it lists the arguments of each parser call; a declarative parser reads every file of the data folder itself, so remove "parallelizer" (line 1)`},
		},
		{
			name: "keylookup and parallelizer together, with another problem",
			file: "manifest.yaml",
			data: "version: '1'\ndumper: {data_url: 'https://x.org/a'}\nuploader:\n  parser: p:f\n  parallelizer: parallelizer:parallel_jobs\n  keylookup: {input_types: [entrezgene]}\n  on_duplicates: skip\n",
			errs: []string{
				`manifest.yaml: $.uploader.keylookup: keylookup is not supported: it converts identifiers through network calls to public BioThings APIs (biothings_client), which Studio does not make; remove "keylookup" and convert the identifiers in the parser (line 6)`,
				`manifest.yaml: $.uploader.on_duplicates: want "error", "ignore" or "merge", got "skip" (line 7)`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.file, []byte(tt.data), "cgi")
			if tt.want != nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got  %#v\nwant %#v", *got, *tt.want)
				}
				return
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse = %+v, %v; want the errors %q", got, err, tt.errs)
			}
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			if !reflect.DeepEqual(msgs, tt.errs) {
				t.Fatalf("errors:\n%q\nwant:\n%q", msgs, tt.errs)
			}
		})
	}
}
