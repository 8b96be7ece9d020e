package contract

// IndexInput is the input of the Index workflow (a full release).
type IndexInput struct {
	Build string `json:"build"`
	Index string `json:"index,omitempty"` // default: the build id
	Purge bool   `json:"purge,omitempty"` // replace an existing index
}

// IndexStats count what indexing did.
type IndexStats struct {
	Indexed  int64    `json:"indexed"`
	Rejected int64    `json:"rejected"`
	Samples  []string `json:"reject_samples,omitempty"`
	LastID   string   `json:"last_id"`
}

// IndexResult is the result of the Index workflow.
type IndexResult struct {
	Index string     `json:"index"`
	Count int64      `json:"count"`
	Stats IndexStats `json:"stats"`
}
