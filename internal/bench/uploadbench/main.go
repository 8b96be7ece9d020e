// Command uploadbench measures uploads beside the raw engines, in one run.
// It writes a TSV of N variant rows and then stores the same N documents
// four ways, each into its own fresh SQLite document store:
//
//	raw:          documents built in Go, Collection.Insert in batches of 1000;
//	declarative:  a tableparse spec over the TSV, emitting into a uploadstore.Writer,
//	              then Switch (the ratio declarative/raw has a target >= 0.8);
//	python:       a plugin's parser.py (csv module) through pyparser.RunTo into
//	              a uploadstore.Writer, then Switch;
//	python alone: the same parser with its document stream going to /dev/null
//	              (the ratio python/python alone has a target >= 0.8).
//
// After each phase it reports the peak RSS of this Go process (VmHWM, reset
// before each phase when the kernel allows it) and of the Python child
// (its VmHWM, sampled; the target is < 512 MiB whatever the input size),
// then checks that the three
// stores hold identical documents.
//
//	go run ./internal/bench/uploadbench -rows 1000000 [-dir DIR] [-skip-python]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"studio/internal/app/procstat"
	"studio/internal/bench/benchkit"
	"studio/internal/domain/pyparser"
	"studio/internal/domain/tableparse"
	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

const (
	tsvName    = "variants.tsv"
	batchSize  = 1000
	collection = "bench"
	targetRate = 0.8
	targetRSS  = 512 << 20
)

// parserCode is the Python plugin: it reads the TSV with the csv module and
// yields the documents the declarative spec produces.
const parserCode = `import csv
import os


def load_data(data_folder):
    with open(os.path.join(data_folder, "variants.tsv"), newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for _id, chrom, pos, ref, alt, gene, score, tags in reader:
            yield {
                "_id": _id,
                "variant": {
                    "chrom": chrom,
                    "pos": int(pos),
                    "ref": ref,
                    "alt": alt,
                    "gene": gene,
                    "score": float(score),
                    "tags": [t.strip() for t in tags.split(",") if t.strip()],
                },
            }
`

// declarativeSpec is the parser object of the declarative upload.
func declarativeSpec() map[string]any {
	return map[string]any{
		"format": "tsv",
		"file":   tsvName,
		"id":     "{id}",
		"fields": map[string]any{
			"variant.chrom": "chrom",
			"variant.pos":   map[string]any{"column": "pos", "type": "int"},
			"variant.ref":   "ref",
			"variant.alt":   "alt",
			"variant.gene":  "gene",
			"variant.score": map[string]any{"column": "score", "type": "float"},
			"variant.tags":  map[string]any{"column": "tags", "split": ","},
		},
	}
}

var (
	bases  = []string{"A", "C", "G", "T"}
	tagSet = []string{"coding", "missense", "rare", "clinvar", "cosmic"}
)

// row is one generated variant; the TSV line and the raw document both come
// from it, so they always agree.
type row struct {
	id, chrom      string
	pos            int64
	ref, alt, gene string
	score          float64
	tags           []string
}

func makeRow(i int) row {
	chrom := strconv.Itoa(i%22 + 1)
	if i%23 == 22 {
		chrom = "X"
	}
	n := i%3 + 1
	tags := make([]string, n)
	for k := range tags {
		tags[k] = tagSet[(i+k)%len(tagSet)]
	}
	return row{
		id:    fmt.Sprintf("v%08d", i),
		chrom: chrom,
		pos:   int64(10000 + 37*i),
		ref:   bases[i%4],
		alt:   bases[(i+1)%4],
		gene:  "GENE" + strconv.Itoa(i%20000),
		score: float64(i%100000) / 1000,
		tags:  tags,
	}
}

