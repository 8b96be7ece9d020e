package buildconf

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"studio/internal/engine/search"
)

// TestExtraIndexSettings reads build configurations as the hub API does
// (a JSON body, then Validate): the forms of extra_index_settings accepted
// and how they are kept, and those refused, with the exact messages.
func TestExtraIndexSettings(t *testing.T) {
	const refseq = `{"analysis": {"analyzer": {"refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"}},
		"tokenizer": {"refseq_tokenizer": {"type": "path_hierarchy", "delimiter": "."}}}}`
	known := map[string]bool{"mygene": true}
	tests := []struct {
		name  string
		extra string // the JSON of extra_index_settings in the body
		want  string // how it is kept (JSON); "" when refused
		errs  []string
	}{
		{name: "an analyzer and its tokenizer", extra: refseq, want: refseq},
		{name: "under index", extra: `{"index": ` + refseq + `}`, want: refseq},
		{name: "dotted keys", extra: `{"index.analysis.analyzer.refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"},
			"analysis.tokenizer.refseq_tokenizer.type": "path_hierarchy", "analysis.tokenizer.refseq_tokenizer.delimiter": "."}`, want: refseq},
		{name: "a string holding the JSON", extra: strconvQuote(refseq), want: refseq},
		{name: "other settings", extra: `{"auto_expand_replicas": "0-all", "number_of_shards": 3}`, want: `{"auto_expand_replicas": "0-all", "number_of_shards": 3}`},
		{name: "a normalizer, char filters and filters",
			extra: `{"analysis": {"normalizer": {"n": {"type": "custom", "filter": ["lowercase", "asciifolding"], "char_filter": []}},
				"filter": {"f": {"type": "stop", "stopwords": ["the"]}}, "char_filter": {"c": {"type": "html_strip"}},
				"analyzer": {"a": {"type": "standard"}, "b": {"tokenizer": "standard", "filter": "f", "char_filter": ["c"]}}}}`,
			want: `{"analysis": {"normalizer": {"n": {"type": "custom", "filter": ["lowercase", "asciifolding"], "char_filter": []}},
				"filter": {"f": {"type": "stop", "stopwords": ["the"]}}, "char_filter": {"c": {"type": "html_strip"}},
				"analyzer": {"a": {"type": "standard"}, "b": {"tokenizer": "standard", "filter": "f", "char_filter": ["c"]}}}}`},
		{name: "null", extra: `null`, want: `null`},

		{name: "a list", extra: `[1]`, errs: []string{`extra_index_settings: want an object of index settings (e.g. {"analysis": {"analyzer": {...}}}), got a list`}},
		{name: "a number", extra: `3`, errs: []string{`extra_index_settings: want an object of index settings (e.g. {"analysis": {"analyzer": {...}}}), got number 3`}},
		{name: "a string of bad JSON", extra: `"{\"analysis\": }"`, errs: []string{`extra_index_settings: the string is not valid JSON: invalid character '}' looking for beginning of value`}},
		{name: "a string of a list", extra: `"[]"`, errs: []string{`extra_index_settings: want an object of index settings (e.g. {"analysis": {"analyzer": {...}}}), got a list`}},
		{name: "index not an object", extra: `{"index": 3}`, errs: []string{`extra_index_settings.index: want an object, got number 3`}},
		{name: "analysis not an object", extra: `{"analysis": "refseq_analyzer"}`,
			errs: []string{`extra_index_settings.analysis: want an object of analyzer, normalizer, tokenizer, filter, char_filter definitions, got string "refseq_analyzer"`}},
		{name: "every wrong shape, reported at once",
			extra: `{"analysis": {"analyzers": {}, "tokenizer": [], "char_filter": {"c": "html_strip"},
				"filter": {"f": {"stopwords": ["the"]}, "g": {"type": 3}},
				"analyzer": {"a": {"filter": "lowercase"}, "b": {"tokenizer": ["standard"], "filter": [1]}, "c": {"type": "custom", "tokenizer": "standard", "char_filter": {"x": 1}}},
				"normalizer": {"n": {"tokenizer": "keyword"}}}}`,
			errs: []string{
				`extra_index_settings.analysis.analyzer.a.tokenizer: required for a custom analyzer: name its tokenizer, e.g. "standard"`,
				`extra_index_settings.analysis.analyzer.b.tokenizer: want the name of a tokenizer, got a list`,
				`extra_index_settings.analysis.analyzer.b.filter: want a name or a list of names, got a list`,
				`extra_index_settings.analysis.analyzer.c.char_filter: want a name or a list of names, got an object`,
				`extra_index_settings.analysis.analyzers: unknown analysis section: want one of analyzer, normalizer, tokenizer, filter, char_filter`,
				`extra_index_settings.analysis.char_filter.c: want an object (the char filter's definition), got string "html_strip"`,
				`extra_index_settings.analysis.filter.f.type: required: name the filter's type, e.g. "lowercase"`,
				`extra_index_settings.analysis.filter.g.type: want a string, got number 3`,
				`extra_index_settings.analysis.normalizer.n.tokenizer: a normalizer has no tokenizer (it keeps the value whole)`,
				`extra_index_settings.analysis.tokenizer: want an object of tokenizer definitions by name, got a list`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"name": "mygene", "doc_type": "gene", "sources": ["mygene"], "extra_index_settings": ` + tc.extra + `}`
			var c Config
			err := json.Unmarshal([]byte(body), &c)
			if err == nil {
				err = c.Validate(known)
			}
			if tc.errs != nil {
				if err == nil {
					t.Fatalf("accepted as %v, want the errors %q", c.ExtraIndexSettings, tc.errs)
				}
				if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tc.errs) {
					t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want IndexSettings
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			// As the hub keeps it: the configuration encoded, then read back.
			b, _ := json.Marshal(c)
			var doc map[string]any
			_ = json.Unmarshal(b, &doc)
			kept, _ := doc["extra_index_settings"].(map[string]any)
			if want == nil && kept != nil || want != nil && !reflect.DeepEqual(kept, map[string]any(want)) {
				t.Fatalf("kept as %s, want %s", b, tc.want)
			}
			for k := range kept {
				if strings.Contains(k, ".") || k == "index" {
					t.Errorf("kept key %q: want nested settings relative to index", k)
				}
			}
			rec, err := c.Record()
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromRecord(rec)
			if err != nil || !reflect.DeepEqual(back.ExtraIndexSettings, c.ExtraIndexSettings) {
				t.Fatalf("FromRecord = %v, %v; want the same settings", back.ExtraIndexSettings, err)
			}
		})
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestReleaseSpecMergesExtraSettings(t *testing.T) {
	var c Config
	body := `{"name": "x", "num_shards": 2, "extra_index_settings": {"number_of_replicas": 2,
		"analysis": {"analyzer": {"refseq_analyzer": {"tokenizer": "keyword"}}}}}`
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	spec := c.ReleaseSpec(map[string]any{"rna": map[string]any{"type": "text", "analyzer": "refseq_analyzer"}}, map[string]any{"build_version": "1"})
	b, _ := json.Marshal(spec.Settings)
	want := `{"index":{"analysis":{"analyzer":{"refseq_analyzer":{"tokenizer":"keyword"}},"normalizer":{"keyword_lowercase_normalizer":{"char_filter":[],"filter":["lowercase"],"type":"custom"}}},"number_of_replicas":2,"number_of_shards":2,"query":{"default_field":["_id","all"]}}}`
	if string(b) != want {
		t.Fatalf("settings = %s\nwant       %s", b, want)
	}
	if spec.Meta["build_version"] != "1" || spec.Mapping["properties"].(map[string]any)["rna"] == nil {
		t.Fatalf("spec = %+v", spec)
	}
	if c.ExtraIndexSettings["number_of_replicas"] != 2.0 {
		t.Fatalf("the configuration's settings changed: %v", c.ExtraIndexSettings)
	}
	if got, want := (Config{NumShards: 1}).ReleaseSpec(nil, nil), search.ReleaseSpec(nil, nil, 1, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("without extra settings = %+v, want search.ReleaseSpec's %+v", got, want)
	}
}
