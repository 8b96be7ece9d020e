package pyparser

import "testing"

var benchLine = []byte(`{"_id":"chr1:g.100000A>G","gene":"ABL1","score":0.0,"chrom":"1","pos":100000}`)

func BenchmarkDecodeEncodingJSON(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := decodeDocument(benchLine); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeFast(b *testing.B) {
	b.ReportAllocs()
	d := newDocDecoder()
	for i := 0; i < b.N; i++ {
		if _, err := d.decode(benchLine); err != nil {
			b.Fatal(err)
		}
	}
}
