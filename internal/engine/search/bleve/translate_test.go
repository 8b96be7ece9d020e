package bleve

import (
	"errors"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"

	"studio/internal/engine/search"
)

// props is a mapping with these properties.
func props(p map[string]any) map[string]any { return map[string]any{"properties": p} }

// field is what a translated field should look like.
type field struct {
	typ      string // Bleve field type: text, number, boolean, datetime
	analyzer string
	index    bool
	store    bool
}

func TestTranslateFields(t *testing.T) {
	const (
		standard = "es.builtin.standard"
		lowerKW  = "es.normalizer.keyword_lowercase_normalizer"
	)
	obj := func(p map[string]any) map[string]any { return map[string]any{"properties": p} }
	typ := func(ty string) map[string]any { return map[string]any{"type": ty} }
	cases := []struct {
		name     string
		spec     search.IndexSpec
		fields   map[string]field
		analyzed map[string][2]string // path -> {input, terms joined by |}
	}{
		{
			name: "keyword and text",
			spec: search.IndexSpec{Mapping: props(map[string]any{"gene": typ("keyword"), "name": typ("text")})},
			fields: map[string]field{
				"gene": {"text", keyword.Name, true, false},
				"name": {"text", standard, true, false},
			},
			analyzed: map[string][2]string{
				"gene": {"BRCA1 Gene", "BRCA1 Gene"},
				"name": {"The BRCA1 gene", "the|brca1|gene"}, // no stop words, as in Elasticsearch
			},
		},
		{
			name: "keyword with keyword_lowercase_normalizer",
			spec: search.ReleaseSpec(map[string]any{
				"gene": map[string]any{"type": "keyword", "normalizer": search.KeywordLowercaseNormalizer},
			}, nil, 1, 0),
			fields:   map[string]field{"gene": {"text", lowerKW, true, false}},
			analyzed: map[string][2]string{"gene": {"BRCA1 Gene", "brca1 gene"}},
		},
		{
			name: "numbers, boolean and date",
			spec: search.IndexSpec{Mapping: props(map[string]any{
				"i": typ("integer"), "l": typ("long"), "f": typ("float"), "d": typ("double"),
				"s": typ("short"), "b": typ("byte"), "h": typ("half_float"),
				"sf":   map[string]any{"type": "scaled_float", "scaling_factor": 100.0},
				"flag": typ("boolean"), "when": typ("date"),
				"day": map[string]any{"type": "date", "format": "strict_date_optional_time||epoch_millis"},
			})},
			fields: map[string]field{
				"i": {"number", "", true, false}, "l": {"number", "", true, false},
				"f": {"number", "", true, false}, "d": {"number", "", true, false},
				"s": {"number", "", true, false}, "b": {"number", "", true, false},
				"h": {"number", "", true, false}, "sf": {"number", "", true, false},
				"flag": {"boolean", "", true, false}, "when": {"datetime", "", true, false},
				"day": {"datetime", "", true, false},
			},
		},
		{
			name: "index false is stored, not indexed",
			spec: search.IndexSpec{Mapping: props(map[string]any{
				"info":   map[string]any{"type": "text", "index": false},
				"strand": map[string]any{"type": "keyword", "index": "false"},
				"pos":    map[string]any{"type": "long", "index": false},
			})},
			fields: map[string]field{
				"info":   {"text", standard, false, true},
				"strand": {"text", keyword.Name, false, true},
				"pos":    {"number", "", false, true},
			},
		},
		{
			name: "nested properties",
			spec: search.IndexSpec{Mapping: props(map[string]any{
				"cgi": obj(map[string]any{
					"drug":   obj(map[string]any{"name": typ("text"), "status": typ("keyword")}),
					"region": map[string]any{"type": "object", "properties": map[string]any{"start": typ("long")}},
				}),
				"genomic_pos": map[string]any{"type": "nested", "properties": map[string]any{"start": typ("long")}},
			})},
			fields: map[string]field{
				"cgi.drug.name":     {"text", standard, true, false},
				"cgi.drug.status":   {"text", keyword.Name, true, false},
				"cgi.region.start":  {"number", "", true, false},
				"genomic_pos.start": {"number", "", true, false},
			},
		},
		{
			name: "copy_to targets are mapped",
			spec: search.IndexSpec{Mapping: props(map[string]any{
				"gene":      map[string]any{"type": "keyword", "copy_to": []any{"all"}},
				"protein":   map[string]any{"type": "text", "copy_to": []any{"all", "acc_agg"}},
				"rna":       map[string]any{"type": "text", "copy_to": "acc_agg"},
				"acc_agg":   map[string]any{"type": "text", "analyzer": "whitespace"},
				"nested_in": obj(map[string]any{"x": map[string]any{"type": "keyword", "copy_to": "agg.inner"}}),
			})},
			fields: map[string]field{
				"all":       {"text", standard, true, false},
				"acc_agg":   {"text", "es.builtin.whitespace", true, false},
				"agg.inner": {"text", standard, true, false},
			},
		},
		{
			name: "custom analyzers of the settings",
			spec: search.IndexSpec{
				Settings: map[string]any{"index": map[string]any{"analysis": map[string]any{
					"analyzer": map[string]any{
						"refseq_analyzer":      map[string]any{"type": "custom", "tokenizer": "refseq_tokenizer", "filter": "lowercase"},
						"whitespace_lowercase": map[string]any{"tokenizer": "whitespace", "filter": []any{"lowercase"}},
						"folded":               map[string]any{"tokenizer": "standard", "filter": []any{"my_lower", "asciifolding"}},
						"unused_exotic":        map[string]any{"type": "pattern"},
					},
					"tokenizer": map[string]any{"refseq_tokenizer": map[string]any{"type": "path_hierarchy", "delimiter": "."}},
					"filter":    map[string]any{"my_lower": map[string]any{"type": "lowercase"}},
				}}},
				Mapping: props(map[string]any{
					"rna":   map[string]any{"type": "text", "analyzer": "refseq_analyzer"},
					"alias": map[string]any{"type": "text", "analyzer": "whitespace_lowercase"},
					"name":  map[string]any{"type": "text", "analyzer": "folded"},
				}),
			},
			fields: map[string]field{"rna": {"text", "es.analyzer.refseq_analyzer", true, false}},
			analyzed: map[string][2]string{
				"rna":   {"NM_000546.5", "nm_000546|nm_000546.5"},
				"alias": {"p53 TRP53-ALT", "p53|trp53-alt"},
				"name":  {"Protéine Kinase", "proteine|kinase"},
			},
		},
		{
			name: "flat settings and a default analyzer",
			spec: search.IndexSpec{
				Settings: map[string]any{
					"index.query.default_field":           []any{"_id", "all"},
					"analysis.analyzer.default.type":      "custom",
					"analysis.analyzer.default.tokenizer": "whitespace",
				},
				Mapping: props(map[string]any{"all": typ("text")}),
			},
			fields:   map[string]field{"all": {"text", "es.analyzer.default", true, false}},
			analyzed: map[string][2]string{"all": {"BRCA1 Gene", "BRCA1|Gene"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Translate(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range c.fields {
				fm := tr.Mapping.FieldMappingForPath(path)
				got := field{fm.Type, fm.Analyzer, fm.Index, fm.Store}
				if got != want {
					t.Errorf("%s: got %+v, want %+v", path, got, want)
				}
				if fm.IncludeInAll {
					t.Errorf("%s: IncludeInAll is set; copy_to replaces Bleve's _all", path)
				}
			}
			for path, io := range c.analyzed {
				toks, err := tr.Mapping.AnalyzeText(tr.Mapping.FieldAnalyzer(path), []byte(io[0]))
				if err != nil {
					t.Fatalf("%s: analyze: %v", path, err)
				}
				var terms string
				for i, tk := range toks {
					if i > 0 {
						terms += "|"
					}
					terms += string(tk.Term)
				}
				if terms != io[1] {
					t.Errorf("%s: %q is analyzed to %q, want %q", path, io[0], terms, io[1])
				}
			}
		})
	}
}

func TestTranslateRecordsCopyToAndDefaults(t *testing.T) {
	tr, err := Translate(search.ReleaseSpec(map[string]any{
		"gene": map[string]any{"type": "keyword", "copy_to": []any{"all"}},
		"cgi":  props(map[string]any{"drug": map[string]any{"type": "text", "copy_to": []any{"all", "drug_agg"}}}),
	}, nil, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"gene": {"all"}, "cgi.drug": {"all", "drug_agg"}}
	if !reflect.DeepEqual(tr.CopyTo, want) {
		t.Errorf("CopyTo = %v, want %v", tr.CopyTo, want)
	}
	if !reflect.DeepEqual(tr.DefaultFields, []string{"_id", "all"}) || tr.Mapping.DefaultField != "all" {
		t.Errorf("DefaultFields = %v, DefaultField = %q; want [_id all], all", tr.DefaultFields, tr.Mapping.DefaultField)
	}
}

func TestTranslateDocumentMappings(t *testing.T) {
	tr, err := Translate(search.IndexSpec{Mapping: map[string]any{
		"dynamic": "false",
		"properties": map[string]any{
			"open":        map[string]any{"dynamic": true, "properties": map[string]any{}},
			"inherits":    map[string]any{"properties": []any{}}, // Elasticsearch allows an empty list
			"strict":      map[string]any{"dynamic": "strict"},
			"translation": map[string]any{"type": "object", "enabled": false},
			"genomic_pos": map[string]any{"type": "nested", "dynamic": "false", "properties": map[string]any{}},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	root := tr.Mapping.DefaultMapping
	if root.Dynamic {
		t.Error("dynamic false at the root was not translated")
	}
	type doc struct{ enabled, dynamic, nested bool }
	for name, want := range map[string]doc{
		"open":        {true, true, false},
		"inherits":    {true, false, false},
		"strict":      {true, false, false},
		"translation": {false, false, false},
		"genomic_pos": {true, false, false}, // nested is mapped as an object
	} {
		dm := root.Properties[name]
		if dm == nil {
			t.Errorf("%s: no sub-document mapping", name)
			continue
		}
		if got := (doc{dm.Enabled, dm.Dynamic, dm.Nested}); got != want {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

func TestTranslateRejects(t *testing.T) {
	typ := func(ty string) map[string]any { return map[string]any{"type": ty} }
	cgi := func(p map[string]any) search.IndexSpec {
		return search.IndexSpec{Mapping: props(map[string]any{"cgi": props(p)})}
	}
	cases := []struct {
		name string
		spec search.IndexSpec
		want string
	}{
		{"unknown type", cgi(map[string]any{"drug": typ("geo_shape")}),
			`cgi.drug: type "geo_shape" is not supported by the bleve backend`},
		{"type not a string", cgi(map[string]any{"drug": map[string]any{"type": 3.0}}),
			`cgi.drug: "type" must be a string, got a number`},
		{"properties not an object", search.IndexSpec{Mapping: map[string]any{"properties": "oops"}},
			`mapping: "properties" must be an object, got a string`},
		{"nested properties not an object", search.IndexSpec{Mapping: props(map[string]any{"cgi": map[string]any{"properties": []any{"x"}}})},
			`cgi: "properties" must be an object, got a list`},
		{"field not an object", cgi(map[string]any{"drug": "keyword"}),
			`cgi.drug: the field definition must be an object, got a string`},
		{"dotted field name", search.IndexSpec{Mapping: props(map[string]any{"cgi.drug": typ("keyword")})},
			`cgi.drug: dotted or empty field names are not supported by the bleve backend; nest the field under the "properties" of its parent`},
		{"multi-fields", cgi(map[string]any{"drug": map[string]any{"type": "text", "fields": map[string]any{"raw": typ("keyword")}}}),
			`cgi.drug: parameter "fields" of type "text" is not supported by the bleve backend`},
		{"analyzer on a keyword", cgi(map[string]any{"drug": map[string]any{"type": "keyword", "analyzer": "standard"}}),
			`cgi.drug: parameter "analyzer" of type "keyword" is not supported by the bleve backend`},
		{"null_value", cgi(map[string]any{"drug": map[string]any{"type": "keyword", "null_value": "NULL"}}),
			`cgi.drug: parameter "null_value" of type "keyword" is not supported by the bleve backend`},
		{"undefined analyzer", cgi(map[string]any{"drug": map[string]any{"type": "text", "analyzer": "nope"}}),
			`cgi.drug: analyzer "nope" is not defined in settings.analysis.analyzer and is not a built-in analyzer the bleve backend knows (standard, simple, whitespace, keyword)`},
		{"undefined normalizer", cgi(map[string]any{"drug": map[string]any{"type": "keyword", "normalizer": "nope"}}),
			`cgi.drug: normalizer "nope" is not defined in settings.analysis.normalizer`},
		{"unsupported tokenizer", search.IndexSpec{
			Settings: map[string]any{"analysis": map[string]any{
				"analyzer":  map[string]any{"grams": map[string]any{"tokenizer": "grams"}},
				"tokenizer": map[string]any{"grams": map[string]any{"type": "ngram", "min_gram": 2.0}},
			}},
			Mapping: props(map[string]any{"drug": map[string]any{"type": "text", "analyzer": "grams"}}),
		}, `drug: analyzer "grams": tokenizer "grams" of type "ngram" is not supported by the bleve backend`},
		{"unsupported token filter", search.IndexSpec{
			Settings: map[string]any{"analysis": map[string]any{
				"analyzer": map[string]any{"stopped": map[string]any{"tokenizer": "standard", "filter": []any{"lowercase", "stop"}}},
			}},
			Mapping: props(map[string]any{"drug": map[string]any{"type": "text", "analyzer": "stopped"}}),
		}, `drug: analyzer "stopped": token filter "stop" is not supported by the bleve backend`},
		{"reversed path_hierarchy", search.IndexSpec{
			Settings: map[string]any{"analysis": map[string]any{
				"analyzer":  map[string]any{"rev": map[string]any{"tokenizer": "rev_path"}},
				"tokenizer": map[string]any{"rev_path": map[string]any{"type": "path_hierarchy", "reverse": true}},
			}},
			Mapping: props(map[string]any{"drug": map[string]any{"type": "text", "analyzer": "rev"}}),
		}, `drug: analyzer "rev": tokenizer "rev_path": path_hierarchy option "reverse" = true is not supported by the bleve backend`},
		{"date format", cgi(map[string]any{"when": map[string]any{"type": "date", "format": "epoch_second"}}),
			`cgi.when: date format epoch_second is not supported by the bleve backend (dates are read as RFC 3339 / ISO 8601)`},
		{"dynamic runtime", search.IndexSpec{Mapping: map[string]any{"dynamic": "runtime"}},
			`mapping: "dynamic": runtime is not supported by the bleve backend (use true, false or "strict")`},
		{"index not a boolean", cgi(map[string]any{"drug": map[string]any{"type": "keyword", "index": "maybe"}}),
			`cgi.drug: "index" must be true or false, got maybe`},
		{"copy_to not names", cgi(map[string]any{"drug": map[string]any{"type": "keyword", "copy_to": 1.0}}),
			`cgi.drug: "copy_to" must be a field name or a list of field names, got a number`},
		{"copy_to into a disabled object", search.IndexSpec{Mapping: props(map[string]any{
			"off":  map[string]any{"type": "object", "enabled": false},
			"drug": map[string]any{"type": "keyword", "copy_to": "off.all"},
		})}, `drug: copy_to "off.all": the target is inside the disabled object "off"`},
		{"dynamic_templates", search.IndexSpec{Mapping: map[string]any{"dynamic_templates": []any{}}},
			`mapping: "dynamic_templates" is not supported by the bleve backend`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Translate(c.spec)
			if err == nil {
				t.Fatalf("Translate succeeded, want %q", c.want)
			}
			if !errors.Is(err, search.ErrInvalidSpec) {
				t.Errorf("error %v does not match ErrInvalidSpec", err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
		})
	}
}
