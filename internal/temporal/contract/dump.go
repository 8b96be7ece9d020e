package contract

// DumpInput is the input of the Dump workflow.
type DumpInput struct {
	Source string `json:"source"`
	// Force downloads even when the local copy is up to date.
	Force bool `json:"force,omitempty"`
	// Release pins the plugin's code to a commit, branch or tag first.
	Release string `json:"release,omitempty"`
}

// FetchedFile is one downloaded file.
type FetchedFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

// DumpResult is the result of the Dump workflow.
type DumpResult struct {
	Source     string        `json:"source"`
	Status     string        `json:"status"` // success, nothing to dump
	Release    string        `json:"release,omitempty"`
	DataFolder string        `json:"data_folder,omitempty"`
	Files      []FetchedFile `json:"files,omitempty"`
	Unpacked   []string      `json:"unpacked,omitempty"`
	Reason     string        `json:"reason,omitempty"`
}
