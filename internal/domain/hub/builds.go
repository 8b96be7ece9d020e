package hub

import (
	"context"
	"fmt"
	"slices"

	"studio/internal/engine/docstore"
)

// BuildConfig returns the src_build_config record of name; a missing one
// is an error wrapping docstore.ErrNotFound.
func (r Records) BuildConfig(ctx context.Context, name string) (BuildConfig, error) {
	return get[BuildConfig](ctx, r.Store, SrcBuildConfig, name)
}

// BuildConfigs returns every build configuration, in _id order.
func (r Records) BuildConfigs(ctx context.Context) ([]BuildConfig, error) {
	return find[BuildConfig](ctx, r.Store, SrcBuildConfig, docstore.Query{})
}

// PutBuildConfig stores a whole build configuration record (_id c.ID).
func (r Records) PutBuildConfig(ctx context.Context, c BuildConfig) error {
	return put(ctx, r.Store, SrcBuildConfig, &c)
}

// DeleteBuildConfig deletes the build configuration name and says whether
// there was one.
func (r Records) DeleteBuildConfig(ctx context.Context, name string) (bool, error) {
	return remove(ctx, r.Store, SrcBuildConfig, name)
}

// Build returns the src_build record of build id; a missing one is an
// error wrapping docstore.ErrNotFound.
func (r Records) Build(ctx context.Context, id string) (Build, error) {
	return get[Build](ctx, r.Store, SrcBuild, id)
}

// Builds returns every build, the latest started first.
func (r Records) Builds(ctx context.Context) ([]Build, error) {
	builds, err := find[Build](ctx, r.Store, SrcBuild, docstore.Query{})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(builds, func(a, b Build) int {
		switch {
		case a.StartedAt > b.StartedAt:
			return -1
		case a.StartedAt < b.StartedAt:
			return 1
		}
		return 0
	})
	return builds, nil
}

// SuccessfulBuilds returns the successful builds of build configuration
// conf.
func (r Records) SuccessfulBuilds(ctx context.Context, conf string) ([]Build, error) {
	builds, err := find[Build](ctx, r.Store, SrcBuild, docstore.Query{Filter: map[string]any{"build_config.name": conf, "status": Success}})
	if err != nil {
		return nil, fmt.Errorf("successful builds of configuration %q: %w", conf, err)
	}
	return builds, nil
}

// BuildWithSyncs is Build with, in each of its diffs, the indexes the
// diff was synced into (Diff.Synced, from sync_state).
func (r Records) BuildWithSyncs(ctx context.Context, id string) (Build, error) {
	b, err := r.Build(ctx, id)
	if err != nil {
		return b, err
	}
	for old, d := range b.Diff {
		if d.Folder == "" {
			continue
		}
		states, err := find[SyncFiles](ctx, r.Store, SyncState, docstore.Query{Filter: map[string]any{"diff": d.Folder}})
		if err != nil {
			return b, fmt.Errorf("syncs of diff %s: %w", d.Folder, err)
		}
		d.Synced = make([]Synced, 0, len(states))
		for _, st := range states {
			d.Synced = append(d.Synced, Synced{Index: st.Index, Applied: int64(len(st.Applied)), UpdatedAt: st.UpdatedAt})
		}
		b.Diff[old] = d
	}
	return b, nil
}

// BuildStarted records build id as building from configuration conf (its
// copy in the record), at version, started at startedAt; it creates the
// record.
func (r Records) BuildStarted(ctx context.Context, id string, conf BuildConfig, version, startedAt string) error {
	confDoc, err := Doc(&conf)
	if err != nil {
		return fmt.Errorf("build %s: build_config: %w", id, err)
	}
	return update(ctx, r.Store, SrcBuild, id, "", map[string]any{
		"build_config": confDoc, "target_name": id, "target_backend": "docstore",
		"started_at": startedAt, "status": "building", "build_version": version,
		"jobs": []any{map[string]any{"step": "merge", "status": "running", "started_at": startedAt}},
	})
}

