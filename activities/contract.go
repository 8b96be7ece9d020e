package activities

import "studio/internal/temporal/contract"

// The inputs and results of the workflows are defined in package contract,
// which the server and the CLI import without importing activities. These
// aliases keep the names activities, workflows and tests have always used;
// an alias is the same type, so payloads are unchanged.
type (
	APIInput        = contract.APIInput
	BuildInput      = contract.BuildInput
	BuildResult     = contract.BuildResult
	DiffInput       = contract.DiffInput
	DumpInput       = contract.DumpInput
	DumpResult      = contract.DumpResult
	FetchedFile     = contract.FetchedFile
	Holder          = contract.Holder
	IndexInput      = contract.IndexInput
	IndexResult     = contract.IndexResult
	IndexStats      = contract.IndexStats
	InspectInput    = contract.InspectInput
	InspectResult   = contract.InspectResult
	InspectTarget   = contract.InspectTarget
	PluginResult    = contract.PluginResult
	RegisterInput   = contract.RegisterInput
	SelfCheckInput  = contract.SelfCheckInput
	SelfCheckResult = contract.SelfCheckResult
	SyncInput       = contract.SyncInput
	SyncResult      = contract.SyncResult
	UploadInput     = contract.UploadInput
	UploadResult    = contract.UploadResult
	UploadSubInput  = contract.UploadSubInput
)
