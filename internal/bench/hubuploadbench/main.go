// Command hubuploadbench puts Studio's upload beside BioThings' own hub
// upload, for the same data plugin on the same file into the same MongoDB,
// in one run:
//
//  1. it writes a CGI-shaped TSV of N rows (the 24 columns of the Cancer
//     Genome Interpreter's cgi_biomarkers_per_variant.tsv; deterministic)
//     and takes the BioThings Studio tutorial's CGI plugin, mvcgi (a
//     manifest and a parser.py using biothings.utils.dataload), from a
//     clone named by -plugin, STUDIO_MVCGI_PLUGIN or
//     STUDIO_BIOTHINGS_TUTORIALS; without one it skips, saying so;
//
//  2. it starts FerretDB in-process as the MongoDB, or uses MONGO_URI;
//
//  3. BioThings: the biothings package of the reference interpreter
//     (bin/pyref, `make pyref`) runs the hub's upload, as its "upload"
//     command does, with a minimal hub config (hubrun.py): the
//     AssistantManager loads the plugin's manifest and generates its
//     uploader class (a BaseSourceUploader subclass with the manifest's
//     storage class), and UploaderManager.upload_src runs load_data and
//     the storage's batched bulk writes in a hub worker process, then
//     switches the temp collection live;
//
//  4. Studio: the same plugin through pyparser.Run into an
//     uploadstore.Writer on Studio's Mongo document store, then Switch, as
//     the UploadRun activity does;
//
//  5. it prints the docs/s of both, the parser alone beside them, the
//     ratio Studio/BioThings, and compares the two collections: document
//     count, a checksum of canonical JSON, and the stored BSON bytes.
//
//     go run ./internal/bench/hubuploadbench -rows 200000
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

	"studio/internal/engine/docstore/mongo/ferrettest"
)

// pluginName is the tutorial's name for the CGI source: the plugin folder,
// and so the uploader and its collection, on both sides.
const pluginName = "mvcgi"

