package activities

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/dataapi"
	"studio/internal/domain/hub"
)

// APIServe serves the instance's index as a BioThings data API on its port
// until the workflow is canceled. It heartbeats while it serves, so that if
// its worker dies, Temporal retries it on another and the API comes back.
func (a *Activities) APIServe(ctx context.Context, in APIInput) error {
	rec, err := a.records().DataAPI(ctx, in.Name)
	if err != nil {
		return nonRetryable("NoAPI", fmt.Errorf("API %s: %w", in.Name, err))
	}
	index, port, host := rec.Index, rec.Port, rec.Host
	if host == "" {
		host = "127.0.0.1"
	}
	cfg := dataapi.Config{Engine: a.Search, Index: index, Log: a.log().With("api", in.Name)}
	dataapi.InstanceSettings(rec).Apply(&cfg)
	h, err := dataapi.New(cfg)
	if err != nil {
		return nonRetryable("BadAPI", fmt.Errorf("API %s on index %s: %w", in.Name, index, err))
	}
	addr := net.JoinHostPort(host, strconv.FormatInt(port, 10))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		// The port may still be held by a dying attempt: retry.
		return fmt.Errorf("API %s: listen on %s: %w", in.Name, addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	_ = a.records().DataAPIRunning(ctx, in.Name, url, hub.Now())
	a.log().Info("data API serving", "api", in.Name, "index", index, "url", url)
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		activity.RecordHeartbeat(ctx, map[string]any{"url": url})
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(sctx)
			cancel()
			_ = a.records().DataAPIStopped(context.WithoutCancel(ctx), in.Name, hub.Now())
			return ctx.Err()
		case err := <-served:
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			}
			return fmt.Errorf("API %s stopped serving: %v", in.Name, err)
		case <-t.C:
		}
	}
}
