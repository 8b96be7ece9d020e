// Package hub names the hub records that Studio keeps in its "hub" database,
// with the BioThings names users and clients see (data_plugin, src_dump,
// src_master, ...), and small helpers to read and write them.
package hub

import (
	"context"
	"errors"
	"fmt"
	"time"

	"studio/internal/engine/docstore"
)

// Collections of the hub database.
const (
	DataPlugin = "data_plugin" // one per registered plugin: {_id: name, plugin: {...}}
	SrcDump    = "src_dump"    // one per source: download, upload and inspect state
	SrcMaster  = "src_master"  // one per sub-source: mapping and src_meta

	SrcBuildConfig = "src_build_config" // build configurations
	SrcBuild       = "src_build"        // builds: jobs, merge_stats, mapping, _meta
	API            = "api"              // data API instances: index, port, status, url

	Processes = "processes" // one per Studio process: role, pid, memory, last report
	// WorkerFiles records which worker holds the files of a dump or a
	// diff: {_id: "dump/<source>" or "diff/<old>-<new>", queue, folder}.
	WorkerFiles = "worker_files"

	SyncState = "sync_state"    // the diff files a sync has applied: {_id: "<index>|<diff folder>", ...}
	SelfCheck = "hub_selfcheck" // one record per self-check run
)

// Download states of src_dump.download.status.
const (
	Downloading = "downloading"
	Success     = "success"
	Failed      = "failed"
	Canceled    = "canceled"
)

// Now is the time format of hub records.
func Now() string { return time.Now().UTC().Format(time.RFC3339) }

// Records reads and writes hub records.
type Records struct {
	Store docstore.Store
}

// ErrNoSource is returned for a source that is not registered.
var ErrNoSource = errors.New("no such source")

// Plugin returns the data_plugin record of name.
func (r Records) Plugin(ctx context.Context, name string) (docstore.Doc, error) {
	d, err := r.Store.C(DataPlugin).Get(ctx, name)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil, fmt.Errorf("%w %q: register its data plugin first", ErrNoSource, name)
	}
	return d, err
}

// Source returns the src_dump record of name.
func (r Records) Source(ctx context.Context, name string) (docstore.Doc, error) {
	d, err := r.Store.C(SrcDump).Get(ctx, name)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil, fmt.Errorf("%w %q", ErrNoSource, name)
	}
	return d, err
}

// SetDownload sets fields of src_dump.<name>.download (keys relative to it).
func (r Records) SetDownload(ctx context.Context, name string, fields map[string]any) error {
	set := make(map[string]any, len(fields))
	for k, v := range fields {
		set["download."+k] = v
	}
	if err := r.Store.C(SrcDump).Update(ctx, name, set); err != nil {
		return fmt.Errorf("update src_dump %s: %w", name, err)
	}
	return nil
}

// Int reads a whole number at a dotted path of a record (0 when absent):
// stores give back int64, JSON decoding float64.
func Int(d docstore.Doc, path string) int64 {
	v, _ := docstore.GetPath(d, path)
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// Str reads a string at a dotted path of a record ("" when absent).
func Str(d docstore.Doc, path string) string {
	v, _ := docstore.GetPath(d, path)
	s, _ := v.(string)
	return s
}

// KnownSources maps each sub-source the hub has uploaded (src_master) to
// whether it has a registered mapping.
func KnownSources(ctx context.Context, hubDB docstore.Store) (map[string]bool, error) {
	known := map[string]bool{}
	for d, err := range hubDB.C(SrcMaster).Scan(ctx, docstore.ScanOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", SrcMaster, err)
		}
		id, _ := docstore.ID(d)
		m, _ := d["mapping"].(map[string]any)
		known[id] = len(m) > 0
	}
	return known, nil
}
