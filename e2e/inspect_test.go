package e2e

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
)

// TestInspectEditValidateCommit is the tutorial's "Inspecting the data":
// inspect the CGI source, mark cgi.gene "search by default", validate the
// mapping on a real index, commit it; then a build configuration accepts
// the source.
func TestInspectEditValidateCommit(t *testing.T) {
	s := newStack(t, true)
	uploadTutorialCGI(t, s)
	var he *hubclient.Error

	var started struct{ ID string }
	s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", "cgi"}, "mode": []string{"type", "stats", "mapping"}}, &started)
	var res activities.InspectResult
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	if res.Result.Count != 323 || len(res.Result.Errors) != 0 || res.Result.Types == nil || res.Result.Stats == nil {
		t.Fatalf("inspect result: count %d, errors %v", res.Result.Count, res.Result.Errors)
	}
	s.recordHistory(started.ID, "inspect")

	var m struct {
		Inspect    map[string]any
		Registered map[string]any
		Fields     []struct {
			Path              string
			Type              string
			Searchable        bool
			SearchedByDefault bool `json:"searched_by_default"`
		}
	}
	s.do("GET", "/source/cgi/mapping", nil, &m)
	prop := func(field string) map[string]any {
		p, _ := m.Inspect["cgi"].(map[string]any)["properties"].(map[string]any)[field].(map[string]any)
		return p
	}
	if g := prop("gene"); g["type"] != "keyword" || g["normalizer"] != "keyword_lowercase_normalizer" {
		t.Fatalf("cgi.gene = %v, want a lower-cased keyword", g)
	}
	if d := prop("drug"); d["type"] != "text" {
		t.Fatalf("cgi.drug = %v, want text (multi-word values)", d)
	}
	if m.Registered != nil {
		t.Fatalf("inspection changed the registered mapping: %v", m.Registered)
	}

	// Mark cgi.gene "search by default", then validate and commit.
	var edited map[string]any
	s.do("PUT", "/source/cgi/mapping/field", map[string]any{"field": "cgi.gene", "search_by_default": true}, &edited)
	s.do("GET", "/source/cgi/mapping", nil, &m)
	if cp := prop("gene")["copy_to"]; !reflect.DeepEqual(cp, []any{"all"}) {
		t.Fatalf("cgi.gene copy_to = %v after marking it search by default", cp)
	}
	s.do("POST", "/mapping/validate", map[string]any{"mapping": m.Inspect}, nil)
	if err := s.doErr("PUT", "/source/cgi/mapping/field", map[string]any{"field": "cgi.nope", "searchable": false}, nil); !errors.As(err, &he) || he.Code != 400 || !strings.Contains(he.Message, "cgi.nope") {
		t.Fatalf("editing a missing field: %v", err)
	}
	t.Logf("BADINPUT class=mapping case=edit_missing_field result=%s", badResult(t))

	// An invalid mapping fails validation with the engine's message and
	// leaves no temporary index behind.
	bad := map[string]any{"cgi": map[string]any{"properties": map[string]any{"x": map[string]any{"type": "no_such_type"}}}}
	if err := s.doErr("POST", "/mapping/validate", map[string]any{"mapping": bad}, nil); !errors.As(err, &he) || he.Code != 400 || !strings.Contains(he.Message, "no_such_type") {
		t.Fatalf("validate an invalid mapping: %v", err)
	}
	idx, err := s.eng.Search.ListIndexes(context.Background())
	if err != nil || len(idx) != 0 {
		t.Fatalf("indexes left after validation: %v %v", idx, err)
	}
	t.Logf("BADINPUT class=mapping case=invalid_type_leaves_no_index result=%s", badResult(t))

	s.do("PUT", "/source/cgi/mapping", map[string]any{"mapping": m.Inspect, "dest": "master"}, nil)
	s.do("GET", "/source/cgi/mapping", nil, &m)
	if !reflect.DeepEqual(m.Registered, m.Inspect) {
		t.Fatalf("committed mapping %v differs from the edited one %v", m.Registered, m.Inspect)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "default", "doc_type": "variant", "sources": []string{"cgi"}}, nil)

	// Inspecting again never changes the registered mapping.
	s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", "cgi"}}, &started)
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	var again struct{ Registered map[string]any }
	s.do("GET", "/source/cgi/mapping", nil, &again)
	if !reflect.DeepEqual(again.Registered, m.Registered) {
		t.Fatal("re-inspecting changed the registered mapping")
	}
}
