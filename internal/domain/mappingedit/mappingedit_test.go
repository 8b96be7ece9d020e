package mappingedit_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/domain/mappingedit"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

// hubWith is a hub database with source "cgi": its sub-source "cgi_a"
// uploaded and inspected, and "cgi_b" uploaded only.
func hubWith(t *testing.T) docstore.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := hub.Records{Store: st}
	if err := r.AddSource(ctx, "cgi", ""); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"cgi_a", "cgi_b"} {
		if err := r.SubUploaded(ctx, hub.Master{ID: sub, Name: sub, Source: "cgi"}); err != nil {
			t.Fatal(err)
		}
	}
	mapping := map[string]any{"cgi": map[string]any{"properties": map[string]any{
		"gene": map[string]any{"type": "keyword"}, "score": map[string]any{"type": "float"},
	}}}
	err = r.InspectionDone(ctx, hub.Inspected{Name: "cgi_a"}, hub.Inspection{Mode: []string{"mapping"}, Results: map[string]any{"mapping": mapping}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestGet(t *testing.T) {
	ctx := context.Background()
	st := hubWith(t)
	if err := mappingedit.Commit(ctx, st, "cgi_a", map[string]any{"cgi": map[string]any{"type": "object"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sub, want string
		err       error
	}{
		{"cgi_a", `{"fields":[{"path":"cgi.gene","type":"keyword","searchable":true,"searched_by_default":false},` +
			`{"path":"cgi.score","type":"float","searchable":true,"searched_by_default":false}],` +
			`"inspect":{"cgi":{"properties":{"gene":{"type":"keyword"},"score":{"type":"float"}}}},"registered":{"cgi":{"type":"object"}}}`, nil},
		{"cgi_b", `{"inspect":null,"registered":null}`, nil},
		{"nope", "", hub.ErrNoSource},
	} {
		v, err := mappingedit.Get(ctx, st, tc.sub)
		if !errors.Is(err, tc.err) {
			t.Errorf("Get(%s) error = %v, want %v", tc.sub, err, tc.err)
			continue
		}
		if got, _ := json.Marshal(v); err == nil && string(got) != tc.want {
			t.Errorf("Get(%s) = %s\nwant %s", tc.sub, got, tc.want)
		}
	}
}

func TestEdits(t *testing.T) {
	ctx := context.Background()
	no, yes := false, true
	for _, tc := range []struct {
		name string
		sub  string
		edit mappingedit.FieldEdit
		gene string // the edited field as saved, JSON
		err  func(error) bool
	}{
		{"not searchable", "cgi_a", mappingedit.FieldEdit{Field: "cgi.gene", Searchable: &no}, `{"index":false,"type":"keyword"}`, nil},
		{"searched by default", "cgi_a", mappingedit.FieldEdit{Field: "cgi.gene", SearchByDefault: &yes}, `{"copy_to":["all"],"type":"keyword"}`, nil},
		{"unknown field", "cgi_a", mappingedit.FieldEdit{Field: "cgi.nope", Searchable: &no}, "", func(err error) bool {
			var e *mappingedit.EditError
			return errors.As(err, &e)
		}},
		{"no inspection", "cgi_b", mappingedit.FieldEdit{Field: "cgi.gene", Searchable: &no}, "", func(err error) bool { return errors.Is(err, mappingedit.ErrNoInspection) }},
		{"unknown source", "nope", mappingedit.FieldEdit{Field: "cgi.gene", Searchable: &no}, "", func(err error) bool { return errors.Is(err, mappingedit.ErrNoInspection) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := hubWith(t)
			m, err := mappingedit.EditField(ctx, st, tc.sub, tc.edit)
			if tc.err != nil {
				if !tc.err(err) {
					t.Fatalf("EditField = %v, %v; want the error of %s", m, err, tc.name)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			v, err := mappingedit.Get(ctx, st, tc.sub)
			if err != nil {
				t.Fatal(err)
			}
			gene, _ := json.Marshal(v.Inspect["cgi"].(map[string]any)["properties"].(map[string]any)["gene"])
			if string(gene) != tc.gene {
				t.Errorf("saved cgi.gene = %s, want %s", gene, tc.gene)
			}
			src, err := hub.Records{Store: st}.Source(ctx, "cgi")
			if err != nil || src.Inspect.Jobs[tc.sub].EditedAt == "" {
				t.Errorf("edited_at of %s not set: %+v, %v", tc.sub, src.Inspect.Jobs[tc.sub], err)
			}
		})
	}
}

func TestSaveAndCommit(t *testing.T) {
	ctx := context.Background()
	st := hubWith(t)
	edited := map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": map[string]any{"type": "text"}}}}
	if err := mappingedit.Save(ctx, st, "cgi_a", edited); err != nil {
		t.Fatal(err)
	}
	v, err := mappingedit.Get(ctx, st, "cgi_a")
	if err != nil || v.Registered != nil || len(*v.Fields) != 1 || (*v.Fields)[0].Type != "text" {
		t.Fatalf("after Save: %+v, %v; want the edit inspected, nothing registered", v, err)
	}
	if err := mappingedit.Commit(ctx, st, "cgi_a", v.Inspect); err != nil {
		t.Fatal(err)
	}
	if v, err := mappingedit.Get(ctx, st, "cgi_a"); err != nil || v.Registered["cgi"] == nil {
		t.Fatalf("after Commit: %+v, %v", v, err)
	}
	if err := mappingedit.Commit(ctx, st, "never_uploaded", edited); !errors.Is(err, docstore.ErrNotFound) {
		t.Errorf("Commit of a sub-source never uploaded = %v, want ErrNotFound", err)
	}
}