func (r row) doc() docstore.Doc {
	tags := make([]any, len(r.tags))
	for k, t := range r.tags {
		tags[k] = t
	}
	return docstore.Doc{
		"_id": r.id,
		"variant": map[string]any{
			"chrom": r.chrom,
			"pos":   r.pos,
			"ref":   r.ref,
			"alt":   r.alt,
			"gene":  r.gene,
			"score": r.score,
			"tags":  tags,
		},
	}
}

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the generated TSV (= documents)")
	dir := flag.String("dir", "", "keep the generated files and stores in this folder (default: a temp folder, removed at the end)")
	skipPython := flag.Bool("skip-python", false, "skip the two Python phases")
	python := flag.String("python", "python3", "Python interpreter")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if *rows < 1 {
		fmt.Fprintln(os.Stderr, "uploadbench: -rows must be at least 1")
		os.Exit(2)
	}
	if err := run(*rows, *dir, *skipPython, *python); err != nil {
		fmt.Fprintln(os.Stderr, "uploadbench:", err)
		os.Exit(1)
	}
}

// result is one measured phase.
type result struct {
	name      string
	elapsed   time.Duration
	docs      int64
	goRSS     int64         // bytes, -1 when unknown
	pyRSS     int64         // bytes, -1 when not applicable or unknown
	goCPU     time.Duration // user+sys CPU time of this process
	pyCPU     time.Duration // user+sys CPU time of the children waited for
	resetPeak bool          // goRSS covers this phase only
}

func (r result) rate() float64 { return float64(r.docs) / r.elapsed.Seconds() }

