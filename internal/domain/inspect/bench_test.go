package inspect

import "testing"

func BenchmarkAdd(b *testing.B) {
	ds := syntheticDocs(1000)
	in := New()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		in.Add(ds[i%len(ds)])
		i++
	}
}
