package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/sdk/client"

	"studio/internal/app/config"
	"studio/internal/app/devstack"
	"studio/internal/app/hubauth"
	"studio/internal/app/program"
	"studio/internal/engine"
)

// runDev is `studio dev`.
func runDev(ctx context.Context, cfg config.Config, _ []string, stdout io.Writer) error {
	log := newLogger(cfg.LogLevel, os.Stderr)
	st, err := devstack.Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	st.URLs.Print(stdout)
	printToken(stdout, st.FreshToken)
	waitErr := st.Wait(ctx)
	fmt.Fprintln(stdout, "Stopping Studio…")
	stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(waitErr, st.Stop(stopCtx))
}

// external opens the production engines named by the configuration
// and the Temporal client; close undoes both.
func external(ctx context.Context, cfg config.Config, log *slog.Logger) (eng *engine.Engines, tc client.Client, closeAll func(), err error) {
	if cfg.TemporalAddress == "" {
		return nil, nil, nil, errors.New("--temporal-address (TEMPORAL_ADDRESS) is required; use `studio dev` for the embedded engines")
	}
	if err := cfg.PrepareDataDir(); err != nil {
		return nil, nil, nil, err
	}
	if eng, err = engine.Open(ctx, cfg); err != nil {
		return nil, nil, nil, err
	}
	if tc, err = engine.DialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, cfg.ConnectTimeout, log); err != nil {
		eng.Close()
		return nil, nil, nil, err
	}
	return eng, tc, func() { tc.Close(); eng.Close() }, nil
}

// runWorker is `studio worker`.
func runWorker(ctx context.Context, cfg config.Config, _ []string, stdout io.Writer) error {
	log := newLogger(cfg.LogLevel, os.Stderr)
	eng, tc, closeAll, err := external(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	// Data folders are not shared between workers: the steps that read a
	// dump's or a diff's files come to this worker's own queue.
	ws, err := program.StartWorkers(cfg, eng, tc, log, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Studio worker polling task queues %q and %q (its own: the files in %s) on %s\n", cfg.TaskQueue, ws.Own, cfg.DataDir, cfg.TemporalAddress)
	stopReports := program.Report(ctx, eng, "worker", log)
	<-ctx.Done()
	stopReports()
	ws.Stop()
	return nil
}

// runServer is `studio server`.
func runServer(ctx context.Context, cfg config.Config, _ []string, stdout io.Writer) error {
	log := newLogger(cfg.LogLevel, os.Stderr)
	ln, err := program.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	eng, tc, closeAll, err := external(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAll()
	tokenHash, fresh, err := hubauth.Setup(cfg.DataDir, cfg.Listen, cfg.HubToken)
	if err != nil {
		return err
	}
	printToken(stdout, fresh)
	srv := program.Serve(ln, program.ServerDeps(cfg, eng, tc, log, tokenHash))
	fmt.Fprintf(stdout, "Studio server on http://%s\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-srv.Done:
		return err
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(stopCtx)
}

// printToken shows a newly generated hub token, the only time it is shown.
func printToken(w io.Writer, token string) {
	if token == "" {
		return
	}
	fmt.Fprintf(w, "The hub API listens beyond loopback, so it needs a token. It is shown this once\n(only its hash is kept): %s\nClients send it as \"Authorization: Bearer <token>\"; the CLI reads STUDIO_HUB_TOKEN.\n", token)
}
