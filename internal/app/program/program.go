// Package program assembles Studio's long-running parts from the opened
// engines and a Temporal client: the hub server's dependencies, the
// worker(s) and their queues, the process reporter and the serving loop.
// `studio server`, `studio worker` and `studio dev` (package
// internal/app/devstack) all build the program here, so the three cannot drift
// apart; tests that stand up a stack use it too.
package program

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"studio/internal/app/config"
	"studio/internal/app/procstat"
	"studio/internal/domain/hub"
	"studio/internal/engine"
	"studio/server"
	"studio/worker"
)

// ServerDeps is what the hub server needs, from the configuration, the
// opened engines and the Temporal client. tokenHash is hubauth.Setup's
// hash ("" for none). The Temporal address shown by /status is
// cfg.TemporalAddress; a caller that knows the Web UI sets TemporalUIURL.
func ServerDeps(cfg config.Config, eng *engine.Engines, tc client.Client, log *slog.Logger, tokenHash string) server.Deps {
	return server.Deps{
		Temporal: tc, TemporalAddress: cfg.TemporalAddress,
		Namespace: cfg.TemporalNamespace, TaskQueue: cfg.TaskQueue,
		Hub: eng.Hub, Src: eng.Src, Target: eng.Target, Search: eng.Search, Log: log,
		GeneratedPlugins:   filepath.Join(cfg.DataDir, "generated-plugins"),
		FullReleasePercent: cfg.FullReleasePercent, TokenHash: tokenHash,
	}
}

// Workers are the running Temporal workers of one process.
type Workers struct {
	// Own is the worker's own task queue (worker.OwnQueue), "" when the
	// process polls the shared queue only.
	Own     string
	running []sdkworker.Worker
}

// StartWorkers starts a worker polling cfg.TaskQueue with every workflow
// and activity. With own set it also polls the process's own queue
// (worker.OwnQueue, from the data folder) with the activities only, as
// `studio worker` does so that steps reading its files come back to it;
// `studio dev` has one worker and no queue of its own. On failure nothing
// is left running.
func StartWorkers(cfg config.Config, eng *engine.Engines, tc client.Client, log *slog.Logger, own bool) (*Workers, error) {
	acts := worker.Activities(cfg, eng, tc, log)
	ws := &Workers{}
	if own {
		q, err := worker.OwnQueue(cfg.DataDir, cfg.TaskQueue)
		if err != nil {
			return nil, err
		}
		ws.Own = q
		acts.Queue, acts.GoneAfter = q, cfg.WorkerGoneAfter
	}
	w := worker.New(tc, cfg.TaskQueue, acts)
	if err := worker.Start(w, cfg.TaskQueue); err != nil {
		return nil, err
	}
	ws.running = append(ws.running, w)
	if own {
		ow := worker.NewOwn(tc, ws.Own, acts)
		if err := worker.Start(ow, ws.Own); err != nil {
			ws.Stop()
			return nil, err
		}
		ws.running = append(ws.running, ow)
	}
	return ws, nil
}

// Stop stops the workers, the last started first.
func (ws *Workers) Stop() {
	for i := len(ws.running) - 1; i >= 0; i-- {
		ws.running[i].Stop()
	}
	ws.running = nil
}

// Report runs the process reporter (package procstat) under role until
// ctx ends or the returned stop is called; stop waits for its last report.
func Report(ctx context.Context, eng *engine.Engines, role string, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		procstat.Reporter{Coll: eng.Hub.C(hub.Processes), Role: role, Log: log}.Run(ctx)
	}()
	return func() { cancel(); <-reported }
}

// Serving is a hub server serving on a listener.
type Serving struct {
	Server *server.Server
	// Done receives the server's error when it stops by itself (nil when
	// Shutdown stopped it).
	Done <-chan error
}

// Serve starts a hub server built from deps on ln.
func Serve(ln net.Listener, deps server.Deps) *Serving {
	srv := server.New(deps)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return &Serving{Server: srv, Done: done}
}

// Shutdown stops the server, waiting for requests in flight until ctx ends.
func (s *Serving) Shutdown(ctx context.Context) error { return s.Server.Shutdown(ctx) }

// Listen takes the address of --listen for the server or a data API, so
// that a taken port fails before anything else starts, with one message
// that says which flag to change.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		var se *os.SyscallError
		if errors.As(err, &se) {
			err = se.Err
		}
		return nil, fmt.Errorf("--listen %s: cannot listen: %w (choose another with --listen or STUDIO_LISTEN)", addr, err)
	}
	return ln, nil
}
