// Package workflows holds the Temporal workflow functions of Studio, one
// file per pipeline. Workflows only orchestrate: every side effect is an
// activity (package activities). Each workflow has a stable type name and a
// JSON input, so that `temporal workflow start` can start it by hand.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/temporal/contract"
)

// a is how workflows name activities; it is never dereferenced.
var a *activities.Activities

// The workflow type names (package contract documents each one's id and
// input).
const (
	SelfCheckName        = contract.SelfCheckName
	DumpName             = contract.DumpName
	RegisterPluginName   = contract.RegisterPluginName
	UnregisterPluginName = contract.UnregisterPluginName
	UploadName           = contract.UploadName
	UploadSubName        = contract.UploadSubName
	UploadJobRangeName   = contract.UploadJobRangeName
	BuildName            = contract.BuildName
	InspectName          = contract.InspectName
	IndexName            = contract.IndexName
	APIServiceName       = contract.APIServiceName
	DiffName             = contract.DiffName
	SyncName             = contract.SyncName
	ReleaseNoteName      = contract.ReleaseNoteName
	ValidateMappingName  = contract.ValidateMappingName
	DeleteBuildName      = contract.DeleteBuildName
	NewPluginName        = contract.NewPluginName
)

// Registered names the workflows and the names they are registered under.
var Registered = map[string]any{
	SelfCheckName:        SelfCheck,
	DumpName:             Dump,
	RegisterPluginName:   RegisterPlugin,
	UnregisterPluginName: UnregisterPlugin,
	UploadName:           Upload,
	UploadSubName:        UploadSub,
	UploadJobRangeName:   UploadJobRange,
	BuildName:            Build,
	InspectName:          Inspect,
	IndexName:            Index,
	APIServiceName:       APIService,
	DiffName:             Diff,
	SyncName:             Sync,
	ReleaseNoteName:      ReleaseNote,
	ValidateMappingName:  ValidateMapping,
	DeleteBuildName:      DeleteBuild,
	NewPluginName:        NewPlugin,
}

// shortActivity is the options of an activity that should take seconds.
func shortActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
			MaximumAttempts:    3,
		},
	})
}
