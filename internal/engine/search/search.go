// Package search is the search-engine layer: one Engine interface with an
// embedded Bleve backend and an Elasticsearch backend (sibling packages),
// checked by one conformance suite (package searchtest).
//
// Index definitions are given in Elasticsearch form (settings and a mapping
// with "properties"), because that is what BioThings plugins and users write;
// each backend translates them to its own engine.
package search

import (
	"context"
	"errors"
	"time"
)

// ErrIndexExists is returned when creating an index whose name is taken.
var ErrIndexExists = errors.New("index already exists")

// ErrIndexNotFound is returned when an index does not exist.
var ErrIndexNotFound = errors.New("index not found")

// ErrInvalidName is returned for an index name no backend accepts; see
// ValidateIndexName.
var ErrInvalidName = errors.New("invalid index name")

// ErrInvalidSpec is returned when the engine rejects an index's settings or
// mapping: the user's definition is wrong, not the engine. The error's text
// says what and where, and is fit to show the user.
var ErrInvalidSpec = errors.New("invalid index definition")

// IndexSpec defines a new index in Elasticsearch form.
type IndexSpec struct {
	// Settings are Elasticsearch index settings (analysis, shards, ...).
	Settings map[string]any `json:"settings,omitempty"`
	// Mapping is an Elasticsearch mapping: {"properties": {...}, ...}.
	Mapping map[string]any `json:"mapping,omitempty"`
	// Meta is stored with the index (the build's _meta).
	Meta map[string]any `json:"_meta,omitempty"`
}

// IndexInfo describes one index.
type IndexInfo struct {
	Name string `json:"name"`
	Docs int64  `json:"docs"`
}

// Info names the backend and its version, for /status.
type Info struct {
	Backend string `json:"backend"`
	Version string `json:"version"`
	Where   string `json:"where"`
}

// Engine is a search engine holding named indexes.
type Engine interface {
	// CreateIndex creates an index; ErrIndexExists if the name is taken.
	CreateIndex(ctx context.Context, name string, spec IndexSpec) error
	// DeleteIndex removes an index; ErrIndexNotFound if it does not exist.
	DeleteIndex(ctx context.Context, name string) error
	// GetIndex returns the definition of an index: its mapping (without
	// _meta), its _meta, and its settings as the engine reports them.
	// ErrIndexNotFound if it does not exist.
	GetIndex(ctx context.Context, name string) (IndexSpec, error)
	// ListIndexes lists the indexes, sorted by name.
	ListIndexes(ctx context.Context) ([]IndexInfo, error)
	// Info names the backend and its version.
	Info(ctx context.Context) (Info, error)
	Close() error

	// Bulk applies index and delete operations in order. A failing item
	// (a document the engine rejects) is reported in BulkResult.Failed and
	// does not stop the others; the error is for failures of the whole
	// request. Deleting a missing id counts in NotFound.
	Bulk(ctx context.Context, index string, ops []BulkOp) (BulkResult, error)
	// Refresh makes what Bulk wrote visible to searches.
	Refresh(ctx context.Context, index string) error
	// Get returns one document (Found is true); ErrNotFound when missing.
	Get(ctx context.Context, index, id string) (Hit, error)
	// MGet returns the documents in the order of ids; missing ones have
	// Found false and only their ID set.
	MGet(ctx context.Context, index string, ids []string) ([]Hit, error)
	// Count counts the documents matching q (nil matches all).
	Count(ctx context.Context, index string, q Query) (int64, error)
	// Search runs a search. With req.Scroll set, the result carries a
	// ScrollID for ScrollNext (while there may be more hits).
	Search(ctx context.Context, index string, req SearchRequest) (SearchResult, error)
	// ScrollNext returns the next page of a scroll, with the same size and
	// the same (possibly new) ScrollID; an empty page ends it. Unknown or
	// expired ids give ErrBadScrollID.
	ScrollNext(ctx context.Context, scrollID string) (SearchResult, error)
	// ClearScroll forgets a scroll; unknown ids are ignored.
	ClearScroll(ctx context.Context, scrollID string) error
	// PutMapping adds fields to the mapping of an index (properties in
	// Elasticsearch form; existing fields cannot change) and, when meta is
	// not nil, replaces its _meta.
	PutMapping(ctx context.Context, index string, properties, meta map[string]any) error
	// PutAlias points alias at index, moving it from any other index.
	PutAlias(ctx context.Context, index, alias string) error
	// DeleteAlias removes alias from index; ErrAliasNotFound if it is not
	// there.
	DeleteAlias(ctx context.Context, index, alias string) error
	// ListAliases lists the aliases, sorted by alias.
	ListAliases(ctx context.Context) ([]Alias, error)
	// Stats counts the documents of an index and the bytes it takes.
	Stats(ctx context.Context, index string) (IndexStats, error)
}

