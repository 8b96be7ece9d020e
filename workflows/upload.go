package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/temporal/contract"
)

// parseActivity is the options of a parse-and-store run: hours allowed, a
// worker silent for 15 s is presumed dead and the run resumes elsewhere from
// its last heartbeat.
func parseActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 48 * time.Hour,
		HeartbeatTimeout:    15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    5,
		},
	})
}

// Upload parses a source's dumped data with each of its uploaders and
// stores the documents, one child workflow per uploader when there are
// several.
func Upload(ctx workflow.Context, in contract.UploadInput) ([]contract.UploadResult, error) {
	var plan activities.UploadPlan
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.UploadPrepare, in).Get(ctx, &plan); err != nil {
		return nil, err
	}
	if !holdersOn(ctx) {
		plan.Holder = contract.Holder{}
		return uploadSubs(ctx, plan)
	}
	out, err := uploadSubs(ctx, plan)
	if !holderGone(err) {
		return out, err
	}
	// The worker holding the dumped files is gone for good: another worker
	// downloads them again, and the upload runs there.
	workflow.GetLogger(ctx).Warn("the worker holding the dumped files is gone: dumping again on another worker", "source", in.Source, "queue", plan.Holder.Queue)
	var dplan activities.DumpPlan
	if _, err := dumpOn(ctx, contract.DumpInput{Source: in.Source, Force: true}, contract.Holder{}, &dplan); err != nil {
		return out, err
	}
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.UploadPrepare, in).Get(ctx, &plan); err != nil {
		return out, err
	}
	return uploadSubs(ctx, plan)
}

// uploadSubs runs each uploader of plan on the worker holding its files.
func uploadSubs(ctx workflow.Context, plan activities.UploadPlan) ([]contract.UploadResult, error) {
	subs := make([]contract.UploadSubInput, len(plan.Subs))
	for i, sub := range plan.Subs {
		subs[i] = contract.UploadSubInput{Source: plan.Source, Sub: sub, Release: plan.Release, DataFolder: plan.DataFolder, Holder: plan.Holder,
			Parallel: slices.Contains(plan.Parallel, sub)}
	}
	if len(subs) == 1 {
		res, err := UploadSub(ctx, subs[0])
		return []contract.UploadResult{res}, err
	}
	futures := make([]workflow.ChildWorkflowFuture, len(subs))
	for i, sub := range subs {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: contract.UploadSubID(sub.Source, sub.Sub)})
		futures[i] = workflow.ExecuteChildWorkflow(cctx, UploadSubName, sub)
	}
	out := make([]contract.UploadResult, len(futures))
	var firstErr error
	for i, f := range futures {
		if err := f.Get(ctx, &out[i]); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return out, firstErr
}

// UploadSub runs one uploader: its parser once, or once per job of its
// parallelizer.
func UploadSub(ctx workflow.Context, in contract.UploadSubInput) (contract.UploadResult, error) {
	if in.Parallel && parallelOn(ctx) {
		return uploadParallel(ctx, in)
	}
	var res contract.UploadResult
	err := workflow.ExecuteActivity(onHolder(parseActivity(ctx), in.Holder), a.UploadRun, in).Get(ctx, &res)
	return res, err
}
