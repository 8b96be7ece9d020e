package contract

// RegisterInput is the input of the RegisterPlugin workflow.
type RegisterInput struct {
	URL string `json:"url"`
	// Ref pins the plugin to a commit, branch or tag; "" = default branch.
	Ref string `json:"ref,omitempty"`
}

// PluginResult describes a registered plugin.
type PluginResult struct {
	Name      string   `json:"name"`
	Folder    string   `json:"folder"`
	Type      string   `json:"type"`
	URL       string   `json:"url"`
	Commit    string   `json:"commit,omitempty"`
	Branch    string   `json:"branch,omitempty"`
	Release   string   `json:"release"`
	Uploaders []string `json:"uploaders"`
	Schedule  string   `json:"schedule,omitempty"`
}

// NewPluginInput is the input of the NewPlugin workflow: the plugin's name
// and the folder it was written to.
type NewPluginInput struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// NewPluginResult is the registered plugin and the dump it started.
type NewPluginResult struct {
	Plugin PluginResult `json:"plugin"`
	Dump   Started      `json:"dump"`
}

// Started names a workflow run that a workflow started and left running.
type Started struct {
	ID    string `json:"id"`
	RunID string `json:"run_id"`
}
