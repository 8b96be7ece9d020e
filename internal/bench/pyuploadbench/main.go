// Command pyuploadbench measures Python uploads beside the parser alone,
// in one run. It writes a CGI-shaped TSV (the columns of the BioThings
// tutorial's cgi_biomarkers_per_variant.tsv) of N rows, each a variant of
// its own, and runs parsers of it:
//
//	tutorial: the tutorial's parser as this repository has it
//	          (internal/domain/pyparser/testdata/plugins/cgi), unchanged: it
//	          reads every row into memory, then yields;
//	mvcgi:    the plugin the BioThings Studio tutorial registers
//	          (github.com/sirloon/mvcgi), unchanged, with its manifest's
//	          on_duplicates ("ignore"): it too reads everything, then yields.
//	          It is not part of this repository: -mvcgi (or
//	          STUDIO_MVCGI_PLUGIN) names a folder or a git clone holding it,
//	          and without one it is left out;
//	stream:   the same documents, yielded as each row is read.
//
// For each parser it measures
//
//	(a) the parser alone: plain Python iterating the generator and counting;
//	(b) the upload: pyparser.RunTo into an uploadstore.Writer on a fresh SQLite
//	    store, then Switch (the product's path, UploadRun's);
//
// and prints both rates and their ratio b/a (the target is at least 0.8),
// with the CPU time of each side and peak RSS. Both stores must then hold
// the same documents.
//
//	go run ./internal/bench/pyuploadbench -rows 1000000 [-rounds 2] [-python python3] [-mvcgi DIR]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
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
	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

const (
	targetRate = 0.8
	collection = "cgi"
)

// streamParser yields the tutorial parser's documents as it reads: the
// input has one row per variant, so both give the same documents.
const streamParser = `import csv
import os

from biothings.utils.dataload import dict_sweep, open_anyfile

FIELDS = [
    ("association", "Association"),
    ("cdna", "cDNA"),
    ("drug", "Drug full name"),
    ("evidence_level", "Evidence level"),
    ("gene", "Gene"),
    ("primary_tumor_type", "Primary Tumor type"),
    ("protein_change", "individual_mutation"),
    ("region", "region"),
    ("source", "Source"),
    ("transcript", "transcript"),
]


def load_data(data_folder):
    infile = os.path.join(data_folder, "cgi_biomarkers_per_variant.tsv")
    with open_anyfile(infile) as f:
        reader = csv.reader(f, delimiter="\t")
        col = {name: i for i, name in enumerate(next(reader))}
        for row in reader:
            if row[col["Alteration type"]] != "MUT" or not row[col["gDNA"]]:
                continue
            doc = {"_id": row[col["gDNA"]], "cgi": {field: row[col[column]] for field, column in FIELDS}}
            yield dict_sweep(doc, vals=["", None])
`

// aloneScript iterates a parser's generator, counting, on the import path
// the runner gives it (its folder, with Studio's biothings, then the
// plugin's).
const aloneScript = `import importlib
import os
import sys

runner, plugin, data, func = sys.argv[1:5]
sys.path[:0] = [runner, plugin]
os.chdir(plugin)
os.environ["STUDIO_PARSER_DATA_FOLDER"] = data
if len(sys.argv) > 5:
    import gc
    gc.set_threshold(int(sys.argv[5]), *gc.get_threshold()[1:])
module, name = func.split(":")
fn = getattr(importlib.import_module(module), name)
n = 0
for _ in fn(data):
    n += 1
print(n)
`

