package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// syntheticDocs makes documents that exercise every accumulator: nested
// dicts and lists, mixed numbers, conflicts, NaN, bad ids, -0.
func syntheticDocs(n int) []map[string]any {
	rng := rand.New(rand.NewSource(42))
	words := []string{"ABL1", "two words", "", "héllo wörld", "KIT"}
	var out []map[string]any
	for i := range n {
		d := map[string]any{
			"_id":   fmt.Sprintf("d%04d", i),
			"n":     int64(rng.Intn(2000) - 1000),
			"s":     words[rng.Intn(len(words))],
			"b":     rng.Intn(2) == 0,
			"inner": map[string]any{"f": rng.NormFloat64(), "tags": []any{words[rng.Intn(len(words))], nil}},
		}
		switch i % 11 {
		case 0:
			d["inner"] = []any{d["inner"], map[string]any{"g": []any{[]any{int64(i)}}}}
		case 1:
			d["n"] = 2.5
		case 2:
			d["mixed"] = "str"
		case 3:
			d["mixed"] = int64(i)
		case 4:
			d["inner"].(map[string]any)["f"] = math.NaN()
		case 5:
			delete(d, "_id")
		case 6:
			d["_id"] = int64(i)
		case 7:
			d["n"] = math.Copysign(0, -1)
		case 8:
			d["big"] = int64(1) << 40
		case 9:
			d["s"] = nil
		}
		out = append(out, d)
	}
	return out
}

func resultJSON(t testing.TB, r Result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mergeRandomly splits docs into random partitions (some possibly empty),
// inspects each, and merges them pairwise in a random order.
func mergeRandomly(rng *rand.Rand, ds []map[string]any) Result {
	parts := 1 + rng.Intn(8)
	pool := make([]*Inspector, parts)
	for i := range pool {
		pool[i] = New()
	}
	for _, d := range ds {
		pool[rng.Intn(parts)].Add(d)
	}
	for len(pool) > 1 {
		i, j := rng.Intn(len(pool)), rng.Intn(len(pool)-1)
		if j >= i {
			j++
		}
		pool[i].Merge(pool[j])
		pool = append(pool[:j], pool[j+1:]...)
	}
	return pool[0].Result()
}

func TestMergeProperty(t *testing.T) {
	sets := map[string]func(testing.TB) []map[string]any{
		"synthetic": func(testing.TB) []map[string]any { return syntheticDocs(500) },
		"cgi":       cgiDocs,
		"mygene":    myGeneDocs,
	}
	for name, load := range sets {
		t.Run(name, func(t *testing.T) {
			ds := load(t)
			want := resultJSON(t, inspectAll(ds))
			for seed := int64(1); seed <= 8; seed++ {
				rng := rand.New(rand.NewSource(seed))
				shuffled := append([]map[string]any(nil), ds...)
				rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if got := resultJSON(t, inspectAll(shuffled)); got != want {
					t.Fatalf("seed %d: shuffled result differs:\n%s\nwant\n%s", seed, got, want)
				}
				if got := resultJSON(t, mergeRandomly(rng, shuffled)); got != want {
					t.Fatalf("seed %d: merged result differs:\n%s\nwant\n%s", seed, got, want)
				}
			}
		})
	}
}

func TestMergeLeavesOtherUsable(t *testing.T) {
	a, b := New(), New()
	a.Add(map[string]any{"_id": "a", "x": map[string]any{"y": int64(1)}})
	b.Add(map[string]any{"_id": "b", "x": map[string]any{"y": "s"}})
	a.Merge(b)
	before := resultJSON(t, b.Result())
	a.Add(map[string]any{"_id": "c", "x": map[string]any{"y": true, "z": 1.5}})
	if after := resultJSON(t, b.Result()); after != before {
		t.Errorf("adding to a changed b:\n%s\n%s", before, after)
	}
}

func seq(ds []map[string]any, failAt int) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		for i, d := range ds {
			if i == failAt {
				yield(nil, errors.New("disk on fire"))
				return
			}
			if !yield(d, nil) {
				return
			}
		}
	}
}

func TestParallel(t *testing.T) {
	ds := syntheticDocs(3000)
	want := resultJSON(t, inspectAll(ds))
	for _, n := range []int{0, 1, 3, 16} {
		r, err := Parallel(context.Background(), n, seq(ds, -1))
		if err != nil {
			t.Fatal(err)
		}
		if got := resultJSON(t, r); got != want {
			t.Errorf("Parallel(n=%d) differs from sequential", n)
		}
	}
	r, err := Parallel(context.Background(), 2, seq(ds, -1), ModeType)
	if err != nil || r.Types == nil || r.Mapping != nil || r.Stats != nil {
		t.Errorf("Parallel with type mode: %v, %v", err, resultJSON(t, r))
	}
	if _, err := Parallel(context.Background(), 2, seq(ds, 1000)); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("stream error = %v, want it returned", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Parallel(ctx, 2, seq(ds, -1)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
	if _, err := Parallel(context.Background(), 2, seq(ds, -1), "types"); err == nil {
		t.Error("unknown mode accepted")
	}
}

// fuzzDocs reads a stream of JSON values: objects are documents, arrays
// hold documents.
func fuzzDocs(data []byte) []map[string]any {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []map[string]any
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			return out // io.EOF or the first syntax error
		}
		v, err := convertNumbers(v)
		if err != nil {
			return out
		}
		switch v := v.(type) {
		case map[string]any:
			out = append(out, v)
		case []any:
			for _, e := range v {
				if m, ok := e.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
	}
}

func FuzzInspect(f *testing.F) {
	f.Add([]byte(`{"_id":"a","x":1,"y":[1,2.5,{"z":"two words"}]} {"_id":"b","x":"s","y":null}`))
	f.Add([]byte(`[{"_id":1,"a":{"b":[[]]}},{"a":{"b":1e999}},{"_id":"c","a":-0.0}]`))
	f.Add([]byte(`{"_id":"x","_type":{"__items":[true,false]},"_items":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds := fuzzDocs(data)
		whole := resultJSON(t, inspectAll(ds))
		h := len(ds) / 2
		a, b := New(), New()
		for _, d := range ds[:h] {
			a.Add(d)
		}
		for _, d := range ds[h:] {
			b.Add(d)
		}
		b.Merge(a)
		if halves := resultJSON(t, b.Result()); halves != whole {
			t.Fatalf("merge of halves differs:\n%s\nwant\n%s", halves, whole)
		}
	})
}
