// Command docbench measures the document store backends: the embedded
// sqlite store and the mongo store on an in-process FerretDB v1 (SQLite
// backend). It reports insert rate, get-by-id latency and sorted-scan rate
// for each, and their ratio.
//
//	go run ./internal/bench/docbench -n 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/mongo"
	"studio/internal/engine/docstore/mongo/ferrettest"
	"studio/internal/engine/docstore/sqlite"
)

type result struct {
	n, sample    int
	insertPerSec float64
	getMicros    float64
	scanPerSec   float64
}

func main() {
	n := flag.Int("n", 1_000_000, "documents for sqlite")
	mongoN := flag.Int("mongo-n", 100_000, "documents for mongo on FerretDB (much slower)")
	skipMongo := flag.Bool("skip-mongo", false, "measure sqlite only")
	batch := flag.Int("batch", 1000, "documents per Insert call")
	sample := flag.Int("sample", 10_000, "random Gets on sqlite")
	mongoSample := flag.Int("mongo-sample", 200, "random Gets on FerretDB (each one scans the table)")
	dir := flag.String("dir", "", "folder for the data (default: a temporary folder, removed at the end)")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	if err := run(*n, *mongoN, *skipMongo, *batch, *sample, *mongoSample, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "docbench:", err)
		os.Exit(1)
	}
}

func run(n, mongoN int, skipMongo bool, batch, sample, mongoSample int, dir string) error {
	ctx := context.Background()
	dir, cleanup, err := benchkit.WorkDir(dir, "docbench")
	if err != nil {
		return err
	}
	defer cleanup()

	lite, err := sqlite.Open(filepath.Join(dir, "docs.db"))
	if err != nil {
		return err
	}
	fmt.Printf("sqlite: %d documents, batches of %d, %d random gets\n", n, batch, sample)
	rs, err := measure(ctx, lite, n, batch, sample)
	lite.Close()
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if skipMongo {
		printTable(rs, nil)
		return nil
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := ferrettest.Start(filepath.Join(dir, "ferretdb"), quiet)
	if err != nil {
		return err
	}
	defer srv.Stop()
	m, err := mongo.Open(ctx, srv.URI, "docbench", mongo.Options{})
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Printf("mongo on FerretDB v1 (SQLite backend): %d documents, batches of %d (sent %d per command), %d random gets (FerretDB scans the table per _id lookup)\n",
		mongoN, batch, mongo.DefaultBatchSize, mongoSample)
	rm, err := measure(ctx, m, mongoN, batch, mongoSample)
	if err != nil {
		return fmt.Errorf("mongo: %w", err)
	}
	printTable(rs, &rm)
	return nil
}

func benchDoc(i int) docstore.Doc {
	return docstore.Doc{
		"_id":    fmt.Sprintf("doc%08d", i),
		"name":   fmt.Sprintf("document number %d", i),
		"n":      int64(i),
		"tags":   []any{"a", "b"},
		"nested": map[string]any{"x": 1.5},
	}
}

func measure(ctx context.Context, s docstore.Store, n, batch, sample int) (result, error) {
	r := result{n: n, sample: sample}
	c := s.C("bench")
	if err := s.Drop(ctx, "bench"); err != nil {
		return r, err
	}

	start := time.Now()
	docs := make([]docstore.Doc, 0, batch)
	for i := 0; i < n; i += batch {
		docs = docs[:0]
		for j := i; j < min(i+batch, n); j++ {
			docs = append(docs, benchDoc(j))
		}
		if err := c.Insert(ctx, docs); err != nil {
			return r, err
		}
	}
	r.insertPerSec = float64(n) / time.Since(start).Seconds()
	fmt.Printf("  insert: %.0f docs/s\n", r.insertPerSec)

	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, sample)
	for i := range ids {
		ids[i] = fmt.Sprintf("doc%08d", rng.IntN(n))
	}
	start = time.Now()
	for _, id := range ids {
		if _, err := c.Get(ctx, id); err != nil {
			return r, err
		}
	}
	r.getMicros = float64(time.Since(start).Microseconds()) / float64(sample)
	fmt.Printf("  get: %.1f µs mean\n", r.getMicros)

	start = time.Now()
	seen := 0
	for _, err := range c.Scan(ctx, docstore.ScanOptions{Batch: 1000}) {
		if err != nil {
			return r, err
		}
		seen++
	}
	if seen != n {
		return r, fmt.Errorf("scan returned %d documents, want %d", seen, n)
	}
	r.scanPerSec = float64(n) / time.Since(start).Seconds()
	fmt.Printf("  sorted scan: %.0f docs/s\n", r.scanPerSec)
	return r, nil
}

func printTable(s result, m *result) {
	fmt.Println()
	if m == nil {
		fmt.Printf("%-22s %14s\n", "", "sqlite")
		fmt.Printf("%-22s %14d\n", "documents", s.n)
		fmt.Printf("%-22s %14.0f\n", "insert (docs/s)", s.insertPerSec)
		fmt.Printf("%-22s %14.1f\n", "get by id (µs, mean)", s.getMicros)
		fmt.Printf("%-22s %14.0f\n", "sorted scan (docs/s)", s.scanPerSec)
		return
	}
	fmt.Printf("%-22s %14s %14s %14s\n", "", "sqlite", "mongo/FerretDB", "sqlite/mongo")
	fmt.Printf("%-22s %14d %14d %14s\n", "documents", s.n, m.n, "")
	fmt.Printf("%-22s %14d %14d %14s\n", "get sample", s.sample, m.sample, "")
	fmt.Printf("%-22s %14.0f %14.0f %13.1fx\n", "insert (docs/s)", s.insertPerSec, m.insertPerSec, s.insertPerSec/m.insertPerSec)
	// For latency the ratio is inverted so that >1 still means sqlite is faster.
	fmt.Printf("%-22s %14.1f %14.1f %13.1fx\n", "get by id (µs, mean)", s.getMicros, m.getMicros, m.getMicros/s.getMicros)
	fmt.Printf("%-22s %14.0f %14.0f %13.1fx\n", "sorted scan (docs/s)", s.scanPerSec, m.scanPerSec, s.scanPerSec/m.scanPerSec)
	fmt.Println("(ratios: how many times faster sqlite is; for get, mongo µs / sqlite µs)")
}
