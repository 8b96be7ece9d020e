package bleve

import (
	"context"
	"fmt"

	bleveindex "github.com/blevesearch/bleve_index_api"

	"studio/internal/engine/search"
)

var _ search.RawGetter = (*Engine)(nil)

// GetRaw returns one document's stored source, undecoded, with its
// _version.
func (e *Engine) GetRaw(ctx context.Context, name, id string) (search.RawHit, error) {
	hits, err := e.MGetRaw(ctx, name, []string{id})
	if err != nil {
		return search.RawHit{}, err
	}
	if !hits[0].Found {
		return hits[0], fmt.Errorf("bleve: index %q: document %q: %w", name, id, search.ErrNotFound)
	}
	return hits[0], nil
}

// MGetRaw returns the stored sources of documents in the order of ids.
func (e *Engine) MGetRaw(ctx context.Context, name string, ids []string) ([]search.RawHit, error) {
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return nil, err
	}
	defer release()
	hits, err := ix.rawDocs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("bleve: index %q: get documents: %w", ix.name, err)
	}
	return hits, nil
}

// rawDocs reads the stored source and version of documents by id from one
// snapshot of the index: a direct lookup of the _id term per document,
// which costs far less than running a search for them.
func (ix *index) rawDocs(ctx context.Context, ids []string) ([]search.RawHit, error) {
	out := make([]search.RawHit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	adv, err := ix.bi.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for i, id := range ids {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = search.RawHit{ID: id}
		if id == "" {
			continue
		}
		doc, err := r.Document(id)
		if err != nil {
			return nil, fmt.Errorf("document %q: %w", id, err)
		}
		if doc == nil {
			continue
		}
		h := &out[i]
		h.Version = 1 // not stored when 1
		doc.VisitFields(func(f bleveindex.Field) {
			switch f.Name() {
			case sourceField:
				h.Source = f.Value() // a copy the document owns
			case versionField:
				if nf, ok := f.(bleveindex.NumericField); ok {
					if v, err := nf.Number(); err == nil {
						h.Version = int64(v)
					}
				}
			}
		})
		h.Found = h.Source != nil
	}
	return out, nil
}