func main() {
	rows := flag.Int("rows", 1_000_000, "rows of the generated TSV (= documents)")
	python := flag.String("python", "python3", "Python interpreter")
	rounds := flag.Int("rounds", 1, "measure (a) then (b) this many times per parser; the best of each is kept")
	only := flag.String("parser", "", "run one parser only: tutorial, mvcgi or stream")
	mvcgi := flag.String("mvcgi", os.Getenv("STUDIO_MVCGI_PLUGIN"), "the mvcgi plugin: a folder, or a git clone (bare or not), holding its manifest.json and parser.py")
	gcRef := flag.Bool("gc-reference", false, "also time the parser alone with the runner's garbage collector threshold")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the Go side of the uploads to this file")
	batch := flag.Int("batch", 0, "documents per write of the uploadstore.Writer (0: its default)")
	dir := flag.String("dir", "", "keep the generated files and stores in this folder (default: a temp folder, removed at the end)")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if *rows < 1 {
		fmt.Fprintln(os.Stderr, "pyuploadbench: -rows must be at least 1")
		os.Exit(2)
	}
	b := bench{rows: *rows, python: *python, rounds: max(*rounds, 1), gcRef: *gcRef, dir: *dir, batch: *batch, mvcgi: *mvcgi}
	if err := b.run(*only, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "pyuploadbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	rows   int
	python string
	rounds int
	gcRef  bool
	dir    string
	batch  int
	mvcgi  string

	data, runner string
	plugins      map[string]string // parser name -> plugin folder
	onDups       map[string]string // parser name -> its manifest's on_duplicates
	names        []string          // the parsers, in the order they run
}

// measure is one timed run.
type measure struct {
	wall        time.Duration
	goCPU       time.Duration // this process, user+sys
	pyCPU       time.Duration // the Python child, user+sys
	pyRSS       int64         // the Python child's peak RSS, bytes (parser alone only)
	goRSS       int64         // this process's peak RSS (VmHWM), bytes; -1 when unknown
	resetGoPeak bool
}

func (b *bench) run(only, cpuprofile string) error {
	dir, cleanup, err := benchkit.WorkDir(b.dir, "pyuploadbench")
	if err != nil {
		return err
	}
	defer cleanup()
	b.dir = dir
	if b.runner, err = pyparser.RunnerDir(); err != nil {
		return err
	}
	t0 := time.Now()
	size, err := b.writeInputs()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("pyuploadbench: %d CGI-shaped rows (%.1f MB), one variant each, generated in %s; python %s; GOMAXPROCS %d\n",
		b.rows, float64(size)/1e6, time.Since(t0).Round(time.Millisecond), b.python, runtime.GOMAXPROCS(0))
	for _, name := range b.names {
		fmt.Printf("  %-8s on_duplicates %q, %s\n", name, b.onDups[name], b.plugins[name])
	}
	if _, ok := b.plugins["mvcgi"]; !ok {
		fmt.Println("  mvcgi    left out: give -mvcgi DIR (or STUDIO_MVCGI_PLUGIN), a clone of github.com/sirloon/mvcgi")
	}
	stopProfile, err := benchkit.StartCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	names := b.names
	if only != "" {
		if _, ok := b.plugins[only]; !ok {
			return fmt.Errorf("-parser %q: want one of %s", only, strings.Join(b.names, ", "))
		}
		names = []string{only}
	}
	type result struct {
		name                string
		alone, upload, gcRf measure
	}
	var results []result
	dbs := map[string]string{}
	for _, name := range names {
		var r result
		r.name = name
		for round := range b.rounds {
			a, err := b.alone(name, 0)
			if err != nil {
				return fmt.Errorf("%s alone: %w", name, err)
			}
			dbs[name] = filepath.Join(b.dir, name+".db")
			u, err := b.upload(name, dbs[name])
			if err != nil {
				return fmt.Errorf("%s upload: %w", name, err)
			}
			fmt.Printf("  %-8s round %d: alone %.2fs, upload %.2fs\n", name, round+1, a.wall.Seconds(), u.wall.Seconds())
			if round == 0 || a.wall < r.alone.wall {
				r.alone = a
			}
			if round == 0 || u.wall < r.upload.wall {
				r.upload = u
			}
		}
		if b.gcRef {
			g, err := b.alone(name, gcThreshold0)
			if err != nil {
				return fmt.Errorf("%s alone with the runner's GC threshold: %w", name, err)
			}
			r.gcRf = g
		}
		results = append(results, r)
	}
	if err := b.compare(dbs); err != nil {
		return err
	}

	fmt.Printf("\nrows %d, best of %d round(s); times include the interpreter's start; CPU is user+sys\n", b.rows, b.rounds)
	fmt.Printf("%-44s %9s %10s %9s %9s %12s %12s\n", "", "time", "docs/s", "Py CPU", "Go CPU", "Py peak RSS", "Go peak RSS")
	row := func(label string, m measure) {
		goRSS := "-"
		if m.goRSS > 0 {
			goRSS = mib(m.goRSS)
			if !m.resetGoPeak {
				goRSS += "*"
			}
		}
		goCPU := "-"
		if m.goCPU > 0 {
			goCPU = fmt.Sprintf("%.2fs", m.goCPU.Seconds())
		}
		fmt.Printf("%-44s %8.2fs %10.0f %8.2fs %9s %12s %12s\n", label, m.wall.Seconds(), float64(b.rows)/m.wall.Seconds(),
			m.pyCPU.Seconds(), goCPU, mib(m.pyRSS), goRSS)
	}
	for _, r := range results {
		row(r.name+" (a) parser alone", r.alone)
		row(r.name+" (b) upload: RunTo -> Writer -> SQLite", r.upload)
		if b.gcRef {
			row(r.name+" (c) alone, runner's GC threshold", r.gcRf)
		}
	}
	fmt.Println()
	for _, r := range results {
		ratio := r.alone.wall.Seconds() / r.upload.wall.Seconds()
		verdict := "ok"
		if ratio < targetRate {
			verdict = "BELOW TARGET"
		}
		fmt.Printf("%-8s ratio upload/alone (b/a): %.2f (target >= %.2f) %s", r.name, ratio, targetRate, verdict)
		if b.gcRef {
			fmt.Printf("; b/c: %.2f", r.gcRf.wall.Seconds()/r.upload.wall.Seconds())
		}
		fmt.Println()
	}
	for _, r := range results {
		if r.upload.goRSS > 0 && !r.upload.resetGoPeak {
			fmt.Println("* the kernel refused to reset VmHWM: that figure is the peak since the start of the program")
			break
		}
	}
	return nil
}

// gcThreshold0 is the runner's garbage collector threshold (GC_THRESHOLD0
// in studio_runner.py), for -gc-reference.
const gcThreshold0 = 50_000

// alone runs the parser in plain Python, counting its documents; a
// threshold0 above 0 sets the garbage collector's first threshold.
func (b *bench) alone(name string, threshold0 int) (measure, error) {
	script := filepath.Join(b.dir, "alone.py")
	args := []string{script, b.runner, b.plugins[name], b.data, "parser:load_data"}
	if threshold0 > 0 {
		args = append(args, strconv.Itoa(threshold0))
	}
	cmd := exec.Command(b.python, args...)
	cmd.Env = append(os.Environ(), "PYTHONUTF8=1", "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	out, err := cmd.Output()
	wall := time.Since(t0)
	if err != nil {
		return measure{}, err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err != nil || n != b.rows {
		return measure{}, fmt.Errorf("the parser gave %q documents, want %d", strings.TrimSpace(string(out)), b.rows)
	}
	m := measure{wall: wall, goRSS: -1}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.pyCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.pyRSS = ru.Maxrss << 10
	}
	return m, nil
}

// upload runs the parser through the product's path into a fresh store.
func (b *bench) upload(name, path string) (measure, error) {
	ctx := context.Background()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return measure{}, err
		}
	}
	runtime.GC()
	reset := procstat.ResetPeak()
	self0, children0 := benchkit.CPUTime(), benchkit.ChildrenCPUTime()
	t0 := time.Now()
	db, err := sqlite.Open(path)
	if err != nil {
		return measure{}, err
	}
	defer db.Close()
	w, err := uploadstore.NewWriter(ctx, db, collection, uploadstore.Options{BatchSize: b.batch, OnDuplicates: b.onDups[name]})
	if err != nil {
		return measure{}, err
	}
	spec := pyparser.Spec{PluginDir: b.plugins[name], Func: "parser:load_data", Python: b.python}
	st, err := pyparser.RunTo(ctx, spec, b.data, pyparser.Limits{}, w)
	if err != nil {
		_ = w.Abort(ctx)
		return measure{}, err
	}
	stats, err := w.Switch(ctx)
	if err != nil {
		return measure{}, err
	}
	wall := time.Since(t0)
	m := measure{wall: wall, goCPU: benchkit.CPUTime() - self0, pyCPU: benchkit.ChildrenCPUTime() - children0,
		goRSS: procstat.PeakBytes(), resetGoPeak: reset}
	if st.Docs != int64(b.rows) || st.Rejected != 0 || stats.Stored != int64(b.rows) {
		return m, fmt.Errorf("parsed %d, rejected %d, stored %d; want %d stored", st.Docs, st.Rejected, stats.Stored, b.rows)
	}
	return m, db.Close()
}

