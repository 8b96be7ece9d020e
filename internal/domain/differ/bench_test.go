package differ

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

// benchCollections stores n small documents twice, with 1% changed.
func benchCollections(b *testing.B, n int) (old, new docstore.Collection) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	old, new = s.C("old"), s.C("new")
	r := rand.New(rand.NewPCG(1, 1))
	var olds, news []docstore.Doc
	for i := range n {
		id := fmt.Sprintf("d%08d", i)
		d := docstore.Doc{"_id": id, "symbol": fmt.Sprintf("G%d", r.IntN(1e5)), "taxid": int64(9606),
			"score": r.Float64(), "alias": []any{"a" + id}, "pos": map[string]any{"chr": "7", "start": int64(r.IntN(1e8))}}
		olds = append(olds, d)
		if i%100 != 0 {
			news = append(news, d)
		}
	}
	for _, pair := range []struct {
		c    docstore.Collection
		docs []docstore.Doc
	}{{old, olds}, {new, news}} {
		for i := 0; i < len(pair.docs); i += 5000 {
			if err := pair.c.Insert(b.Context(), pair.docs[i:min(i+5000, len(pair.docs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	return old, new
}

// BenchmarkScanBoth is the baseline for BenchmarkDiff: reading both
// collections without comparing them.
func BenchmarkScanBoth(b *testing.B) {
	const n = 50_000
	old, new := benchCollections(b, n)
	for b.Loop() {
		for _, c := range []docstore.Collection{old, new} {
			for _, err := range c.Scan(b.Context(), docstore.ScanOptions{}) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkDiff(b *testing.B) {
	const n = 50_000
	old, new := benchCollections(b, n)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Diff(b.Context(), old, new, dir, "a", "b", nil, nil, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
