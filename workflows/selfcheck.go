package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// SelfCheck proves the path from a workflow start to the worker and the
// engines: it runs one activity that writes and reads a hub record and lists
// the search indexes.
func SelfCheck(ctx workflow.Context, in contract.SelfCheckInput) (contract.SelfCheckResult, error) {
	var res contract.SelfCheckResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.CheckStores, in).Get(ctx, &res)
	return res, err
}
