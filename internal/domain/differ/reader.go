package differ

import (
	"context"
	"fmt"
	"iter"

	"studio/internal/engine/docstore"
)

// idDoc is a document with its _id already extracted.
type idDoc struct {
	id  string
	doc docstore.Doc
}

// reader pulls documents one at a time from a collection's Scan. The
// scan runs as a coroutine on the caller's goroutine: no channel handoff
// between threads, which on a loaded machine costs more than it saves.
type reader struct {
	name   string
	pull   func() (docstore.Doc, error, bool)
	stop   func()
	lastID string
}

func startReader(ctx context.Context, c docstore.Collection) *reader {
	next, stop := iter.Pull2(c.Scan(ctx, docstore.ScanOptions{}))
	return &reader{name: c.Name(), pull: next, stop: stop}
}

// next returns the next document, nil at the end. It checks the order
// because the merge silently goes wrong on a scan that is not sorted.
func (r *reader) next() (*idDoc, error) {
	d, err, ok := r.pull()
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id, ok := docstore.ID(d)
	if !ok {
		return nil, fmt.Errorf("collection %s: a document has no string _id", r.name)
	}
	if r.lastID != "" && id <= r.lastID {
		return nil, fmt.Errorf("collection %s: scan returned _id %q after %q; it must be in ascending order", r.name, id, r.lastID)
	}
	r.lastID = id
	return &idDoc{id, d}, nil
}
