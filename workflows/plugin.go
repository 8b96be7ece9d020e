package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// RegisterPlugin fetches a plugin's code from git or a folder, validates its
// manifest, records the plugin and its source, and keeps its dump schedule.
func RegisterPlugin(ctx workflow.Context, in contract.RegisterInput) (contract.PluginResult, error) {
	var res contract.PluginResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.PluginFetch, in).Get(ctx, &res)
	return res, err
}

// UnregisterPlugin deletes a plugin's schedule, code and records.
func UnregisterPlugin(ctx workflow.Context, name string) error {
	return workflow.ExecuteActivity(shortActivity(ctx), a.PluginRemove, name).Get(ctx, nil)
}
