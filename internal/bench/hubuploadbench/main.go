// Command hubuploadbench puts Studio's upload beside BioThings' own hub
// upload, for the same data plugin on the same file into the same MongoDB,
// in one run.
//
// It writes a CGI-shaped TSV of N rows (the 24 columns of the Cancer Genome
// Interpreter's cgi_biomarkers_per_variant.tsv; deterministic) and takes
// the BioThings Studio tutorial's CGI plugin, mvcgi (a manifest and a
// parser.py using biothings.utils.dataload), from a clone named by
// -plugin, STUDIO_MVCGI_PLUGIN or STUDIO_BIOTHINGS_TUTORIALS; without one
// it skips, saying so. It starts FerretDB in-process as the MongoDB, or
// uses MONGO_URI. Then:
//
//   - BioThings: the biothings package of the reference interpreter
//     (bin/pyref, `make pyref`) runs the hub's upload as its "upload"
//     command does, under a minimal hub config (hubrun.py): the
//     AssistantManager loads the plugin's manifest and generates its
//     uploader class (a BaseSourceUploader subclass with the manifest's
//     storage class), and UploaderManager.upload_src runs load_data and
//     the storage's batched bulk writes in a hub worker process, then
//     switches the temp collection live;
//   - Studio: the same plugin through pyparser.Run into an
//     uploadstore.Writer on Studio's Mongo document store, then Switch, as
//     the UploadRun activity does, with the manifest's on_duplicates; and,
//     when that is not "error", once more with "error" as a diagnosis of
//     the Writer's insert path. A Studio upload still running after
//     -studio-timeout is stopped and reported with what it had stored.
//
// It prints the docs/s of each, the parser alone beside them, the ratios
// Studio/BioThings, and compares the collections document by document:
// count, a checksum of canonical JSON, and the stored BSON bytes.
//
//	go run ./internal/bench/hubuploadbench -rows 200000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/manifest"
	"studio/internal/engine/docstore/mongo/ferrettest"
)

// pluginName is the tutorial's name for the CGI source: the plugin folder,
// and so the uploader and its collection, on both sides.
const pluginName = "mvcgi"

type config struct {
	rows, batch, mongoBatch, rounds int
	python, studioPython, dir       string
	plugins                         []string
	hashSeed                        string
	mongoURI                        string
	diagnose                        bool
	studioTimeout                   time.Duration
	cpuProfiles                     string
}

func main() {
	var c config
	plugin := flag.String("plugin", os.Getenv("STUDIO_MVCGI_PLUGIN"), "the tutorial's CGI plugin: a folder, or a git clone of it (default $STUDIO_MVCGI_PLUGIN; then $STUDIO_BIOTHINGS_TUTORIALS is searched)")
	flag.IntVar(&c.rows, "rows", 200_000, "rows of the generated CGI TSV")
	flag.IntVar(&c.batch, "batch", 10_000, "documents per storage batch on both sides: BioThings' batch_size (its default, 10000) and Studio's Writer BatchSize")
	flag.IntVar(&c.mongoBatch, "mongo-batch", 99, "Studio's most statements per Mongo write command (MONGO_BATCH; the product's default is 99)")
	flag.IntVar(&c.rounds, "rounds", 1, "upload this many times on each side (fresh databases each time) and keep the best")
	flag.StringVar(&c.python, "python", "bin/pyref/bin/python", "the interpreter holding biothings (make pyref)")
	flag.StringVar(&c.studioPython, "studio-python", "", "the interpreter of Studio's parser runner (default: -python, so both sides run the same Python)")
	flag.StringVar(&c.dir, "dir", "", "keep the generated files, logs and FerretDB data in this folder (default: a temporary folder, removed at the end)")
	flag.BoolVar(&c.diagnose, "diagnose", true, `when the manifest's on_duplicates is not "error", also run Studio's upload with "error" (the Writer's insert path)`)
	flag.DurationVar(&c.studioTimeout, "studio-timeout", 5*time.Minute, "stop a Studio upload after this long and report what it stored (0: no limit)")
	flag.StringVar(&c.cpuProfiles, "cpuprofile", "", "write a CPU profile of this process (Studio's writer, the Mongo driver and an in-process FerretDB) during each Studio upload into this folder")
	flag.StringVar(&c.hashSeed, "hashseed", "0", "PYTHONHASHSEED of every Python process: the parser iterates a set of lines, so a variant's rows are listed in an order it sets")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c.plugins = []string{*plugin, os.Getenv("STUDIO_BIOTHINGS_TUTORIALS")}
	c.mongoURI = os.Getenv("MONGO_URI")
	if c.rows < 1 || c.batch < 1 || c.mongoBatch < 1 || c.rounds < 1 {
		fmt.Fprintln(os.Stderr, "hubuploadbench: -rows, -batch, -mongo-batch and -rounds must be at least 1")
		os.Exit(2)
	}
	err := run(context.Background(), c)
	var skip skipError
	switch {
	case errors.As(err, &skip):
		fmt.Println("hubuploadbench: skipped:", skip.why)
	case err != nil:
		fmt.Fprintln(os.Stderr, "hubuploadbench:", err)
		os.Exit(1)
	}
}

