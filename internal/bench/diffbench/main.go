// Command diffbench measures the differ against a plain read: it stores
// two SQLite collections of n small documents differing by a fraction of
// adds, updates and deletes, then times a Scan of both collections and a
// Diff of them in the same run, and prints both rates and their ratio.
//
//	go run ./internal/bench/diffbench -n 1000000 -changes 0.01
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"studio/internal/bench/benchkit"
	"studio/internal/domain/differ"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func main() {
	n := flag.Int("n", 1_000_000, "documents in the old collection")
	changes := flag.Float64("changes", 0.01, "fraction of documents changed, split evenly between adds, updates and deletes")
	perFile := flag.Int("per-file", differ.DefaultMaxDocsPerFile, "entries per diff file")
	dir := flag.String("dir", "", "folder for the data (default: a temporary folder, removed at the end)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the first diff to this file")
	flag.IntVar(&rounds, "rounds", 3, "measurements of each, alternating; the best counts")
	flag.Parse()
	profile = *cpuProfile
	if err := run(context.Background(), *n, *changes, *perFile, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "diffbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n int, changes float64, perFile int, dir string) error {
	dir, cleanup, err := benchkit.WorkDir(dir, "diffbench")
	if err != nil {
		return err
	}
	defer cleanup()
	s, err := sqlite.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	defer s.Close()
	old, new := s.C("old"), s.C("new")

	start := time.Now()
	want, err := fill(ctx, old, new, n, changes)
	if err != nil {
		return err
	}
	fmt.Printf("stored %d old and %d new documents in %v (expect add %d, update %d, delete %d)\n",
		n, n+int(want.Add-want.Delete), time.Since(start).Round(time.Millisecond), want.Add, want.Update, want.Delete)

	if _, err := scanBoth(ctx, old, new); err != nil { // warm the caches for both runs alike
		return err
	}
	// The two measurements alternate, and the best of each counts, so that
	// load from other processes weighs on both alike.
	var bestScan, bestDiff time.Duration
	var scanned int64
	var md differ.Metadata
	for round := range rounds {
		start, cpu0 := time.Now(), benchkit.CPUTime()
		if scanned, err = scanBoth(ctx, old, new); err != nil {
			return err
		}
		scanTime, cpu1 := time.Since(start), benchkit.CPUTime()
		if md, err = timedDiff(ctx, old, new, filepath.Join(dir, "diff"), perFile, round == 0); err != nil {
			return err
		}
		diffTime, cpu2 := time.Since(start)-scanTime, benchkit.CPUTime()
		fmt.Printf("round %d: scan of both %v (CPU %v), diff %v (CPU %v)\n", round+1,
			scanTime.Round(time.Millisecond), (cpu1 - cpu0).Round(time.Millisecond),
			diffTime.Round(time.Millisecond), (cpu2 - cpu1).Round(time.Millisecond))
		if round == 0 || scanTime < bestScan {
			bestScan = scanTime
		}
		if round == 0 || diffTime < bestDiff {
			bestDiff = diffTime
		}
	}
	scanRate := float64(scanned) / bestScan.Seconds()
	diffRate := float64(scanned) / bestDiff.Seconds()
	var size int64
	for _, f := range md.Files {
		size += f.Size
	}
	fmt.Printf("scan of both: %d docs in %v = %.0f docs/s (best of %d)\n", scanned, bestScan.Round(time.Millisecond), scanRate, rounds)
	fmt.Printf("diff:         %d docs in %v = %.0f docs/s (best of %d; %d files, %d bytes)\n",
		scanned, bestDiff.Round(time.Millisecond), diffRate, rounds, len(md.Files), size)
	fmt.Printf("stats: add %d, update %d, delete %d, same %d\n", md.Stats.Add, md.Stats.Update, md.Stats.Delete, md.Stats.Same)
	fmt.Printf("ratio diff/scan: %.2f (target >= 0.5)\n", diffRate/scanRate)
	if md.Stats.Add != want.Add || md.Stats.Update != want.Update || md.Stats.Delete != want.Delete {
		return fmt.Errorf("diff found %+v, expected %+v", md.Stats, want)
	}
	return nil
}

// profile is the -cpuprofile file; rounds is -rounds.
var (
	profile string
	rounds  int
)

// timedDiff runs the diff, profiled when asked and profile is true.
func timedDiff(ctx context.Context, old, new docstore.Collection, dir string, perFile int, profileIt bool) (differ.Metadata, error) {
	if profileIt {
		stopProfile, err := benchkit.StartCPUProfile(profile)
		if err != nil {
			return differ.Metadata{}, err
		}
		defer stopProfile()
	}
	return differ.Diff(ctx, old, new, dir, "old", "new", nil, nil, nil, differ.Options{MaxDocsPerFile: perFile})
}

func smallDoc(r *rand.Rand, id string) docstore.Doc {
	return docstore.Doc{
		"_id":    id,
		"symbol": fmt.Sprintf("GENE%d", r.IntN(100_000)),
		"taxid":  int64(9606),
		"score":  r.Float64(),
		"alias":  []any{"a" + id},
		"pos":    map[string]any{"chr": "7", "start": int64(r.IntN(1e8))},
	}
}

// fill stores n old documents and their edited copy, and returns the
// differences it made.
func fill(ctx context.Context, old, new docstore.Collection, n int, changes float64) (differ.Stats, error) {
	const batch = 5000
	r := rand.New(rand.NewPCG(1, 2))
	var want differ.Stats
	var olds, news []docstore.Doc
	flush := func(force bool) error {
		if len(olds) >= batch || (force && len(olds) > 0) {
			if err := old.Insert(ctx, olds); err != nil {
				return err
			}
			olds = olds[:0]
		}
		if len(news) >= batch || (force && len(news) > 0) {
			if err := new.Insert(ctx, news); err != nil {
				return err
			}
			news = news[:0]
		}
		return nil
	}
	for i := range n {
		id := fmt.Sprintf("d%09d", 2*i)
		d := smallDoc(r, id)
		olds = append(olds, d)
		u := r.Float64()
		switch {
		case u < changes/3:
			want.Delete++
		case u < 2*changes/3:
			nd := smallDoc(r, id)
			nd["pos"] = d["pos"]
			news = append(news, nd)
			want.Update++
		case u < changes:
			news = append(news, d, smallDoc(r, fmt.Sprintf("d%09d", 2*i+1)))
			want.Add++
			want.Same++
		default:
			news = append(news, d)
			want.Same++
		}
		if err := flush(false); err != nil {
			return want, err
		}
	}
	return want, flush(true)
}

// scanBoth reads both collections one after the other, as plain reads.
func scanBoth(ctx context.Context, cs ...docstore.Collection) (int64, error) {
	var count int64
	for _, c := range cs {
		for _, err := range c.Scan(ctx, docstore.ScanOptions{}) {
			if err != nil {
				return count, err
			}
			count++
		}
	}
	return count, nil
}
