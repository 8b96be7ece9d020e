package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/differ"
	"studio/internal/domain/hub"
	"studio/internal/domain/releasenote"
	"studio/internal/domain/syncer"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/progress"
)

// SyncFileInput applies one diff file.
type SyncFileInput struct {
	SyncInput
	File differ.FileInfo `json:"file"`
}

// SyncState is the hub collection that remembers the applied diff files
// (hub.SyncState).
const SyncState = hub.SyncState

func (a *Activities) diffDir(old, new string) string {
	return filepath.Join(a.DataDir, "diff", old+"-"+new)
}

func (a *Activities) loadBuild(ctx context.Context, id string) (hub.Build, error) {
	b, err := a.records().Build(ctx, id)
	if errors.Is(err, docstore.ErrNotFound) {
		return b, nonRetryable("NoBuild", fmt.Errorf("no build %q", id))
	}
	if err == nil && b.Status != hub.Success {
		return b, nonRetryable("BuildNotDone", fmt.Errorf("build %s is %q, not a successful build", id, b.Status))
	}
	return b, err
}

// DiffRun compares two builds of one configuration into diff files.
func (a *Activities) DiffRun(ctx context.Context, in DiffInput) (differ.Metadata, error) {
	oldB, err := a.loadBuild(ctx, in.Old)
	if err != nil {
		return differ.Metadata{}, err
	}
	newB, err := a.loadBuild(ctx, in.New)
	if err != nil {
		return differ.Metadata{}, err
	}
	if oc, nc := oldB.BuildConfig.Name, newB.BuildConfig.Name; oc != nc {
		return differ.Metadata{}, nonRetryable("DifferentConfigs", fmt.Errorf("builds %s (%s) and %s (%s) come from different build configurations: a diff needs two builds of one", in.Old, oc, in.New, nc))
	}
	dir := a.diffDir(in.Old, in.New)
	md, err := differ.Diff(ctx, a.Target.C(in.Old), a.Target.C(in.New), dir, in.Old, in.New, oldB.Mapping, newB.Mapping, newB.Meta, differ.Options{
		Progress: func(s differ.Stats) {
			activity.RecordHeartbeat(ctx, progress.Progress{Step: "diff", Unit: "docs", Done: s.Add + s.Update + s.Delete + s.Same})
		},
	})
	if err != nil {
		return md, fmt.Errorf("diff %s -> %s: %w", in.Old, in.New, err)
	}
	if err := a.recordFiles(ctx, DiffFilesKey(in.Old, in.New), dir); err != nil {
		return md, err
	}
	err = a.records().DiffDone(ctx, in.New, in.Old, hub.Diff{
		Folder: dir, MappingChanged: md.MappingChanged, MappingIncompatible: md.MappingIncompatible, CreatedAt: hub.Now(),
		Stats: hub.DiffStats{Add: md.Stats.Add, Update: md.Stats.Update, Delete: md.Stats.Delete, Same: md.Stats.Same},
	})
	return md, err
}

// SyncPrepare checks the diff folder and the index, and lists the files.
func (a *Activities) SyncPrepare(ctx context.Context, in SyncInput) ([]differ.FileInfo, error) {
	md, err := differ.ReadMetadata(in.Diff)
	if err != nil {
		return nil, nonRetryable("BadDiff", err)
	}
	if len(md.MappingIncompatible) > 0 {
		return nil, nonRetryable("MappingChanged", fmt.Errorf("diff %s changes the mapping incompatibly (%v): release this build in full", in.Diff, md.MappingIncompatible))
	}
	if _, err := a.Search.GetIndex(ctx, in.Index); err != nil {
		return nil, nonRetryable("NoIndex", fmt.Errorf("index %s: %w", in.Index, err))
	}
	for _, f := range md.Files {
		if err := differ.VerifyFile(in.Diff, f); err != nil {
			return nil, nonRetryable("BadDiff", err)
		}
	}
	return md.Files, nil
}