// skipError is a missing prerequisite: the benchmark says which and exits 0,
// so `make bench` goes on.
type skipError struct{ why string }

func (e skipError) Error() string { return e.why }

// side is one uploader measured: BioThings, or Studio under one policy.
type side struct {
	label    string
	policy   string // Studio's on_duplicates; "" for BioThings
	elapsed  time.Duration
	docs     int64
	rounds   int    // rounds that finished
	stopped  bool   // a round ran out of -studio-timeout
	database string // where its collection is, from its last finished round
}

func (s *side) rate() float64 { return float64(s.docs) / s.elapsed.Seconds() }

// keep records a round, keeping the fastest.
func (s *side) keep(elapsed time.Duration, docs int64, database string) {
	if s.rounds == 0 || elapsed < s.elapsed {
		s.elapsed, s.docs = elapsed, docs
	}
	s.rounds++
	s.database = database
}

func run(ctx context.Context, c config) error {
	src, err := findCGIPlugin(c.plugins)
	if errors.Is(err, errNoPlugin) {
		return skipError{fmt.Sprintf("the BioThings Studio tutorial's CGI plugin (mvcgi: manifest.json and a parser.py reading %s) was not found: %v. "+
			"The tutorials repository holds only the PharmGKB plugin; the CGI one is the repository the tutorial registers (sirloon/mvcgi on GitHub): "+
			"clone it and pass -plugin DIR or set STUDIO_MVCGI_PLUGIN", benchkit.CGIFile, err)}
	}
	if err != nil {
		return err
	}
	python, version, err := checkPython(ctx, c.python)
	if err != nil {
		return err
	}
	studioPython := python
	if c.studioPython != "" {
		if studioPython, err = exec.LookPath(c.studioPython); err != nil {
			return fmt.Errorf("-studio-python: %w", err)
		}
		if studioPython, err = filepath.Abs(studioPython); err != nil {
			return err
		}
	}

	root, cleanup, err := benchkit.WorkDir(c.dir, "hubuploadbench")
	if err != nil {
		return err
	}
	defer cleanup()
	root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	dirs, err := newHubDirs(filepath.Join(root, "hub"))
	if err != nil {
		return err
	}
	pluginDir := filepath.Join(dirs.Plugins, pluginName)
	if err := os.RemoveAll(pluginDir); err != nil {
		return err
	}
	if err := src.materialize(pluginDir); err != nil {
		return fmt.Errorf("plugin from %s: %w", src, err)
	}
	plugin, err := loadStudioPlugin(pluginDir)
	if err != nil {
		return err
	}
	// Where the hub's dumper would have put the file: <archive>/<source>/<release>.
	dataFolder := filepath.Join(dirs.Archive, pluginName, "bench")
	if err := os.MkdirAll(dataFolder, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	st, err := writeCGI(filepath.Join(dataFolder, benchkit.CGIFile), c.rows)
	if err != nil {
		return err
	}
	fmt.Printf("hubuploadbench: %d rows of CGI-shaped TSV (%.1f MB; %d exact duplicate lines, %d variants, %d documents expected) made in %s\n",
		st.Rows, float64(st.Bytes)/1e6, st.Duplicates, st.Variants, st.Docs, time.Since(t0).Round(time.Millisecond))
	fmt.Printf("plugin:  %s, from %s; parser %s, on_duplicates %q\n", pluginName, src, plugin.up.Parser.Func, plugin.up.OnDuplicates)

	uri, where := c.mongoURI, ""
	if uri == "" {
		srv, err := ferrettest.Start(filepath.Join(root, "ferretdb"), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return err
		}
		defer srv.Stop()
		uri, where = srv.URI, "FerretDB "+moduleVersion("github.com/FerretDB/FerretDB")+" in-process (SQLite backend), "+strings.TrimSuffix(strings.TrimPrefix(srv.URI, "mongodb://"), "/")
	} else {
		where = "MONGO_URI " + redact(uri)
	}
	fmt.Printf("MongoDB: %s\n", where)
	fmt.Printf("Python:  %s (%s), PYTHONHASHSEED=%s; %d cores (GOMAXPROCS %d)\n", c.python, version, c.hashSeed, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if c.studioPython != "" {
		fmt.Printf("         Studio's parser runner: %s\n", c.studioPython)
	}
	fmt.Printf("batches: %d documents per storage batch on both sides; Studio's Mongo store sends at most %d per write command (MONGO_BATCH)\n\n", c.batch, c.mongoBatch)

	env := pythonEnv(c.hashSeed)
	prefix := fmt.Sprintf("hubbench%d", os.Getpid())
	defer dropDatabases(context.WithoutCancel(ctx), uri, prefix, c.mongoURI != "")

	// The parser alone, with the installed biothings: the floor of both.
	parse, err := runScript(ctx, python, dirs, env, filepath.Join(root, "parse.log"), "parse", pluginDir, plugin.up.Parser.Func, dataFolder)
	if err != nil {
		return fmt.Errorf("the plugin's parser alone: %w", err)
	}
	fmt.Printf("  parser alone: %d documents in %.2fs (after %.2fs of imports)\n", parse.Count, parse.ParseS, parse.ImportS)

	bt := &side{label: "BioThings hub: UploaderManager.upload_src -> success"}
	sides := []*side{bt, {label: fmt.Sprintf("Studio, on_duplicates %q (the manifest's)", plugin.up.OnDuplicates), policy: plugin.up.OnDuplicates}}
	if c.diagnose && plugin.up.OnDuplicates != manifest.OnDuplicatesError {
		sides = append(sides, &side{label: `Studio, on_duplicates "error" (diagnosis: insert path)`, policy: manifest.OnDuplicatesError})
	}
	var hubRes hubResult
	for r := 1; r <= c.rounds; r++ {
		dbs := hubDatabases{
			Src:    fmt.Sprintf("%s_r%d_bt_src", prefix, r),
			Target: fmt.Sprintf("%s_r%d_bt_target", prefix, r),
			HubDB:  fmt.Sprintf("%s_r%d_bt_hubdb", prefix, r),
		}
		if err := hubConfig(uri, dbs, dirs); err != nil {
			return err
		}
		runSide := func(s *side) error {
			if s == bt {
				log := filepath.Join(root, fmt.Sprintf("hub-round%d.log", r))
				res, err := runScript(ctx, python, dirs, env, log, "hub", dirs.App, pluginName, dataFolder, fmt.Sprint(c.batch))
				if err != nil {
					return err
				}
				if res.Status != "success" {
					return fmt.Errorf("BioThings' upload ended with status %q: %v (hub log: %s)", res.Status, res.Err, log)
				}
				elapsed := time.Duration(res.UploadS * float64(time.Second))
				fmt.Printf("  round %d %-52s %8d documents in %8.2fs (hub start %.2fs before it, not counted)\n", r, "BioThings", res.Count, elapsed.Seconds(), res.ImportS+res.StartS)
				bt.keep(elapsed, res.Count, dbs.Src)
				hubRes = res
				return nil
			}
			if s.stopped {
				return nil // it would run out of time again
			}
			db := fmt.Sprintf("%s_r%d_studio_%s", prefix, r, s.policy)
			stopProfile, err := startProfile(c.cpuProfiles, fmt.Sprintf("studio-%s-round%d.pprof", s.policy, r))
			if err != nil {
				return err
			}
			res, err := studioUpload(ctx, plugin, s.policy, uri, db, dataFolder, studioPython, env, c.batch, c.mongoBatch, c.studioTimeout)
			stopProfile()
			if err != nil {
				return err
			}
			name := fmt.Sprintf("Studio, on_duplicates %q", s.policy)
			if res.Stopped {
				s.stopped = true
				fmt.Printf("  round %d %-52s STOPPED after %.2fs (-studio-timeout), %d of %d documents stored\n", r, name, res.Elapsed.Seconds(), res.Stored, st.Docs)
				if s.rounds == 0 {
					s.elapsed, s.docs = res.Elapsed, res.Stored
				}
				return nil
			}
			fmt.Printf("  round %d %-52s %8d documents in %8.2fs\n", r, name, res.Stored, res.Elapsed.Seconds())
			s.keep(res.Elapsed, res.Stored, db)
			return nil
		}
		// Alternate the order, so no side always meets a warmer machine.
		order := sides
		if r%2 == 0 {
			order = append([]*side{}, sides[1:]...)
			order = append(order, bt)
		}
		for _, s := range order {
			if err := runSide(s); err != nil {
				return err
			}
		}
	}

	fmt.Println()
	for _, k := range hubRes.UploaderClasses {
		fmt.Printf("BioThings' uploader: %s, storage_class %s\n                     bases %s\n", k.Class, k.StorageClass, strings.Join(k.MRO, " > "))
	}
	fmt.Printf("BioThings peak RSS:  hub %s, its upload worker %s\n\n", kib(hubRes.HubMaxRSS), kib(hubRes.WorkerMaxRSS))

	parseRate := float64(parse.Count) / parse.ParseS
	fmt.Printf("%-58s %9s %10s %17s %12s\n", fmt.Sprintf("best of %d round(s)", c.rounds), "time", "docs/s", "Studio/BioThings", "over parser")
	fmt.Printf("%-58s %8.2fs %10.0f %17s %12s\n", "parser alone (load_data drained; imports not counted)", parse.ParseS, parseRate, "", "")
	for _, s := range sides {
		ratio := ""
		if s != bt {
			ratio = fmt.Sprintf("%.2f", s.rate()/bt.rate())
		}
		note := ""
		if s.stopped && s.rounds == 0 {
			note = fmt.Sprintf("  STOPPED after %s with %d of %d documents stored: the rate so far", c.studioTimeout, s.docs, st.Docs)
		}
		fmt.Printf("%-58s %8.2fs %10.0f %17s %12.2f%s\n", s.label, s.elapsed.Seconds(), s.rate(), ratio, s.rate()/parseRate, note)
	}
	fmt.Println()

	failed := false
	for _, s := range sides[1:] {
		if s.rounds == 0 {
			fmt.Printf("%s: not compared, it never finished\n\n", s.label)
			continue
		}
		fmt.Printf("BioThings' collection against %s:\n", s.label)
		cmp, err := compareCollections(ctx, uri, bt.database, s.database, pluginName)
		if err != nil {
			return err
		}
		if !cmp.report(st.Docs) {
			failed = true
		}
		fmt.Println()
	}
	if failed {
		return errors.New("the collections differ (see above)")
	}
	return nil
}

// startProfile starts a CPU profile into dir/name when dir is set, and
// returns what stops it.
func startProfile(dir, name string) (func(), error) {
	if dir == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return benchkit.StartCPUProfile(filepath.Join(dir, name))
}

// checkPython checks that python imports biothings and the hub's upload
// dependencies, and returns its absolute path and versions.
func checkPython(ctx context.Context, python string) (string, string, error) {
	abs, err := exec.LookPath(python)
	if err != nil {
		return "", "", skipError{fmt.Sprintf("no interpreter %s (%v): run `make pyref`, which makes bin/pyref with biothings and the hub's upload dependencies", python, err)}
	}
	if abs, err = filepath.Abs(abs); err != nil {
		return "", "", err
	}
	out, err := exec.CommandContext(ctx, abs, "-c", `import sys, biothings
missing = []
for m in ("pymongo", "psutil", "jsonschema", "dill", "aiocron"):
    try:
        __import__(m)
    except ImportError:
        missing.append(m)
if missing:
    sys.exit("missing: " + " ".join(missing))
print("Python %s, biothings %s" % (sys.version.split()[0], biothings.__version__))`).CombinedOutput()
	if err != nil {
		return "", "", skipError{fmt.Sprintf("%s cannot run BioThings' hub upload: %s: run `make pyref` (biothings and the packages of its hub extra the upload imports)", abs, strings.TrimSpace(string(out)))}
	}
	return abs, strings.TrimSpace(string(out)), nil
}

// dropDatabases removes the benchmark's databases from a MongoDB that
// outlives it (MONGO_URI); FerretDB's folder goes with the temp folder.
func dropDatabases(ctx context.Context, uri, prefix string, external bool) {
	if !external {
		return
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return
	}
	defer client.Disconnect(ctx)
	names, err := client.ListDatabaseNames(ctx, map[string]any{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubuploadbench: listing databases to drop:", err)
		return
	}
	for _, n := range names {
		if strings.HasPrefix(n, prefix+"_") {
			if err := client.Database(n).Drop(ctx); err != nil {
				fmt.Fprintf(os.Stderr, "hubuploadbench: drop database %s: %v\n", n, err)
			}
		}
	}
}

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return "(version unknown)"
}

func redact(uri string) string {
	if i := strings.Index(uri, "@"); i >= 0 {
		if j := strings.Index(uri, "://"); j >= 0 && j < i {
			return uri[:j+3] + "…" + uri[i:]
		}
	}
	return uri
}

func kib(k int64) string {
	if k <= 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(k)/1024)
}
