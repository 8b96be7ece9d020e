package hub

import (
	"context"
	"fmt"

	"studio/internal/engine/docstore"
)

// DataAPI returns the api record of name; a missing one is an error
// wrapping docstore.ErrNotFound.
func (r Records) DataAPI(ctx context.Context, name string) (DataAPI, error) {
	return get[DataAPI](ctx, r.Store, API, name)
}

// DataAPIs returns every data API instance, in _id order.
func (r Records) DataAPIs(ctx context.Context) ([]DataAPI, error) {
	return find[DataAPI](ctx, r.Store, API, docstore.Query{})
}

// AddDataAPI stores the record of a new data API instance: a.ID, a.Name,
// a.Index, a.Port, a.Host, a.Description, a.Status, a.CreatedAt, and its
// settings that are set. It returns the record as stored.
func (r Records) AddDataAPI(ctx context.Context, a DataAPI) (DataAPI, error) {
	d := docstore.Doc{"_id": a.ID, "name": a.Name, "index": a.Index, "port": a.Port,
		"host": a.Host, "description": a.Description, "status": a.Status, "created_at": a.CreatedAt}
	if a.ScrollSize > 0 {
		d["scroll_size"] = a.ScrollSize
	}
	if a.MaxFacetSize > 0 {
		d["max_facet_size"] = a.MaxFacetSize
	}
	if a.NestedAggs {
		d["nested_aggs"] = true
	}
	if len(a.Licenses) > 0 {
		l := make(map[string]any, len(a.Licenses))
		for f, u := range a.Licenses {
			l[f] = u
		}
		d["licenses"] = l
	}
	if err := r.Store.C(API).Upsert(ctx, []docstore.Doc{d}); err != nil {
		return a, fmt.Errorf("write %s %q: %w", API, a.ID, err)
	}
	return Decode[DataAPI](d)
}

// DeleteDataAPI deletes the api record name and says whether there was
// one.
func (r Records) DeleteDataAPI(ctx context.Context, name string) (bool, error) {
	return remove(ctx, r.Store, API, name)
}

// DataAPIRunning records that the instance name serves at url since when.
func (r Records) DataAPIRunning(ctx context.Context, name, url, when string) error {
	return update(ctx, r.Store, API, name, "", map[string]any{"status": "running", "url": url, "started_at": when, "err": nil})
}

// DataAPIStopped records that the instance name stopped serving at when.
func (r Records) DataAPIStopped(ctx context.Context, name, when string) error {
	return update(ctx, r.Store, API, name, "", map[string]any{"status": "stopped", "stopped_at": when})
}

// Files returns the worker_files record key; a missing one is an error
// wrapping docstore.ErrNotFound.
func (r Records) Files(ctx context.Context, key string) (Files, error) {
	return get[Files](ctx, r.Store, WorkerFiles, key)
}

// RecordFiles stores the worker_files record f.ID: f.Queue, f.Folder and
// f.UpdatedAt.
func (r Records) RecordFiles(ctx context.Context, f Files) error {
	err := r.Store.C(WorkerFiles).Upsert(ctx, []docstore.Doc{{
		"_id": f.ID, "queue": f.Queue, "folder": f.Folder, "updated_at": f.UpdatedAt,
	}})
	if err != nil {
		return fmt.Errorf("record %s %q: %w", WorkerFiles, f.ID, err)
	}
	return nil
}
