package inspect

import (
	"fmt"
	"reflect"
	"testing"
)

func TestFieldStats(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cgi := []map[string]any{
		{"_id": "a", "gene": "ABL1", "n": int64(1), "cgi": []any{map[string]any{"drug": "x", "score": 0.5}, map[string]any{"drug": "y"}}},
		{"_id": "b", "gene": "ABL1", "n": int64(3), "cgi": map[string]any{"drug": "x", "score": 1.5}},
		{"_id": "c", "gene": "KIT", "n": nil, "cgi": map[string]any{"drug": nil}},
	}
	many := make([]map[string]any, 0, MaxTracked+500)
	for i := range MaxTracked + 500 {
		many = append(many, map[string]any{"_id": fmt.Sprintf("d%05d", i), "v": int64(i % 1200), "big": float64(i) * 1e6})
	}
	tests := []struct {
		name string
		docs []map[string]any
		path string
		want FieldStats
	}{
		{"keyword", cgi, "gene", FieldStats{Types: map[string]int64{"str": 3}, Docs: 3, Distinct: 2,
			Top: []ValueCount{{"ABL1", 2}, {"KIT", 1}}}},
		{"small integers: one bucket per integer", cgi, "n", FieldStats{Types: map[string]int64{"int": 2, "null": 1}, Docs: 2, Distinct: 2,
			Top: []ValueCount{{int64(1), 1}, {int64(3), 1}}, Min: f(1), Max: f(3),
			Histogram: []Bucket{{1, 2, 1}, {2, 3, 0}, {3, 4, 1}}}},
		{"a list of objects counts documents once", cgi, "cgi.drug", FieldStats{Types: map[string]int64{"str": 3, "null": 1}, Docs: 2, Distinct: 2,
			Top: []ValueCount{{"x", 2}, {"y", 1}}}},
		{"object or list", cgi, "cgi", FieldStats{Types: map[string]int64{"dict": 4, "list": 1}, Docs: 3}},
		{"floats", cgi, "cgi.score", FieldStats{Types: map[string]int64{"float": 2}, Docs: 2, Distinct: 2,
			Top: []ValueCount{{0.5, 1}, {1.5, 1}}, Min: f(0.5), Max: f(1.5),
			Histogram: func() []Bucket {
				b := make([]Bucket, HistogramBuckets)
				for i := range b {
					b[i] = Bucket{From: 0.5 + float64(i)*0.05, To: 0.5 + float64(i+1)*0.05}
				}
				b[0].Count, b[HistogramBuckets-1].Count = 1, 1
				return b
			}()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := New(ModeStats)
			for _, d := range tt.docs {
				in.Add(d)
			}
			got := in.Result().Fields[tt.path]
			if tt.want.Histogram != nil && len(got.Histogram) == len(tt.want.Histogram) {
				for i := range got.Histogram { // equal-width bounds are computed: compare them loosely
					if d := got.Histogram[i].From - tt.want.Histogram[i].From; d > 1e-9 || d < -1e-9 {
						break
					}
					got.Histogram[i].From, got.Histogram[i].To = tt.want.Histogram[i].From, tt.want.Histogram[i].To
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Fields[%q] =\n%+v\nwant\n%+v", tt.path, got, tt.want)
			}
		})
	}

	t.Run("more distinct values than tracked", func(t *testing.T) {
		in := New(ModeStats)
		for _, d := range many {
			in.Add(d)
		}
		r := in.Result()
		v := r.Fields["v"]
		if !v.DistinctMore || v.Distinct != MaxTracked || v.Docs != int64(len(many)) {
			t.Errorf("v: distinct %d (more %v), docs %d; want %d, more, %d", v.Distinct, v.DistinctMore, v.Docs, MaxTracked, len(many))
		}
		for _, tv := range v.Top { // counts of the sampled values stay exact
			if want := int64(1); tv.Value.(int64) < 300 && tv.Count != want+1 || tv.Value.(int64) >= 300 && tv.Count != want {
				t.Errorf("v: value %v counted %d times", tv.Value, tv.Count)
			}
		}
		var total int64
		for _, b := range r.Fields["big"].Histogram {
			total += b.Count
		}
		if h := r.Fields["big"].Histogram; len(h) != HistogramBuckets || total != int64(len(many)) {
			t.Errorf("big: %d buckets holding %d numbers, want %d holding %d", len(h), total, HistogramBuckets, len(many))
		}
	})

	t.Run("mapping mode alone gathers none", func(t *testing.T) {
		in := New(ModeMapping)
		in.Add(cgi[0])
		if r := in.Result(); r.Fields != nil {
			t.Errorf("Fields = %v, want none without mode stats", r.Fields)
		}
	})
}
