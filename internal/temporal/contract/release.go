package contract

// DiffInput is the input of the Diff workflow.
type DiffInput struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// SyncInput is the input of the Sync workflow.
type SyncInput struct {
	Diff  string `json:"diff"`  // the diff folder
	Index string `json:"index"` // the live index to update
}

// SyncResult counts what a sync did.
type SyncResult struct {
	Files   int `json:"files"`
	Skipped int `json:"skipped"` // files already applied by an earlier run
	Added   int `json:"added"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
}
