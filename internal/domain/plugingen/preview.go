package plugingen

import (
	"context"
	"fmt"
	"strings"

	"studio/internal/domain/tableparse"
)

// DefaultPreviewDocs is how many documents a preview shows.
const DefaultPreviewDocs = 50

// Preview is what the declarative parser makes of the sample.
type Preview struct {
	Parser   map[string]any   `json:"parser"`  // the parser object, reading the sample's file
	Columns  []string         `json:"columns"` // "_id", then the output paths
	Rows     [][]any          `json:"rows"`    // the first documents, one cell per column
	Docs     []map[string]any `json:"docs"`    // the same documents as JSON
	Stats    Stats            `json:"stats"`   // over the whole sample
	Warnings []string         `json:"warnings"`
}

// Stats count what the parser did with the sample.
type Stats struct {
	Rows          int64    `json:"rows"`     // records read
	Docs          int64    `json:"docs"`     // documents made
	Rejected      int64    `json:"rejected"` // bad rows
	Skipped       int64    `json:"skipped"`  // rows left out by the skip rules
	RejectSamples []string `json:"reject_samples"`
}

// RunPreview parses the whole sample with the options' parser, exactly as an
// upload would, and keeps the first max documents (counting them all).
func RunPreview(ctx context.Context, s *Sample, o Options, max int) (*Preview, error) {
	if max <= 0 {
		max = DefaultPreviewDocs
	}
	raw := o.Parser(s.file)
	spec, err := tableparse.ParseSpec(raw)
	if err != nil {
		return nil, fmt.Errorf("the parser these options make is invalid: %w", err)
	}
	p := &Preview{Parser: raw, Columns: []string{"_id"}, Rows: [][]any{}, Docs: []map[string]any{}, Warnings: []string{}}
	for _, f := range o.Fields {
		if f.Keep {
			p.Columns = append(p.Columns, f.Path)
		}
	}
	seen := map[string]int{}
	var dups []string
	stats, err := tableparse.Run(ctx, spec, s.dir, tableparse.Options{}, func(doc map[string]any) error {
		id, _ := doc["_id"].(string)
		seen[id]++
		if seen[id] == 2 && len(dups) < 3 {
			dups = append(dups, id)
		}
		if len(p.Docs) < max {
			p.Docs = append(p.Docs, doc)
			p.Rows = append(p.Rows, p.row(doc, o.Root))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("parsing the sample: %w", err)
	}
	p.Stats = Stats{Rows: stats.Rows, Docs: stats.Docs, Rejected: stats.Rejected, Skipped: stats.Skipped, RejectSamples: stats.RejectSamples}
	if p.Stats.RejectSamples == nil {
		p.Stats.RejectSamples = []string{}
	}
	if len(dups) > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("the _id is not unique: %q and others appear in several rows; the upload would fail on them: group rows with the same _id or choose another _id", dups[0]))
	}
	if stats.Rejected > 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%d of %d rows of the sample are rejected: the upload would count them and leave them out", stats.Rejected, stats.Rows))
	}
	if s.Truncated {
		p.Warnings = append(p.Warnings, "the preview reads "+s.Limit+"; the rest of the file may hold values that do not fit the chosen types")
	}
	return p, nil
}

// row is one table row of a document: the _id, then each column's value.
func (p *Preview) row(doc map[string]any, root string) []any {
	out := []any{doc["_id"]}
	for _, c := range p.Columns[1:] {
		full := c
		if root != "" {
			full = root + "." + c
		}
		out = append(out, lookup(doc, strings.Split(full, ".")))
	}
	return out
}

// lookup finds the value at a dotted path, through lists (grouped rows):
// the values found in a list's items make a list.
func lookup(v any, parts []string) any {
	if len(parts) == 0 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		return lookup(x[parts[0]], parts[1:])
	case []any:
		var out []any
		for _, item := range x {
			if got := lookup(item, parts); got != nil {
				out = append(out, got)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return nil
}