// compare checks that the stores of the parsers hold the same documents,
// on a sample of _ids spread over the input.
func (b *bench) compare(dbs map[string]string) error {
	ctx := context.Background()
	var ids []string
	for i := 0; i < b.rows; i += max(b.rows/500, 1) {
		ids = append(ids, gDNA(i))
	}
	if (b.rows-1)%max(b.rows/500, 1) != 0 {
		ids = append(ids, gDNA(b.rows-1))
	}
	var first []docstore.Doc
	var firstName string
	for name, path := range dbs {
		db, err := sqlite.Open(path)
		if err != nil {
			return err
		}
		docs, err := db.C(collection).GetMany(ctx, ids)
		db.Close()
		if err != nil {
			return err
		}
		if len(docs) != len(ids) {
			return fmt.Errorf("%s store: found %d of %d sampled _ids", name, len(docs), len(ids))
		}
		for k, d := range docs {
			if want := expected(ids[k]); !reflect.DeepEqual(d, want) {
				return fmt.Errorf("%s store: document %v, want %v", name, d, want)
			}
		}
		if first == nil {
			first, firstName = docs, name
		} else if !reflect.DeepEqual(first, docs) {
			return fmt.Errorf("the %s and %s stores differ", firstName, name)
		}
	}
	fmt.Printf("  checked: %d sampled documents as expected in %d store(s)\n", len(ids), len(dbs))
	return nil
}

