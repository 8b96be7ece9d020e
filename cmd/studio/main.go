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

	"studio/internal/app/config"
	"studio/internal/app/version"
)

// command is one verb of the binary: an engine verb (run), a client verb
// of the hub API (client), and/or sub-verbs (`studio buildconf create`).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error
	// needsConfig is false for verbs that take their own flags only.
	needsConfig bool
	client      *verb
	subs        []subVerb
}

func commandsList() []command {
	return []command{
		{name: "dev", summary: "run the whole product on embedded engines (Temporal dev server, SQLite, Bleve)", run: runDev, needsConfig: true},
		{name: "worker", summary: "run a worker against external engines (TEMPORAL_ADDRESS, MONGO_URI, ES_URL)", run: runWorker, needsConfig: true},
		{name: "server", summary: "run the Studio server (hub API, /ws, web app) against external engines", run: runServer, needsConfig: true},
		{name: "api", summary: "serve one index as a BioThings data API; or create, start, stop, delete, list the hub's APIs", run: runAPI, subs: apiVerbs},
		{name: "status", summary: "print the /status of a running hub", client: &verb{"", "print the /status of a running hub", runStatus}},
		{name: "commands", summary: "list the commands (workflows) of a running hub", client: &verb{"[--running] [--type T] [--limit N | --all]", "list the commands (workflows) of a running hub, newest first", runCommands}},
		{name: "watch", summary: "follow a command until it ends (or show how it ended)", client: &verb{"<command id>", "follow a command, e.g. dump/cgi, with live progress until it ends; on a finished command, print how it ended", runWatch}},
		{name: "cancel", summary: "cancel a running command", client: &verb{"<command id>", "cancel a running command, e.g. dump/cgi; running the step again resumes from what it kept", runCancel}},
		{name: "selfcheck", summary: "run the hub self-check workflow and follow it", client: &verb{"[--note N]", "run the hub self-check workflow and follow it", runSelfCheck}},
		{name: "register", summary: "register a data plugin from a git URL or a folder", client: &verb{"[--ref R] <git URL or folder>", "register (or update) a data plugin from a git URL, a local repository or a folder (local:///path)", runRegister}},
		{name: "plugin", summary: "make a data plugin from a data file's URL, without code (studio plugin new <URL>)", run: runPlugin},
		{name: "sources", summary: "list the sources, their dump and upload state", client: &verb{"", "list the sources with their dump state, release and uploaded documents", runSources}},
		{name: "dump", summary: "dump (download) a source, then follow the upload it starts", client: &verb{"[--force] [--release R] [--dump-only] <source>", "dump (download) a source and follow it, then follow the upload the dump starts by itself; --json prints {\"dump\": <command>, \"upload\": <command or null>}", runDump}},
		{name: "upload", summary: "upload (parse and store) a source and follow it", client: &verb{"[--sub S] <source>", "upload (parse and store) a source and follow it", runUpload}},
		{name: "inspect", summary: "inspect a source (or a build) into a suggested mapping", client: &verb{"[--mode mapping,type,stats] [--limit N] [--sample X] [--build] <source>", "inspect a source's documents (or a build's, with --build) into a type tree, statistics and a suggested mapping, and follow it", runInspect}},
		{name: "mapping", summary: "show a source's mapping; commit, validate, edit a field", client: &mappingShow, subs: mappingVerbs},
		{name: "buildconf", summary: "build configurations: list, show, create, delete", subs: buildconfVerbs},
		{name: "build", summary: "build (merge) a configuration's sources and follow it", client: &verb{"<build configuration>", "start a build of a build configuration (merge its sources) and follow it", runBuild}},
		{name: "builds", summary: "list the builds", client: &verb{"", "list the builds, newest first", runBuilds}},
		{name: "release", summary: "release a build into an index, full or incremental", client: &verb{"<build> [--index NAME] [--full | --incremental] [--old-index NAME] [--purge]", releaseHelp, runRelease}},
		{name: "release-note", summary: "print the release note of a build against the previous one", client: &verb{"[--old BUILD] <build>", "print the release note of an incremental release: what changed from --old (default: the previous build of the same configuration) to <build>", runReleaseNote}},
		{name: "version", summary: "print the version", run: func(_ context.Context, _ config.Config, _ []string, w io.Writer) error {
			_, err := fmt.Fprintln(w, "studio", version.Version)
			return err
		}},
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

// exitCode is 0 for asked-for help, 2 for a usage error, 1 otherwise (the
// hub answered an error, or a command failed).
func exitCode(err error) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
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
		if len(c.subs) > 0 {
			if ran, err := runSub(ctx, c, args[1:], stdout, stderr); ran {
				return err
			}
		}
		if c.client != nil {
			return runClient(ctx, c.name, *c.client, c.subs, args[1:], stdout, stderr)
		}
		if c.run == nil {
			subUsage(stderr, c)
			return fmt.Errorf("%w: studio %s <%s>", errUsage, c.name, subNames(c))
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
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\n`studio <command> -h` shows a command's usage and flags. Client commands talk to the hub\n"+
		"at --hub (env STUDIO_HUB, default http://127.0.0.1:8080) with the token in STUDIO_HUB_TOKEN,\n"+
		"print JSON with --json, and exit 1 when the hub answers an error or a command fails, 2 on bad usage.\n")
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