// SyncFile applies one diff file to the index, all or nothing as far as the
// patches go: every new document is computed (and kept beside the file)
// before anything is written, the writes are whole documents (so a retry
// repeats them harmlessly), and the file is then marked applied, so a re-run
// skips it and no patch is ever applied twice.
func (a *Activities) SyncFile(ctx context.Context, in SyncFileInput) (SyncResult, error) {
	var res SyncResult
	state, _ := a.records().SyncFiles(ctx, in.Index, in.Diff)
	if slices.Contains(state.Applied, in.File.Name) {
		res.Skipped = 1
		return res, nil
	}
	var meter *progress.Meter
	r, err := syncer.ApplyFile(ctx, a.Search, in.Index, in.Diff, in.File, func(done, total int) {
		if meter == nil {
			meter = progress.NewMeter("sync", "docs", int64(total))
		}
		activity.RecordHeartbeat(ctx, meter.At(int64(done), in.File.Name))
	})
	switch {
	case errors.Is(err, syncer.ErrBadDiff):
		return res, nonRetryable("BadDiff", err)
	case errors.Is(err, syncer.ErrPatch):
		return res, nonRetryable("PatchFailed", err)
	case errors.Is(err, syncer.ErrRefused):
		return res, nonRetryable("SyncFailed", err)
	case err != nil:
		return res, err
	}
	if r.Resumed {
		a.log().Info("sync resumes with computed documents", "file", in.File.Name)
	}
	res.Files, res.Added, res.Updated, res.Deleted = 1, r.Added, r.Updated, r.Deleted
	err = a.records().FilesApplied(ctx, hub.SyncFiles{
		Index: in.Index, Diff: in.Diff, UpdatedAt: hub.Now(), Applied: append(state.Applied, in.File.Name),
	})
	if err == nil {
		_ = syncer.RemoveComputed(in.Diff, in.Index, in.File)
	}
	return res, err
}

// SyncFinish adds the new build's fields to the index mapping and sets its
// _meta, then refreshes it.
func (a *Activities) SyncFinish(ctx context.Context, in SyncInput) error {
	md, err := differ.ReadMetadata(in.Diff)
	if err != nil {
		return nonRetryable("BadDiff", err)
	}
	newB, err := a.records().Build(ctx, md.New)
	if err != nil {
		return err
	}
	if err := a.Search.PutMapping(ctx, in.Index, newB.Mapping, md.Meta); err != nil {
		return fmt.Errorf("update mapping of %s: %w", in.Index, err)
	}
	return a.Search.Refresh(ctx, in.Index)
}

// ReleaseNoteRun writes the release note of a diff (release_note.json and
// release_note.txt in the diff folder) and records it on the new build.
func (a *Activities) ReleaseNoteRun(ctx context.Context, in DiffInput) (releasenote.Note, error) {
	dir := a.diffDir(in.Old, in.New)
	md, err := differ.ReadMetadata(dir)
	if err != nil {
		return releasenote.Note{}, nonRetryable("NoDiff", fmt.Errorf("release note %s -> %s: diff the builds first: %w", in.Old, in.New, err))
	}
	builds := make([]releasenote.Build, 2)
	for i, id := range []string{in.Old, in.New} {
		b, err := a.loadBuild(ctx, id)
		if err != nil {
			return releasenote.Note{}, err
		}
		builds[i] = releasenote.Build{ID: id, Version: b.BuildVersion, Count: b.Count, Mapping: b.Mapping, Meta: b.Meta}
	}
	var updates []differ.Update
	for _, f := range md.Files {
		df, err := differ.ReadFile(dir, f)
		if err != nil {
			return releasenote.Note{}, nonRetryable("BadDiff", err)
		}
		updates = append(updates, df.Update...)
	}
	note := releasenote.Make(builds[0], builds[1], md, updates)
	b, _ := json.MarshalIndent(note, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "release_note.json"), b, 0o644); err != nil {
		return note, err
	}
	if err := os.WriteFile(filepath.Join(dir, "release_note.txt"), []byte(note.Text()), 0o644); err != nil {
		return note, err
	}
	// The note is kept as JSON text: its keys are field paths ("cgi.gene"),
	// which MongoDB refuses as keys of a stored document.
	err = a.records().ReleaseNoteDone(ctx, in.New, in.Old, hub.ReleaseNote{JSONText: string(b), Txt: note.Text(), CreatedAt: hub.Now()})
	return note, err
}