// BuildFinished records the success of build id: b.Count, b.MergeStats,
// b.Mapping, b.Meta, b.FinishedAt, and its merge step's b.Jobs[0].
func (r Records) BuildFinished(ctx context.Context, id string, b Build) error {
	stats := make(map[string]any, len(b.MergeStats))
	for k, v := range b.MergeStats {
		stats[k] = v
	}
	jobs := make([]any, len(b.Jobs))
	for i, j := range b.Jobs {
		jobs[i] = map[string]any{"step": j.Step, "status": j.Status, "started_at": j.StartedAt, "time": j.Time}
	}
	return update(ctx, r.Store, SrcBuild, id, "", map[string]any{
		"status": Success, "count": b.Count, "merge_stats": stats, "mapping": b.Mapping, "_meta": b.Meta,
		"jobs": jobs, "finished_at": b.FinishedAt,
	})
}

// BuildFailed records the failure of build id, when it has a record.
func (r Records) BuildFailed(ctx context.Context, id, reason string) error {
	return updateExisting(ctx, r.Store, SrcBuild, id, "", map[string]any{"status": Failed, "err": reason})
}

// DeleteBuild deletes the record of build id and says whether there was
// one.
func (r Records) DeleteBuild(ctx context.Context, id string) (bool, error) {
	return remove(ctx, r.Store, SrcBuild, id)
}

// DiffDone records the diff of build id against old: d.Folder, d.Stats,
// d.MappingChanged, d.MappingIncompatible, d.CreatedAt.
func (r Records) DiffDone(ctx context.Context, id, old string, d Diff) error {
	return update(ctx, r.Store, SrcBuild, id, "", map[string]any{"diff." + old: map[string]any{
		"folder": d.Folder,
		"stats": map[string]any{
			"add": d.Stats.Add, "update": d.Stats.Update, "delete": d.Stats.Delete, "same": d.Stats.Same,
		},
		"mapping_changed": d.MappingChanged, "mapping_incompatible": list(d.MappingIncompatible),
		"created_at": d.CreatedAt,
	}})
}

// ReleaseNoteDone records the release note of build id against old.
func (r Records) ReleaseNoteDone(ctx context.Context, id, old string, n ReleaseNote) error {
	return update(ctx, r.Store, SrcBuild, id, "", map[string]any{
		"release_note." + old: map[string]any{"json_text": n.JSONText, "txt": n.Txt, "created_at": n.CreatedAt},
	})
}

// ReleaseStarted records the start of the full release of build id into
// index, by the workflow run runID, at startedAt.
func (r Records) ReleaseStarted(ctx context.Context, id, index, runID, startedAt string) error {
	return update(ctx, r.Store, SrcBuild, id, "index."+index+".", map[string]any{
		"status": "indexing", "run_id": runID, "started_at": startedAt,
	})
}

// ReleaseDone records the success of the full release of build id into
// index: rel.Count, rel.Environment, rel.CreatedAt, rel.Rejected,
// rel.RejectSamples and rel.Time.
func (r Records) ReleaseDone(ctx context.Context, id, index string, rel Release) error {
	return update(ctx, r.Store, SrcBuild, id, "index."+index+".", map[string]any{
		"status": Success, "count": rel.Count, "environment": rel.Environment, "created_at": rel.CreatedAt,
		"rejected": rel.Rejected, "reject_samples": list(rel.RejectSamples), "time": rel.Time,
	})
}

// ReleaseFailed records the failure of the full release of build id into
// index, when the build has a record.
func (r Records) ReleaseFailed(ctx context.Context, id, index, reason string) error {
	return updateExisting(ctx, r.Store, SrcBuild, id, "index."+index+".", map[string]any{"status": Failed, "err": reason})
}

// SyncFiles returns the sync_state record of the sync of diff folder diff
// into index; a missing one is an error wrapping docstore.ErrNotFound.
func (r Records) SyncFiles(ctx context.Context, index, diff string) (SyncFiles, error) {
	return get[SyncFiles](ctx, r.Store, SyncState, SyncKey(index, diff))
}

// SyncKey is the _id of the sync_state record of the sync of diff folder
// diff into index.
func SyncKey(index, diff string) string { return index + "|" + diff }

// FilesApplied records that the files s.Applied of diff folder s.Diff are
// applied to index s.Index, at s.UpdatedAt.
func (r Records) FilesApplied(ctx context.Context, s SyncFiles) error {
	return update(ctx, r.Store, SyncState, SyncKey(s.Index, s.Diff), "", map[string]any{
		"index": s.Index, "diff": s.Diff, "updated_at": s.UpdatedAt, "applied": list(s.Applied),
	})
}
