package search

import (
	"errors"
	"reflect"
	"testing"
)

func TestValidateIndexName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"cgi", true}, {"mygene_20240101_abc", true}, {"a.b-c_d", true}, {"0abc", true},
		{"", false}, {"Cgi", false}, {"_cgi", false}, {"-cgi", false}, {".cgi", false},
		{"c gi", false}, {"c/gi", false}, {"c*", false}, {string(make([]byte, 256)), false},
	} {
		err := ValidateIndexName(c.name)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalidName)) {
			t.Errorf("ValidateIndexName(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestSetting(t *testing.T) {
	want := []any{"_id", "all"}
	for _, c := range []struct {
		name     string
		settings map[string]any
	}{
		{"nested", map[string]any{"index": map[string]any{"query": map[string]any{"default_field": want}}}},
		{"flat", map[string]any{"index.query.default_field": want}},
		{"mixed", map[string]any{"index": map[string]any{"query.default_field": want}}},
		{"without index", map[string]any{"query": map[string]any{"default_field": want}}},
		{"flat without index", map[string]any{"query.default_field": want}},
	} {
		got, ok := Setting(c.settings, "query.default_field")
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Setting = %v, %v; want %v", c.name, got, ok, want)
		}
	}
	if _, ok := Setting(map[string]any{"index": map[string]any{"number_of_shards": 1}}, "analysis"); ok {
		t.Error("Setting found a missing path")
	}
	merged := ExpandSettings(map[string]any{
		"index":                     map[string]any{"analysis": map[string]any{"analyzer": map[string]any{"a": 1}}},
		"index.analysis.analyzer.b": 2,
	})
	an, _ := Setting(merged, "analysis.analyzer")
	if !reflect.DeepEqual(an, map[string]any{"a": 1, "b": 2}) {
		t.Errorf("flat and nested settings are not merged: %v", an)
	}
}

func TestNormalizedAndDecode(t *testing.T) {
	meta := map[string]any{"build_version": "1"}
	s := IndexSpec{Mapping: map[string]any{"dynamic": "false", "_meta": meta}}.Normalized()
	if !reflect.DeepEqual(s.Meta, meta) || s.Mapping["_meta"] != nil {
		t.Errorf("Normalized = %+v: want _meta moved to Meta", s)
	}
	other := map[string]any{"x": "y"}
	s = IndexSpec{Mapping: map[string]any{"_meta": meta}, Meta: other}.Normalized()
	if !reflect.DeepEqual(s.Meta, other) {
		t.Errorf("Normalized kept the mapping's _meta over Meta: %+v", s)
	}
	if m := s.MappingWithMeta(); !reflect.DeepEqual(m["_meta"], other) {
		t.Errorf("MappingWithMeta = %v", m)
	}

	spec, err := DecodeSpec([]byte(`{"aliases": {}, "settings": {"index": {}}, "mappings": {"_meta": {"a": 1}, "properties": {}}}`))
	if err != nil || spec.Meta["a"] != 1.0 || spec.Mapping["properties"] == nil || spec.Settings == nil {
		t.Errorf("DecodeSpec = %+v, %v", spec, err)
	}
	if _, err := DecodeSpec([]byte(`{"mapping": {}}`)); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("DecodeSpec with a misspelt key = %v, want ErrInvalidSpec", err)
	}
}

func TestReleaseSpec(t *testing.T) {
	props := map[string]any{"gene": map[string]any{"type": "keyword"}}
	s := ReleaseSpec(props, map[string]any{"build_version": "1"}, 3, 1)
	if _, ok := props[AllField]; ok {
		t.Error("ReleaseSpec modified the caller's properties")
	}
	if s.Mapping["dynamic"] != "false" {
		t.Errorf("dynamic = %v", s.Mapping["dynamic"])
	}
	p := s.Mapping["properties"].(map[string]any)
	if !reflect.DeepEqual(p[AllField], map[string]any{"type": "text"}) || p["gene"] == nil {
		t.Errorf("properties = %v", p)
	}
	if v, _ := Setting(s.Settings, "query.default_field"); !reflect.DeepEqual(v, []any{"_id", AllField}) {
		t.Errorf("default_field = %v", v)
	}
	if v, _ := Setting(s.Settings, "analysis.normalizer."+KeywordLowercaseNormalizer+".filter"); !reflect.DeepEqual(v, []any{"lowercase"}) {
		t.Errorf("normalizer filter = %v", v)
	}
	if v, _ := Setting(s.Settings, "number_of_shards"); v != 3 {
		t.Errorf("number_of_shards = %v", v)
	}
	if _, ok := Setting(ReleaseSpec(nil, nil, 0, 0).Settings, "number_of_replicas"); ok {
		t.Error("replicas set when not asked")
	}
}

func TestErrorsMatch(t *testing.T) {
	if !errors.Is(&EngineError{Status: 400}, ErrInvalidSpec) || errors.Is(&EngineError{Status: 500}, ErrInvalidSpec) {
		t.Error("EngineError: only a 400 matches ErrInvalidSpec")
	}
	if !errors.Is(&SpecError{Path: "a", Reason: "b"}, ErrInvalidSpec) {
		t.Error("SpecError does not match ErrInvalidSpec")
	}
}