func run(rows int, dir string, skipPython bool, python string) error {
	dir, cleanup, err := benchkit.WorkDir(dir, "uploadbench")
	if err != nil {
		return err
	}
	defer cleanup()
	data, plugin := filepath.Join(dir, "data"), filepath.Join(dir, "plugin")
	ctx := context.Background()

	t0 := time.Now()
	size, err := writeInputs(data, plugin, rows)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("uploadbench: %d rows, TSV %.1f MB generated in %s, GOMAXPROCS %d, folder %s\n",
		rows, float64(size)/1e6, time.Since(t0).Round(time.Millisecond), runtime.GOMAXPROCS(0), dir)

	var results []result
	dbs := map[string]string{}

	// 1. Raw store.
	dbs["raw"] = filepath.Join(dir, "raw.db")
	r, err := phase("raw: sqlite Insert, batches of 1000", func() (int64, int64, error) {
		return rawInsert(ctx, dbs["raw"], rows)
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	// 2. Declarative upload.
	dbs["declarative"] = filepath.Join(dir, "declarative.db")
	r, err = phase("declarative: tableparse -> Writer", func() (int64, int64, error) {
		return declarative(ctx, dbs["declarative"], data, rows)
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	if !skipPython {
		spec := pyparser.Spec{PluginDir: plugin, Func: "parser:load_data", Python: python}
		// 3. Python upload.
		dbs["python"] = filepath.Join(dir, "python.db")
		r, err = phase("python: pyparser.RunTo -> Writer", func() (int64, int64, error) {
			n, err := pythonUpload(ctx, dbs["python"], spec, data, rows)
			return n, -1, err
		})
		if err != nil {
			return err
		}
		results = append(results, r)

		// 4. The parser alone.
		r, err = phase("python alone: parser -> /dev/null", func() (int64, int64, error) {
			return pythonAlone(spec, data, rows)
		})
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	if err := compareStores(ctx, dbs, rows); err != nil {
		return err
	}
	printTable(results)
	return nil
}

// phase runs f, which returns the documents stored and the Python child's
// peak RSS when it knows it (else -1), and measures its time, this process's
// peak RSS and the largest peak RSS of its child processes (sampled).
func phase(name string, f func() (docs, pyRSS int64, err error)) (result, error) {
	runtime.GC()
	reset := procstat.ResetPeak()
	stop := make(chan struct{})
	sampled := make(chan int64)
	go sampleChildren(stop, sampled)
	self0, children0 := benchkit.CPUTime(), benchkit.ChildrenCPUTime()
	start := time.Now()
	docs, pyRSS, err := f()
	elapsed := time.Since(start)
	goCPU := benchkit.CPUTime() - self0
	pyCPU := benchkit.ChildrenCPUTime() - children0
	close(stop)
	if s := <-sampled; s > 0 {
		pyRSS = s
	}
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	r := result{name: name, elapsed: elapsed, docs: docs, goRSS: procstat.PeakBytes(), pyRSS: pyRSS, goCPU: goCPU, pyCPU: pyCPU, resetPeak: reset}
	fmt.Printf("  done %-38s %8.2fs\n", name, elapsed.Seconds())
	return r, nil
}

// openFresh opens a new SQLite store at path, removing any earlier one.
func openFresh(path string) (*sqlite.Store, error) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return sqlite.Open(path)
}

// rawInsert builds the documents in Go and inserts them in batches.
func rawInsert(ctx context.Context, path string, rows int) (int64, int64, error) {
	db, err := openFresh(path)
	if err != nil {
		return 0, -1, err
	}
	defer db.Close()
	c := db.C(collection)
	batch := make([]docstore.Doc, 0, batchSize)
	for i := 0; i < rows; i++ {
		batch = append(batch, makeRow(i).doc())
		if len(batch) == batchSize || i == rows-1 {
			if err := c.Insert(ctx, batch); err != nil {
				return 0, -1, err
			}
			batch = batch[:0]
		}
	}
	n, err := c.Count(ctx)
	if err != nil {
		return 0, -1, err
	}
	if n != int64(rows) {
		return n, -1, fmt.Errorf("stored %d documents, want %d", n, rows)
	}
	return n, -1, db.Close()
}

// declarative runs the tableparse spec into a uploadstore.Writer.
func declarative(ctx context.Context, path, data string, rows int) (int64, int64, error) {
	spec, err := tableparse.ParseSpec(declarativeSpec())
	if err != nil {
		return 0, -1, err
	}
	db, err := openFresh(path)
	if err != nil {
		return 0, -1, err
	}
	defer db.Close()
	w, err := uploadstore.NewWriter(ctx, db, collection, uploadstore.Options{})
	if err != nil {
		return 0, -1, err
	}
	st, err := tableparse.Run(ctx, spec, data, tableparse.Options{}, func(doc map[string]any) error {
		return w.Add(ctx, doc)
	})
	if err != nil {
		_ = w.Abort(ctx)
		return 0, -1, err
	}
	if st.Rejected > 0 {
		_ = w.Abort(ctx)
		return 0, -1, fmt.Errorf("tableparse rejected %d rows: %v", st.Rejected, st.RejectSamples)
	}
	n, err := switchAndCheck(ctx, w, rows)
	if err != nil {
		return n, -1, err
	}
	return n, -1, db.Close()
}

// pythonUpload runs parser.py through pyparser.RunTo into a
// uploadstore.Writer, as UploadRun does.
func pythonUpload(ctx context.Context, path string, spec pyparser.Spec, data string, rows int) (int64, error) {
	db, err := openFresh(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	w, err := uploadstore.NewWriter(ctx, db, collection, uploadstore.Options{})
	if err != nil {
		return 0, err
	}
	st, err := pyparser.RunTo(ctx, spec, data, pyparser.Limits{}, w)
	if err != nil {
		_ = w.Abort(ctx)
		return 0, err
	}
	if st.Rejected > 0 {
		_ = w.Abort(ctx)
		return 0, fmt.Errorf("pyparser rejected %d documents: %v", st.Rejected, st.RejectSamples)
	}
	n, err := switchAndCheck(ctx, w, rows)
	if err != nil {
		return n, err
	}
	return n, db.Close()
}

func switchAndCheck(ctx context.Context, w *uploadstore.Writer, rows int) (int64, error) {
	st, err := w.Switch(ctx)
	if err != nil {
		return 0, err
	}
	if st.Stored != int64(rows) || st.Rejected != 0 || st.Duplicates != 0 {
		return st.Stored, fmt.Errorf("writer stored %d, rejected %d, duplicates %d; want %d stored (%v)",
			st.Stored, st.Rejected, st.Duplicates, rows, st.RejectSamples)
	}
	return st.Stored, nil
}

// pythonAlone runs the parser with its document stream going to /dev/null,
// as internal/bench/pybench does, and returns the child's peak RSS.
func pythonAlone(spec pyparser.Spec, data string, rows int) (int64, int64, error) {
	cmd, err := pyparser.RawCommand(spec, data, pyparser.Limits{})
	if err != nil {
		return 0, -1, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, -1, err
	}
	defer devnull.Close()
	cmd.ExtraFiles = []*os.File{devnull}
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, -1, err
	}
	// Used only when sampling saw nothing; see sampleChildren for why this
	// can overstate the child's own peak.
	rss := int64(-1)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	return int64(rows), rss, nil
}

// compareStores checks that every store holds the documents of the raw one,
// on a sample of ids spread over the input (first, last and a stride).
func compareStores(ctx context.Context, dbs map[string]string, rows int) error {
	ids := []string{makeRow(0).id, makeRow(rows - 1).id}
	for i := 1; i < rows; i += max(rows/200, 1) {
		ids = append(ids, makeRow(i).id)
	}
	read := func(path string) ([]docstore.Doc, error) {
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		return db.C(collection).GetMany(ctx, ids)
	}
	want, err := read(dbs["raw"])
	if err != nil {
		return err
	}
	if len(want) != len(ids) {
		return fmt.Errorf("raw store: found %d of %d sampled ids", len(want), len(ids))
	}
	for _, name := range []string{"declarative", "python"} {
		path, ok := dbs[name]
		if !ok {
			continue
		}
		got, err := read(path)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s store: found %d of %d sampled ids", name, len(got), len(ids))
		}
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				return fmt.Errorf("%s store: document %v differs from the raw one: %v", name, got[k], want[k])
			}
		}
	}
	fmt.Printf("  checked: %d sampled documents identical in %d stores\n", len(ids), len(dbs))
	return nil
}

func printTable(results []result) {
	fmt.Println()
	fmt.Printf("%-38s %9s %9s %13s %15s %8s %8s\n", "phase", "time", "docs/s", "Go peak RSS", "Python peak RSS", "Go CPU", "Py CPU")
	for _, r := range results {
		py, pyCPU := "-", "-"
		if r.pyRSS >= 0 {
			py = mib(r.pyRSS)
		}
		if r.pyCPU > 0 {
			pyCPU = fmt.Sprintf("%.2fs", r.pyCPU.Seconds())
		}
		g := mib(r.goRSS)
		if !r.resetPeak {
			g += "*"
		}
		fmt.Printf("%-38s %8.2fs %9.0f %13s %15s %7.2fs %8s\n", r.name, r.elapsed.Seconds(), r.rate(), g, py, r.goCPU.Seconds(), pyCPU)
	}
	fmt.Println()
	byName := func(prefix string) (result, bool) {
		for _, r := range results {
			if strings.HasPrefix(r.name, prefix) {
				return r, true
			}
		}
		return result{}, false
	}
	raw, _ := byName("raw:")
	decl, _ := byName("declarative:")
	ratioLine("ratio declarative/raw:", decl.rate()/raw.rate())
	if py, ok := byName("python:"); ok {
		alone, _ := byName("python alone:")
		ratioLine("ratio python upload/python alone:", py.rate()/alone.rate())
		// pyparser reads and decodes the parser's output in one
		// goroutine while the caller's stores it, a bounded queue apart,
		// so where the raw store is not much faster than the parser the
		// ratio lies between these two bounds.
		serial := 1 / (1/alone.rate() + 1/raw.rate())
		fmt.Printf("%-34s %.2f if parsing and storing never overlap, %.2f if they always do\n",
			"  bounds from the two rates:", serial/alone.rate(), min(alone.rate(), raw.rate())/alone.rate())
	}
	var peak int64
	for _, r := range results {
		peak = max(peak, r.goRSS, r.pyRSS)
	}
	verdict := "ok"
	if peak >= targetRSS {
		verdict = "OVER TARGET"
	}
	fmt.Printf("%-34s %s (target < 512 MiB) %s\n", "peak RSS, any process, any phase:", mib(peak), verdict)
	for _, r := range results {
		if !r.resetPeak {
			fmt.Println("* the kernel refused to reset VmHWM: that figure is the peak since the start of the program")
			break
		}
	}
}

func ratioLine(label string, ratio float64) {
	verdict := "ok"
	if ratio < targetRate {
		verdict = "BELOW TARGET"
	}
	fmt.Printf("%-34s %.2f (target >= %.2f) %s\n", label, ratio, targetRate, verdict)
}

// writeInputs writes the TSV into data and parser.py into plugin, returning
// the TSV's size.
func writeInputs(data, plugin string, rows int) (int64, error) {
	for _, d := range []string{data, plugin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, err
		}
	}
	if err := os.WriteFile(filepath.Join(plugin, "parser.py"), []byte(parserCode), 0o644); err != nil {
		return 0, err
	}
	f, err := os.Create(filepath.Join(data, tsvName))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id\tchrom\tpos\tref\talt\tgene\tscore\ttags\n")
	for i := 0; i < rows; i++ {
		r := makeRow(i)
		w.WriteString(r.id)
		w.WriteByte('\t')
		w.WriteString(r.chrom)
		w.WriteByte('\t')
		w.WriteString(strconv.FormatInt(r.pos, 10))
		w.WriteByte('\t')
		w.WriteString(r.ref)
		w.WriteByte('\t')
		w.WriteString(r.alt)
		w.WriteByte('\t')
		w.WriteString(r.gene)
		w.WriteByte('\t')
		w.WriteString(strconv.FormatFloat(r.score, 'f', -1, 64))
		w.WriteByte('\t')
		w.WriteString(strings.Join(r.tags, ","))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), f.Close()
}

