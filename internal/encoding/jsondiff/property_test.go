package jsondiff

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// keys is small so that random edits often hit existing keys; it holds
// the characters JSON Pointer has to escape and the empty key.
var keys = []string{"a", "b", "c", "d", "", "x/y", "m~n", "~1", "0", "-"}

func randKey(r *rand.Rand) string { return keys[r.IntN(len(keys))] }

func randScalar(r *rand.Rand) any {
	switch r.IntN(7) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return int64(r.IntN(20) - 10)
	case 3:
		return float64(r.IntN(20) - 10) // integral: equal to the int64 of the same value
	case 4:
		return r.NormFloat64() * 1e6
	case 5:
		return r.Int64()
	}
	return fmt.Sprintf("s%d", r.IntN(10))
}

func randValue(r *rand.Rand, depth int) any {
	if depth <= 0 {
		return randScalar(r)
	}
	switch r.IntN(5) {
	case 0:
		return randObject(r, depth-1)
	case 1:
		l := make([]any, r.IntN(4))
		for i := range l {
			l[i] = randValue(r, depth-1)
		}
		return l
	}
	return randScalar(r)
}

func randObject(r *rand.Rand, depth int) map[string]any {
	m := map[string]any{}
	for range r.IntN(6) {
		m[randKey(r)] = randValue(r, depth)
	}
	return m
}

// mutate makes random edits in place: adds, removes, replacements and
// changes deep inside nested objects and lists.
func mutate(r *rand.Rand, m map[string]any, depth int) {
	for range 1 + r.IntN(3) {
		k := randKey(r)
		switch v := m[k].(type) {
		case map[string]any:
			if r.IntN(3) > 0 {
				mutate(r, v, depth-1)
				continue
			}
		case []any:
			if len(v) > 0 && r.IntN(2) == 0 {
				v[r.IntN(len(v))] = randValue(r, depth)
				continue
			}
		}
		if r.IntN(3) == 0 {
			delete(m, k)
		} else {
			m[k] = randValue(r, depth)
		}
	}
}

func TestDiffApplyProperties(t *testing.T) {
	for seed := range uint64(5000) {
		r := rand.New(rand.NewPCG(seed, 42))
		a := randObject(r, 4)
		b := Clone(a).(map[string]any)
		for range r.IntN(4) {
			mutate(r, b, 3)
		}
		aCopy, bCopy := Clone(a), Clone(b)

		if ops := Diff(a, a); ops != nil {
			t.Fatalf("seed %d: Diff(a, a) = %v, want nil", seed, ops)
		}
		ops := Diff(a, b)
		got, err := Apply(a, ops)
		if err != nil {
			t.Fatalf("seed %d: Apply(a, Diff(a, b)): %v\na = %v\nb = %v", seed, err, a, b)
		}
		if !Equal(got, b) {
			t.Fatalf("seed %d: Apply(a, Diff(a, b))\n got %v\nwant %v\nops %v", seed, got, b, ops)
		}
		if (ops == nil) != Equal(a, b) {
			t.Fatalf("seed %d: Diff gave %d ops but Equal(a, b) = %v", seed, len(ops), Equal(a, b))
		}
		if !Equal(a, aCopy) || !Equal(b, bCopy) {
			t.Fatalf("seed %d: Diff or Apply modified its inputs", seed)
		}
		if again := Diff(a, b); !opsEqual(again, ops) {
			t.Fatalf("seed %d: Diff is not deterministic:\n%v\n%v", seed, ops, again)
		}

		js, err := json.Marshal(ops)
		if err != nil {
			t.Fatalf("seed %d: Marshal: %v", seed, err)
		}
		var back []Op
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatalf("seed %d: Unmarshal %s: %v", seed, js, err)
		}
		if !opsEqual(back, ops) {
			t.Fatalf("seed %d: JSON round trip changed the ops:\n%s", seed, js)
		}
		if got, err := Apply(a, back); err != nil || !Equal(got, b) {
			t.Fatalf("seed %d: Apply of the decoded ops = %v, %v; want %v", seed, got, err, b)
		}
	}
}

// TestApplyStale checks that a patch computed against one document fails
// cleanly, without a partial result, on a document it no longer fits.
func TestApplyStale(t *testing.T) {
	failed := 0
	for seed := range uint64(2000) {
		r := rand.New(rand.NewPCG(seed, 7))
		a := randObject(r, 4)
		b := Clone(a).(map[string]any)
		mutate(r, b, 3)
		c := randObject(r, 4) // an unrelated document
		got, err := Apply(c, Diff(a, b))
		if err != nil {
			if got != nil {
				t.Fatalf("seed %d: error %v came with a result", seed, err)
			}
			failed++
		}
	}
	if failed == 0 {
		t.Error("no stale patch failed; the test does not exercise errors")
	}
}
