package contract

// BuildInput is the input of the Build workflow.
type BuildInput struct {
	Config  string `json:"config"`
	BuildID string `json:"build_id"` // also the target collection's name
	Version string `json:"version"`
}

// BuildResult is the result of the Build workflow.
type BuildResult struct {
	BuildID    string           `json:"build_id"`
	Total      int64            `json:"total"`
	MergeStats map[string]int64 `json:"merge_stats"`
}

// DeleteBuildInput is the input of the DeleteBuild workflow.
type DeleteBuildInput struct {
	Build string `json:"build"` // the build id
}

// DeleteBuildResult says whether the build had a record to delete.
type DeleteBuildResult struct {
	Build   string `json:"build"`
	Deleted bool   `json:"deleted"`
}
