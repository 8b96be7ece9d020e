// Package merge combines source collections into a build's collection, the
// BioThings way: root sources first (they may create documents), then the
// others (they only update documents that exist). Documents with the same
// _id from several sources have their top-level keys combined; on the same
// key the later source wins.
//
// A merge streams its source in _id order and writes in batches, so no
// source is held in memory, and it can resume after the last _id written.
package merge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"studio/internal/engine/docstore"
)

// Config is a build configuration's sources and root rule.
type Config struct {
	Sources []string // in merge order
	Root    []string // sources allowed to create documents; "!x" = all but x; empty = all
}

// Roots splits the sources into root and other sources, each in
// configuration order.
func (c Config) Roots() (root, others []string, err error) {
	known := map[string]bool{}
	for _, s := range c.Sources {
		known[s] = true
	}
	include, exclude := map[string]bool{}, map[string]bool{}
	for _, r := range c.Root {
		name, neg := strings.CutPrefix(r, "!")
		if !known[name] {
			return nil, nil, fmt.Errorf("root %q names no source of the configuration (sources: %s)", r, strings.Join(c.Sources, ", "))
		}
		if neg {
			exclude[name] = true
		} else {
			include[name] = true
		}
	}
	if len(include) > 0 && len(exclude) > 0 {
		return nil, nil, errors.New(`root mixes "x" and "!x" forms: use one or the other`)
	}
	for _, s := range c.Sources {
		isRoot := len(c.Root) == 0 || include[s] || (len(exclude) > 0 && !exclude[s])
		if isRoot {
			root = append(root, s)
		} else {
			others = append(others, s)
		}
	}
	if len(root) == 0 {
		return nil, nil, errors.New("no root source: at least one source must be allowed to create documents")
	}
	return root, others, nil
}

// Stats count what a merge did.
type Stats struct {
	Read    int64  `json:"read"`    // documents read from the source
	Created int64  `json:"created"` // new documents in the target
	Updated int64  `json:"updated"` // existing documents combined
	Skipped int64  `json:"skipped"` // non-root documents with no target document
	LastID  string `json:"last_id"` // resume point: the last _id written
}

// Options tune a merge.
type Options struct {
	Root      bool   // the source may create documents
	Batch     int    // documents per write; default 1000
	After     string // resume after this _id
	Progress  func(Stats)
	CreateNew bool // the target is known empty of this source's ids (first root source): plain inserts
}

// Source merges one source collection into target.
func Source(ctx context.Context, src, target docstore.Collection, opts Options) (Stats, error) {
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	st := Stats{LastID: opts.After}
	batch := make([]docstore.Doc, 0, opts.Batch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := write(ctx, target, batch, opts, &st); err != nil {
			return err
		}
		id, _ := docstore.ID(batch[len(batch)-1])
		st.LastID = id
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(st)
		}
		return nil
	}
	for doc, err := range src.Scan(ctx, docstore.ScanOptions{After: opts.After, Batch: opts.Batch}) {
		if err != nil {
			return st, fmt.Errorf("read %s: %w", src.Name(), err)
		}
		st.Read++
		batch = append(batch, doc)
		if len(batch) == opts.Batch {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}

// write merges one batch into the target.
func write(ctx context.Context, target docstore.Collection, batch []docstore.Doc, opts Options, st *Stats) error {
	if opts.CreateNew && opts.Root {
		// Plain inserts: a store finds nothing to compare (an upsert looks
		// each _id up, which FerretDB does by scanning). A batch that a
		// crashed attempt already wrote, in whole or part, is refused as a
		// duplicate and written again with an upsert: the same documents.
		err := target.Insert(ctx, batch)
		var dup *docstore.DuplicateError
		if errors.As(err, &dup) {
			err = target.Upsert(ctx, batch)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", target.Name(), err)
		}
		st.Created += int64(len(batch))
		return nil
	}
	ids := make([]string, len(batch))
	for i, d := range batch {
		ids[i], _ = docstore.ID(d)
	}
	existing, err := target.GetMany(ctx, ids)
	if err != nil {
		return fmt.Errorf("read %s: %w", target.Name(), err)
	}
	byID := make(map[string]docstore.Doc, len(existing))
	for _, d := range existing {
		id, _ := docstore.ID(d)
		byID[id] = d
	}
	out := make([]docstore.Doc, 0, len(batch))
	for _, d := range batch {
		id, _ := docstore.ID(d)
		old, ok := byID[id]
		switch {
		case ok:
			out = append(out, Combine(old, d))
			st.Updated++
		case opts.Root:
			out = append(out, d)
			st.Created++
		default:
			st.Skipped++
		}
	}
	if len(out) == 0 {
		return nil
	}
	if err := target.Upsert(ctx, out); err != nil {
		return fmt.Errorf("write %s: %w", target.Name(), err)
	}
	return nil
}

// Combine returns old with the top-level keys of doc set over it: the later
// source wins on the same key.
func Combine(old, doc docstore.Doc) docstore.Doc {
	out := make(docstore.Doc, len(old)+len(doc))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range doc {
		out[k] = v
	}
	return out
}

// Mappings merges the sources' mappings ("properties" trees) in source
// order: top-level fields are combined and a later source's field wins, as
// for documents.
func Mappings(sources []string, mappings map[string]map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for _, s := range sources {
		m, ok := mappings[s]
		if !ok || m == nil {
			return nil, fmt.Errorf("source %s has no registered mapping: inspect it and commit a mapping first", s)
		}
		if props, ok := m["properties"].(map[string]any); ok {
			m = props
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}
