// Command pybench measures what the Go side of pyparser costs. It writes a
// TSV of N rows and a plugin whose parser yields one small dict per row,
// then runs that parser twice:
//
//	(a) alone: the runner's document stream goes to /dev/null;
//	(b) through pyparser.Run with a no-op emit.
//
// It prints documents per second for both, their ratio (b/a; the target is
// at least 0.8) and the peak RSS of this Go process.
//
//	go run ./internal/bench/pybench -rows 1000000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"studio/internal/domain/pyparser"
)

const parserCode = `import os


def load_data(data_folder):
    with open(os.path.join(data_folder, "bench.tsv")) as f:
        next(f)
        for line in f:
            _id, gene, score, chrom, pos = line.rstrip("\n").split("\t")
            yield {"_id": _id, "gene": gene, "score": float(score), "chrom": chrom, "pos": int(pos)}
`

func main() {
	rows := flag.Int("rows", 1000000, "rows in the generated TSV (= documents)")
	python := flag.String("python", "python3", "Python interpreter")
	rounds := flag.Int("rounds", 2, "measure (a) then (b) this many times and keep the best of each")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(*rows, *python, max(*rounds, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "pybench:", err)
		os.Exit(1)
	}
}

func run(rows int, python string, rounds int) error {
	dir, err := os.MkdirTemp("", "pybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	data, plugin := filepath.Join(dir, "data"), filepath.Join(dir, "plugin")
	if err := writeInputs(data, plugin, rows); err != nil {
		return err
	}
	spec := pyparser.Spec{PluginDir: plugin, Func: "parser:load_data", Python: python}
	ctx := context.Background()

	var alone, through time.Duration
	var childRSS int64
	for r := 0; r < rounds; r++ {
		a, rss, err := runAlone(spec, data)
		if err != nil {
			return err
		}
		b, err := runThrough(ctx, spec, data, rows)
		if err != nil {
			return err
		}
		if r == 0 || a < alone {
			alone = a
		}
		if r == 0 || b < through {
			through = b
		}
		childRSS = max(childRSS, rss)
	}

	rateA := float64(rows) / alone.Seconds()
	rateB := float64(rows) / through.Seconds()
	fmt.Printf("rows: %d, best of %d rounds (times include the interpreter's start)\n", rows, rounds)
	fmt.Printf("(a) parser alone, stream to /dev/null: %8.2fs  %10.0f docs/s  (python peak RSS %s)\n", alone.Seconds(), rateA, mib(childRSS))
	fmt.Printf("(b) pyparser.Run, no-op emit:          %8.2fs  %10.0f docs/s\n", through.Seconds(), rateB)
	fmt.Printf("ratio b/a: %.2f (target >= 0.80)\n", rateB/rateA)
	fmt.Printf("Go process peak RSS (VmHWM): %s\n", peakRSS())
	return nil
}

// runAlone runs the parser with its document stream going to /dev/null.
func runAlone(spec pyparser.Spec, data string) (time.Duration, int64, error) {
	cmd, err := pyparser.RawCommand(spec, data, pyparser.Limits{})
	if err != nil {
		return 0, 0, err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer devnull.Close()
	cmd.ExtraFiles = []*os.File{devnull}
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("parser alone: %w", err)
	}
	d := time.Since(t0)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) << 10
	}
	return d, rss, nil
}

// runThrough runs the parser through pyparser.Run with a no-op emit.
func runThrough(ctx context.Context, spec pyparser.Spec, data string, rows int) (time.Duration, error) {
	t0 := time.Now()
	st, err := pyparser.Run(ctx, spec, data, pyparser.Limits{}, func(map[string]any) error { return nil })
	if err != nil {
		return 0, fmt.Errorf("Run: %w", err)
	}
	if st.Docs != int64(rows) {
		return 0, fmt.Errorf("Run produced %d documents, want %d", st.Docs, rows)
	}
	return time.Since(t0), nil
}

func writeInputs(data, plugin string, rows int) error {
	for _, d := range []string{data, plugin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(plugin, "parser.py"), []byte(parserCode), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(data, "bench.tsv"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id\tgene\tscore\tchrom\tpos")
	genes := []string{"ABL1", "BRAF", "EGFR", "KRAS", "TP53", "PIK3CA"}
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "chr%d:g.%dA>G\t%s\t%d.%03d\t%d\t%d\n", i%22+1, 100000+i, genes[i%len(genes)], i%100, i%1000, i%22+1, 100000+i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// peakRSS reads VmHWM from /proc/self/status (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
