// Package hub is the hub's records: the documents Studio keeps in its
// "hub" database, under the BioThings names users and clients see
// (data_plugin, src_dump, src_master, src_build_config, src_build, api,
// ...). It holds their names, their Go types (records.go), whose JSON is
// the stored document, and every read and write of them (Records).
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
	DataPlugin = "data_plugin" // one per registered plugin: Plugin
	SrcDump    = "src_dump"    // one per source: Source (download, upload and inspect state)
	SrcMaster  = "src_master"  // one per sub-source: Master (mapping and src_meta)

	SrcBuildConfig = "src_build_config" // build configurations: BuildConfig
	SrcBuild       = "src_build"        // builds: Build
	API            = "api"              // data API instances: DataAPI

	Processes = "processes" // one per Studio process: role, pid, memory, last report
	// WorkerFiles records which worker holds the files of a dump or a
	// diff: Files.
	WorkerFiles = "worker_files"

	SyncState = "sync_state"    // the diff files a sync has applied: SyncFiles
	SelfCheck = "hub_selfcheck" // one record per self-check run
)

// States of downloads, uploads, inspections, builds and releases.
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

// get reads the record id of coll; a missing one is an error wrapping
// docstore.ErrNotFound.
func get[R any, P interface {
	*R
	Record
}](ctx context.Context, st docstore.Store, coll, id string) (R, error) {
	var r R
	d, err := st.C(coll).Get(ctx, id)
	if err != nil {
		return r, fmt.Errorf("%s %q: %w", coll, id, err)
	}
	if r, err = Decode[R, P](d); err != nil {
		return r, fmt.Errorf("%s %q: %w", coll, id, err)
	}
	return r, nil
}

// find reads the records of coll that q selects.
func find[R any, P interface {
	*R
	Record
}](ctx context.Context, st docstore.Store, coll string, q docstore.Query) ([]R, error) {
	docs, err := st.C(coll).Find(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", coll, err)
	}
	out := make([]R, 0, len(docs))
	for _, d := range docs {
		r, err := Decode[R, P](d)
		if err != nil {
			id, _ := docstore.ID(d)
			return nil, fmt.Errorf("%s %q: %w", coll, id, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// put stores a whole record, replacing the one with its _id.
func put(ctx context.Context, st docstore.Store, coll string, r Record) error {
	d, err := Doc(r)
	if err != nil {
		return fmt.Errorf("%s: %w", coll, err)
	}
	if err := st.C(coll).Upsert(ctx, []docstore.Doc{d}); err != nil {
		id, _ := docstore.ID(d)
		return fmt.Errorf("write %s %q: %w", coll, id, err)
	}
	return nil
}

// update sets fields of the record id of coll, under prefix ("" or
// "download." ...), creating it when missing.
func update(ctx context.Context, st docstore.Store, coll, id, prefix string, fields map[string]any) error {
	set := make(map[string]any, len(fields))
	for k, v := range fields {
		set[prefix+k] = v
	}
	if err := st.C(coll).Update(ctx, id, set); err != nil {
		return fmt.Errorf("update %s %q: %w", coll, id, err)
	}
	return nil
}

// updateExisting is update for a record that must exist already: a
// missing one is left missing (Update would create it) and is no error.
func updateExisting(ctx context.Context, st docstore.Store, coll, id, prefix string, fields map[string]any) error {
	if _, err := st.C(coll).Get(ctx, id); errors.Is(err, docstore.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("read %s %q: %w", coll, id, err)
	}
	return update(ctx, st, coll, id, prefix, fields)
}

// remove deletes the record id of coll and says whether there was one.
func remove(ctx context.Context, st docstore.Store, coll, id string) (bool, error) {
	n, err := st.C(coll).Delete(ctx, id)
	if err != nil {
		return false, fmt.Errorf("delete %s %q: %w", coll, id, err)
	}
	return n > 0, nil
}

// list is a []string as a stored list ([] rather than null when empty).
func list(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// orNil is s, or null when empty.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Exists says whether coll holds a record id, whatever its content.
func (r Records) Exists(ctx context.Context, coll, id string) (bool, error) {
	_, err := r.Store.C(coll).Get(ctx, id)
	if errors.Is(err, docstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s %q: %w", coll, id, err)
	}
	return true, nil
}
