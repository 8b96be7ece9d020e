// Package config holds the one configuration struct that every studio
// command reads, from flags first and environment variables second.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of a studio process. Fields that a
// command does not use are ignored by it.
type Config struct {
	// DataDir holds downloaded data, plugins, the embedded databases, the
	// Bleve indexes and the Temporal dev server's database.
	DataDir string
	// Listen is the host:port of the Studio server (hub API, /ws, web app).
	Listen string
	// HubToken protects the hub API; listening beyond loopback without one
	// generates one (shown once, stored hashed in the data folder).
	HubToken string

	// TemporalAddress is the frontend of an external Temporal cluster.
	// `studio dev` ignores it and starts its own dev server.
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	// TemporalCLI is the temporal CLI binary that `studio dev` runs.
	TemporalCLI string
	// TemporalPort and TemporalUIPort are the dev server's ports (0 = free).
	TemporalPort   int
	TemporalUIPort int

	// MongoURI selects MongoDB for the document store; empty = SQLite.
	MongoURI string
	// MongoDatabase is the prefix of the three Mongo databases
	// (<prefix>_hub, <prefix>_src, <prefix>_target).
	MongoDatabase string
	// MongoBatch is the most statements sent in one write command.
	MongoBatch int

	// ESURL selects Elasticsearch for the search engine; empty = Bleve.
	ESURL string

	// UnpackMaxBytes bounds what one archive may unpack to.
	UnpackMaxBytes int64
	// ParserNoProgress kills a Python parser that emits nothing for this long.
	ParserNoProgress time.Duration
	// ParserMaxMemory bounds a Python parser's address space (0 = no bound).
	ParserMaxMemory int64
	// Python is the interpreter data plugins' Python code runs under.
	Python string
	// ParserBiothings is the biothings package Python parsers import:
	// studio (the runner's own), installed (the interpreter's) or auto.
	ParserBiothings string
	// FullReleasePercent is the share of changed documents (in percent of
	// the new build) above which the Studio recommends a full release over
	// an incremental one.
	FullReleasePercent int

	// WorkerGoneAfter is how long a task may wait on a worker's own queue
	// (the worker holding a dump's or a diff's files) before that worker is
	// presumed gone and the files are made again on another.
	WorkerGoneAfter time.Duration

	// ConnectTimeout bounds each attempt to reach an external engine.
	ConnectTimeout time.Duration
	// LogLevel is debug, info, warn or error.
	LogLevel string
}

// entry binds one field to its flag name, environment variables and help.
type entry struct {
	flag string
	env  []string
	help string
	bind func(fs *flag.FlagSet, name, help string)
}

// DefaultTaskQueue is the task queue of a configuration that names none:
// the contract's (contract.TaskQueue, which a test keeps equal), written
// here so that the configuration, which the engines read, does not pull in
// the pipeline's types.
const DefaultTaskQueue = "studio"

// Default returns the configuration before flags and environment.
func Default() Config {
	return Config{
		DataDir:            "data",
		Listen:             "127.0.0.1:8080",
		TemporalNamespace:  "default",
		TaskQueue:          DefaultTaskQueue,
		MongoDatabase:      "studio",
		MongoBatch:         99,
		UnpackMaxBytes:     20 << 30,
		FullReleasePercent: 50,
		ConnectTimeout:     10 * time.Second,
		WorkerGoneAfter:    time.Minute,
		ParserBiothings:    "studio",
		Python:             "python3",
		LogLevel:           "info",
	}
}

