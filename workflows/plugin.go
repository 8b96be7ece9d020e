package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
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

// NewPlugin registers a plugin made from a file (RegisterPlugin, a child
// under the plugin's own id) and starts its dump (Dump, a child that
// outlives it and starts the upload). It ends once the dump has started.
func NewPlugin(ctx workflow.Context, in contract.NewPluginInput) (contract.NewPluginResult, error) {
	var res contract.NewPluginResult
	rctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: contract.PluginID(in.Name)})
	if err := workflow.ExecuteChildWorkflow(rctx, RegisterPluginName, contract.RegisterInput{URL: in.URL}).Get(ctx, &res.Plugin); err != nil {
		return res, err
	}
	dctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:        contract.DumpID(in.Name),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	var dump workflow.Execution
	f := workflow.ExecuteChildWorkflow(dctx, DumpName, contract.DumpInput{Source: in.Name, Force: true})
	if err := f.GetChildWorkflowExecution().Get(ctx, &dump); err != nil {
		return res, temporal.NewNonRetryableApplicationError(
			"plugin "+in.Name+" is registered, but its dump did not start ("+err.Error()+"): dump it with PUT /source/"+in.Name+"/dump", "DumpNotStarted", nil)
	}
	res.Dump = contract.Started{ID: dump.ID, RunID: dump.RunID}
	return res, nil
}