// ErrNotFound is returned by Get when the document does not exist.
var ErrNotFound = errors.New("document not found")

// ErrBadScrollID is returned for a scroll id that is unknown or expired.
var ErrBadScrollID = errors.New("invalid or expired scroll id")

// ErrAliasNotFound is returned when deleting an alias that does not exist.
var ErrAliasNotFound = errors.New("alias not found")

// ErrBadQuery is matched by errors about a query the user wrote wrong
// (a query-string syntax error, a sort on a text field, ...): the data API
// answers them with 400.
var ErrBadQuery = errors.New("bad query")

// QueryError is a query the engine cannot run because of the user's input.
// It matches ErrBadQuery; Reason is fit to show the user.
type QueryError struct {
	Reason string
	Err    error // the cause, e.g. a *lucene.SyntaxError; may be nil
}

func (e *QueryError) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *QueryError) Unwrap() error { return e.Err }

// Is makes a QueryError match ErrBadQuery.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

// Alias is one alias and the index it names.
type Alias struct {
	Alias string `json:"alias"`
	Index string `json:"index"`
}

// IndexStats are the size of an index.
type IndexStats struct {
	Docs      int64 `json:"docs"`
	SizeBytes int64 `json:"size_bytes"`
}

// BulkKind is what a BulkOp does.
type BulkKind int

const (
	// BulkIndex creates or replaces a document.
	BulkIndex BulkKind = iota
	// BulkDelete deletes a document.
	BulkDelete
)

// BulkOp is one operation of Bulk. Doc holds decoded JSON: maps, lists,
// strings, bools, nil, and numbers as int64, float64 (or other Go numbers,
// or json.Number). Doc must not hold "_id".
type BulkOp struct {
	Kind BulkKind
	ID   string
	Doc  map[string]any
}

// BulkResult counts what Bulk did.
type BulkResult struct {
	Indexed  int         `json:"indexed"`
	Deleted  int         `json:"deleted"`
	NotFound int         `json:"not_found"` // deletes of missing ids
	Failed   []ItemError `json:"failed,omitempty"`
}

// ItemError is one failed item of Bulk.
type ItemError struct {
	ID     string `json:"_id"`
	Reason string `json:"reason"`
}

// Hit is one document of an answer. Source holds the document as it was
// indexed (after source filtering), with integral JSON numbers as int64
// and the others as float64.
type Hit struct {
	ID      string         `json:"_id"`
	Version int64          `json:"_version,omitempty"`
	Score   float64        `json:"_score"`
	Source  map[string]any `json:"_source,omitempty"`
	Found   bool           `json:"found"`
}

// SortField sorts by a field, or by "_score".
type SortField struct {
	Field string
	Desc  bool
}

// TermsAgg counts the documents per value of a field (a keyword, numeric
// or boolean field), the Size most frequent first.
type TermsAgg struct {
	Field string
	Size  int // 10 when 0
}

// SearchRequest is one search.
type SearchRequest struct {
	Query Query // nil matches all
	From  int
	Size  int // 10 when 0; use Count for a count alone
	// Sort by fields, in order; nil sorts by score (descending).
	Sort []SortField
	// Fields filters the source to these dotted paths (a path keeps its
	// whole subtree; lists are looked through). nil or empty keeps all.
	Fields []string
	Aggs   []TermsAgg
	// Scroll, when set, starts a scroll whose pages stay available this
	// long after each use.
	Scroll time.Duration
	// RandomOrder returns the hits in a random order (q=__any__).
	RandomOrder bool
}

// SearchResult is the answer of Search and ScrollNext.
type SearchResult struct {
	Total    int64
	MaxScore float64
	Hits     []Hit
	Aggs     map[string]TermsAggResult // by field
	ScrollID string
	Took     time.Duration
}

// TermsAggResult is the answer of a TermsAgg: the buckets, most documents
// first (ties by key), the documents counted in buckets not returned
// (Other, summed per bucket as Elasticsearch's sum_other_doc_count) and the
// documents without the field (Missing).
type TermsAggResult struct {
	Buckets []Bucket
	Other   int64
	Missing int64
}

// Bucket is one value of a TermsAgg: a string for keyword fields (as
// normalized), an int64 or float64 for numeric fields, a bool for booleans.
type Bucket struct {
	Key   any
	Count int64
}
