package releasenote

import (
	"reflect"
	"strings"
	"testing"

	"studio/internal/domain/differ"
	"studio/internal/encoding/jsondiff"
)

func TestMake(t *testing.T) {
	kw := map[string]any{"type": "keyword"}
	old := Build{ID: "b1", Count: 10,
		Mapping: map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": kw, "drug": map[string]any{"type": "text"}, "gone": kw}}},
		Meta:    map[string]any{"src": map[string]any{"cgi": map[string]any{"version": "2026-03-14"}, "old": map[string]any{"version": "1"}}}}
	new := Build{ID: "b2", Count: 11,
		Mapping: map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": kw, "drug": kw, "score": map[string]any{"type": "float"}}}},
		Meta:    map[string]any{"src": map[string]any{"cgi": map[string]any{"version": "2026-03-16"}}}}
	updates := []differ.Update{
		{ID: "a", Patch: []jsondiff.Op{{Op: "replace", Path: "/cgi/association", Value: "x"}, {Op: "replace", Path: "/cgi/0/source", Value: "y"}}},
		{ID: "b", Patch: []jsondiff.Op{{Op: "replace", Path: "/cgi/association", Value: "z"}}},
	}
	n := Make(old, new, differ.Metadata{Stats: differ.Stats{Add: 2, Update: 2, Delete: 1}}, updates)
	if !reflect.DeepEqual(n.FieldsAdded, []string{"cgi.score"}) || !reflect.DeepEqual(n.FieldsRemoved, []string{"cgi.gone"}) ||
		!reflect.DeepEqual(n.FieldsRetyped, []string{"cgi.drug (text -> keyword)"}) {
		t.Fatalf("fields: %+v", n)
	}
	if want := map[string]int64{"cgi.association": 2, "cgi.source": 1}; !reflect.DeepEqual(n.FieldsUpdated, want) {
		t.Fatalf("fields updated = %v, want %v", n.FieldsUpdated, want)
	}
	if want := []SourceChange{{Source: "cgi", Old: "2026-03-14", New: "2026-03-16"}, {Source: "old", Old: "1"}}; !reflect.DeepEqual(n.Sources, want) {
		t.Fatalf("sources = %v", n.Sources)
	}
	text := n.Text()
	for _, w := range []string{"10 -> 11 (+1)", "2 added, 2 updated, 1 deleted", "Source cgi: version 2026-03-14 -> 2026-03-16", "Source old removed", "cgi.association (2)", "Fields added: cgi.score"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
}