func (c *Config) entries() []entry {
	str := func(p *string) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.StringVar(p, n, *p, h) }
	}
	num := func(p *int) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.IntVar(p, n, *p, h) }
	}
	big := func(p *int64) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.Var(byteSize{p}, n, h) }
	}
	dur := func(p *time.Duration) func(*flag.FlagSet, string, string) {
		return func(fs *flag.FlagSet, n, h string) { fs.DurationVar(p, n, *p, h) }
	}
	return []entry{
		{"data-dir", []string{"STUDIO_DATA_DIR", "DATA_DIR"}, "data folder (downloads, plugins, embedded databases, indexes)", str(&c.DataDir)},
		{"listen", []string{"STUDIO_LISTEN"}, "host:port of the Studio server (hub API, /ws, web app)", str(&c.Listen)},
		{"hub-token", []string{"STUDIO_HUB_TOKEN"}, "token the hub API requires (default: none on loopback; elsewhere one is generated on first start and shown once)", str(&c.HubToken)},
		{"temporal-address", []string{"TEMPORAL_ADDRESS"}, "Temporal frontend host:port (worker, server; `dev` starts its own)", str(&c.TemporalAddress)},
		{"temporal-namespace", []string{"TEMPORAL_NAMESPACE"}, "Temporal namespace", str(&c.TemporalNamespace)},
		{"task-queue", []string{"STUDIO_TASK_QUEUE"}, "Temporal task queue of the Studio worker", str(&c.TaskQueue)},
		{"temporal-cli", []string{"STUDIO_TEMPORAL_CLI"}, "temporal CLI binary run by `dev` (default: temporal beside the studio binary, then PATH)", str(&c.TemporalCLI)},
		{"temporal-port", []string{"STUDIO_TEMPORAL_PORT"}, "`dev`: Temporal frontend port on loopback (0 = a free one)", num(&c.TemporalPort)},
		{"temporal-ui-port", []string{"STUDIO_TEMPORAL_UI_PORT"}, "`dev`: Temporal Web UI port on loopback (0 = a free one)", num(&c.TemporalUIPort)},
		{"mongo-uri", []string{"MONGO_URI"}, "MongoDB URI for the document store (empty = embedded SQLite)", str(&c.MongoURI)},
		{"mongo-database", []string{"MONGO_DATABASE"}, "prefix of the Mongo databases (<prefix>_hub, _src, _target)", str(&c.MongoDatabase)},
		{"mongo-batch", []string{"MONGO_BATCH"}, "most statements per Mongo write command (FerretDB v1 needs <= 99)", num(&c.MongoBatch)},
		{"es-url", []string{"ES_URL"}, "Elasticsearch URL for the search engine (empty = embedded Bleve)", str(&c.ESURL)},
		{"unpack-max-bytes", []string{"STUDIO_UNPACK_MAX_BYTES"}, "most one downloaded archive may unpack to, in bytes or with a unit such as 20GiB (zip bombs stop there)", big(&c.UnpackMaxBytes)},
		{"parser-no-progress", []string{"STUDIO_PARSER_NO_PROGRESS"}, "kill a Python parser that emits no document for this long", dur(&c.ParserNoProgress)},
		{"parser-max-memory", []string{"STUDIO_PARSER_MAX_MEMORY"}, "memory a Python parser may use, in bytes or with a unit such as 8GiB (0 = no limit)", big(&c.ParserMaxMemory)},
		{"python", []string{"STUDIO_PYTHON"}, "Python interpreter that runs data plugins' code (parsers, release and mapping functions); the packages a plugin requires must be importable by it", str(&c.Python)},
		{"parser-biothings", []string{"STUDIO_PARSER_BIOTHINGS"}, "biothings package Python parsers import: studio (Studio's own), installed (the interpreter's; failing without it) or auto (installed when importable, else studio)", str(&c.ParserBiothings)},
		{"full-release-percent", []string{"STUDIO_FULL_RELEASE_PERCENT"}, "changed documents (percent of the build) above which a full release is recommended over an incremental one", num(&c.FullReleasePercent)},
		{"worker-gone-after", []string{"STUDIO_WORKER_GONE_AFTER"}, "`worker`: how long a step waits for the worker holding its files (a dump's downloads, a diff) before that worker is presumed gone and the files are made again elsewhere", dur(&c.WorkerGoneAfter)},
		{"connect-timeout", []string{"STUDIO_CONNECT_TIMEOUT"}, "how long to try reaching an external engine", dur(&c.ConnectTimeout)},
		{"log-level", []string{"STUDIO_LOG_LEVEL"}, "debug, info, warn or error", str(&c.LogLevel)},
	}
}

// FlagSet returns a flag set for the command name bound to c, after applying
// the environment to c so that flags override the environment.
func (c *Config) FlagSet(name string) (*flag.FlagSet, error) {
	if err := c.applyEnv(os.LookupEnv); err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, e := range c.entries() {
		e.bind(fs, e.flag, fmt.Sprintf("%s (env %s)", e.help, strings.Join(e.env, ", ")))
	}
	return fs, nil
}

func (c *Config) applyEnv(lookup func(string) (string, bool)) error {
	for _, e := range c.entries() {
		for _, name := range e.env {
			v, ok := lookup(name)
			if !ok || v == "" {
				continue
			}
			fs := flag.NewFlagSet("env", flag.ContinueOnError)
			fs.SetOutput(discard{})
			e.bind(fs, e.flag, "")
			if err := fs.Set(e.flag, v); err != nil {
				return fmt.Errorf("environment variable %s=%q: %w", name, v, err)
			}
			break
		}
	}
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Validate checks values that flags cannot check by type.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q: want host:port: %w", c.Listen, err))
	}
	for name, p := range map[string]int{"--temporal-port": c.TemporalPort, "--temporal-ui-port": c.TemporalUIPort} {
		if p < 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s %d: want 0..65535", name, p))
		}
	}
	if c.MongoBatch < 1 {
		errs = append(errs, fmt.Errorf("--mongo-batch %d: want at least 1", c.MongoBatch))
	}
	switch c.ParserBiothings {
	case "studio", "installed", "auto":
	default:
		errs = append(errs, fmt.Errorf("--parser-biothings %q: want studio, installed or auto", c.ParserBiothings))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// Sub returns a path inside the data folder.
func (c *Config) Sub(parts ...string) string {
	return filepath.Join(append([]string{c.DataDir}, parts...)...)
}

// PrepareDataDir creates the data folder and checks it is writable.
func (c *Config) PrepareDataDir() error {
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("data folder %s: %w", c.DataDir, err)
	}
	c.DataDir = abs
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("data folder %s: cannot create: %w", abs, unwrapPath(err))
	}
	probe := filepath.Join(abs, ".write-check-"+strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("data folder %s: not writable: %w", abs, unwrapPath(err))
	}
	return os.Remove(probe)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// EnvNames lists the environment variables the settings read.
func (c *Config) EnvNames() []string {
	var out []string
	for _, e := range c.entries() {
		out = append(out, e.env...)
	}
	return out
}
