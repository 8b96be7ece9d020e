// Command tpbench measures the declarative parser: it writes a TSV of
// generated variants to a temporary folder and reports how fast
// tableparse.Run turns it into documents with a no-op emit.
//
//	go run ./internal/bench/tpbench -rows 1000000 [-gz] [-group]
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/tableparse"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows to generate")
	gz := flag.Bool("gz", false, "gzip the file")
	group := flag.Bool("group", false, "group rows by _id (ids repeat in runs of 1 to 3)")
	adjacent := flag.Bool("adjacent", false, "with -group: stream adjacent runs instead of holding groups")
	keep := flag.Bool("keep", false, "keep the generated file and print its folder")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of Run to this file")
	flag.Parse()
	profile = *cpuprofile
	if err := run(*rows, *gz, *group, *adjacent, *keep); err != nil {
		slog.Error("tpbench failed", "err", err)
		os.Exit(1)
	}
}

var profile string

func run(rows int, gz, group, adjacent, keep bool) error {
	dir, err := os.MkdirTemp("", "tpbench")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("data folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	name := "variants.tsv"
	if gz {
		name += ".gz"
	}
	start := time.Now()
	if err := generate(filepath.Join(dir, name), rows, gz, group); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fi, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	fmt.Printf("generated %d rows, %.1f MB in %s\n", rows, float64(fi.Size())/1e6, time.Since(start).Round(time.Millisecond))

	raw := map[string]any{
		"format": "tsv",
		"file":   "variants.tsv*",
		"id":     "{chrom}:g.{pos}{ref}>{alt}",
		"fields": map[string]any{
			"variant.gene":  "gene",
			"variant.pos":   map[string]any{"column": "pos", "type": "int"},
			"variant.score": map[string]any{"column": "score", "type": "float"},
			"variant.count": map[string]any{"column": "count", "type": "int"},
			"variant.tags":  map[string]any{"column": "tags", "type": "list"},
			"variant.desc":  "desc",
		},
		"where": []any{map[string]any{"column": "ref", "empty": false}},
	}
	if group {
		raw["group"] = map[string]any{"path": "variant", "adjacent": adjacent, "max_memory_mb": 4096}
	}
	spec, err := tableparse.ParseSpec(raw)
	if err != nil {
		return err
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stopProfile, err := benchkit.StartCPUProfile(profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	cpu0 := benchkit.CPUTime()
	start = time.Now()
	st, err := tableparse.Run(context.Background(), spec, dir, tableparse.Options{}, func(map[string]any) error { return nil })
	elapsed := time.Since(start)
	cpu := benchkit.CPUTime() - cpu0
	runtime.ReadMemStats(&after)
	if err != nil {
		return err
	}
	sec := elapsed.Seconds()
	fmt.Printf("Run: %d rows -> %d docs (%d rejected) in %s\n", st.Rows, st.Docs, st.Rejected, elapsed.Round(time.Millisecond))
	fmt.Printf("  %.0f rows/s, %.1f MB/s (on-disk bytes), %.1f allocs/row, %.0f bytes allocated/row, GOMAXPROCS %d\n",
		float64(st.Rows)/sec, float64(st.Bytes)/1e6/sec,
		float64(after.Mallocs-before.Mallocs)/float64(st.Rows),
		float64(after.TotalAlloc-before.TotalAlloc)/float64(st.Rows), runtime.GOMAXPROCS(0))
	fmt.Printf("  process CPU time %s (%.0f rows per CPU-second; the wall-clock rate depends on the machine's load)\n",
		cpu.Round(time.Millisecond), float64(st.Rows)/cpu.Seconds())
	return nil
}

// generate writes rows of made-up variants; with repeat, ids come in runs.
func generate(path string, rows int, gz, repeat bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		w = zw
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	bases := []string{"A", "C", "G", "T"}
	fmt.Fprintln(bw, "chrom\tpos\tref\talt\tgene\tscore\tcount\ttags\tdesc")
	pos := 10000
	for i := 0; i < rows; i++ {
		if !repeat || r.IntN(2) == 0 {
			pos += 1 + r.IntN(50)
		}
		fmt.Fprintf(bw, "%d\t%d\t%s\t%s\tGENE%d\t%.4f\t%d\t%s\t%s\n",
			1+pos%22, pos, bases[pos%4], bases[(pos+1)%4], pos%20000, r.Float64()*100, r.IntN(1000),
			"tagA,tagB,tag"+bases[i%4], "a free-text description of the variant")
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return f.Close()
}
