// Package contract is what the pipeline promises to whoever starts it: the
// workflow type names, the workflow id schemes, the default task queue, and
// every workflow's input and result. The server, the CLI, the workflows and
// the activities all import it, so a client of the pipeline (the server,
// the CLI) needs neither the workflows nor the activities to start one and
// read its result.
//
// The JSON of these types is what Temporal records in every history: a
// changed field name or tag breaks the replay of recorded histories and the
// hand-written `temporal workflow start` inputs in the docs. Add fields with
// omitempty; never rename one.
//
// The package holds types and names only. Within the module it imports
// nothing but the domain packages whose values appear in results (docstore,
// search, inspect, store, differ, releasenote); internal/testsupport/archtest enforces it.
package contract

// TaskQueue is the task queue workers poll when the configuration names
// none (config.Config.TaskQueue).
const TaskQueue = "studio"

// Workflow type names, as the worker registers them and the server, the
// CLI, schedules and `temporal workflow start` start them. Each comment
// names the workflow's id (ids.go) and a JSON input.
const (
	// SelfCheckName is the hub self-check. Start it by hand:
	//
	//	temporal workflow start --task-queue studio --type SelfCheck \
	//	    --workflow-id selfcheck/manual --input '{"note":"hello"}'
	SelfCheckName = "SelfCheck"

	// RegisterPluginName registers (or re-registers) a data plugin; its id
	// is plugin/<name> (PluginID). Input: {"url": "...", "ref": "..."}.
	RegisterPluginName = "RegisterPlugin"

	// UnregisterPluginName removes a plugin; its id is plugin/<name>.
	// Input: the plugin name as a JSON string.
	UnregisterPluginName = "UnregisterPlugin"

	// DumpName is a source's dump; its id is dump/<source> (DumpID), also
	// the id of the source's dump schedule. Start it by hand:
	//
	//	temporal workflow start --task-queue studio --type Dump \
	//	    --workflow-id dump/cgi --input '{"source":"cgi","force":false}'
	DumpName = "Dump"

	// UploadName is a source's upload; its id is upload/<source>
	// (UploadID). Input: {"source": "cgi", "sub": "<optional uploader>"}.
	UploadName = "Upload"

	// UploadSubName uploads one uploader of a source with several; its id
	// is upload/<source>/<sub> (UploadSubID).
	UploadSubName = "UploadSub"

	// UploadJobRangeName runs a range of a parallel upload's jobs, when
	// there are more than one run takes; its id is
	// upload/<source>/<sub>/jobs-<first>-<last> (UploadJobRangeID).
	UploadJobRangeName = "UploadJobRange"

	// InspectName is an inspection; its id is inspect/<source or build id>
	// (InspectID). Input: {"data_provider": ["src", "cgi"], "mode":
	// ["type", "stats", "mapping"], "limit": 0, "sample": 1}.
	InspectName = "Inspect"

	// BuildName is a build; its id is build/<config>/<build id> (BuildID).
	// Input: {"config": "default", "build_id": "default_20261127_1a2b3c4d",
	// "version": "20261127"} (the hub API picks the id; by hand, any
	// lower-case id of that form works).
	BuildName = "Build"

	// IndexName is a full release: it indexes a build into the search
	// engine. Its id is index/<index name> (IndexID). Input: {"build":
	// "<build id>", "index": "<optional name>", "purge": false}.
	IndexName = "Index"

	// DiffName compares two builds of one configuration into diff files;
	// its id is diff/<old>-<new> (DiffID). Input: {"old": "<build id>",
	// "new": "<build id>"}.
	DiffName = "Diff"

	// ReleaseNoteName writes the release note of an existing diff; its id
	// is release_note/<old>-<new> (ReleaseNoteID). Input: as Diff's.
	ReleaseNoteName = "ReleaseNote"

	// SyncName applies a diff to a live index; its id is sync/<index>
	// (SyncID). Input: {"diff": "<diff folder>", "index": "<index>"}.
	SyncName = "Sync"

	// APIServiceName keeps a data API instance serving; its id is
	// api/<name> (APIID). Cancel it to stop the API. Input: {"name":
	// "<api name>"}.
	APIServiceName = "APIService"

	// ValidateMappingName checks a mapping by creating a temporary index
	// with it (and the full release settings), then deleting that index;
	// its id is mapping/validate/<token> (ValidateMappingID). Input:
	// {"mapping": {...}}. An invalid mapping fails it, non-retryable, with
	// the engine's message.
	ValidateMappingName = "ValidateMapping"

	// NewPluginName registers a plugin made from a file (written as a git
	// repository in a folder the workers read) and starts its dump, which
	// starts the upload; its id is new_plugin/<name> (NewPluginID). Input:
	// {"name": "cgi", "url": "<the plugin's folder>"}. It ends once the
	// plugin is registered and the dump started.
	NewPluginName = "NewPlugin"

	// DeleteBuildName drops a build's collection and its hub record; its id
	// is delete_build/<build id> (DeleteBuildID). Input: {"build": "<build
	// id>"}. A build without a record is answered Deleted: false.
	DeleteBuildName = "DeleteBuild"
)
