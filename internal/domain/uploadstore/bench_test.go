package uploadstore_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

// BenchmarkWriter stores 100k small documents per iteration on sqlite
// through a Writer (each on_duplicates policy, Switch included) and, for
// comparison, through raw Collection.Insert calls of 1000 documents.
//
//	go test -run '^$' -bench Writer -benchtime 3x ./internal/domain/uploadstore/
func BenchmarkWriter(b *testing.B) {
	const n = 100_000
	in := make([]map[string]any, n)
	for i := range in {
		in[i] = map[string]any{"_id": fmt.Sprintf("doc%08d", i), "name": fmt.Sprintf("document number %d", i),
			"n": int64(i), "tags": []any{"a", "b"}, "nested": map[string]any{"x": 1.5}}
	}
	open := func(b *testing.B) docstore.Store {
		s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	for _, mode := range []string{"error", "ignore", "merge"} {
		b.Run("writer-"+mode, func(b *testing.B) {
			db := open(b)
			runs := 0
			for b.Loop() {
				runs++
				w, err := uploadstore.NewWriter(b.Context(), db, fmt.Sprintf("src%d", runs), uploadstore.Options{OnDuplicates: mode})
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range in {
					if err := w.Add(b.Context(), d); err != nil {
						b.Fatal(err)
					}
				}
				if st, err := w.Switch(b.Context()); err != nil || st.Stored != n {
					b.Fatal(st, err)
				}
			}
			b.ReportMetric(float64(runs*n)/b.Elapsed().Seconds(), "docs/s")
		})
	}
	b.Run("raw-insert", func(b *testing.B) {
		db := open(b)
		runs := 0
		for b.Loop() {
			runs++
			c := db.C(fmt.Sprintf("raw%d", runs))
			for i := 0; i < n; i += 1000 {
				if err := c.Insert(b.Context(), in[i:i+1000]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(runs*n)/b.Elapsed().Seconds(), "docs/s")
	})
}
