// Package activities holds every side effect of the Studio pipelines, as
// Temporal activities on one Activities struct that carries the
// dependencies. Activities are idempotent and heartbeat their progress
// (package progress), so that a retry after a crash resumes where the last
// heartbeat left off.
package activities

import (
	"log/slog"
	"path/filepath"

	"go.temporal.io/sdk/client"

	"studio/internal/archive"
	"studio/internal/docstore"
	"studio/internal/hub"
	"studio/internal/pyparser"
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
	// Temporal is used by activities that manage schedules.
	Temporal client.Client
	// TaskQueue is where scheduled workflows are started.
	TaskQueue string
	// Unpack bounds what an archive may unpack to.
	Unpack archive.Limits
	// Parser bounds each Python parser run (time without progress, memory).
	Parser pyparser.Limits
	Log    *slog.Logger
}

// pluginsDir holds the data plugins' code, one folder per plugin.
func (a *Activities) pluginsDir() string { return filepath.Join(a.DataDir, "plugins") }

// archiveRoot holds the downloaded data: <root>/<source>/<release>/<file>.
func (a *Activities) archiveRoot() string { return filepath.Join(a.DataDir, "datasources") }

func (a *Activities) records() hub.Records { return hub.Records{Store: a.Hub} }

func (a *Activities) log() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}
