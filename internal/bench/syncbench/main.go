// Command syncbench compares an incremental sync (applying diff files with
// syncer.ApplyFile) with a full reindex of the new build, on a Bleve index
// of generated documents:
//
//	go run ./internal/bench/syncbench -n 100000 -updates 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"studio/internal/domain/differ"
	"studio/internal/domain/syncer"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
)

var props = map[string]any{
	"symbol":  map[string]any{"type": "keyword", "copy_to": []any{search.AllField}},
	"name":    map[string]any{"type": "text", "copy_to": []any{search.AllField}},
	"taxid":   map[string]any{"type": "integer"},
	"score":   map[string]any{"type": "float"},
	"alias":   map[string]any{"type": "keyword", "copy_to": []any{search.AllField}},
	"genomic": map[string]any{"properties": map[string]any{"chr": map[string]any{"type": "keyword"}, "start": map[string]any{"type": "long"}}},
}

func main() {
	n := flag.Int("n", 100_000, "documents in the index")
	updates := flag.Int("updates", 10_000, "documents changed by the new build")
	keep := flag.Bool("keep", false, "keep the temporary folder")
	flag.Parse()
	if *updates > *n {
		log.Fatal("-updates cannot exceed -n")
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	dir, err := os.MkdirTemp("", "syncbench-")
	if err != nil {
		log.Fatal(err)
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	if err := run(context.Background(), dir, *n, *updates); err != nil {
		log.Fatal(err)
	}
}

func gen(r *rand.Rand, i int) docstore.Doc {
	id := fmt.Sprintf("g%08d", i)
	return docstore.Doc{
		"_id": id, "symbol": fmt.Sprintf("SYM%d", r.IntN(1e6)),
		"name":  fmt.Sprintf("gene %d protein kinase %d", i, r.IntN(1000)),
		"taxid": int64(9606), "score": r.Float64(),
		"alias":   []any{"a" + id, "b" + id},
		"genomic": map[string]any{"chr": fmt.Sprint(1 + r.IntN(22)), "start": int64(r.IntN(1e8))},
	}
}

func run(ctx context.Context, dir string, n, updates int) error {
	st, err := sqlite.Open(filepath.Join(dir, "src.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := bleve.Open(filepath.Join(dir, "indexes"))
	if err != nil {
		return err
	}
	defer eng.Close()

	// Setup: the old and new collections and the live index of the old.
	t0 := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	oldC, newC := st.C("old"), st.C("new")
	step := max(1, n/max(1, updates)) // spread the changed documents
	changed := 0
	var olds, news []docstore.Doc
	flush := func(force bool) error {
		if len(olds) < 5000 && !force {
			return nil
		}
		if err := oldC.Insert(ctx, olds); err != nil {
			return err
		}
		if err := newC.Insert(ctx, news); err != nil {
			return err
		}
		olds, news = olds[:0], news[:0]
		return nil
	}
	for i := range n {
		d := gen(r, i)
		olds = append(olds, d)
		if i%step == 0 && changed < updates {
			changed++
			nd := make(docstore.Doc, len(d))
			for k, v := range d {
				nd[k] = v
			}
			nd["score"] = r.Float64()
			nd["genomic"] = map[string]any{"chr": "X", "start": int64(r.IntN(1e8))}
			nd["alias"] = []any{"a" + d["_id"].(string), "new"}
			d = nd
		}
		news = append(news, d)
		if err := flush(false); err != nil {
			return err
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	spec := search.ReleaseSpec(props, map[string]any{"build": "old"}, 1, 0)
	if err := eng.CreateIndex(ctx, "live", spec); err != nil {
		return err
	}
	if _, err := reindex(ctx, eng, oldC, "live"); err != nil {
		return err
	}
	fmt.Printf("setup: %d docs stored twice and indexed in %s\n", n, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	diffDir := filepath.Join(dir, "diff")
	md, err := differ.Diff(ctx, oldC, newC, diffDir, "old", "new", props, props, nil, differ.Options{})
	if err != nil {
		return err
	}
	fmt.Printf("diff: %d updates, %d adds, %d deletes in %d files, %s\n",
		md.Stats.Update, md.Stats.Add, md.Stats.Delete, len(md.Files), time.Since(t0).Round(time.Millisecond))

	// (a) the incremental sync.
	t0 = time.Now()
	var sum syncer.Result
	for _, f := range md.Files {
		res, err := syncer.ApplyFile(ctx, eng, "live", diffDir, f, nil)
		if err != nil {
			return err
		}
		if err := syncer.RemoveComputed(diffDir, "live", f); err != nil {
			return err
		}
		sum.Added += res.Added
		sum.Updated += res.Updated
		sum.Deleted += res.Deleted
	}
	if err := eng.Refresh(ctx, "live"); err != nil {
		return err
	}
	syncTime := time.Since(t0)
	ops := sum.Added + sum.Updated + sum.Deleted
	fmt.Printf("(a) sync:          %7d updates  %10s  %9.0f updates/s\n", ops, syncTime.Round(time.Millisecond), float64(ops)/syncTime.Seconds())

	// (b) a full reindex of the new build into a fresh index.
	if err := eng.CreateIndex(ctx, "full", search.ReleaseSpec(props, map[string]any{"build": "new"}, 1, 0)); err != nil {
		return err
	}
	t0 = time.Now()
	docs, err := reindex(ctx, eng, newC, "full")
	if err != nil {
		return err
	}
	fullTime := time.Since(t0)
	fmt.Printf("(b) full reindex:  %7d docs     %10s  %9.0f docs/s\n", docs, fullTime.Round(time.Millisecond), float64(docs)/fullTime.Seconds())
	fmt.Printf("sync is %.1fx faster than a full reindex (full reindex time / sync time)\n", fullTime.Seconds()/syncTime.Seconds())

	// Both indexes must now hold the same documents.
	a, err := eng.Count(ctx, "live", nil)
	if err != nil {
		return err
	}
	b, err := eng.Count(ctx, "full", nil)
	if err != nil {
		return err
	}
	if a != b || a != int64(n) {
		return fmt.Errorf("live holds %d docs, full %d, want %d", a, b, n)
	}
	return nil
}

// reindex writes every document of c into index with Bulk in batches of
// syncer.ChunkSize, then refreshes it.
func reindex(ctx context.Context, eng search.Engine, c docstore.Collection, index string) (int, error) {
	batch := make([]search.BulkOp, 0, syncer.ChunkSize)
	total := 0
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		r, err := eng.Bulk(ctx, index, batch)
		if err != nil {
			return err
		}
		if len(r.Failed) > 0 {
			return fmt.Errorf("%d documents refused, first: %s: %s", len(r.Failed), r.Failed[0].ID, r.Failed[0].Reason)
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	for d, err := range c.Scan(ctx, docstore.ScanOptions{}) {
		if err != nil {
			return total, err
		}
		id, _ := d["_id"].(string)
		doc := make(map[string]any, len(d))
		for k, v := range d {
			if k != "_id" {
				doc[k] = v
			}
		}
		batch = append(batch, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: doc})
		if len(batch) == syncer.ChunkSize {
			if err := send(); err != nil {
				return total, err
			}
		}
	}
	if err := send(); err != nil {
		return total, err
	}
	return total, eng.Refresh(ctx, index)
}
