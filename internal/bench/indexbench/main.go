// Command indexbench measures the Bleve backend's bulk indexing
// (Engine.Bulk, with _source, _version, copy_to and exists bookkeeping)
// beside Bleve's own batch indexing of the same documents with the same
// mapping, in one run:
//
//	go run ./internal/bench/indexbench -n 200000
//
// It prints documents per second for both, their ratio, and the peak
// resident memory of each phase.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	blevesearch "github.com/blevesearch/bleve/v2"

	"studio/internal/app/procstat"
	"studio/internal/bench/benchkit"
	"studio/internal/engine/search"
	studiobleve "studio/internal/engine/search/bleve"
)

var cpuProfile string

func main() {
	n := flag.Int("n", 1_000_000, "documents to index")
	batch := flag.Int("batch", 1000, "documents per batch")
	dir := flag.String("dir", "", "working folder (default: a temporary one, removed at the end)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the Engine.Bulk phase to this file")
	flag.Parse()
	cpuProfile = *profile
	if err := run(*n, *batch, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "indexbench:", err)
		os.Exit(1)
	}
}

func run(n, batch int, dir string) error {
	dir, cleanup, err := benchkit.WorkDir(dir, "indexbench")
	if err != nil {
		return err
	}
	defer cleanup()
	spec := benchSpec()
	fmt.Printf("indexing %d generated documents in batches of %d (%s)\n", n, batch, dir)

	procstat.ResetPeak()
	rawRate, err := indexRaw(filepath.Join(dir, "raw"), spec, n, batch)
	if err != nil {
		return fmt.Errorf("bleve batch: %w", err)
	}
	rawPeak := procstat.PeakBytes()
	fmt.Printf("bleve Index.Batch: %10.0f docs/s   peak RSS %s\n", rawRate, benchkit.MiB(rawPeak))

	procstat.ResetPeak()
	studioRate, err := indexStudio(filepath.Join(dir, "studio"), spec, n, batch)
	if err != nil {
		return fmt.Errorf("engine bulk: %w", err)
	}
	studioPeak := procstat.PeakBytes()
	fmt.Printf("Engine.Bulk:       %10.0f docs/s   peak RSS %s\n", studioRate, benchkit.MiB(studioPeak))
	fmt.Printf("ratio Engine.Bulk / Index.Batch: %.2f (target >= 0.80)\n", studioRate/rawRate)
	return nil
}

// benchSpec is a released index shaped like mygene's core fields.
func benchSpec() search.IndexSpec {
	props := map[string]any{
		"symbol":       benchkit.Keyword(true),
		"alias":        benchkit.Keyword(true),
		"entrezgene":   benchkit.Keyword(true),
		"type_of_gene": benchkit.Keyword(false),
		"name":         map[string]any{"type": "text", "copy_to": []any{search.AllField}},
		"summary":      map[string]any{"type": "text", "copy_to": []any{search.AllField}},
		"taxid":        map[string]any{"type": "integer"},
		"genomic_pos": map[string]any{"properties": map[string]any{
			"chr":   benchkit.Keyword(false),
			"start": map[string]any{"type": "long"},
			"end":   map[string]any{"type": "long"},
		}},
		"exac": map[string]any{"type": "object", "enabled": false},
	}
	return search.ReleaseSpec(props, map[string]any{"build_version": "bench"}, 1, 0)
}

var words = strings.Fields(`cyclin dependent kinase protein binding receptor factor
transcription regulator membrane transport channel zinc finger domain family member
subunit complex associated homolog like putative uncharacterized mitochondrial ribosomal`)

// doc generates document i, the same in both phases.
func doc(i int) (string, map[string]any) {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	sentence := func(k int) string {
		w := make([]string, k)
		for j := range w {
			w[j] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	start := int64(r.IntN(200_000_000))
	d := map[string]any{
		"symbol":       fmt.Sprintf("G%d", i),
		"alias":        []any{fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", r.IntN(1000))},
		"entrezgene":   strconv.Itoa(100000 + i),
		"type_of_gene": []string{"protein-coding", "ncRNA", "pseudo"}[r.IntN(3)],
		"name":         sentence(4),
		"summary":      sentence(20),
		"taxid":        int64(9606 + r.IntN(50)),
		"genomic_pos":  map[string]any{"chr": strconv.Itoa(1 + r.IntN(22)), "start": start, "end": start + int64(r.IntN(100000))},
		"exac":         map[string]any{"p_li": r.Float64(), "n_lof": float64(r.IntN(40))},
	}
	return strconv.Itoa(i), d
}

func indexRaw(dir string, spec search.IndexSpec, n, size int) (float64, error) {
	tr, err := studiobleve.Translate(spec)
	if err != nil {
		return 0, err
	}
	bi, err := blevesearch.New(dir, tr.Mapping)
	if err != nil {
		return 0, err
	}
	defer bi.Close()
	start := time.Now()
	b := bi.NewBatch()
	for i := range n {
		id, d := doc(i)
		if err := b.Index(id, d); err != nil {
			return 0, err
		}
		if b.Size() >= size || i == n-1 {
			if err := bi.Batch(b); err != nil {
				return 0, err
			}
			b.Reset()
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func indexStudio(dir string, spec search.IndexSpec, n, size int) (float64, error) {
	ctx := context.Background()
	e, err := studiobleve.Open(dir)
	if err != nil {
		return 0, err
	}
	defer e.Close()
	if err := e.CreateIndex(ctx, "bench", spec); err != nil {
		return 0, err
	}
	stopProfile, err := benchkit.StartCPUProfile(cpuProfile)
	if err != nil {
		return 0, err
	}
	defer stopProfile()
	start := time.Now()
	ops := make([]search.BulkOp, 0, size)
	for i := range n {
		id, d := doc(i)
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: d})
		if len(ops) == size || i == n-1 {
			res, err := e.Bulk(ctx, "bench", ops)
			if err != nil {
				return 0, err
			}
			if len(res.Failed) > 0 {
				return 0, fmt.Errorf("%d documents failed, first: %+v", len(res.Failed), res.Failed[0])
			}
			ops = ops[:0]
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	st, err := e.Stats(ctx, "bench")
	if err != nil {
		return 0, err
	}
	if st.Docs != int64(n) {
		return 0, fmt.Errorf("the index holds %d documents, want %d", st.Docs, n)
	}
	return rate, nil
}
