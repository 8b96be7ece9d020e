// Package server is the Studio server: the hub REST API, the /ws live
// channel and the web app's files, on fiber. It starts workflows through the
// Temporal client and never runs pipeline work itself; what it shows comes
// from Temporal and the hub database.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/sdk/client"

	"studio/internal/domain/explorer"
	"studio/internal/domain/hub"
	"studio/internal/domain/plugingen"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/feed"
)

// Deps is what the server needs.
type Deps struct {
	Temporal        client.Client
	TemporalAddress string
	TemporalUIURL   string // empty when no Web UI is known
	Namespace       string
	TaskQueue       string
	Hub             docstore.Store
	Src             docstore.Store
	Target          docstore.Store
	Search          search.Engine
	Log             *slog.Logger
	// FullReleasePercent: above this share of changed documents, a full
	// release is recommended (default 50).
	FullReleasePercent int
	// GeneratedPlugins is the folder of the plugins made from a file URL
	// (<data>/generated-plugins); empty answers those routes with 503.
	GeneratedPlugins string
	// TokenHash, when set, is the SHA-256 (hex) of the token every hub API
	// request and the live channel must carry (package hubauth).
	TokenHash string
}

// bodyLimit bounds request bodies of the hub API: mappings and build
// configurations are small, and data never travels through the hub API.
const bodyLimit = 8 << 20

// Server is the Studio server.
type Server struct {
	deps    Deps
	app     *fiber.App
	cmds    commands.Reader
	live    *fanout
	started time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	samples *plugingen.Cache // samples of data files, for live previews
	explore *explorer.APIs   // data APIs of the explorer, per index
}

// New builds the server and its routes.
func New(deps Deps) *Server {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	s := &Server{
		deps:    deps,
		cmds:    commands.Reader{C: deps.Temporal, Namespace: deps.Namespace},
		live:    newHub(deps.Log),
		started: time.Now(),
		samples: plugingen.NewCache(8, plugingen.Limits{}),
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "studio",
		DisableStartupMessage: true,
		ErrorHandler:          s.errorHandler,
		BodyLimit:             bodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	s.routes()
	return s
}

// records reads and writes the hub's records.
func (s *Server) records() hub.Records { return hub.Records{Store: s.deps.Hub} }

// App exposes the fiber app, for tests that call it without a listener.
func (s *Server) App() *fiber.App { return s.app }

// Serve serves on ln until Shutdown; it also runs the live feed.
func (s *Server) Serve(ln net.Listener) error {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		w := &feed.Watcher{Reader: s.cmds, Emit: func(e feed.Event) { s.live.broadcast(e) }, Log: s.deps.Log, Active: s.live.active}
		w.Run(ctx)
	}()
	if err := s.app.Listener(ln); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	}
	return nil
}

// Shutdown stops accepting requests, closes live channels and waits for
// requests in flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.live.closeAll()
	_ = s.samples.Close()
	return s.app.ShutdownWithContext(ctx)
}
