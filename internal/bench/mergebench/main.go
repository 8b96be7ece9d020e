// Command mergebench measures how fast a build merges sources into its
// collection compared with a raw copy of the same documents, both measured
// in the same run on the same SQLite document store:
//
//	go run ./internal/bench/mergebench -n 1000000
//
// It fills two source collections in a temporary folder (removed
// afterwards): "genes", n small nested documents with _id g%08d, and
// "variants", n/2 documents whose _ids are every other gene's (so each one
// updates a gene). Each round then times:
//
//  1. raw copy: Scan genes, Insert into a fresh collection in batches of 1000;
//  2. build: merge.Source(genes -> build, Root, CreateNew);
//  3. raw upsert: Scan variants, Upsert into the copy of (1);
//  4. merge: merge.Source(variants -> build, non-root).
//
// Ratios are build/copy (target >= 0.80) and merge/upsert (printed, no
// target: a non-root merge reads and combines each target document that a
// raw upsert blindly replaces). Measures alternate for -rounds rounds and
// the best of each is compared, which keeps other load on the machine from
// deciding the ratio. Peak RSS (VmHWM) is printed at the end (target
// < 512 MB).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/merge"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

const batchSize = 1000

func main() {
	n := flag.Int("n", 100_000, "gene documents to generate (variants: n/2)")
	dir := flag.String("dir", "", "folder for the SQLite file (default: a temporary folder, removed afterwards)")
	rounds := flag.Int("rounds", 3, "times to repeat the measures (the best of each is compared)")
	flag.Parse()
	if *n < 2 || *rounds < 1 {
		log.Fatal("need -n >= 2 and -rounds >= 1")
	}
	if err := run(*n, *dir, *rounds); err != nil {
		log.Fatal(err)
	}
}

