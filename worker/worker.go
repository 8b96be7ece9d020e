// Package worker registers the Studio workflows and activities on a
// Temporal task queue and runs them.
package worker

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/app/config"
	"studio/internal/app/procstat"
	"studio/internal/domain/archive"
	"studio/internal/domain/pyparser"
	"studio/internal/engine"
	"studio/workflows"
)

// New returns a worker polling queue with every workflow and activity
// registered. Start it with Start and stop it with Stop.
func New(c client.Client, queue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, queue, options())
	for name, fn := range workflows.Registered {
		w.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
	w.RegisterActivity(acts)
	return w
}

// NewOwn returns a worker polling this worker's own task queue (see
// OwnQueue) with the activities only: the steps that read files this worker
// wrote are sent there.
func NewOwn(c client.Client, queue string, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, queue, options())
	w.RegisterActivity(acts)
	return w
}

// options are the worker options of both queues.
func options() sdkworker.Options {
	return sdkworker.Options{
		// Progress is shown live from heartbeats: send them every second
		// rather than the SDK's default of most of the heartbeat timeout.
		MaxHeartbeatThrottleInterval:     time.Second,
		DefaultHeartbeatThrottleInterval: time.Second,
		// The process's own name, also used by its memory reports
		// (package procstat), so the Workers view can match the two.
		Identity: procstat.Identity(),
	}
}

// OwnQueue is the task queue of the worker whose data folder is dataDir:
// <queue>@<id>, the id made once and kept in <dataDir>/worker-id, so that a
// worker restarted on the same folder polls the same queue and finds its
// files again.
func OwnQueue(dataDir, queue string) (string, error) {
	path := filepath.Join(dataDir, "worker-id")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return queue + "@" + strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("worker id %s: %w", path, err)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "worker"
	}
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("worker id: %w", err)
	}
	id := fmt.Sprintf("%s-%x", host, rnd)
	if err := os.WriteFile(path, []byte(id+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("worker id %s: %w", path, err)
	}
	return queue + "@" + id, nil
}

// Start starts w, wrapping the error with the queue it polls.
func Start(w sdkworker.Worker, queue string) error {
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker on task queue %q: %w", queue, err)
	}
	return nil
}

// Activities builds the activities' dependencies from the configuration and
// the opened engine.
func Activities(cfg config.Config, eng *engine.Engines, c client.Client, log *slog.Logger) *activities.Activities {
	if log == nil {
		log = slog.Default()
	}
	return &activities.Activities{
		Hub: eng.Hub, Src: eng.Src, Target: eng.Target, Search: eng.Search,
		DataDir: cfg.DataDir, Temporal: c, TaskQueue: cfg.TaskQueue,
		Unpack: archive.Limits{MaxBytes: cfg.UnpackMaxBytes},
		Parser: pyparser.Limits{NoProgress: cfg.ParserNoProgress, MaxMemory: cfg.ParserMaxMemory, Biothings: pyparser.Biothings(cfg.ParserBiothings)},
		Python: cfg.Python,
		Log:    log,
	}
}
