package contract

import (
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
)

// SelfCheckInput is the input of the hub self-check.
type SelfCheckInput struct {
	// Note is stored with the check's record, to tell checks apart.
	Note string `json:"note,omitempty"`
}

// SelfCheckResult says what the self-check saw.
type SelfCheckResult struct {
	RecordID string        `json:"record_id"`
	Records  int64         `json:"records"`
	Store    docstore.Info `json:"store"`
	Search   search.Info   `json:"search"`
	Indexes  int           `json:"indexes"`
}
