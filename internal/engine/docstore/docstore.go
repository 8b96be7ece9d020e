// Package docstore is the document store that hub records and data
// collections go through. It is a small MongoDB-like interface with two
// implementations (sqlite, the embedded default, and mongo, for production)
// that pass one shared conformance suite (package docstoretest).
//
// Documents are JSON-like maps with a string "_id". Values read back are
// normalised to JSON types: string, bool, nil, int64 (integral numbers),
// float64, []any and map[string]any, whatever the backend.
package docstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// Doc is one document. Its "_id" is a non-empty string.
type Doc = map[string]any

// ErrNotFound is returned when a document or collection does not exist.
var ErrNotFound = errors.New("not found")

// DuplicateError reports an insert of an _id that is already in a collection.
type DuplicateError struct {
	Collection string
	ID         string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("collection %q: duplicate _id %q", e.Collection, e.ID)
}

// Store is a database of named collections.
type Store interface {
	// C returns the named collection; it is created on first write.
	C(name string) Collection
	// Collections lists the collections that exist, sorted by name.
	Collections(ctx context.Context) ([]string, error)
	// Drop removes a collection; dropping a missing one is not an error.
	Drop(ctx context.Context, name string) error
	// Rename renames a collection. When dropTarget is true an existing
	// collection named to is replaced; otherwise that is an error. Renaming
	// a missing collection is an error wrapping ErrNotFound.
	Rename(ctx context.Context, from, to string, dropTarget bool) error
	// Info names the backend and its version, for /status.
	Info(ctx context.Context) (Info, error)
	Close() error
}

// Info describes a backend.
type Info struct {
	Backend string `json:"backend"`
	Version string `json:"version"`
	Where   string `json:"where"`
}

// Collection is one collection of documents keyed by "_id".
type Collection interface {
	Name() string
	// Insert adds new documents; a repeated _id (in the batch or already
	// stored) is a *DuplicateError and nothing of the batch is kept. Every
	// document needs a non-empty string _id (see DocIDs).
	Insert(ctx context.Context, docs []Doc) error
	// InsertNew adds the documents whose _id is not stored yet, leaves the
	// others as they are, and returns the _ids it left, in the order of
	// docs. The documents' _ids must differ from one another. One write,
	// no lookup first: the cheap way to keep the first of repeated _ids.
	InsertNew(ctx context.Context, docs []Doc) (left []string, err error)
	// Upsert stores whole documents, replacing those with the same _id.
	Upsert(ctx context.Context, docs []Doc) error
	// Update sets fields of one document, creating it when missing (upsert).
	// Keys are dotted paths ("download.status"); intermediate objects are
	// created. A nil value stores null; see Unset to remove a field.
	Update(ctx context.Context, id string, set map[string]any) error
	// Unset removes dotted-path fields from a document. Missing fields and
	// a missing document are not errors (nothing is created).
	Unset(ctx context.Context, id string, fields ...string) error
	// Get returns one document or ErrNotFound.
	Get(ctx context.Context, id string) (Doc, error)
	// GetMany returns the documents found for ids, in the order of ids;
	// missing ids are skipped.
	GetMany(ctx context.Context, ids []string) ([]Doc, error)
	// Delete removes documents by _id; missing ids are ignored. It returns
	// the number removed.
	Delete(ctx context.Context, ids ...string) (int64, error)
	// Scan streams the collection in ascending _id order, starting after
	// opts.After when it is set.
	Scan(ctx context.Context, opts ScanOptions) iter.Seq2[Doc, error]
	// Find returns documents whose fields equal the filter values (dotted
	// paths, all must match), sorted and limited as asked. Filter values
	// are scalars (see CheckFilter); nil matches null and missing fields; a
	// field holding an array of scalars matches when one element is equal.
	// Sort keys should hold values of one type; equal keys are ordered by
	// _id, so results are deterministic.
	Find(ctx context.Context, q Query) ([]Doc, error)
	// Count returns the number of documents.
	Count(ctx context.Context) (int64, error)
}

// ScanOptions bound a Scan.
type ScanOptions struct {
	After string // resume after this _id ("" = from the start)
	Limit int    // 0 = no limit
	Batch int    // documents fetched per round trip; 0 = backend default
}

// RawDoc is one stored document as JSON text.
type RawDoc struct {
	ID string
	// JSON is the whole document, "_id" included: one JSON object that
	// DecodeJSON turns into the document Scan yields.
	JSON []byte
}

// RawScanner is implemented by collections that keep documents as JSON
// text and can hand it out undecoded, which spares a reader that only
// forwards documents (a full release) a decode and an encode. It is
// optional: callers check for it with a type assertion and fall back to
// Scan.
type RawScanner interface {
	// ScanRaw streams the documents as Scan does (ascending _id order,
	// after opts.After, opts.Limit and opts.Batch alike). The JSON bytes
	// are the caller's: they stay valid and may be changed.
	ScanRaw(ctx context.Context, opts ScanOptions) iter.Seq2[RawDoc, error]
}

// Stager is implemented by stores that can lay out a new collection for
// loading: documents written into it in any _id order are appended, not
// inserted into the _id order, and Rename lays the collection out in _id
// order as it renames it. Every Collection method works on a staged
// collection. A bulk load in random _id order (a Python parser that
// yields from a set or a dict) then costs no random writes. It is
// optional: an upload stages its temp collection where the store can.
type Stager interface {
	// Stage creates the empty collection name laid out for loading; a
	// collection that exists is left as it is.
	Stage(ctx context.Context, name string) error
}

// RawInserter is implemented by collections that keep documents as JSON
// text and can store text as it is, which spares a writer that receives
// documents as JSON (a Python parser's output) a decode and an encode. It
// is optional, like RawScanner.
type RawInserter interface {
	// InsertRaw adds new documents as Insert does (a repeated _id is a
	// *DuplicateError and nothing of the batch is kept). Each JSON must be
	// one JSON object, without repeated member names, that DecodeJSON
	// reads as a document whose _id is ID (jsonenc.Verbatim checks text
	// for this); it is stored unchecked. The bytes stay the caller's.
	InsertRaw(ctx context.Context, docs []RawDoc) error
	// InsertNewRaw is InsertNew for documents given as InsertRaw takes them.
	InsertNewRaw(ctx context.Context, docs []RawDoc) (left []string, err error)
}

// Query is a simple filter for hub records.
type Query struct {
	Filter map[string]any // dotted path -> value that must be equal
	Sort   []string       // dotted paths; "-" prefix = descending
	Limit  int            // 0 = no limit
}

// ID returns the document's _id when it is a non-empty string.
func ID(d Doc) (string, bool) {
	id, ok := d["_id"].(string)
	return id, ok && id != ""
}
