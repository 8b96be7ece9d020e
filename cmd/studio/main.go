// Command studio is BioThings Studio re-made in Go: one binary that runs the
// whole product on embedded engines (`studio dev`), or its worker and server
// against production engines, and talks to a running hub from a terminal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"studio/internal/config"
	"studio/internal/version"
)

// command is one verb of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error
	// needsConfig is false for verbs that take their own flags only.
	needsConfig bool
}

func commandsList() []command {
	return []command{
		{"dev", "run the whole product on embedded engines (Temporal dev server, SQLite, Bleve)", runDev, true},
		{"worker", "run a worker against external engines (TEMPORAL_ADDRESS, MONGO_URI, ES_URL)", runWorker, true},
		{"server", "run the Studio server (hub API, /ws, web app) against external engines", runServer, true},
		{"api", "serve one index as a BioThings data API (stateless, for production)", runAPI, false},
		{"status", "print the /status of a running hub", runStatus, false},
		{"commands", "list the commands (workflows) of a running hub", runCommands, false},
		{"selfcheck", "run the hub self-check workflow on a running hub and wait for it", runSelfCheck, false},
		{"register", "register a data plugin from a git URL or a folder", runRegister, false},
		{"sources", "list the sources and their dump state", runSources, false},
		{"dump", "dump (download) a source and follow its progress", runSourceCommand("dump"), false},
		{"upload", "upload (parse and store) a source and follow its progress", runSourceCommand("upload"), false},
		{"version", "print the version", func(_ context.Context, _ config.Config, _ []string, w io.Writer) error {
			_, err := fmt.Fprintln(w, "studio", version.Version)
			return err
		}, false},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "studio:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range commandsList() {
		if c.name != args[0] {
			continue
		}
		cfg := config.Default()
		if !c.needsConfig {
			return c.run(ctx, cfg, args[1:], stdout)
		}
		fs, err := cfg.FlagSet("studio " + c.name)
		if err != nil {
			return err
		}
		fs.SetOutput(stderr)
		fs.Usage = func() {
			fmt.Fprintf(stderr, "usage: studio %s [flags]\n\n%s.\n\nFlags (each also read from the environment variable named):\n", c.name, c.summary)
			fs.PrintDefaults()
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		return c.run(ctx, cfg, fs.Args(), stdout)
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "studio %s: turn public data files into searchable BioThings APIs.\n\nusage: studio <command> [flags]\n\ncommands:\n", version.Version)
	for _, c := range commandsList() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\n`studio <command> -h` lists a command's flags and the environment variables they read.\n")
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
