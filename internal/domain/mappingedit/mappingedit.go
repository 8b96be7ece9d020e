// Package mappingedit is the user's work on a sub-source's mapping in the
// hub: the inspected mapping shown beside the registered one, edits of its
// fields, saving it, and committing it as the sub-source's registered
// mapping, which builds use. Re-inspecting replaces the inspected mapping
// and never the registered one.
package mappingedit

import (
	"context"
	"errors"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/domain/inspect"
	"studio/internal/engine/docstore"
)

// View is a sub-source's two mappings, as GET /source/<sub>/mapping
// answers them.
type View struct {
	// Fields lists the inspected mapping's leaf fields for the editor;
	// absent when there is no inspected mapping.
	Fields *[]inspect.FieldInfo `json:"fields,omitempty"`
	// Inspect is the inspected mapping, maybe edited; null before an
	// inspection with mode mapping.
	Inspect map[string]any `json:"inspect"`
	// Registered is the committed mapping; null when there is none.
	Registered map[string]any `json:"registered"`
}

// ErrNoInspection is returned for an edit of a sub-source that has no
// inspected mapping.
var ErrNoInspection = errors.New("no inspected mapping")

// EditError is an edit that the mapping refuses (a field it does not
// have, an object field); its message names the field.
type EditError struct{ Err error }

func (e *EditError) Error() string { return e.Err.Error() }
func (e *EditError) Unwrap() error { return e.Err }

// Get reads the mappings of sub-source sub. A source that is not
// registered is an error wrapping hub.ErrNoSource.
func Get(ctx context.Context, hubDB docstore.Store, sub string) (View, error) {
	r := hub.Records{Store: hubDB}
	insp, err := inspected(ctx, r, sub)
	if err != nil {
		return View{}, err
	}
	v := View{Inspect: insp}
	if m, err := r.Master(ctx, sub); err == nil {
		v.Registered = m.Mapping
	}
	if insp != nil {
		f := inspect.Fields(insp)
		v.Fields = &f
	}
	return v, nil
}

// inspected is the sub-source's inspected (and maybe edited) mapping, nil
// when there is none.
func inspected(ctx context.Context, r hub.Records, sub string) (map[string]any, error) {
	src, err := r.Source(ctx, r.SourceOf(ctx, sub))
	if err != nil {
		return nil, err
	}
	return src.Inspect.Jobs[sub].Mapping(), nil
}

// Save replaces the inspected mapping of sub with the user's.
func Save(ctx context.Context, hubDB docstore.Store, sub string, mapping map[string]any) error {
	return hub.Records{Store: hubDB}.SaveInspectedMapping(ctx, sub, mapping, hub.Now())
}

// Commit makes mapping the registered mapping of sub. A sub-source that
// was never uploaded is an error wrapping docstore.ErrNotFound.
func Commit(ctx context.Context, hubDB docstore.Store, sub string, mapping map[string]any) error {
	return hub.Records{Store: hubDB}.CommitMapping(ctx, sub, mapping, hub.Now())
}

// FieldEdit changes one field of an inspected mapping: whether it is
// searchable, and whether a query without a field name searches it;
// nil leaves a setting as it is.
type FieldEdit struct {
	Field           string `json:"field"` // dotted path, e.g. "cgi.gene"
	Searchable      *bool  `json:"searchable"`
	SearchByDefault *bool  `json:"search_by_default"`
}

// EditField applies e to the inspected mapping of sub, saves it, and
// returns it. A sub-source without one is ErrNoInspection; an edit the
// mapping refuses is an *EditError.
func EditField(ctx context.Context, hubDB docstore.Store, sub string, e FieldEdit) (map[string]any, error) {
	r := hub.Records{Store: hubDB}
	m, err := inspected(ctx, r, sub)
	if err != nil || m == nil {
		return nil, fmt.Errorf("source %q: %w", sub, ErrNoInspection)
	}
	if e.Searchable != nil {
		if err := inspect.SetSearchable(m, e.Field, *e.Searchable); err != nil {
			return nil, &EditError{err}
		}
	}
	if e.SearchByDefault != nil {
		if err := inspect.SetDefaultSearch(m, e.Field, *e.SearchByDefault); err != nil {
			return nil, &EditError{err}
		}
	}
	if err := r.SaveInspectedMapping(ctx, sub, m, hub.Now()); err != nil {
		return nil, err
	}
	return m, nil
}
