package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"studio/internal/domain/hub"
	"studio/internal/domain/plugin"
	"studio/internal/engine/docstore"
)

// Workers on different hosts share no folder. The files a step writes (a
// dump's downloads, a diff's files) stay on the worker that wrote them, and
// the steps that read them run there too: each worker also polls a task
// queue of its own (Activities.Queue), recorded in the hub's worker_files
// beside the key of the files. A worker that does not pick a task up from
// its queue within GoneAfter is presumed gone for good, and the workflow
// makes the files again elsewhere.

// DefaultGoneAfter is how long a task waits on a worker's own queue before
// the worker is presumed gone, when the configuration does not say.
const DefaultGoneAfter = time.Minute

// DumpFilesKey names a source's downloaded files in worker_files.
func DumpFilesKey(source string) string { return "dump/" + source }

// DiffFilesKey names a diff's files in worker_files.
func DiffFilesKey(old, new string) string { return "diff/" + old + "-" + new }

// own is this worker as a holder.
func (a *Activities) own() Holder {
	if a.Queue == "" {
		return Holder{}
	}
	return Holder{Queue: a.Queue, GoneAfter: a.goneAfter()}
}

func (a *Activities) goneAfter() time.Duration {
	if a.GoneAfter > 0 {
		return a.GoneAfter
	}
	return DefaultGoneAfter
}

// FilesAt says which worker holds the files named key: the holder recorded
// in worker_files, or any worker when none is.
func (a *Activities) FilesAt(ctx context.Context, key string) (Holder, error) {
	f, err := a.records().Files(ctx, key)
	if errors.Is(err, docstore.ErrNotFound) {
		return Holder{}, nil
	}
	if err != nil {
		return Holder{}, fmt.Errorf("read %s %s: %w", hub.WorkerFiles, key, err)
	}
	if f.Queue == "" {
		return Holder{}, nil
	}
	return Holder{Queue: f.Queue, GoneAfter: a.goneAfter()}, nil
}

// recordFiles records this worker as the holder of the files named key.
func (a *Activities) recordFiles(ctx context.Context, key, folder string) error {
	return a.records().RecordFiles(ctx, hub.Files{ID: key, Queue: a.Queue, Folder: folder, UpdatedAt: hub.Now()})
}

// ensurePlugin makes sure this worker has the registered code of a source's
// plugin: a worker that did not register it, or holds another commit,
// fetches it from the recorded URL at the recorded commit.
func (a *Activities) ensurePlugin(ctx context.Context, source string, rec hub.Plugin) error {
	want := rec.Plugin.Commit
	info, err := plugin.Describe(a.pluginsDir(), source)
	if err == nil && (want == "" || info.Commit == want) {
		return nil
	}
	url := rec.Plugin.URL
	if url == "" {
		return nonRetryable("NoPluginCode", fmt.Errorf("source %s: this worker has no copy of its plugin and the hub records no URL to fetch it from: register the plugin again", source))
	}
	a.log().InfoContext(ctx, "fetching the plugin's code on this worker", "source", source, "url", url, "commit", want)
	if _, _, err := (plugin.Fetcher{Python: a.Python}).Fetch(ctx, a.pluginsDir(), plugin.Source{URL: url, Ref: want}); err != nil {
		return nonRetryable("BadPlugin", fmt.Errorf("source %s: this worker has no copy of its plugin, and fetching it from %s failed: %w", source, url, err))
	}
	return nil
}