type config struct {
	rows, batch, mongoBatch, rounds int
	python, studioPython, dir       string
	plugins                         []string
	hashSeed, onDuplicates          string
	mongoURI                        string
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
	flag.StringVar(&c.onDuplicates, "studio-on-duplicates", "", "replace the manifest's on_duplicates on Studio's side (error, ignore, merge): a diagnosis of the Writer's policies, no longer the plugin's upload")
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

// measure is one side's best round.
type measure struct {
	elapsed time.Duration
	docs    int64
}

func (m measure) rate() float64 { return float64(m.docs) / m.elapsed.Seconds() }

func run(ctx context.Context, c config) error {
	src, err := findCGIPlugin(c.plugins)
	if errors.Is(err, errNoPlugin) {
		return skipError{fmt.Sprintf("the BioThings Studio tutorial's CGI plugin (mvcgi: manifest.json and a parser.py reading %s) was not found: %v. "+
			"The tutorials repository holds only the PharmGKB plugin; the CGI one is the repository the tutorial registers (sirloon/mvcgi on GitHub): "+
			"clone it and pass -plugin DIR or set STUDIO_MVCGI_PLUGIN", cgiFile, err)}
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

	root := c.dir
	if root == "" {
		tmp, err := os.MkdirTemp("", "hubuploadbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		root = tmp
	}
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
	// Where the hub's dumper would have put the file: <archive>/<source>/<release>.
	dataFolder := filepath.Join(dirs.Archive, pluginName, "bench")
	if err := os.MkdirAll(dataFolder, 0o755); err != nil {
		return err
	}
	t0 := time.Now()
	st, err := writeCGI(filepath.Join(dataFolder, cgiFile), c.rows)
	if err != nil {
		return err
	}
	fmt.Printf("hubuploadbench: %d rows of CGI-shaped TSV (%.1f MB; %d exact duplicate lines, %d variants, %d documents expected) made in %s\n",
		st.Rows, float64(st.Bytes)/1e6, st.Duplicates, st.Variants, st.Docs, time.Since(t0).Round(time.Millisecond))
	fmt.Printf("plugin:  %s, from %s\n", pluginName, src)

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
	fmt.Printf("Python:  %s (%s) on both sides, PYTHONHASHSEED=%s; %d cores (GOMAXPROCS %d)\n", c.python, version, c.hashSeed, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if c.studioPython != "" {
		fmt.Printf("         Studio's parser runner: %s\n", c.studioPython)
	}
	if c.onDuplicates != "" {
		fmt.Printf("NOTE:    Studio's on_duplicates is %q here, not the manifest's: a diagnosis, not the plugin's upload\n", c.onDuplicates)
	}
	fmt.Printf("batches: %d documents per storage batch on both sides; Studio's Mongo store sends at most %d per write command (MONGO_BATCH)\n\n", c.batch, c.mongoBatch)

	env := pythonEnv(c.hashSeed)
	prefix := fmt.Sprintf("hubbench%d", os.Getpid())
	defer dropDatabases(context.WithoutCancel(ctx), uri, prefix, c.mongoURI != "")

	// The parser alone, with the installed biothings: the floor of both.
	parse, err := runScript(ctx, python, dirs, env, filepath.Join(root, "parse.log"), "parse", pluginDir, "parser:load_data", dataFolder)
	if err != nil {
		return fmt.Errorf("the plugin's parser alone: %w", err)
	}
	fmt.Printf("  parser alone: %d documents in %.2fs (after %.2fs of imports)\n", parse.Count, parse.ParseS, parse.ImportS)

	var bt, studio measure
	var last hubResult
	var studioLast studioRun
	var btDB, studioDB string
	for r := 1; r <= c.rounds; r++ {
		dbs := hubDatabases{
			Src:    fmt.Sprintf("%s_r%d_bt_src", prefix, r),
			Target: fmt.Sprintf("%s_r%d_bt_target", prefix, r),
			HubDB:  fmt.Sprintf("%s_r%d_bt_hubdb", prefix, r),
		}
		studioDB = fmt.Sprintf("%s_r%d_studio_src", prefix, r)
		btDB = dbs.Src
		if err := hubConfig(uri, dbs, dirs); err != nil {
			return err
		}
		hubSide := func() error {
			res, err := runScript(ctx, python, dirs, env, filepath.Join(root, fmt.Sprintf("hub-round%d.log", r)),
				"hub", dirs.App, pluginName, dataFolder, fmt.Sprint(c.batch))
			if err != nil {
				return err
			}
			if res.Status != "success" {
				return fmt.Errorf("BioThings' upload ended with status %q: %v (hub log: %s)", res.Status, res.Err, filepath.Join(root, fmt.Sprintf("hub-round%d.log", r)))
			}
			m := measure{elapsed: time.Duration(res.UploadS * float64(time.Second)), docs: res.Count}
			fmt.Printf("  round %d BioThings: %d documents in %.2fs (hub start %.2fs before it, not counted)\n", r, res.Count, m.elapsed.Seconds(), res.ImportS+res.StartS)
			if r == 1 || m.elapsed < bt.elapsed {
				bt = m
			}
			last = res
			return nil
		}
		studioSide := func() error {
			res, err := studioUpload(ctx, uri, studioDB, pluginDir, dataFolder, studioPython, env, c.batch, c.mongoBatch, c.onDuplicates)
			if err != nil {
				return err
			}
			m := measure{elapsed: res.Elapsed, docs: res.Stats.Stored}
			fmt.Printf("  round %d Studio:    %d documents in %.2fs\n", r, res.Stats.Stored, m.elapsed.Seconds())
			if r == 1 || m.elapsed < studio.elapsed {
				studio = m
			}
			studioLast = res
			return nil
		}
		// Alternate which side goes first, so neither always meets a warmer machine.
		first, second := hubSide, studioSide
		if r%2 == 0 {
			first, second = studioSide, hubSide
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
	}

	fmt.Println()
	for _, k := range last.UploaderClasses {
		fmt.Printf("BioThings' uploader: %s, storage_class %s; bases %s\n", k.Class, k.StorageClass, strings.Join(k.MRO, " > "))
	}
	fmt.Printf("Studio's uploader:   %s, parser %s, on_duplicates %q, Writer BatchSize %d\n\n", studioLast.Uploader, studioLast.Parser, studioLast.OnDuplicates, c.batch)

	parseRate := float64(parse.Count) / parse.ParseS
	fmt.Printf("%-58s %9s %10s\n", fmt.Sprintf("best of %d round(s)", c.rounds), "time", "docs/s")
	fmt.Printf("%-58s %8.2fs %10.0f\n", "parser alone (load_data drained; imports not counted)", parse.ParseS, parseRate)
	fmt.Printf("%-58s %8.2fs %10.0f\n", "BioThings hub: UploaderManager.upload_src -> success", bt.elapsed.Seconds(), bt.rate())
	fmt.Printf("%-58s %8.2fs %10.0f\n", "Studio: pyparser.Run -> uploadstore.Writer -> Switch", studio.elapsed.Seconds(), studio.rate())
	fmt.Println()
	fmt.Printf("%-34s %.2f\n", "ratio Studio/BioThings (docs/s):", studio.rate()/bt.rate())
	fmt.Printf("%-34s BioThings %.2f, Studio %.2f\n", "each over the parser alone:", bt.rate()/parseRate, studio.rate()/parseRate)
	fmt.Printf("%-34s hub %s, its upload worker %s\n", "BioThings peak RSS:", kib(last.HubMaxRSS), kib(last.WorkerMaxRSS))

	cmp, err := compareCollections(ctx, uri, btDB, studioDB, pluginName)
	if err != nil {
		return err
	}
	if !cmp.report(st.Docs) {
		return errors.New("the two collections differ (see above)")
	}
	return nil
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
