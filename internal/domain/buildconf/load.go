package buildconf

import (
	"context"
	"encoding/json"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// Load reads the build configuration name from the hub's src_build_config;
// a missing one is an error wrapping docstore.ErrNotFound.
func Load(ctx context.Context, hubDB docstore.Store, name string) (Config, error) {
	rec, err := hub.Records{Store: hubDB}.BuildConfig(ctx, name)
	if err != nil {
		return Config{}, fmt.Errorf("build configuration %q: %w", name, err)
	}
	c, err := FromRecord(rec)
	if err != nil {
		return c, fmt.Errorf("build configuration %q: %w", name, err)
	}
	return c, nil
}

// FromRecord reads a configuration from its hub record, or from the copy
// a build keeps (hub.Build.BuildConfig).
func FromRecord(r hub.BuildConfig) (Config, error) {
	var c Config
	b, err := json.Marshal(r)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// Record is c as a hub record, the JSON of c: a build's copy of its
// configuration, or, with ID and UpdatedAt set, a src_build_config record.
func (c Config) Record() (hub.BuildConfig, error) {
	var r hub.BuildConfig
	b, err := json.Marshal(c)
	if err != nil {
		return r, fmt.Errorf("build configuration %q: %w", c.Name, err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("build configuration %q: %w", c.Name, err)
	}
	return r, nil
}
