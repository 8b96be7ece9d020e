package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// DeleteBuild drops a build's collection and its hub record (activity
// BuildDelete).
func DeleteBuild(ctx workflow.Context, in contract.DeleteBuildInput) (contract.DeleteBuildResult, error) {
	var res contract.DeleteBuildResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.BuildDelete, in).Get(ctx, &res)
	return res, err
}
