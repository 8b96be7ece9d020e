package inspect

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func editorMapping() map[string]any {
	return map[string]any{
		"name": map[string]any{"type": "text"},
		"cgi": map[string]any{"properties": map[string]any{
			"gene": map[string]any{"type": "keyword", "normalizer": kw},
			"drug": map[string]any{"type": "text", "copy_to": []any{"all", "drug_agg"}},
			"pos":  map[string]any{"type": "integer", "index": false},
		}},
		"exons": map[string]any{"type": "object", "enabled": false},
	}
}

func TestMappingEditor(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m map[string]any) error
		path  string         // field to look at afterwards
		want  map[string]any // its mapping afterwards
		err   error          // wrapped by the error, if one is expected
		inErr string         // part of the error text
	}{
		{"not searchable", func(m map[string]any) error { return SetSearchable(m, "cgi.gene", false) },
			"cgi.gene", map[string]any{"type": "keyword", "normalizer": kw, "index": false}, nil, ""},
		{"searchable again", func(m map[string]any) error { return SetSearchable(m, "cgi.pos", true) },
			"cgi.pos", map[string]any{"type": "integer"}, nil, ""},
		{"search by default", func(m map[string]any) error { return SetDefaultSearch(m, "cgi.gene", true) },
			"cgi.gene", map[string]any{"type": "keyword", "normalizer": kw, "copy_to": []any{"all"}}, nil, ""},
		{"search by default twice", func(m map[string]any) error {
			_ = SetDefaultSearch(m, "name", true)
			return SetDefaultSearch(m, "name", true)
		}, "name", map[string]any{"type": "text", "copy_to": []any{"all"}}, nil, ""},
		{"not by default keeps other targets", func(m map[string]any) error { return SetDefaultSearch(m, "cgi.drug", false) },
			"cgi.drug", map[string]any{"type": "text", "copy_to": []any{"drug_agg"}}, nil, ""},
		{"not by default removes copy_to", func(m map[string]any) error {
			_ = SetDefaultSearch(m, "name", true)
			return SetDefaultSearch(m, "name", false)
		}, "name", map[string]any{"type": "text"}, nil, ""},
		{"missing field", func(m map[string]any) error { return SetSearchable(m, "cgi.genes", false) },
			"", nil, ErrNoField, `"cgi.genes"`},
		{"missing parent", func(m map[string]any) error { return SetDefaultSearch(m, "civic.gene", true) },
			"", nil, ErrNoField, `"civic.gene"`},
		{"path through a leaf", func(m map[string]any) error { return SetSearchable(m, "name.first", false) },
			"", nil, ErrNoField, `"name" has no fields`},
		{"object", func(m map[string]any) error { return SetSearchable(m, "cgi", false) },
			"", nil, ErrObjectField, "cgi.drug, cgi.gene, cgi.pos"},
		{"object by default", func(m map[string]any) error { return SetDefaultSearch(m, "cgi", true) },
			"", nil, ErrObjectField, `"cgi"`},
		{"empty path", func(m map[string]any) error { return SetSearchable(m, "", true) },
			"", nil, ErrNoField, "empty field path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := editorMapping()
			err := tt.edit(m)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.inErr) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.inErr)
				}
				if !reflect.DeepEqual(m, editorMapping()) {
					t.Errorf("a failed edit changed the mapping: %s", js(t, m))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := leaf(m, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %s, want %s", tt.path, js(t, got), js(t, tt.want))
			}
		})
	}
}

func TestFields(t *testing.T) {
	m := editorMapping()
	if err := SetDefaultSearch(m, "cgi.gene", true); err != nil {
		t.Fatal(err)
	}
	got := Fields(m)
	want := []FieldInfo{
		{Path: "cgi.drug", Type: "text", Searchable: true, SearchedByDefault: true},
		{Path: "cgi.gene", Type: "keyword", Searchable: true, SearchedByDefault: true},
		{Path: "cgi.pos", Type: "integer", Searchable: false, SearchedByDefault: false},
		{Path: "exons", Type: "object", Searchable: false, SearchedByDefault: false},
		{Path: "name", Type: "text", Searchable: true, SearchedByDefault: false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fields = %+v\nwant     %+v", got, want)
	}
	if got := Fields(map[string]any{}); len(got) != 0 {
		t.Errorf("Fields(empty) = %v", got)
	}
}

func TestEditInspectedMapping(t *testing.T) {
	r := inspectAll(docs(map[string]any{"_id": "a", "cgi": map[string]any{"gene": "ABL1", "drug": "a b"}}), ModeMapping)
	if err := SetDefaultSearch(r.Mapping, "cgi.gene", true); err != nil {
		t.Fatal(err)
	}
	if err := SetSearchable(r.Mapping, "cgi.drug", false); err != nil {
		t.Fatal(err)
	}
	want := []FieldInfo{
		{Path: "cgi.drug", Type: "text", Searchable: false},
		{Path: "cgi.gene", Type: "keyword", Searchable: true, SearchedByDefault: true},
	}
	if got := Fields(r.Mapping); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields = %+v\nwant     %+v", got, want)
	}
}
