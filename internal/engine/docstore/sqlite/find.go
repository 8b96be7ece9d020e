package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"studio/internal/engine/docstore"
)

// Find translates the query to SQL over json_extract and json_each.
func (c *collection) Find(ctx context.Context, q docstore.Query) ([]docstore.Doc, error) {
	if c.nameErr != nil {
		return nil, c.errf("find in", c.nameErr)
	}
	sqlText, args, err := c.findSQL(q)
	if err != nil {
		return nil, c.errf("find in", err)
	}
	out := []docstore.Doc{}
	err = c.query(ctx, sqlText, args, func(_ string, d docstore.Doc) { out = append(out, d) })
	if err != nil {
		return nil, c.errf("find in", err)
	}
	return out, nil
}

func (c *collection) findSQL(q docstore.Query) (string, []any, error) {
	filter, err := docstore.CheckFilter(q.Filter)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	var args []any
	fmt.Fprintf(&b, "SELECT _id, doc FROM %s", quote(c.table))
	keys := make([]string, 0, len(filter))
	for k := range filter {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		cond, a, err := match(k, filter[k])
		if err != nil {
			return "", nil, err
		}
		b.WriteString(cond)
		args = append(args, a...)
	}
	b.WriteString(" ORDER BY ")
	byID := false
	for _, s := range q.Sort {
		path, dir := strings.TrimPrefix(s, "-"), "ASC"
		if strings.HasPrefix(s, "-") {
			dir = "DESC"
		}
		if path == "_id" {
			fmt.Fprintf(&b, "_id %s, ", dir)
			byID = true
			break // _id is unique: later keys cannot matter
		}
		jp, err := jsonPath(path)
		if err != nil {
			return "", nil, fmt.Errorf("sort %q: %w", s, err)
		}
		fmt.Fprintf(&b, "json_extract(doc, ?) %s, ", dir)
		args = append(args, jp)
	}
	if !byID {
		b.WriteString("_id ASC, ")
	}
	sqlText := strings.TrimSuffix(b.String(), ", ")
	if q.Limit > 0 {
		sqlText += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	return sqlText, args, nil
}

// match returns the condition for path == v with MongoDB's meaning: nil
// matches null and missing; other scalars match the value itself or an
// element of an array held at path. Numbers match across int and float.
func match(path string, v any) (string, []any, error) {
	if path == "_id" {
		if v == nil {
			return "0", nil, nil
		}
		return "_id = ?", []any{v}, nil
	}
	jp, err := jsonPath(path)
	if err != nil {
		return "", nil, fmt.Errorf("filter %q: %w", path, err)
	}
	if v == nil {
		return "json_extract(doc, ?) IS NULL", []any{jp}, nil
	}
	// json_each of a scalar yields that scalar, of an array its elements;
	// objects are excluded because their members are not elements.
	var elem string
	var args []any
	switch x := v.(type) {
	case string:
		elem, args = "e.type = 'text' AND e.atom = ?", []any{x}
	case bool:
		elem = "e.type = 'false'"
		if x {
			elem = "e.type = 'true'"
		}
	case int64, float64:
		elem, args = "e.type IN ('integer', 'real') AND e.atom = ?", []any{x}
	default:
		return "", nil, fmt.Errorf("filter %q: cannot match a %T", path, v)
	}
	cond := "(json_type(doc, ?) <> 'object' AND EXISTS (SELECT 1 FROM json_each(doc, ?) AS e WHERE " + elem + "))"
	return cond, append([]any{jp, jp}, args...), nil
}

// jsonPath turns a dotted field path into an SQLite JSON path with every
// key quoted, so that keys with spaces or dashes work.
func jsonPath(dotted string) (string, error) {
	if dotted == "" {
		return "", fmt.Errorf("empty field path")
	}
	var b strings.Builder
	b.WriteString("$")
	for _, seg := range strings.Split(dotted, ".") {
		if seg == "" || strings.ContainsAny(seg, `"\`) {
			return "", fmt.Errorf("field path %q: empty segment or quote", dotted)
		}
		b.WriteString(`."`)
		b.WriteString(seg)
		b.WriteString(`"`)
	}
	return b.String(), nil
}
