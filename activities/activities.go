// Package activities holds every side effect of the Studio pipelines, as
// Temporal activities on one Activities struct that carries the
// dependencies. Activities are idempotent and heartbeat their progress
// (package progress), so that a retry after a crash resumes where the last
// heartbeat left off.
package activities

import (
	"log/slog"

	"studio/internal/docstore"
	"studio/internal/search"
)

// Activities carries what the activities need. Workflows refer to its
// methods through a nil *Activities, so no instance exists at workflow time.
type Activities struct {
	// Hub holds the hub records (src_dump, src_master, src_build, ...).
	Hub docstore.Store
	// Src holds the uploaded source collections.
	Src docstore.Store
	// Target holds the merged build collections.
	Target docstore.Store
	// Search is the search engine that releases go to.
	Search search.Engine
	// DataDir is the data folder shared by the worker and the server.
	DataDir string
	Log     *slog.Logger
}
