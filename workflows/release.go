package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/differ"
	"studio/internal/releasenote"
)

// DiffName is the workflow type that compares two builds of one
// configuration into diff files; its id is diff/<old>-<new>. Input:
// {"old": "<build id>", "new": "<build id>"}.
const DiffName = "Diff"

// SyncName is the workflow type that applies a diff to a live index; its
// id is sync/<index>. Input: {"diff": "<diff folder>", "index": "<index>"}.
const SyncName = "Sync"

// ReleaseNoteName is the workflow type that writes the release note of an
// existing diff; its id is release_note/<old>-<new>. Input: as Diff's.
const ReleaseNoteName = "ReleaseNote"

// Diff writes the difference of two builds, then its release note.
func Diff(ctx workflow.Context, in activities.DiffInput) (differ.Metadata, error) {
	var md differ.Metadata
	if err := workflow.ExecuteActivity(parseActivity(ctx), a.DiffRun, in).Get(ctx, &md); err != nil {
		return md, err
	}
	_, err := ReleaseNote(ctx, in)
	return md, err
}

// ReleaseNote writes a diff's release note.
func ReleaseNote(ctx workflow.Context, in activities.DiffInput) (releasenote.Note, error) {
	var note releasenote.Note
	err := workflow.ExecuteActivity(parseActivity(ctx), a.ReleaseNoteRun, in).Get(ctx, &note)
	return note, err
}

// Sync applies a diff's files to an index in order, one activity per file;
// files an earlier run applied are skipped.
func Sync(ctx workflow.Context, in activities.SyncInput) (activities.SyncResult, error) {
	var total activities.SyncResult
	var files []differ.FileInfo
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.SyncPrepare, in).Get(ctx, &files); err != nil {
		return total, err
	}
	for _, f := range files {
		var r activities.SyncResult
		if err := workflow.ExecuteActivity(parseActivity(ctx), a.SyncFile, activities.SyncFileInput{SyncInput: in, File: f}).Get(ctx, &r); err != nil {
			return total, err
		}
		total.Files += r.Files
		total.Skipped += r.Skipped
		total.Added += r.Added
		total.Updated += r.Updated
		total.Deleted += r.Deleted
	}
	err := workflow.ExecuteActivity(shortActivity(ctx), a.SyncFinish, in).Get(ctx, nil)
	return total, err
}