func mib(b int64) string {
	if b < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// vmHWM returns the VmHWM of a /proc/<pid>/status text in bytes, -1 when
// absent.
func vmHWM(b []byte) int64 {
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// sampleChildren reads the VmHWM of this process's children every 20ms
// until stop is closed, then sends the largest value seen (0 for none).
//
// The rusage of a waited-for child is no substitute: Go starts children
// with vfork semantics (CLONE_VM), so the child's ru_maxrss includes the
// high-water mark of the parent's memory at the exec, and reads as the Go
// process's peak whenever that is the larger. VmHWM of the child's own
// address space does not have that problem, and it only grows, so the last
// sample before the child exits misses at most 20ms of growth.
func sampleChildren(stop <-chan struct{}, out chan<- int64) {
	var peak int64
	self, _ := os.Readlink("/proc/self/exe")
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, pid := range childPIDs() {
			// A child that has not yet called exec still shares this
			// process's memory and reports its VmHWM: skip it.
			if exe, err := os.Readlink("/proc/" + pid + "/exe"); err != nil || exe == self {
				continue
			}
			if b, err := os.ReadFile("/proc/" + pid + "/status"); err == nil {
				peak = max(peak, vmHWM(b))
			}
		}
		select {
		case <-stop:
			out <- peak
			return
		case <-tick.C:
		}
	}
}

// childPIDs lists the children of every thread of this process.
func childPIDs() []string {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []string
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil {
			pids = append(pids, strings.Fields(string(b))...)
		}
	}
	return pids
}
