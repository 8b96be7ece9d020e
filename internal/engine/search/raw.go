package search

import (
	"context"
	"time"
)

// RawHit is one document as the engine stores it: Source is the JSON of
// _source, undecoded (an object). Missing documents have Found false and
// only their ID set. Score is set on the hits of a search.
type RawHit struct {
	ID      string
	Version int64
	Score   float64
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

// RawDoc is one document to index given as JSON text: Source is its
// _source, one JSON object without "_id" at its top level.
type RawDoc struct {
	ID     string
	Source []byte
}

// RawBulker is implemented by engines that can index documents given as
// JSON text, which spares a caller that holds them as JSON (a release
// reading a store that keeps JSON) a decode and an encode. It is
// optional: callers check for it with a type assertion and fall back to
// Bulk.
type RawBulker interface {
	// BulkRaw indexes (creates or replaces) the documents in order, as
	// Bulk does BulkIndex operations: same requests, retries and
	// per-item failures. Sources go to the engine as they are: the caller
	// makes sure they are JSON objects (one the engine cannot read is a
	// failed item).
	BulkRaw(ctx context.Context, index string, docs []RawDoc) (BulkResult, error)
}

// RawSearchResult is SearchResult with the hits' sources undecoded.
type RawSearchResult struct {
	Total    int64
	MaxScore float64
	Hits     []RawHit
	Aggs     map[string]TermsAggResult
	Took     time.Duration
}

// RawSearcher is implemented by engines that can hand out the hits of a
// search with their stored _source undecoded, which spares a reader that
// only forwards the documents (the data API) a decode and an encode. It
// is optional: callers check for it with a type assertion and fall back
// to Search.
type RawSearcher interface {
	// SearchRaw runs a search as Search does, the sources of the hits
	// filtered by req.Fields as Search filters them; req.Scroll must be
	// zero (scrolls go through Search).
	SearchRaw(ctx context.Context, index string, req SearchRequest) (RawSearchResult, error)
}
