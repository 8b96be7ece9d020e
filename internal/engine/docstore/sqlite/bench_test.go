package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func benchDoc(i int) docstore.Doc {
	return docstore.Doc{"_id": fmt.Sprintf("doc%08d", i), "name": fmt.Sprintf("document number %d", i),
		"n": int64(i), "tags": []any{"a", "b"}, "nested": map[string]any{"x": 1.5}}
}

func benchStore(b *testing.B, n int) docstore.Collection {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	c := s.C("bench")
	docs := make([]docstore.Doc, 0, 1000)
	for i := 0; i < n; i += 1000 {
		docs = docs[:0]
		for j := i; j < min(i+1000, n); j++ {
			docs = append(docs, benchDoc(j))
		}
		if err := c.Insert(b.Context(), docs); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

func BenchmarkInsert1000(b *testing.B) {
	c := benchStore(b, 0)
	i := 0
	for b.Loop() {
		docs := make([]docstore.Doc, 1000)
		for j := range docs {
			docs[j] = benchDoc(i)
			i++
		}
		if err := c.Insert(b.Context(), docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkGet(b *testing.B) {
	const n = 100_000
	c := benchStore(b, n)
	i := 0
	for b.Loop() {
		if _, err := c.Get(b.Context(), fmt.Sprintf("doc%08d", (i*7919)%n)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkScan(b *testing.B) {
	const n = 100_000
	c := benchStore(b, n)
	for b.Loop() {
		for _, err := range c.Scan(b.Context(), docstore.ScanOptions{}) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
