// Package devstack runs the whole product in one process on the embedded
// engines: it supervises the Temporal dev server (the official temporal CLI
// as a child process), opens the document stores and the search engine in
// the data folder, and runs the worker and the Studio server. It is what
// `studio dev` does.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"studio/internal/config"
	"studio/internal/engines"
	"studio/server"
	"studio/worker"
)

// URLs are where the running stack can be reached.
type URLs struct {
	Studio           string `json:"studio"`
	HubAPI           string `json:"hub_api"`
	Websocket        string `json:"websocket"`
	TemporalFrontend string `json:"temporal_frontend"`
	TemporalUI       string `json:"temporal_ui"`
}

// Stack is a running `studio dev`.
type Stack struct {
	URLs     URLs
	Temporal *Temporal
	Engines  *engines.Engines

	log     *slog.Logger
	worker  sdkworker.Worker
	server  *server.Server
	served  chan error
	closers []func() error // in start order; closed in reverse
}

// Start brings the stack up. Any failure stops what was already started
// and returns one error naming what failed and where.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *Stack, err error) {
	if log == nil {
		log = slog.Default()
	}
	s := &Stack{log: log}
	defer func() {
		if err != nil {
			_ = s.Stop(context.Background())
		}
	}()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.PrepareDataDir(); err != nil {
		return nil, err
	}
	cli, err := FindTemporalCLI(cfg.TemporalCLI)
	if err != nil {
		return nil, err
	}
	// Take the Studio port first: a taken port must fail before anything
	// else starts.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: cannot listen: %w (choose another with --listen or STUDIO_LISTEN)", cfg.Listen, unwrapOp(err))
	}
	s.closers = append(s.closers, func() error { _ = ln.Close(); return nil })

	// The Temporal dev server takes most of the start-up time: open the
	// stores while it starts.
	type opened struct {
		e   *engines.Engines
		err error
	}
	engCh := make(chan opened, 1)
	go func() {
		e, err := engines.Open(ctx, cfg)
		engCh <- opened{e, err}
	}()
	if err := os.MkdirAll(cfg.Sub("logs"), 0o755); err != nil {
		return nil, fmt.Errorf("log folder %s: %w", cfg.Sub("logs"), err)
	}
	t, terr := StartTemporal(ctx, TemporalOptions{
		CLI:       cli,
		DBFile:    cfg.Sub("temporal.db"),
		LogFile:   cfg.Sub("logs", "temporal.log"),
		Port:      cfg.TemporalPort,
		UIPort:    cfg.TemporalUIPort,
		Namespace: cfg.TemporalNamespace,
		Log:       log,
	})
	eng := <-engCh
	if eng.e != nil {
		s.Engines = eng.e
		s.closers = append(s.closers, eng.e.Close)
	}
	if terr != nil {
		return nil, terr
	}
	s.Temporal = t
	s.closers = append(s.closers, t.Stop)
	if eng.err != nil {
		return nil, eng.err
	}

	tc, err := engines.DialTemporal(ctx, t.Frontend, cfg.TemporalNamespace, cfg.ConnectTimeout, log)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func() error { tc.Close(); return nil })

	s.worker = worker.New(tc, cfg.TaskQueue, worker.Activities(cfg, s.Engines, tc, log))
	if err := worker.Start(s.worker, cfg.TaskQueue); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func() error { s.worker.Stop(); return nil })

	s.server = server.New(server.Deps{
		Temporal: tc, TemporalAddress: t.Frontend, TemporalUIURL: t.UIURL,
		Namespace: cfg.TemporalNamespace, TaskQueue: cfg.TaskQueue,
		Hub: s.Engines.Hub, Src: s.Engines.Src, Target: s.Engines.Target,
		Search: s.Engines.Search, Log: log, FullReleasePercent: cfg.FullReleasePercent,
	})
	s.served = make(chan error, 1)
	go func() { s.served <- s.server.Serve(ln) }()
	s.closers = append(s.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.server.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()
	s.URLs = URLs{
		Studio:           base + "/",
		HubAPI:           base,
		Websocket:        "ws://" + ln.Addr().String() + "/ws",
		TemporalFrontend: t.Frontend,
		TemporalUI:       t.UIURL,
	}
	if err := waitHTTP(ctx, base+"/status"); err != nil {
		return nil, err
	}
	return s, nil
}

// waitHTTP waits until url answers, so that Start returns a usable stack.
func waitHTTP(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("studio server at %s not answering: %w", url, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Wait blocks until ctx ends or the server stops by itself.
func (s *Stack) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.served:
		if err == nil {
			err = errors.New("studio server stopped")
		}
		return err
	}
}

// Stop stops everything in the reverse order of start.
func (s *Stack) Stop(ctx context.Context) error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Print writes the URLs for a person at a terminal.
func (u URLs) Print(w io.Writer) {
	fmt.Fprintf(w, "Studio is ready.\n")
	fmt.Fprintf(w, "  Studio web app     %s\n", u.Studio)
	fmt.Fprintf(w, "  Hub REST API       %s  (e.g. %s/status)\n", u.HubAPI, u.HubAPI)
	fmt.Fprintf(w, "  Live channel       %s\n", u.Websocket)
	fmt.Fprintf(w, "  Temporal frontend  %s  (temporal --address %s ...)\n", u.TemporalFrontend, u.TemporalFrontend)
	fmt.Fprintf(w, "  Temporal Web UI    %s\n", u.TemporalUI)
	fmt.Fprintf(w, "Press Ctrl-C to stop.\n")
}
