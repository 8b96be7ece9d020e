package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/domain/differ"
	"studio/internal/domain/releasenote"
	"studio/internal/temporal/contract"
)

// Diff writes the difference of two builds, then its release note.
func Diff(ctx workflow.Context, in contract.DiffInput) (differ.Metadata, error) {
	var md differ.Metadata
	if err := workflow.ExecuteActivity(parseActivity(ctx), a.DiffRun, in).Get(ctx, &md); err != nil {
		return md, err
	}
	_, err := ReleaseNote(ctx, in)
	return md, err
}

// ReleaseNote writes a diff's release note, on the worker holding the
// diff's files; if that worker is gone, the builds are diffed again on
// another.
func ReleaseNote(ctx workflow.Context, in contract.DiffInput) (releasenote.Note, error) {
	var note releasenote.Note
	if !holdersOn(ctx) {
		err := workflow.ExecuteActivity(parseActivity(ctx), a.ReleaseNoteRun, in).Get(ctx, &note)
		return note, err
	}
	h, err := filesAt(ctx, activities.DiffFilesKey(in.Old, in.New))
	if err != nil {
		return note, err
	}
	err = workflow.ExecuteActivity(onHolder(parseActivity(ctx), h), a.ReleaseNoteRun, in).Get(ctx, &note)
	if !holderGone(err) {
		return note, err
	}
	workflow.GetLogger(ctx).Warn("the worker holding the diff is gone: diffing again on another worker", "old", in.Old, "new", in.New, "queue", h.Queue)
	if err := workflow.ExecuteActivity(parseActivity(ctx), a.DiffRun, in).Get(ctx, nil); err != nil {
		return note, err
	}
	if h, err = filesAt(ctx, activities.DiffFilesKey(in.Old, in.New)); err != nil {
		return note, err
	}
	err = workflow.ExecuteActivity(onHolder(parseActivity(ctx), h), a.ReleaseNoteRun, in).Get(ctx, &note)
	return note, err
}

// Sync applies a diff's files to an index in order, one activity per file;
// files an earlier run applied are skipped.
func Sync(ctx workflow.Context, in contract.SyncInput) (contract.SyncResult, error) {
	var total contract.SyncResult
	var files []differ.FileInfo
	var h contract.Holder
	if holdersOn(ctx) {
		// The diff's files are on the worker that wrote them.
		var err error
		if h, err = filesAt(ctx, diffKey(in.Diff)); err != nil {
			return total, err
		}
	}
	err := workflow.ExecuteActivity(onHolder(shortActivity(ctx), h), a.SyncPrepare, in).Get(ctx, &files)
	if err != nil {
		return total, holderGoneSync(err, in, h)
	}
	for _, f := range files {
		var r contract.SyncResult
		if err := workflow.ExecuteActivity(onHolder(parseActivity(ctx), h), a.SyncFile, activities.SyncFileInput{SyncInput: in, File: f}).Get(ctx, &r); err != nil {
			return total, holderGoneSync(err, in, h)
		}
		total.Files += r.Files
		total.Skipped += r.Skipped
		total.Added += r.Added
		total.Updated += r.Updated
		total.Deleted += r.Deleted
	}
	err = workflow.ExecuteActivity(onHolder(shortActivity(ctx), h), a.SyncFinish, in).Get(ctx, nil)
	return total, holderGoneSync(err, in, h)
}

// holderGoneSync says what to do when the worker holding a diff is gone:
// the files applied so far stay applied; a new diff finishes the release.
func holderGoneSync(err error, in contract.SyncInput, h contract.Holder) error {
	if !holderGone(err) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("the worker holding diff %s (task queue %s) did not take the sync's next step within %s and is presumed gone: release the build again, which diffs it anew on a live worker", in.Diff, h.Queue, h.GoneAfter),
		"DiffHolderGone", nil)
}
