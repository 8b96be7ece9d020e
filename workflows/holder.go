package workflows

import (
	"errors"
	"path"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// workerFilesVersion marks the workflows that send the steps reading a
// dump's or a diff's files to the worker holding them (contract.Holder).
// Histories from before it replay on the shared queue as they ran.
const (
	workerFilesChange  = "worker-files"
	workerFilesVersion = 1
)

// holdersOn says whether this run routes steps to the worker holding files.
func holdersOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, workerFilesChange, workflow.DefaultVersion, workerFilesVersion) >= workerFilesVersion
}

// onHolder sends the activities of ctx (whose options are already set) to
// the worker holding files, and presumes that worker gone when it does not
// pick a task up within its GoneAfter. No holder: ctx as it is.
func onHolder(ctx workflow.Context, h contract.Holder) workflow.Context {
	if h.Queue == "" {
		return ctx
	}
	ctx = workflow.WithTaskQueue(ctx, h.Queue)
	if h.GoneAfter > 0 {
		ctx = workflow.WithScheduleToStartTimeout(ctx, h.GoneAfter)
	}
	return ctx
}

// holderGone says whether err is a task that the worker holding files did
// not pick up in time: that worker is presumed gone.
func holderGone(err error) bool {
	var te *temporal.TimeoutError
	return errors.As(err, &te) && te.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START
}

// filesAt asks which worker holds the files named key.
func filesAt(ctx workflow.Context, key string) (contract.Holder, error) {
	var h contract.Holder
	err := workflow.ExecuteActivity(shortActivity(ctx), a.FilesAt, key).Get(ctx, &h)
	return h, err
}

// diffKey is the worker_files key of a diff folder (<data>/diff/<old>-<new>).
func diffKey(folder string) string { return "diff/" + path.Base(folder) }
