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
}
