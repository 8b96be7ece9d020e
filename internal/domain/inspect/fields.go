package inspect

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
)

// # Field statistics (Result.Fields, with mode "stats")
//
// Beside BioThings' flat stats, mode "stats" gives per dotted path (the
// paths of Result.Stats) what the web app charts: the types of the values
// and how many of each, how many documents have the field (not null), the
// most frequent values, and for numbers a histogram. They are gathered only
// by Inspectors with mode stats, as they cost a map per field.
//
// Top values are exact while a field holds at most MaxTracked distinct
// values; beyond that, the field keeps the MaxTracked values with the
// smallest hashes (a bottom-k sample of the distinct values, whose counts
// stay exact and which does not depend on the order of the documents),
// FieldStats.DistinctMore is set, and Top is the top of that sample. Strings longer than MaxValueLen are never tracked. Values in
// lists count one by one, as the stats count them. Histograms spread the
// numbers into HistogramBuckets equal-width buckets between min and max:
// exactly while the distinct values are all tracked, else from a
// logarithmic sketch (logSteps sub-buckets per power of two, so a number
// may land one bucket off near a boundary). Both are independent of the
// order of the documents, so parallel inspection gives the same charts.

// Limits of the field statistics.
const (
	// MaxTracked is how many distinct values a field tracks for its top
	// values.
	MaxTracked = 1000
	// MaxValueLen is the longest string tracked as a top value, in bytes.
	MaxValueLen = 256
	// TopValues is how many top values a FieldStats lists.
	TopValues = 10
	// HistogramBuckets is how many buckets a histogram has at most.
	HistogramBuckets = 20
	logSteps         = 16
)

// FieldStats are the statistics of one field for charts.
type FieldStats struct {
	// Types counts the values per type name (str, int, float, bool, null,
	// dict, list).
	Types map[string]int64 `json:"types"`
	// Docs counts the documents where the field holds something other
	// than null.
	Docs int64 `json:"docs"`
	// Distinct counts the distinct scalar values tracked; DistinctMore
	// says there were more than MaxTracked (or strings too long to track).
	Distinct     int64        `json:"distinct"`
	DistinctMore bool         `json:"distinct_more,omitempty"`
	Top          []ValueCount `json:"top,omitempty"`
	// Min and Max are the numeric range, when the field holds numbers.
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
	Histogram []Bucket `json:"histogram,omitempty"`
}

// ValueCount is one top value: a string, number or bool, and how many
// times it was seen.
type ValueCount struct {
	Value any   `json:"value"`
	Count int64 `json:"count"`
}

// Bucket is one histogram bucket: the numbers in [From, To) (the last
// bucket includes To).
type Bucket struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int64   `json:"count"`
}

// valueStats accumulates what FieldStats need beyond the node's counts.
type valueStats struct {
	lastDoc  int64 // the Inspector's sequence number of the last document counted
	docs     int64
	top      map[any]tracked
	maxHash  uint64 // the largest hash in top, when len(top) == MaxTracked
	overflow bool
	sketch   map[int32]int64 // logKey -> numbers
}

// markDoc counts document seq once.
func (s *valueStats) markDoc(seq int64) {
	if s.lastDoc != seq {
		s.lastDoc = seq
		s.docs++
	}
}

// addValue counts a scalar value (string, int64, float64 or bool).
func (s *valueStats) addValue(v any) {
	switch x := v.(type) {
	case string:
		if len(x) > MaxValueLen {
			s.overflow = true
			return
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if x == 0 {
			v = 0.0 // one key for -0 and 0, whatever came first
		}
	}
	s.track(v, 1, hashValue(v))
	switch n := v.(type) {
	case int64:
		s.addNumber(float64(n), 1)
	case float64:
		s.addNumber(n, 1)
	}
}

// tracked is one tracked value's count and hash.
type tracked struct {
	n    int64
	hash uint64
}

// track counts n occurrences of v, keeping the MaxTracked values of
// smallest hash.
func (s *valueStats) track(v any, n int64, h uint64) {
	if s.top == nil {
		s.top = map[any]tracked{}
	}
	if t, ok := s.top[v]; ok {
		t.n += n
		s.top[v] = t
		return
	}
	if len(s.top) < MaxTracked {
		s.top[v] = tracked{n, h}
		if len(s.top) == MaxTracked {
			s.maxHash = s.largestHash()
		}
		return
	}
	s.overflow = true
	if h >= s.maxHash {
		return
	}
	for k, t := range s.top {
		if t.hash == s.maxHash {
			delete(s.top, k)
			break
		}
	}
	s.top[v] = tracked{n, h}
	s.maxHash = s.largestHash()
}

func (s *valueStats) largestHash() uint64 {
	var m uint64
	for _, t := range s.top {
		m = max(m, t.hash)
	}
	return m
}

// hashValue hashes a scalar with its type (FNV-1a, 64 bits).
func hashValue(v any) uint64 {
	h := fnv.New64a()
	switch x := v.(type) {
	case string:
		h.Write([]byte{'s'})
		h.Write([]byte(x))
	case int64:
		h.Write([]byte{'i'})
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(x)))
	case float64:
		h.Write([]byte{'f'})
		h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x)))
	case bool:
		if x {
			h.Write([]byte{'T'})
		} else {
			h.Write([]byte{'F'})
		}
	}
	return h.Sum64()
}

// addNumber adds n occurrences of v to the sketch.
func (s *valueStats) addNumber(v float64, n int64) {
	if s.sketch == nil {
		s.sketch = map[int32]int64{}
	}
	s.sketch[logKey(v)] += n
}

