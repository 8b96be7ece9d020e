// Command inspectbench measures how fast Parallel inspects a collection
// compared with merely scanning it: it fills a SQLite document store with
// generated documents, then times, in the same run, a plain Collection.Scan
// and a Parallel inspection (all three modes) over the same scan.
//
//	go run ./internal/bench/inspectbench -n 1000000
//
// The ratio inspect/scan is the share of scanning speed left once
// inspection is added; the target is 0.7 or more. The two measures
// alternate for -rounds rounds and the best of each is compared, which
// keeps other load on the machine from deciding the ratio.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"path/filepath"
	"runtime"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/inspect"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func main() {
	n := flag.Int("n", 100_000, "documents to generate")
	workers := flag.Int("workers", 0, "inspection workers (0 = GOMAXPROCS)")
	dir := flag.String("dir", "", "folder for the SQLite file (default: a temporary folder, removed afterwards)")
	rounds := flag.Int("rounds", 3, "times to repeat the scan and inspection measures (alternating; the best of each is compared)")
	flag.Parse()
	if err := run(*n, *workers, *dir, *rounds); err != nil {
		log.Fatal(err)
	}
}

func run(n, workers int, dir string, rounds int) error {
	ctx := context.Background()
	dir, cleanup, err := benchkit.WorkDir(dir, "inspectbench")
	if err != nil {
		return err
	}
	defer cleanup()
	store, err := sqlite.Open(filepath.Join(dir, "inspectbench.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Drop(ctx, "bench"); err != nil {
		return err
	}
	c := store.C("bench")

	start := time.Now()
	if err := fill(ctx, c, n); err != nil {
		return err
	}
	fmt.Printf("insert:  %d docs in %v (%.0f docs/s)\n", n, time.Since(start).Round(time.Millisecond), rate(n, time.Since(start)))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var bestScan, bestInsp float64
	for range rounds {
		start = time.Now()
		scanned := 0
		for _, err := range c.Scan(ctx, docstore.ScanOptions{}) {
			if err != nil {
				return err
			}
			scanned++
		}
		scan := rate(scanned, time.Since(start))
		fmt.Printf("scan:    %d docs in %v (%.0f docs/s)\n", scanned, time.Since(start).Round(time.Millisecond), scan)

		start = time.Now()
		docs := func(yield func(map[string]any, error) bool) {
			for d, err := range c.Scan(ctx, docstore.ScanOptions{}) {
				if !yield(d, err) {
					return
				}
			}
		}
		r, err := inspect.Parallel(ctx, workers, docs, inspect.AllModes...)
		if err != nil {
			return err
		}
		insp := rate(int(r.Count), time.Since(start))
		fmt.Printf("inspect: %d docs in %v (%.0f docs/s, %d workers, %d errors)\n", r.Count, time.Since(start).Round(time.Millisecond), insp, workers, len(r.Errors))
		fmt.Printf("ratio inspect/scan: %.2f\n", insp/scan)
		bestScan, bestInsp = max(bestScan, scan), max(bestInsp, insp)
	}
	fmt.Printf("best of %d: scan %.0f docs/s, inspect %.0f docs/s, ratio %.2f (target >= 0.70)\n", rounds, bestScan, bestInsp, bestInsp/bestScan)
	return nil
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

var (
	genes  = []string{"ABL1", "KIT", "BRAF", "EGFR", "KRAS", "TP53", "CDK2", "PIK3CA"}
	tumors = []string{"Any cancer type", "Chronic myeloid leukemia", "Melanoma", "Lung adenocarcinoma"}
)

// fill inserts n small nested documents in batches of 1000.
func fill(ctx context.Context, c docstore.Collection, n int) error {
	rng := rand.New(rand.NewSource(1))
	batch := make([]docstore.Doc, 0, 1000)
	for i := range n {
		batch = append(batch, generate(rng, i))
		if len(batch) == cap(batch) || i == n-1 {
			if err := c.Insert(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

func generate(rng *rand.Rand, i int) docstore.Doc {
	rec := func() map[string]any {
		return map[string]any{
			"gene":     genes[rng.Intn(len(genes))],
			"tumor":    tumors[rng.Intn(len(tumors))],
			"position": int64(rng.Intn(250_000_000)),
			"score":    rng.Float64(),
			"approved": rng.Intn(2) == 0,
		}
	}
	var cgi any = rec()
	if i%3 == 0 {
		cgi = []any{rec(), rec()}
	}
	return docstore.Doc{
		"_id":     fmt.Sprintf("chr%d:g.%09dA>G", 1+i%22, i),
		"symbol":  genes[i%len(genes)],
		"taxid":   int64(9606),
		"aliases": []any{fmt.Sprintf("alias%d", i), nil},
		"cgi":     cgi,
	}
}
