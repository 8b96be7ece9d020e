package apiopts

import (
	"bytes"
	"encoding/json"
	"strings"
)

// terms reads the items of q (POST /query) or ids keeping their JSON
// type, for the "query" echo: a string, a json.Number or a bool; with
// combined set, an item may be a list of such values (a combined query).
// Text values are split by SplitTerms.
func (r reader) terms(keyword string, max int, combined bool) ([]any, string, bool, *Error) {
	vs, name, ok := r.find(keyword)
	if !ok {
		return nil, name, false, nil
	}
	items := []any{}
	for _, v := range vs {
		more, err := typedItems(v, combined)
		if err != nil {
			e := badParam(keyword, name, "%s must be a list of strings, such as a,b or [\"a\",\"b\"]%s.", name, map[bool]string{true: " (an item may be a list: one value per scope group)"}[combined])
			e.Reason = "Expect type list."
			return nil, name, true, e
		}
		items = append(items, more...)
	}
	if max > 0 && len(items) > max {
		e := badParam(keyword, name, "%s has %d items; at most %d are allowed.", name, len(items), max)
		e.Max, e.Num = intp(max), intp(len(items))
		return nil, name, true, e
	}
	return items, name, true, nil
}

// typedItems reads one value of q or ids: a JSON list (items keep their
// type; nulls are skipped), else text for SplitTerms.
func typedItems(v string, combined bool) ([]any, error) {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
		return nil, errNotScalar
	}
	if !strings.HasPrefix(t, "[") || !json.Valid([]byte(t)) {
		out := []any{}
		for _, s := range SplitTerms(v) {
			out = append(out, s)
		}
		return out, nil
	}
	var raw []any
	dec := json.NewDecoder(bytes.NewReader([]byte(t)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(raw))
	for _, item := range raw {
		switch x := item.(type) {
		case nil:
		case string, json.Number, bool:
			out = append(out, x)
		case []any:
			if !combined {
				return nil, errNotScalar
			}
			for _, part := range x {
				switch part.(type) {
				case string, json.Number, bool:
				default:
					return nil, errNotScalar
				}
			}
			out = append(out, x)
		default:
			return nil, errNotScalar
		}
	}
	return out, nil
}

// termTexts is the text of each term, as the engine searches it; a
// combined term's parts are joined with spaces (only for display: the
// data API searches Terms' parts).
func termTexts(terms []any) []string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = TermText(t)
	}
	return out
}

// TermText is the text of one term of Terms.
func TermText(t any) string {
	switch x := t.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = TermText(p)
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// readScopes reads scopes: fields, where a JSON list item may itself be a
// list of fields (a scope group of a combined query).
func readScopes(o *Options, r reader, _ Route) *Error {
	items, name, ok, err := r.terms("scopes", MaxListItems, true)
	if err != nil || !ok || len(items) == 0 {
		return err
	}
	o.Scopes, o.ScopeGroups = nil, nil
	for _, it := range items {
		var group []string
		switch x := it.(type) {
		case []any:
			for _, f := range x {
				group = append(group, TermText(f))
			}
		default:
			group = []string{TermText(x)}
		}
		if len(group) == 0 {
			return badParam("scopes", name, "scopes has an empty group; each item is a field or a list of fields.")
		}
		o.ScopeGroups = append(o.ScopeGroups, group)
		o.Scopes = append(o.Scopes, group...)
	}
	return nil
}