// ---- the input

var (
	genes   = []string{"ABL1", "BRAF", "EGFR", "KRAS", "TP53", "PIK3CA", "ALK", "ERBB2", "KIT", "NRAS", "IDH1", "FGFR3"}
	drugs   = []string{"Imatinib (BCR-ABL inhibitor 1st gen&KIT inhibitor)", "Vemurafenib (BRAF inhibitor)", "Erlotinib (EGFR inhibitor 1st gen)", "Cetuximab (EGFR mAb inhibitor)", "Ponatinib (BCR-ABL inhibitor 3rd gen&Pan-TK inhibitor)"}
	levels  = []string{"FDA guidelines", "NCCN guidelines", "European LeukemiaNet guidelines", "Late trials", "Early trials", "Case report", "Pre-clinical"}
	tumours = []string{"Chronic myeloid leukemia", "Cutaneous melanoma", "Lung adenocarcinoma", "Colorectal adenocarcinoma", "Any cancer type"}
	assoc   = []string{"Responsive", "Resistant", "Increased Toxicity"}
	bases   = []string{"A", "C", "G", "T"}
)

// gDNA is row i's variant, its document's _id.
func gDNA(i int) string {
	return fmt.Sprintf("chr%d:g.%d%s>%s", i%22+1, 100000+i, bases[i%4], bases[(i+1)%4])
}

// row returns the cells of row i.
func row(i int) []string {
	gene := genes[i%len(genes)]
	protein := fmt.Sprintf("%s:p.%s%d%s", gene, bases[i%4], 10+i%900, bases[(i+2)%4])
	source := ""
	if i%3 != 0 { // an empty cell dict_sweep removes
		source = fmt.Sprintf("PMID:%d", 20000000+i%5000000)
	}
	return []string{
		protein, "MUT", "", assoc[i%len(assoc)], gene + " (" + protein + ")", "DTamborero", "[" + drugs[i%len(drugs)] + "]",
		"[targeted therapy]", drugs[i%len(drugs)], "Approved", levels[i%len(levels)], gene, "",
		"CANCER", source, "", gDNA(i), fmt.Sprintf("c.%dC>T", 100+i%5000), protein,
		fmt.Sprintf("CSQN=Missense;reference_codon=ACT;candidate_codons=ATC,ATA,ATT;aliases=ENSP%011d;source=Ensembl", i%1000000),
		fmt.Sprintf("inside_[cds_in_exon_%d]", 1+i%20), "+", fmt.Sprintf("ENST%011d", 300000+i%20000), tumours[i%len(tumours)],
	}
}

