// Package ferrettest starts FerretDB v1 in-process, with its SQLite
// backend in a folder, as a real MongoDB wire-protocol server for tests
// and benchmarks. Only tests and the docbench tool import it, so the
// studio binary never links FerretDB.
package ferrettest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running FerretDB.
type Server struct {
	URI  string
	stop context.CancelFunc
	done chan error
}

// Start runs FerretDB on a random loopback port with its SQLite files in
// dir. A nil logger logs warnings and errors to stderr.
func Start(dir string, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("ferrettest: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("ferrettest: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger.With("component", "ferretdb"),
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("ferrettest: start FerretDB in %s: %w", abs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- f.Run(ctx) }()
	s.URI = f.MongoDBURI() // waits until the listener is up
	return s, nil
}

// Stop shuts FerretDB down and waits for it.
func (s *Server) Stop() error {
	s.stop()
	return <-s.done
}

// StartT starts FerretDB in a temporary folder of tb, stops it when tb
// ends, and returns its URI. Only errors are logged, to keep test output
// quiet.
func StartT(tb testing.TB) string {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	s, err := Start(tb.TempDir(), logger)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("stop FerretDB: %v", err)
		}
	})
	return s.URI
}
