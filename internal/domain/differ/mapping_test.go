package differ

import (
	"slices"
	"testing"

	"studio/internal/engine/docstore"
)

func TestMappingDiff(t *testing.T) {
	tests := []struct {
		name, old, new      string
		added, incompatible []string
	}{
		{"same", `{"a":{"type":"keyword"}}`, `{"a":{"type":"keyword"}}`, nil, nil},
		{"both empty", `{}`, `{}`, nil, nil},
		{"added field", `{"a":{"type":"keyword"}}`, `{"a":{"type":"keyword"},"b":{"type":"long"}}`, []string{"b"}, nil},
		{"added object", `{}`, `{"o":{"properties":{"x":{"type":"text"},"y":{"properties":{"z":{"type":"float"}}}}}}`,
			[]string{"o.x", "o.y.z"}, nil},
		{"added nested field", `{"o":{"properties":{"x":{"type":"text"}}}}`, `{"o":{"properties":{"x":{"type":"text"},"w":{"type":"text"}}}}`,
			[]string{"o.w"}, nil},
		{"removed field", `{"a":{"type":"keyword"},"b":{"type":"long"}}`, `{"a":{"type":"keyword"}}`, nil, []string{"b"}},
		{"removed object", `{"o":{"properties":{"x":{"type":"text"},"y":{"type":"text"}}}}`, `{}`, nil, []string{"o.x", "o.y"}},
		{"changed type", `{"a":{"type":"keyword"}}`, `{"a":{"type":"text"}}`, nil, []string{"a"}},
		{"object to field", `{"o":{"properties":{"x":{"type":"text"}}}}`, `{"o":{"type":"keyword"}}`, nil, []string{"o"}},
		{"explicit object type", `{"o":{"properties":{"x":{"type":"text"}}}}`, `{"o":{"type":"object","properties":{"x":{"type":"text"}}}}`, nil, nil},
		{"nested type change", `{"o":{"type":"nested","properties":{"x":{"type":"text"}}}}`, `{"o":{"properties":{"x":{"type":"text"}}}}`, nil, []string{"o"}},
		{"changed analyzer", `{"a":{"type":"text"}}`, `{"a":{"type":"text","analyzer":"simple"}}`, nil, []string{"a"}},
		{"ignore_above is updatable", `{"a":{"type":"keyword","ignore_above":256}}`, `{"a":{"type":"keyword","ignore_above":512}}`, nil, nil},
		{"added multi-field", `{"a":{"type":"text"}}`, `{"a":{"type":"text","fields":{"raw":{"type":"keyword"}}}}`, []string{"a.raw"}, nil},
		{"mixed", `{"a":{"type":"long"},"b":{"type":"text"},"c":{"type":"text"}}`, `{"a":{"type":"float"},"c":{"type":"text"},"d":{"type":"text"}}`,
			[]string{"d"}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			added, incompatible := MappingDiff(mapping(t, tt.old), mapping(t, tt.new))
			if !slices.Equal(added, tt.added) || !slices.Equal(incompatible, tt.incompatible) {
				t.Errorf("MappingDiff = %q, %q; want %q, %q", added, incompatible, tt.added, tt.incompatible)
			}
			if added == nil || incompatible == nil {
				t.Error("MappingDiff returned a nil list")
			}
		})
	}
	if added, incompatible := MappingDiff(nil, nil); len(added)+len(incompatible) != 0 {
		t.Errorf("nil mappings: %v %v", added, incompatible)
	}
}

func mapping(t *testing.T, s string) map[string]any {
	t.Helper()
	v, err := docstore.DecodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}
