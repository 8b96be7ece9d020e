package buildconf

import (
	"context"
	"errors"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
)

// SaveMode says whether Save creates a configuration or replaces one.
type SaveMode int

const (
	// Create saves a new configuration; one of that name is ErrExists.
	Create SaveMode = iota
	// Replace replaces a configuration; a missing one is an error
	// wrapping docstore.ErrNotFound.
	Replace
)

// ErrExists is returned by Save in Create mode for a name that is taken.
var ErrExists = errors.New("build configuration exists")

// InvalidError is a configuration Save refuses: its message says what is
// wrong, naming the fields.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// Save checks c against the sources the hub knows (Validate) and its
// extra index settings against the search engine, then stores it in
// src_build_config, stamped with the time, and returns the stored record.
func Save(ctx context.Context, hubDB docstore.Store, eng search.Engine, c Config, mode SaveMode) (hub.BuildConfig, error) {
	r := hub.Records{Store: hubDB}
	known, err := r.KnownSources(ctx)
	if err != nil {
		return hub.BuildConfig{}, err
	}
	if err := c.Validate(known); err != nil {
		return hub.BuildConfig{}, &InvalidError{err}
	}
	if err := c.CheckIndexSettings(eng); err != nil {
		return hub.BuildConfig{}, &InvalidError{fmt.Errorf("extra_index_settings: %w", err)}
	}
	exists, err := r.Exists(ctx, hub.SrcBuildConfig, c.Name)
	switch {
	case err != nil:
		return hub.BuildConfig{}, err
	case mode == Create && exists:
		return hub.BuildConfig{}, fmt.Errorf("%w: %q", ErrExists, c.Name)
	case mode == Replace && !exists:
		return hub.BuildConfig{}, fmt.Errorf("build configuration %q: %w", c.Name, docstore.ErrNotFound)
	}
	rec, err := c.Record()
	if err != nil {
		return rec, err
	}
	rec.ID, rec.UpdatedAt = c.Name, hub.Now()
	return rec, r.PutBuildConfig(ctx, rec)
}
