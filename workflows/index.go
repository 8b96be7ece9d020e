package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/temporal/contract"
)

// Index creates the release's index and fills it from the build, resuming
// after a crash from the last document indexed.
func Index(ctx workflow.Context, in contract.IndexInput) (res contract.IndexResult, err error) {
	defer func() {
		if err == nil {
			return
		}
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		_ = workflow.ExecuteActivity(shortActivity(dctx), a.IndexFailed, in.Build, in.Index, err.Error()).Get(dctx, nil)
	}()
	var plan activities.IndexPlan
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.IndexPrepare, in).Get(ctx, &plan); err != nil {
		return res, err
	}
	var st contract.IndexStats
	if err := workflow.ExecuteActivity(parseActivity(ctx), a.IndexDocs, plan).Get(ctx, &st); err != nil {
		return res, err
	}
	err = workflow.ExecuteActivity(shortActivity(ctx), a.IndexFinish, activities.IndexFinishInput{Plan: plan, Stats: st}).Get(ctx, &res)
	return res, err
}
