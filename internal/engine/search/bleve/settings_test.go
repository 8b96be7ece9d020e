package bleve

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"studio/internal/engine/search"
)

// TestCheckAnalysis checks that every analysis component of settings given
// on their own is translated or refused naming the setting, used by a
// mapping or not.
func TestCheckAnalysis(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		want     []string // the exact messages; none = accepted
	}{
		{
			name: "mygene's refseq analyzer and Studio's normalizer",
			settings: `{"analysis": {
				"analyzer": {"refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"},
				             "string_lowercase": {"tokenizer": "keyword", "filter": "lowercase"},
				             "whitespace_lowercase": {"tokenizer": "whitespace", "filter": "lowercase"}},
				"tokenizer": {"refseq_tokenizer": {"type": "path_hierarchy", "delimiter": "."}},
				"normalizer": {"keyword_lowercase_normalizer": {"type": "custom", "filter": ["lowercase"], "char_filter": []}}}}`,
		},
		{
			name: "every supported form, under index and dotted",
			settings: `{"index": {"analysis": {
				"analyzer": {"std": {"type": "standard"}, "folded": {"tokenizer": "my_path", "filter": ["my_lower", "asciifolding", "unique"], "char_filter": ["my_html", "html_strip"], "position_increment_gap": 100},
				             "paths": {"tokenizer": "path_hierarchy"}},
				"tokenizer": {"my_path": {"type": "path_hierarchy", "delimiter": "/", "replacement": "/", "reverse": false, "skip": 0, "buffer_size": 1024},
				              "ws": {"type": "whitespace"}},
				"filter": {"my_lower": {"type": "lowercase"}, "fold": {"type": "asciifolding"}},
				"char_filter": {"my_html": {"type": "html_strip"}}}},
				"index.analysis.normalizer.folding": {"filter": ["fold", "lowercase"]}}`,
		},
		{
			name:     "an unsupported tokenizer type, used by no field",
			settings: `{"analysis": {"tokenizer": {"x": {"type": "ngram", "min_gram": 2}}}}`,
			want:     []string{`settings.analysis.tokenizer.x.type: "ngram" is not supported by the bleve backend`},
		},
		{
			name: "each unsupported part, all reported, by path",
			settings: `{"analysis": {
				"tokenizer": {"rev": {"type": "path_hierarchy", "delimiter": ".", "reverse": true, "skip": 1, "replacement": "/"},
				              "std": {"type": "standard", "max_token_length": 5}, "untyped": {"delimiter": "."}, "odd": {"type": 3}},
				"filter": {"stops": {"type": "stop", "stopwords": ["the"]}, "lower_gr": {"type": "lowercase", "language": "greek"}},
				"char_filter": {"map": {"type": "mapping", "mappings": ["a => b"]}, "fold": {"type": "asciifolding"}},
				"analyzer": {"pat": {"type": "pattern"}, "std": {"type": "standard", "stopwords": "_english_"},
				             "stopped": {"tokenizer": "standard", "filter": ["lowercase", "stop"], "char_filter": "nope", "language": "en"},
				             "no_tok": {"filter": "lowercase"}, "grams": {"tokenizer": "edge_ngram"}},
				"normalizer": {"n": {"tokenizer": "keyword", "filter": ["lowercase"]}, "m": {"type": "lowercase"}},
				"similarity": {"x": {}}}}`,
			want: []string{
				`settings.analysis.analyzer.grams.tokenizer: tokenizer "edge_ngram" is not supported by the bleve backend`,
				`settings.analysis.analyzer.no_tok.tokenizer: want the name of a tokenizer, got null`,
				`settings.analysis.analyzer.pat.type: "pattern" is not supported by the bleve backend`,
				`settings.analysis.analyzer.std.stopwords: option of analyzer type "standard" is not supported by the bleve backend`,
				`settings.analysis.analyzer.stopped.char_filter: char filter "nope" is not supported by the bleve backend`,
				`settings.analysis.analyzer.stopped.filter: token filter "stop" is not supported by the bleve backend`,
				`settings.analysis.analyzer.stopped.language: option of a custom analyzer is not supported by the bleve backend`,
				`settings.analysis.char_filter.fold.type: "asciifolding" is not supported by the bleve backend`,
				`settings.analysis.char_filter.map.type: "mapping" is not supported by the bleve backend`,
				`settings.analysis.filter.lower_gr.language: option of filter type "lowercase" is not supported by the bleve backend`,
				`settings.analysis.filter.stops.type: "stop" is not supported by the bleve backend`,
				`settings.analysis.normalizer.m.type: "lowercase" is not supported by the bleve backend`,
				`settings.analysis.normalizer.n.tokenizer: option of a custom normalizer is not supported by the bleve backend`,
				`settings.analysis.similarity: is not an analysis section the bleve backend knows (analyzer, normalizer, tokenizer, filter, char_filter)`,
				`settings.analysis.tokenizer.odd.type: want a string, got a number`,
				`settings.analysis.tokenizer.rev.replacement: a replacement other than the delimiter is not supported by the bleve backend`,
				`settings.analysis.tokenizer.rev.reverse: true is not supported by the bleve backend`,
				`settings.analysis.tokenizer.rev.skip: 1 is not supported by the bleve backend`,
				`settings.analysis.tokenizer.std.max_token_length: option of tokenizer type "standard" is not supported by the bleve backend`,
				`settings.analysis.tokenizer.untyped: "type" is missing: name the tokenizer's type, e.g. "path_hierarchy"`,
			},
		},
		{
			name:     "wrong shapes",
			settings: `{"analysis": {"analyzer": [], "tokenizer": {"t": "path_hierarchy"}, "filter": {"f": {"type": "lowercase"}}}}`,
			want: []string{
				`settings.analysis.analyzer: want an object of definitions by name, got a list`,
				`settings.analysis.tokenizer.t: want an object (the definition), got a string`,
			},
		},
		{
			name:     "analysis not an object",
			settings: `{"index.analysis": "standard"}`,
			want:     []string{`settings.analysis: want an object, got a string`},
		},
		{
			name:     "no analysis",
			settings: `{"number_of_shards": 3, "auto_expand_replicas": "0-all"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var settings map[string]any
			if err := json.Unmarshal([]byte(tc.settings), &settings); err != nil {
				t.Fatal(err)
			}
			err := CheckAnalysis(settings)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckAnalysis = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, search.ErrInvalidSpec) {
				t.Fatalf("CheckAnalysis = %v, want an error matching ErrInvalidSpec", err)
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestCheckSettingsThroughTheEngine checks that the engine offers the check
// (search.CheckSettings) and that what it accepts an index can use: a char
// filter and a token filter defined by their type only.
func TestCheckSettingsThroughTheEngine(t *testing.T) {
	e, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	settings := map[string]any{"analysis": map[string]any{
		"analyzer":    map[string]any{"clean": map[string]any{"tokenizer": "whitespace", "filter": []any{"my_lower"}, "char_filter": []any{"my_html"}}},
		"filter":      map[string]any{"my_lower": map[string]any{"type": "lowercase"}},
		"char_filter": map[string]any{"my_html": map[string]any{"type": "html_strip"}},
	}}
	if err := search.CheckSettings(e, settings); err != nil {
		t.Fatal(err)
	}
	bad := map[string]any{"analysis": map[string]any{"tokenizer": map[string]any{"x": map[string]any{"type": "ngram"}}}}
	if err := search.CheckSettings(e, bad); err == nil || err.Error() != `settings.analysis.tokenizer.x.type: "ngram" is not supported by the bleve backend` {
		t.Fatalf("CheckSettings(ngram) = %v", err)
	}
	tr, err := Translate(search.IndexSpec{Settings: settings, Mapping: props(map[string]any{"body": map[string]any{"type": "text", "analyzer": "clean"}})})
	if err != nil {
		t.Fatal(err)
	}
	toks, err := tr.Mapping.AnalyzeText(tr.Mapping.FieldAnalyzer("body"), []byte("<b>BRCA1</b> Gene"))
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, tk := range toks {
		terms = append(terms, string(tk.Term))
	}
	if want := []string{"brca1", "gene"}; !reflect.DeepEqual(terms, want) {
		t.Fatalf("analyzed to %q, want %q", terms, want)
	}
}
