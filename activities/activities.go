// Package activities holds every side effect of the Studio pipelines, as
// Temporal activities on one Activities struct that carries the
// dependencies. Activities are idempotent and heartbeat their progress
// (package progress), so that a retry after a crash resumes where the last
// heartbeat left off.
package activities

import (
	"log/slog"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"

	"studio/internal/domain/archive"
	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
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
	// DataDir is this worker's data folder (plugins, downloads, diffs).
	DataDir string
	// Queue is this worker's own task queue, where the steps that read
	// files it wrote are sent (see Holder); "" when every worker shares one
	// data folder.
	Queue string
	// GoneAfter is how long a task may wait on a worker's own queue before
	// that worker is presumed gone (0 = DefaultGoneAfter).
	GoneAfter time.Duration
	// Temporal is used by activities that manage schedules.
	Temporal client.Client
	// TaskQueue is where scheduled workflows are started.
	TaskQueue string
	// Unpack bounds what an archive may unpack to.
	Unpack archive.Limits
	// Parser bounds each Python parser run (time without progress, memory).
	Parser pyparser.Limits
	// Python is the interpreter plugin code runs under ("" = python3).
	Python string
	Log    *slog.Logger
}

// pySpec is how a plugin function of source runs: in its plugin folder,
// under the configured interpreter, with the packages its manifest
// requires (and, for an advanced plugin, imported as its package).
func (a *Activities) pySpec(source, fn string, m *manifest.Manifest) pyparser.Spec {
	return pyparser.Spec{PluginDir: a.pluginDir(source), Func: fn, Requires: m.Requires, Package: m.Package, Python: a.Python}
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
