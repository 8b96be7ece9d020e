package search

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMergeSettings(t *testing.T) {
	refseq := `"analyzer": {"refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"}},
		"tokenizer": {"refseq_tokenizer": {"type": "path_hierarchy", "delimiter": "."}}`
	studio := `"normalizer": {"keyword_lowercase_normalizer": {"type": "custom", "filter": ["lowercase"], "char_filter": []}}`
	query := `"query": {"default_field": ["_id", "all"]}`
	tests := []struct {
		name  string
		base  map[string]any
		extra string
		want  string // the merged settings, under "index"
	}{
		{
			name:  "an analyzer and its tokenizer join Studio's normalizer",
			base:  DefaultSettings(0, 0),
			extra: `{"analysis": {` + refseq + `}}`,
			want:  `{"index": {"analysis": {` + studio + `, ` + refseq + `}, ` + query + `}}`,
		},
		{
			name:  "the same under index, and dotted",
			base:  DefaultSettings(0, 0),
			extra: `{"index": {"analysis": {"tokenizer": {"refseq_tokenizer": {"type": "path_hierarchy", "delimiter": "."}}}}, "index.analysis.analyzer.refseq_analyzer": {"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"}}`,
			want:  `{"index": {"analysis": {` + studio + `, ` + refseq + `}, ` + query + `}}`,
		},
		{
			name:  "a component of the same name is replaced whole",
			base:  DefaultSettings(0, 0),
			extra: `{"analysis": {"normalizer": {"keyword_lowercase_normalizer": {"filter": ["lowercase", "asciifolding"]}}}}`,
			want:  `{"index": {"analysis": {"normalizer": {"keyword_lowercase_normalizer": {"filter": ["lowercase", "asciifolding"]}}}, ` + query + `}}`,
		},
		{
			name:  "other values are replaced, objects merged",
			base:  DefaultSettings(3, 1),
			extra: `{"number_of_shards": 5, "query": {"default_field": "symbol"}, "auto_expand_replicas": "0-all"}`,
			want:  `{"index": {"analysis": {` + studio + `}, "query": {"default_field": "symbol"}, "number_of_shards": 5, "number_of_replicas": 1, "auto_expand_replicas": "0-all"}}`,
		},
		{
			name:  "no extra settings",
			base:  DefaultSettings(0, 0),
			extra: `{}`,
			want:  `{"index": {"analysis": {` + studio + `}, ` + query + `}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var extra, want map[string]any
			if err := json.Unmarshal([]byte(tc.extra), &extra); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(extra)
			got := MergeSettings(tc.base, extra)
			// Compare as JSON: the numbers of DefaultSettings are ints.
			gb, _ := json.Marshal(got)
			var gotJSON map[string]any
			_ = json.Unmarshal(gb, &gotJSON)
			if !reflect.DeepEqual(gotJSON, want) {
				t.Errorf("MergeSettings =\n%s\nwant\n%s", gb, tc.want)
			}
			if after, _ := json.Marshal(extra); string(after) != string(before) {
				t.Errorf("extra was modified: %s", after)
			}
			// The result holds no map of extra: changing it leaves extra as is.
			if a, ok := got["index"].(map[string]any)["analysis"].(map[string]any); ok {
				for _, sec := range a {
					for name := range sec.(map[string]any) {
						sec.(map[string]any)[name] = nil
					}
				}
			}
			if after, _ := json.Marshal(extra); string(after) != string(before) {
				t.Errorf("extra shares maps with the result: %s", after)
			}
		})
	}
}

func TestCheckSettings(t *testing.T) {
	var plain Engine // an engine without its own check accepts anything
	if err := CheckSettings(plain, map[string]any{"analysis": 1}); err != nil {
		t.Fatalf("CheckSettings on an engine without SettingsChecker = %v", err)
	}
}