// expected is the document both parsers make of the row with this _id.
func expected(id string) docstore.Doc {
	// Row i's variant is at position 100000+i.
	at := strings.Index(id, ":g.") + 3
	j := at
	for j < len(id) && id[j] >= '0' && id[j] <= '9' {
		j++
	}
	pos, _ := strconv.Atoi(id[at:j])
	cells := row(pos - 100000)
	col := map[string]string{}
	for k, h := range benchkit.CGIColumns {
		col[h] = cells[k]
	}
	cgi := map[string]any{}
	for _, f := range [][2]string{{"association", "Association"}, {"cdna", "cDNA"}, {"drug", "Drug full name"},
		{"evidence_level", "Evidence level"}, {"gene", "Gene"}, {"primary_tumor_type", "Primary Tumor type"},
		{"protein_change", "individual_mutation"}, {"region", "region"}, {"source", "Source"}, {"transcript", "transcript"}} {
		if v := col[f[1]]; v != "" {
			cgi[f[0]] = v
		}
	}
	return docstore.Doc{"_id": id, "cgi": cgi}
}

// writeInputs writes the TSV, the plugins and the script of the parser
// alone, returning the TSV's size.
func (b *bench) writeInputs() (int64, error) {
	b.data = filepath.Join(b.dir, "data")
	b.plugins, b.onDups = map[string]string{}, map[string]string{}
	root, err := benchkit.RepoRoot()
	if err != nil {
		return 0, fmt.Errorf("the tutorial's parser: %w", err)
	}
	tutorial, err := os.ReadFile(filepath.Join(root, "internal", "domain", "pyparser", "testdata", "plugins", "cgi", "parser.py"))
	if err != nil {
		return 0, fmt.Errorf("the tutorial's parser: %w (run from the repository)", err)
	}
	files := map[string][]byte{filepath.Join(b.dir, "alone.py"): []byte(aloneScript)}
	add := func(name string, parser []byte, onDups string) {
		b.names = append(b.names, name)
		b.plugins[name], b.onDups[name] = filepath.Join(b.dir, name), onDups
		files[filepath.Join(b.dir, name, "parser.py")] = parser
	}
	add("tutorial", tutorial, uploadstore.OnDuplicatesError)
	if b.mvcgi != "" {
		parser, onDups, err := readMvcgi(b.mvcgi)
		if err != nil {
			return 0, err
		}
		add("mvcgi", parser, onDups)
	}
	add("stream", []byte(streamParser), uploadstore.OnDuplicatesError)
	for path, text := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return 0, err
		}
	}
	if err := os.MkdirAll(b.data, 0o755); err != nil {
		return 0, err
	}
	f, err := os.Create(filepath.Join(b.data, benchkit.CGIFile))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(benchkit.CGIColumns, "\t") + "\n")
	for i := range b.rows {
		w.WriteString(strings.Join(row(i), "\t"))
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

// readMvcgi reads the mvcgi plugin's parser.py and its manifest's
// on_duplicates from a folder, or from the HEAD of a git clone.
func readMvcgi(dir string) (parser []byte, onDups string, err error) {
	read := func(name string) ([]byte, error) {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			return b, nil
		}
		out, err := exec.Command("git", "--git-dir", gitDir(dir), "show", "HEAD:"+name).Output()
		if err != nil {
			return nil, fmt.Errorf("the mvcgi plugin (-mvcgi %s): no %s in the folder or at the HEAD of a git clone: %w", dir, name, err)
		}
		return out, nil
	}
	if parser, err = read("parser.py"); err != nil {
		return nil, "", err
	}
	text, err := read("manifest.json")
	if err != nil {
		return nil, "", err
	}
	var m struct {
		Uploader struct {
			OnDuplicates string `json:"on_duplicates"`
		} `json:"uploader"`
	}
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, "", fmt.Errorf("the mvcgi plugin's manifest.json: %w", err)
	}
	return parser, m.Uploader.OnDuplicates, nil
}

// gitDir is the git directory of a clone: its .git folder, or itself
// when bare.
func gitDir(dir string) string {
	if st, err := os.Stat(filepath.Join(dir, ".git")); err == nil && st.IsDir() {
		return filepath.Join(dir, ".git")
	}
	return dir
}

// ---- measures

func mib(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}
