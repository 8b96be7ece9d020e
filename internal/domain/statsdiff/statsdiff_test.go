package statsdiff

import (
	"reflect"
	"testing"

	"studio/internal/domain/inspect"
)

func TestCompare(t *testing.T) {
	gene := func(docs int64, top ...inspect.ValueCount) inspect.FieldStats {
		return inspect.FieldStats{Types: map[string]int64{"str": docs}, Docs: docs, Top: top}
	}
	old := map[string]inspect.FieldStats{
		"cgi.gene": gene(3, inspect.ValueCount{Value: "ABL1", Count: 2}, inspect.ValueCount{Value: "KIT", Count: 1}),
		"cgi.drug": gene(2),
		"gone":     gene(1),
	}
	new := map[string]inspect.FieldStats{
		"cgi.gene": gene(4, inspect.ValueCount{Value: "ABL1", Count: 2}, inspect.ValueCount{Value: "EGFR", Count: 2}),
		"cgi.drug": gene(2),
		"added":    {Types: map[string]int64{"int": 1}, Docs: 1},
	}
	got := Compare(old, new)
	tests := []struct {
		field  string
		status Status
		docs   int64
		types  []string
		values []ValueChange
	}{
		{"added", Added, 1, nil, nil},
		{"cgi.drug", Same, 0, nil, nil},
		{"cgi.gene", Changed, 1, []string{"str"}, []ValueChange{{"EGFR", 0, 2}, {"KIT", 1, 0}}},
		{"gone", Removed, -1, nil, nil},
	}
	if len(got) != len(tests) {
		t.Fatalf("Compare gave %d fields, want %d: %+v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			c := got[i]
			if c.Field != tt.field || c.Status != tt.status || c.Docs != tt.docs || !reflect.DeepEqual(c.Types, tt.types) || !reflect.DeepEqual(c.Values, tt.values) {
				t.Errorf("got %+v\nwant field %s status %s docs %d types %v values %v", c, tt.field, tt.status, tt.docs, tt.types, tt.values)
			}
		})
	}
}
