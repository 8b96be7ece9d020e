package dataapi

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
)

// TestAddInstance: a new instance is recorded stopped, with its settings
// when given; a bad parameter, a missing index and a taken name are
// refused, each with its own error, and record nothing.
func TestAddInstance(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := eng.CreateIndex(ctx, "ix", search.IndexSpec{Mapping: map[string]any{"properties": map[string]any{}}}); err != nil {
		t.Fatal(err)
	}
	isBad := func(part string) func(error) bool {
		return func(err error) bool {
			var bad *InstanceError
			return errors.As(err, &bad) && strings.Contains(err.Error(), part)
		}
	}
	for _, tc := range []struct {
		name string
		in   Instance
		want string // the record, JSON, without created_at
		err  func(error) bool
	}{
		{"plain", Instance{Name: "a1", Index: "ix", Port: 18001}, `{"_id":"a1","description":"","host":"127.0.0.1","index":"ix","name":"a1","port":18001,"status":"stopped"}`, nil},
		{"with settings", Instance{Name: "a2", Index: "ix", Port: 18002, Host: "0.0.0.0", Settings: Settings{ScrollSize: 50, Licenses: map[string]string{"f": "u"}}},
			`{"_id":"a2","description":"","host":"0.0.0.0","index":"ix","licenses":{"f":"u"},"name":"a2","port":18002,"scroll_size":50,"status":"stopped"}`, nil},
		{"taken name", Instance{Name: "a1", Index: "ix", Port: 18003}, "", func(err error) bool { return errors.Is(err, ErrInstanceExists) }},
		{"bad name", Instance{Name: "a b", Index: "ix", Port: 18004}, "", isBad(`name "a b"`)},
		{"privileged port", Instance{Name: "a5", Index: "ix", Port: 80}, "", isBad("port 80")},
		{"no index", Instance{Name: "a6", Port: 18006}, "", isBad("index is required")},
		{"bad settings", Instance{Name: "a7", Index: "ix", Port: 18007, Settings: Settings{MaxFacetSize: 5000}}, "", isBad("max_facet_size")},
		{"missing index", Instance{Name: "a8", Index: "nope", Port: 18008}, "", func(err error) bool {
			var e *NoIndexError
			return errors.As(err, &e) && strings.HasPrefix(err.Error(), `index "nope": `)
		}},
	} {
		rec, err := AddInstance(ctx, st, eng, tc.in)
		if tc.err != nil {
			if !tc.err(err) {
				t.Errorf("%s: AddInstance = %v", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		stored, err := (hub.Records{Store: st}).DataAPI(ctx, tc.in.Name)
		if err != nil || stored.CreatedAt == "" || stored.CreatedAt != rec.CreatedAt {
			t.Fatalf("%s: stored %+v, %v", tc.name, stored, err)
		}
		stored.CreatedAt = ""
		delete(stored.Extra, "created_at")
		if got, _ := json.Marshal(stored); strings.Replace(string(got), `"created_at":"",`, "", 1) != tc.want {
			t.Errorf("%s: stored %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if all, err := (hub.Records{Store: st}).DataAPIs(ctx); err != nil || len(all) != 2 {
		t.Errorf("records: %v, %v; want a1 and a2", all, err)
	}
}