// logKey is v's sketch bucket: 0 for zero, else ±(1 + the bucket of |v|
// among logSteps per power of two, offset to stay positive).
func logKey(v float64) int32 {
	if v == 0 {
		return 0
	}
	k := int32(math.Floor(math.Log2(math.Abs(v))*logSteps)) + 1100*logSteps + 1
	if v < 0 {
		return -k
	}
	return k
}

// logValue is the middle of a sketch bucket.
func logValue(k int32) float64 {
	if k == 0 {
		return 0
	}
	sign := 1.0
	if k < 0 {
		sign, k = -1, -k
	}
	e := (float64(k-1-1100*logSteps) + 0.5) / logSteps
	return sign * math.Exp2(e)
}

// merge adds o to s; docs add up, as two Inspectors see different
// documents.
func (s *valueStats) merge(o *valueStats) {
	s.docs += o.docs
	s.overflow = s.overflow || o.overflow
	for v, t := range o.top {
		s.track(v, t.n, t.hash)
	}
	if len(o.sketch) > 0 && s.sketch == nil {
		s.sketch = make(map[int32]int64, len(o.sketch))
	}
	for k, n := range o.sketch {
		s.sketch[k] += n
	}
}

// fieldStatsTree adds the FieldStats of every field of the flattened node
// f, under prefix.
func (f *node) fieldStatsTree(prefix string, out map[string]FieldStats) {
	for name, c := range f.fields {
		c = c.flatten()
		path := prefix + name
		out[path] = c.fieldStats()
		c.fieldStatsTree(path+".", out)
	}
}

// fieldStats renders the FieldStats of the flattened node f.
func (f *node) fieldStats() FieldStats {
	out := FieldStats{Types: map[string]int64{}, Docs: f.vals.docs, Distinct: int64(len(f.vals.top)), DistinctMore: f.vals.overflow}
	for k := range nKinds {
		if f.count[k] > 0 {
			out.Types[kindNames[k]] = f.count[k]
		}
	}
	out.Top = topOf(f.vals.top, TopValues)
	if lo, hi, ok := f.numericRange(); ok {
		out.Min, out.Max = &lo, &hi
		out.Histogram = histogram(f.vals.numbers(), lo, hi, HistogramBuckets)
	}
	return out
}

// numbers are the numbers seen as (value, count): exact when every
// distinct value was tracked, else the sketch's bucket middles.
func (s *valueStats) numbers() []numCount {
	var out []numCount
	if !s.overflow {
		for v, t := range s.top {
			switch x := v.(type) {
			case int64:
				out = append(out, numCount{float64(x), t.n})
			case float64:
				out = append(out, numCount{x, t.n})
			}
		}
		return out
	}
	for k, n := range s.sketch {
		out = append(out, numCount{logValue(k), n})
	}
	return out
}

type numCount struct {
	v float64
	n int64
}

// numericRange is the smallest and largest finite number seen.
func (f *node) numericRange() (lo, hi float64, ok bool) {
	switch {
	case f.count[kInt] > 0 && f.finite > 0:
		return min(float64(f.minInt), f.minFloat), max(float64(f.maxInt), f.maxFloat), true
	case f.count[kInt] > 0:
		return float64(f.minInt), float64(f.maxInt), true
	case f.finite > 0:
		return f.minFloat, f.maxFloat, true
	}
	return 0, 0, false
}

// topOf lists the n most frequent values, ties by value.
func topOf(counts map[any]tracked, n int) []ValueCount {
	if len(counts) == 0 {
		return nil
	}
	all := make([]ValueCount, 0, len(counts))
	for v, t := range counts {
		all = append(all, ValueCount{v, t.n})
	}
	slices.SortFunc(all, func(a, b ValueCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), compareValues(a.Value, b.Value))
	})
	return all[:min(n, len(all))]
}

// compareValues orders scalars of any type: by type name first, then value.
func compareValues(a, b any) int {
	ka, kb := kindOf(a), kindOf(b)
	if ka != kb {
		return cmp.Compare(ka, kb)
	}
	switch a := a.(type) {
	case string:
		return cmp.Compare(a, b.(string))
	case int64:
		return cmp.Compare(a, b.(int64))
	case float64:
		return cmp.Compare(a, b.(float64))
	case bool:
		if a == b.(bool) {
			return 0
		}
		if !a {
			return -1
		}
		return 1
	}
	return 0
}

// histogram spreads numbers into at most n equal-width buckets over
// [lo, hi], clamping those outside. Integer ranges narrower than n get one
// bucket per integer.
func histogram(nums []numCount, lo, hi float64, n int) []Bucket {
	if len(nums) == 0 {
		return nil
	}
	width := (hi - lo) / float64(n)
	if hi == lo || math.IsInf(width, 0) || width == 0 {
		var total int64
		for _, c := range nums {
			total += c.n
		}
		return []Bucket{{From: lo, To: hi, Count: total}}
	}
	if lo == math.Trunc(lo) && hi == math.Trunc(hi) && hi-lo+1 <= float64(n) {
		n, width = int(hi-lo)+1, 1
	}
	out := make([]Bucket, n)
	for i := range out {
		out[i] = Bucket{From: lo + float64(i)*width, To: lo + float64(i+1)*width}
	}
	out[n-1].To = max(out[n-1].To, hi)
	for _, c := range nums {
		i := int((c.v - lo) / width)
		out[max(0, min(i, n-1))].Count += c.n
	}
	return out
}
