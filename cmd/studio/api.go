package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"studio/internal/app/config"
	"studio/internal/app/program"
	"studio/internal/domain/dataapi"
	"studio/internal/engine"
)

// runAPI is `studio api --index X --listen host:port`: one index served as a
// BioThings data API, stateless, for production behind a load balancer.
func runAPI(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs, err := cfg.FlagSet("studio api")
	if err != nil {
		return err
	}
	var index, docType string
	var settings dataapi.Settings
	fs.StringVar(&index, "index", os.Getenv("STUDIO_API_INDEX"), "index (or alias) to serve (env STUDIO_API_INDEX)")
	fs.StringVar(&docType, "doc-type", os.Getenv("STUDIO_API_DOC_TYPE"), "annotation route name (default: the index's biothing_type) (env STUDIO_API_DOC_TYPE)")
	settings.Flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: studio api --index NAME [--listen host:port] [flags]\n\nServe one index as a BioThings data API (/v1/query, /v1/<doc_type>/<id>, /v1/metadata).\nThe search engine is ES_URL, or the Bleve indexes of --data-dir.\n"+
			"The hub's own data APIs: studio api create|start|stop|delete|list (studio api create -h).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if index == "" {
		return fmt.Errorf("%w: --index is required", errUsage)
	}
	if err := settings.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, os.Stderr)
	ln, err := program.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	eng, err := engine.OpenSearch(ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	apiCfg := dataapi.Config{Engine: eng, Index: index, DocType: docType, Log: log}
	settings.Apply(&apiCfg)
	h, err := dataapi.New(apiCfg)
	if err != nil {
		return fmt.Errorf("index %s: %w", index, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "BioThings data API for index %s on http://%s/v1/ (e.g. /v1/metadata, /v1/query?q=*)\n", index, ln.Addr())
	select {
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
