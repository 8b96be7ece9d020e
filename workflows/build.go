package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/domain/merge"
	"studio/internal/temporal/contract"
)

// Build merges a configuration's sources into a new collection: root
// sources first, then the others, one activity per source heartbeating its
// progress; then it records the merged mapping and _meta.
func Build(ctx workflow.Context, in contract.BuildInput) (res contract.BuildResult, err error) {
	defer func() {
		if err == nil {
			return
		}
		dctx, cancel := workflow.NewDisconnectedContext(ctx)
		defer cancel()
		_ = workflow.ExecuteActivity(shortActivity(dctx), a.BuildFailed, activities.BuildFailedInput{BuildID: in.BuildID, Err: err.Error()}).Get(dctx, nil)
	}()
	var plan activities.BuildPlan
	if err := workflow.ExecuteActivity(shortActivity(ctx), a.BuildPrepare, in).Get(ctx, &plan); err != nil {
		return res, err
	}
	stats := map[string]merge.Stats{}
	merges := make([]activities.MergeInput, 0, len(plan.Root)+len(plan.Others))
	for i, s := range plan.Root {
		merges = append(merges, activities.MergeInput{BuildID: in.BuildID, Source: s, Root: true, First: i == 0})
	}
	for _, s := range plan.Others {
		merges = append(merges, activities.MergeInput{BuildID: in.BuildID, Source: s})
	}
	// In order: a non-root source only updates what root sources created.
	for _, m := range merges {
		var st merge.Stats
		if err := workflow.ExecuteActivity(parseActivity(ctx), a.BuildMerge, m).Get(ctx, &st); err != nil {
			return res, err
		}
		stats[m.Source] = st
	}
	err = workflow.ExecuteActivity(shortActivity(ctx), a.BuildFinish, activities.BuildFinishInput{Input: in, Plan: plan, Stats: stats}).Get(ctx, &res)
	return res, err
}
