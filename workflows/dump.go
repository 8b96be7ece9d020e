package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/temporal/contract"
)

// transferActivity is the options of a download: hours allowed, but a
// worker that stops heartbeating for 10 s is presumed dead and the download
// resumes elsewhere from its partial file.
func transferActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    10,
		},
	})
}

// Dump downloads a source's data when the remote is newer (or when forced),
// unpacks it when the manifest asks, and records the result in src_dump.
func Dump(ctx workflow.Context, in contract.DumpInput) (res contract.DumpResult, err error) {
	var plan activities.DumpPlan
	defer func() {
		if err == nil {
			return
		}
		// Record the failure even when the workflow is being canceled.
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		_ = workflow.ExecuteActivity(shortActivity(dctx), a.DumpFailed, activities.DumpFailedInput{
			Source: in.Source, Err: err.Error(), StartedAt: plan.StartedAt,
		}).Get(dctx, nil)
	}()
	if in.Release != "" {
		if err := workflow.ExecuteActivity(shortActivity(ctx), a.PluginCheckout, in.Source, in.Release).Get(ctx, nil); err != nil {
			return res, err
		}
	}
	// The worker holding the last dump's files compares and downloads (an
	// unchanged release is not downloaded again); if it is gone, any worker
	// downloads everything anew. Runs from before holders take the shared
	// queue (an empty holder).
	var h contract.Holder
	on := holdersOn(ctx)
	if on {
		if h, err = filesAt(ctx, activities.DumpFilesKey(in.Source)); err != nil {
			return res, err
		}
	}
	res, err = dumpOn(ctx, in, h, &plan)
	if on && holderGone(err) {
		workflow.GetLogger(ctx).Warn("the worker holding the last dump is gone: dumping again on another worker", "source", in.Source, "queue", h.Queue)
		in.Force = true
		res, err = dumpOn(ctx, in, contract.Holder{}, &plan)
	}
	if err != nil || plan.Nothing {
		return res, err
	}
	startUpload(ctx, in.Source)
	return res, nil
}

// dumpOn prepares a dump on the worker h (any worker when h is empty),
// then downloads and finishes it on the worker that prepared it.
func dumpOn(ctx workflow.Context, in contract.DumpInput, h contract.Holder, plan *activities.DumpPlan) (contract.DumpResult, error) {
	var res contract.DumpResult
	if err := workflow.ExecuteActivity(onHolder(shortActivity(ctx), h), a.DumpPrepare, in).Get(ctx, plan); err != nil {
		return res, err
	}
	if plan.Nothing {
		return contract.DumpResult{Source: in.Source, Status: "nothing to dump", Release: plan.Release, Reason: plan.Reason}, nil
	}
	// Several URLs download side by side, one activity each.
	tctx := onHolder(transferActivity(ctx), plan.Holder)
	futures := make([]workflow.Future, len(plan.URLs))
	for i, u := range plan.URLs {
		futures[i] = workflow.ExecuteActivity(tctx, a.DumpFetch, activities.FetchInput{
			Source: in.Source, URL: u, DataFolder: plan.DataFolder,
		})
	}
	files := make([]contract.FetchedFile, len(futures))
	for i, f := range futures {
		if err := f.Get(ctx, &files[i]); err != nil {
			return res, err
		}
	}
	err := workflow.ExecuteActivity(tctx, a.DumpFinish, activities.DumpFinishInput{Plan: *plan, Files: files}).Get(ctx, &res)
	return res, err
}

// startUpload starts the source's upload as a child that outlives the dump.
// If it cannot start (an upload of the source is running), src_dump keeps
// "pending": ["upload"] and the user starts it again.
func startUpload(ctx workflow.Context, source string) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        contract.UploadID(source),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	f := workflow.ExecuteChildWorkflow(cctx, UploadName, contract.UploadInput{Source: source})
	if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("upload after dump not started", "source", source, "err", err)
	}
}
