package server_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"studio/internal/engine/search"
)

// TestCreateAPISettings: POST /api takes the data API's optional settings,
// stores them with the instance, and refuses bad ones naming them; without
// them the record is as before.
func TestCreateAPISettings(t *testing.T) {
	s := startStack(t)
	if err := s.eng.Search.CreateIndex(context.Background(), "settings_ix", search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{"a": map[string]any{"type": "keyword"}}}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body string
		code       int
		want       map[string]any // keys of the stored record
		errPart    string
	}{
		{name: "with settings", body: `{"name": "a1", "index": "settings_ix", "port": 18001, "scroll_size": 50, "max_facet_size": 20, "nested_aggs": true, "licenses": {"exac": "http://e"}}`, code: 200,
			want: map[string]any{"scroll_size": 50.0, "max_facet_size": 20.0, "nested_aggs": true, "licenses": map[string]any{"exac": "http://e"}}},
		{name: "without settings", body: `{"name": "a2", "index": "settings_ix", "port": 18002}`, code: 200,
			want: map[string]any{"scroll_size": nil, "max_facet_size": nil, "nested_aggs": nil, "licenses": nil}},
		{name: "bad facet size", body: `{"name": "a3", "index": "settings_ix", "port": 18003, "max_facet_size": 5000}`, code: 400, errPart: "max_facet_size"},
		{name: "bad license", body: `{"name": "a4", "index": "settings_ix", "port": 18004, "licenses": {"exac": ""}}`, code: 400, errPart: "licenses"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, env := call(t, "POST", s.base+"/api", tc.body)
			if code != tc.code {
				t.Fatalf("POST /api = %d %+v, want %d", code, env, tc.code)
			}
			if tc.errPart != "" {
				if !strings.Contains(env.Error, tc.errPart) {
					t.Errorf("error %q does not name %s", env.Error, tc.errPart)
				}
				return
			}
			var rec map[string]any
			if err := json.Unmarshal(env.Result, &rec); err != nil {
				t.Fatal(err)
			}
			for k, w := range tc.want {
				if !reflect.DeepEqual(rec[k], w) {
					t.Errorf("%s = %v, want %v (record %s)", k, rec[k], w, env.Result)
				}
			}
		})
	}
}
