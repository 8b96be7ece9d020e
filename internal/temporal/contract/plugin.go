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
