package search

import "context"

// RawHit is one document as the engine stores it: Source is the JSON of
// _source, undecoded (an object). Missing documents have Found false and
// only their ID set.
type RawHit struct {
	ID      string
	Version int64
	Source  []byte
	Found   bool
}

// RawGetter is implemented by engines that can hand out a document's
// stored _source without decoding it, which spares a reader that only
// forwards the document (the data API) a decode and an encode. It is
// optional: callers check for it with a type assertion and fall back to
// Get and MGet.
type RawGetter interface {
	// GetRaw returns one document; ErrNotFound when missing.
	GetRaw(ctx context.Context, index, id string) (RawHit, error)
	// MGetRaw returns the documents in the order of ids.
	MGetRaw(ctx context.Context, index string, ids []string) ([]RawHit, error)
}
