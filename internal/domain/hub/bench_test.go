package hub_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// BenchmarkSourceRecord measures what reading a src_dump record into its
// type and answering it costs beside answering the stored document as it
// is (json.Marshal of the map), in the same run: a record with an
// inspection of 300 fields, as GET /sources answers it.
func BenchmarkSourceRecord(b *testing.B) {
	d := docstore.Doc{}
	for k, v := range sourceDoc {
		d[k] = v
	}
	props := map[string]any{}
	stats := map[string]any{}
	for i := range 300 {
		f := fmt.Sprintf("field_%03d", i)
		props[f] = map[string]any{"type": "keyword", "normalizer": "keyword_lowercase_normalizer"}
		stats[f] = map[string]any{"_count": int64(1000 + i), "_none": int64(i), "_min": 1.5, "_max": float64(i)}
	}
	d["inspect"] = map[string]any{"jobs": map[string]any{"cgi": map[string]any{"status": "success", "mode": []any{"type", "stats", "mapping"},
		"results": map[string]any{"count": int64(1000), "mapping": map[string]any{"cgi": map[string]any{"properties": props}}, "stats": stats}}}}
	raw, _ := json.Marshal(d)
	b.SetBytes(int64(len(raw)))
	var rawTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rawTime += t1.Sub(t0)
		s, err := hub.Decode[hub.Source](d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(s); err != nil {
			b.Fatal(err)
		}
	}
	total := b.Elapsed()
	typed := total - rawTime
	b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(typed.Nanoseconds())/float64(b.N), "typed-ns/op")
	b.ReportMetric(float64(typed)/float64(rawTime), "typed/raw")
}
