// Package engine opens the engines a Studio process works with, as the
// configuration says: the document stores (MongoDB, or SQLite files in the
// data folder), the search engine (Elasticsearch, or Bleve indexes in the
// data folder) and the Temporal client. Nothing above it knows which
// implementation it got.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"studio/internal/app/config"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/mongo"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
)

// Databases are the three document databases, named as in BioThings.
var Databases = []string{"hub", "src", "target"}

// Engines are the opened document stores and search engine.
type Engines struct {
	Hub    docstore.Store // hub records: src_dump, src_master, src_build, ...
	Src    docstore.Store // uploaded source collections
	Target docstore.Store // merged build collections
	Search search.Engine
}

// Open opens the stores and the search engine. On error, whatever was
// opened is closed again.
func Open(ctx context.Context, cfg config.Config) (_ *Engines, err error) {
	e := &Engines{}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	stores := []*docstore.Store{&e.Hub, &e.Src, &e.Target}
	for i, name := range Databases {
		if *stores[i], err = openStore(ctx, cfg, name); err != nil {
			return nil, err
		}
	}
	if e.Search, err = OpenSearch(ctx, cfg); err != nil {
		return nil, err
	}
	return e, nil
}

func openStore(ctx context.Context, cfg config.Config, name string) (docstore.Store, error) {
	if cfg.MongoURI != "" {
		ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
		st, err := mongo.Open(ctx, cfg.MongoURI, cfg.MongoDatabase+"_"+name, mongo.Options{BatchSize: cfg.MongoBatch})
		if err != nil {
			return nil, fmt.Errorf("MongoDB (MONGO_URI) database %s_%s: %w", cfg.MongoDatabase, name, err)
		}
		return st, nil
	}
	dir := cfg.Sub("db")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("document store folder %s: %w", dir, err)
	}
	path := filepath.Join(dir, name+".sqlite")
	st, err := sqlite.Open(path)
	if err != nil {
		return nil, fmt.Errorf("document store %s: %w", path, err)
	}
	return st, nil
}

// OpenSearch opens the configured search engine alone (for `studio api`).
func OpenSearch(ctx context.Context, cfg config.Config) (search.Engine, error) {
	if cfg.ESURL != "" {
		ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
		eng, err := elasticsearch.Open(ctx, cfg.ESURL)
		if err != nil {
			return nil, fmt.Errorf("elasticsearch (ES_URL): %w", err)
		}
		return eng, nil
	}
	dir := cfg.Sub("indexes")
	eng, err := bleve.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("bleve indexes %s: %w", dir, err)
	}
	return eng, nil
}

// Close closes every engine that was opened.
func (e *Engines) Close() error {
	var errs []error
	for _, st := range []docstore.Store{e.Hub, e.Src, e.Target} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if e.Search != nil {
		errs = append(errs, e.Search.Close())
	}
	return errors.Join(errs...)
}

// DialTemporal connects to a Temporal frontend and checks it answers within
// the configured connect timeout.
func DialTemporal(ctx context.Context, address, namespace string, timeout time.Duration, log *slog.Logger) (client.Client, error) {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  address,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(log.With("component", "temporal-sdk")),
	})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s (TEMPORAL_ADDRESS) not reachable: %w", address, err)
	}
	return c, nil
}