func run(n int, dir string, rounds int) error {
	ctx := context.Background()
	dir, cleanup, err := benchkit.WorkDir(dir, "mergebench")
	if err != nil {
		return err
	}
	defer cleanup()
	store, err := sqlite.Open(filepath.Join(dir, "mergebench.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	for _, name := range []string{"genes", "variants", "copy", "build"} {
		if err := store.Drop(ctx, name); err != nil {
			return err
		}
	}

	// The build configuration: genes creates documents, variants only
	// updates them.
	root, others, err := merge.Config{Sources: []string{"genes", "variants"}, Root: []string{"!variants"}}.Roots()
	if err != nil {
		return err
	}
	if len(root) != 1 || root[0] != "genes" || len(others) != 1 || others[0] != "variants" {
		return fmt.Errorf("unexpected roots %v, others %v", root, others)
	}
	genes, variants := store.C("genes"), store.C("variants")
	nv := n / 2

	start := time.Now()
	if err := fill(ctx, genes, n, geneDoc); err != nil {
		return err
	}
	if err := fill(ctx, variants, nv, variantDoc); err != nil {
		return err
	}
	fmt.Printf("fill: %d genes + %d variants in %v\n", n, nv, time.Since(start).Round(time.Millisecond))

	var best [4]float64 // copy, build, upsert, merge
	for r := range rounds {
		for _, name := range []string{"copy", "build"} {
			if err := store.Drop(ctx, name); err != nil {
				return err
			}
		}
		cp, build := store.C("copy"), store.C("build")

		// 1. raw copy.
		start = time.Now()
		copied, err := rawCopy(ctx, genes, cp, false)
		if err != nil {
			return err
		}
		copyRate := rate(copied, time.Since(start))
		if err := expect(ctx, cp, n); err != nil {
			return err
		}

		// 2. build: the first root source.
		start = time.Now()
		st, err := merge.Source(ctx, genes, build, merge.Options{Root: true, Batch: batchSize, CreateNew: true})
		if err != nil {
			return err
		}
		buildRate := rate(st.Read, time.Since(start))
		if st.Read != int64(n) || st.Created != int64(n) {
			return fmt.Errorf("root merge: %+v, want %d read and created", st, n)
		}
		if err := expect(ctx, build, n); err != nil {
			return err
		}

		// 3. raw upsert of variants into the copy of genes.
		start = time.Now()
		upserted, err := rawCopy(ctx, variants, cp, true)
		if err != nil {
			return err
		}
		upsertRate := rate(upserted, time.Since(start))
		if err := expect(ctx, cp, n); err != nil {
			return err
		}

		// 4. merge variants as a non-root source.
		start = time.Now()
		st, err = merge.Source(ctx, variants, build, merge.Options{Root: false, Batch: batchSize})
		if err != nil {
			return err
		}
		mergeRate := rate(st.Read, time.Since(start))
		if st.Read != int64(nv) || st.Updated != int64(nv) || st.Created != 0 || st.Skipped != 0 {
			return fmt.Errorf("non-root merge: %+v, want %d read and updated", st, nv)
		}
		if err := expect(ctx, build, n); err != nil {
			return err
		}
		if err := checkMerged(ctx, build); err != nil {
			return err
		}

		fmt.Printf("round %d: copy %.0f docs/s, build %.0f docs/s (ratio %.2f); upsert %.0f docs/s, merge %.0f docs/s (ratio %.2f)\n",
			r+1, copyRate, buildRate, buildRate/copyRate, upsertRate, mergeRate, mergeRate/upsertRate)
		for i, v := range []float64{copyRate, buildRate, upsertRate, mergeRate} {
			best[i] = max(best[i], v)
		}
	}

	fmt.Printf("\nbest of %d round(s), n=%d genes, %d variants, batches of %d:\n", rounds, n, nv, batchSize)
	fmt.Printf("  %-34s %12s\n", "measure", "docs/s")
	fmt.Printf("  %-34s %12.0f\n", "raw copy genes (Scan+Insert)", best[0])
	fmt.Printf("  %-34s %12.0f\n", "build genes (root, CreateNew)", best[1])
	fmt.Printf("  %-34s %12.0f\n", "raw upsert variants (Scan+Upsert)", best[2])
	fmt.Printf("  %-34s %12.0f\n", "merge variants (non-root)", best[3])
	fmt.Printf("  ratio build/copy:    %.2f (target >= 0.80)\n", best[1]/best[0])
	fmt.Printf("  ratio merge/upsert:  %.2f\n", best[3]/best[2])
	hwm, err := peakRSS()
	if err != nil {
		fmt.Printf("  peak RSS: unknown (%v)\n", err)
	} else {
		fmt.Printf("  peak RSS (VmHWM):    %.0f MB (target < 512 MB)\n", float64(hwm)/(1<<20))
	}
	return nil
}

// rawCopy scans src and writes its documents into dst in batches, with
// Insert or Upsert: the baseline a merge is compared with.
func rawCopy(ctx context.Context, src, dst docstore.Collection, upsert bool) (int64, error) {
	var n int64
	batch := make([]docstore.Doc, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var err error
		if upsert {
			err = dst.Upsert(ctx, batch)
		} else {
			err = dst.Insert(ctx, batch)
		}
		batch = batch[:0]
		return err
	}
	for d, err := range src.Scan(ctx, docstore.ScanOptions{Batch: batchSize}) {
		if err != nil {
			return n, err
		}
		n++
		batch = append(batch, d)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

func expect(ctx context.Context, c docstore.Collection, want int) error {
	got, err := c.Count(ctx)
	if err != nil {
		return err
	}
	if got != int64(want) {
		return fmt.Errorf("%s has %d documents, want %d", c.Name(), got, want)
	}
	return nil
}

// checkMerged spot-checks that a gene with a variant holds both sources'
// keys, the later source winning on "source", and that one without keeps
// its own.
func checkMerged(ctx context.Context, build docstore.Collection) error {
	d, err := build.Get(ctx, geneID(0))
	if err != nil {
		return err
	}
	if d["gene"] == nil || d["variant"] == nil || d["source"] != "variants" {
		return fmt.Errorf("merged %s = %v: want gene and variant keys, source variants", geneID(0), d)
	}
	d, err = build.Get(ctx, geneID(1))
	if err != nil {
		return err
	}
	if d["variant"] != nil || d["source"] != "genes" {
		return fmt.Errorf("unmerged %s = %v: want no variant key, source genes", geneID(1), d)
	}
	return nil
}

func rate(n int64, d time.Duration) float64 { return float64(n) / d.Seconds() }

func geneID(i int) string { return fmt.Sprintf("g%08d", i) }

var symbols = []string{"ABL1", "KIT", "BRAF", "EGFR", "KRAS", "TP53", "CDK2", "PIK3CA"}

func geneDoc(i int) docstore.Doc {
	return docstore.Doc{
		"_id":    geneID(i),
		"source": "genes",
		"gene": map[string]any{
			"symbol": symbols[i%len(symbols)],
			"entrez": int64(1000 + i),
			"taxid":  int64(9606),
			"pos":    map[string]any{"chr": fmt.Sprint(1 + i%22), "start": int64(i * 10), "end": int64(i*10 + 500)},
		},
	}
}

// variantDoc is the i-th variant; it belongs to gene 2i.
func variantDoc(i int) docstore.Doc {
	return docstore.Doc{
		"_id":    geneID(2 * i),
		"source": "variants",
		"variant": map[string]any{
			"hgvs": fmt.Sprintf("chr%d:g.%dA>G", 1+i%22, 100+i),
			"cadd": map[string]any{"phred": float64(i%400) / 10, "consequence": "missense"},
		},
	}
}

// fill inserts n generated documents in batches.
func fill(ctx context.Context, c docstore.Collection, n int, gen func(int) docstore.Doc) error {
	batch := make([]docstore.Doc, 0, batchSize)
	for i := range n {
		batch = append(batch, gen(i))
		if len(batch) == batchSize || i == n-1 {
			if err := c.Insert(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// peakRSS reads the process's peak resident set (VmHWM) in bytes.
func peakRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
