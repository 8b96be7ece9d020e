package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// APIService runs the API's serving activity for as long as it is not
// canceled: a worker that dies stops heartbeating, and Temporal starts the
// activity again on a live worker, so a running API comes back after a
// restart.
func APIService(ctx workflow.Context, in contract.APIInput) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 100 * 365 * 24 * time.Hour,
		HeartbeatTimeout:    10 * time.Second,
		WaitForCancellation: true,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
	err := workflow.ExecuteActivity(actx, a.APIServe, in).Get(ctx, nil)
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) || temporal.IsCanceledError(err) {
		return nil
	}
	return err
}
