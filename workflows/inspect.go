package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// Inspect infers a type tree, statistics and a suggested mapping from a
// source's or a build's documents and records them (never changing the
// registered mapping).
func Inspect(ctx workflow.Context, in contract.InspectInput) (contract.InspectResult, error) {
	var res contract.InspectResult
	err := workflow.ExecuteActivity(parseActivity(ctx), a.InspectRun, in).Get(ctx, &res)
	return res, err
}
