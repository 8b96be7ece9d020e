package contract

import (
	"encoding/json"

	"studio/internal/domain/uploadstore"
)

// UploadInput is the input of the Upload workflow.
type UploadInput struct {
	Source string `json:"source"`
	// Sub uploads one uploader (sub-source) only; "" = all of them.
	Sub string `json:"sub,omitempty"`
}

// UploadSubInput is one uploader's run.
type UploadSubInput struct {
	Source     string `json:"source"`
	Sub        string `json:"sub"`
	Release    string `json:"release"`
	DataFolder string `json:"data_folder"`
	Holder     Holder `json:"holder,omitempty"`
	// Parallel: the uploader has a parallelizer, whose jobs run as
	// parallel UploadJob activities.
	Parallel bool `json:"parallel,omitempty"`
}

// UploadResult is what one uploader stored.
type UploadResult struct {
	Sub      string            `json:"sub"`
	Count    int64             `json:"count"`
	Stats    uploadstore.Stats `json:"stats"`
	Duration float64           `json:"time"`
}

// UploadJobRangeInput is a range of a parallel upload's jobs.
type UploadJobRangeInput struct {
	Sub   UploadSubInput    `json:"sub"`
	Temp  string            `json:"temp"`
	First int               `json:"first"` // number of the range's first job, from 1
	Of    int               `json:"of"`    // jobs in all
	Jobs  []json.RawMessage `json:"jobs"`  // each job's parser arguments
}
