// Package docstoretest is the one conformance suite every docstore.Store
// implementation must pass. A backend's test calls Run with a function that
// opens a fresh, empty store; each case gets its own store.
package docstoretest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/engine/docstore"
)

type doc = docstore.Doc

// testCase is one behaviour checked against a fresh store.
type testCase struct {
	name string
	run  func(t *testing.T, ctx context.Context, s docstore.Store)
}

// Option changes how Run runs.
type Option func(*config)

type config struct {
	skip map[string]string // case name -> reason
}

// Skip skips the named cases with a reason, for a limitation of a server a
// backend is tested on (not of the backend): FerretDB v1 stores no nested
// arrays, for instance, while MongoDB does.
func Skip(reason string, names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			c.skip[n] = reason
		}
	}
}

// Run runs the whole suite; open must return an empty store and register
// its cleanup with t.
func Run(t *testing.T, open func(t *testing.T) docstore.Store, opts ...Option) {
	cfg := config{skip: map[string]string{}}
	for _, o := range opts {
		o(&cfg)
	}
	cases := slices.Concat(writeCases(), readCases(), findCases(), collectionCases(), valueCases())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if reason, ok := cfg.skip[tc.name]; ok {
				t.Skip(reason)
			}
			s := open(t)
			tc.run(t, t.Context(), s)
		})
	}
}

// ---- helpers ----

func insert(t *testing.T, ctx context.Context, c docstore.Collection, docs ...doc) {
	t.Helper()
	if err := c.Insert(ctx, docs); err != nil {
		t.Fatalf("Insert into %s: %v", c.Name(), err)
	}
}

func get(t *testing.T, ctx context.Context, c docstore.Collection, id string) doc {
	t.Helper()
	d, err := c.Get(ctx, id)
	if err != nil {
		t.Fatalf("Get %s/%s: %v", c.Name(), id, err)
	}
	return d
}

func wantNotFound(t *testing.T, ctx context.Context, c docstore.Collection, id string) {
	t.Helper()
	d, err := c.Get(ctx, id)
	if !errors.Is(err, docstore.ErrNotFound) {
		t.Fatalf("Get %s/%s = %v, %v; want ErrNotFound", c.Name(), id, d, err)
	}
}

func count(t *testing.T, ctx context.Context, c docstore.Collection) int64 {
	t.Helper()
	n, err := c.Count(ctx)
	if err != nil {
		t.Fatalf("Count %s: %v", c.Name(), err)
	}
	return n
}

func wantCount(t *testing.T, ctx context.Context, c docstore.Collection, want int64) {
	t.Helper()
	if got := count(t, ctx, c); got != want {
		t.Fatalf("Count %s = %d, want %d", c.Name(), got, want)
	}
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %s\n want %s", what, show(got), show(want))
	}
}

// show prints a value with the Go type of every leaf, so int64 and
// float64 mismatches are visible.
func show(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%q: %s", k, show(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []doc:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("%T(%#v)", v, v)
}

func ids(docs []doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i], _ = docstore.ID(d)
	}
	return out
}

func scanIDs(t *testing.T, ctx context.Context, c docstore.Collection, opts docstore.ScanOptions) []string {
	t.Helper()
	out := []string{}
	for d, err := range c.Scan(ctx, opts) {
		if err != nil {
			t.Fatalf("Scan %s %+v: %v", c.Name(), opts, err)
		}
		id, _ := docstore.ID(d)
		out = append(out, id)
	}
	return out
}

func rawScan(t *testing.T, ctx context.Context, rs docstore.RawScanner, opts docstore.ScanOptions) []docstore.RawDoc {
	t.Helper()
	var out []docstore.RawDoc
	for r, err := range rs.ScanRaw(ctx, opts) {
		if err != nil {
			t.Fatalf("ScanRaw %+v: %v", opts, err)
		}
		out = append(out, r)
	}
	return out
}

func numbered(prefix string, n int) []doc {
	docs := make([]doc, n)
	for i := range docs {
		docs[i] = doc{"_id": fmt.Sprintf("%s%03d", prefix, i), "i": int64(i)}
	}
	return docs
}

func wantDuplicate(t *testing.T, err error, coll, id string) {
	t.Helper()
	var dup *docstore.DuplicateError
	if !errors.As(err, &dup) {
		t.Fatalf("error = %v, want *docstore.DuplicateError", err)
	}
	if dup.ID != id || dup.Collection != coll {
		t.Fatalf("DuplicateError = %+v, want collection %q id %q", dup, coll, id)
	}
}

// ---- insert, upsert, update, unset, delete ----

func writeCases() []testCase {
	return []testCase{
		{"InsertThenGet", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("sources")
			if c.Name() != "sources" {
				t.Fatalf("Name() = %q, want sources", c.Name())
			}
			insert(t, ctx, c, doc{"_id": "a", "v": "x"}, doc{"_id": "b", "v": "y"})
			wantEqual(t, "Get a", get(t, ctx, c, "a"), doc{"_id": "a", "v": "x"})
			wantEqual(t, "Get b", get(t, ctx, c, "b"), doc{"_id": "b", "v": "y"})
			wantCount(t, ctx, c, 2)
		}},
		{"InsertEmptyBatch", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("empty")
			if err := c.Insert(ctx, nil); err != nil {
				t.Fatalf("Insert(nil): %v", err)
			}
			wantCount(t, ctx, c, 0)
		}},
		{"InsertDuplicateInBatch", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("dups")
			err := c.Insert(ctx, []doc{{"_id": "a"}, {"_id": "b"}, {"_id": "a", "second": true}})
			wantDuplicate(t, err, "dups", "a")
			wantCount(t, ctx, c, 0)
			wantNotFound(t, ctx, c, "b")
		}},
		{"InsertDuplicateAgainstStored", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("dups")
			insert(t, ctx, c, doc{"_id": "a", "v": int64(1)})
			err := c.Insert(ctx, []doc{{"_id": "x"}, {"_id": "a", "v": int64(2)}, {"_id": "y"}})
			wantDuplicate(t, err, "dups", "a")
			wantNotFound(t, ctx, c, "x")
			wantNotFound(t, ctx, c, "y")
			wantEqual(t, "stored a", get(t, ctx, c, "a"), doc{"_id": "a", "v": int64(1)})
			wantCount(t, ctx, c, 1)
		}},
		{"InsertLargeBatchDuplicateLate", func(t *testing.T, ctx context.Context, s docstore.Store) {
			// Larger than a backend's write chunk: the duplicate sits
			// after several chunks that could already have been written.
			c := s.C("big")
			insert(t, ctx, c, doc{"_id": "z230"})
			docs := numbered("z", 250)
			err := c.Insert(ctx, docs)
			wantDuplicate(t, err, "big", "z230")
			wantCount(t, ctx, c, 1)
			wantNotFound(t, ctx, c, "z000")
			wantNotFound(t, ctx, c, "z229")
		}},
		{"InsertLargeBatch", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("big")
			insert(t, ctx, c, numbered("z", 250)...)
			wantCount(t, ctx, c, 250)
			wantEqual(t, "Get z249", get(t, ctx, c, "z249"), doc{"_id": "z249", "i": int64(249)})
		}},
		{"InsertRejectsBadID", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("ids")
			for _, d := range []doc{{"v": 1}, {"_id": ""}, {"_id": int64(3)}} {
				if err := c.Insert(ctx, []doc{{"_id": "ok"}, d}); err == nil {
					t.Fatalf("Insert of %v succeeded, want an error", d)
				}
			}
			wantNotFound(t, ctx, c, "ok")
			if err := c.Upsert(ctx, []doc{{"v": 1}}); err == nil {
				t.Fatal("Upsert without _id succeeded, want an error")
			}
		}},
		{"InsertNewKeepsStored", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("new")
			insert(t, ctx, c, doc{"_id": "b", "x": "old"}, doc{"_id": "d", "x": "old"})
			docs := numbered("n", 240)
			docs = append(docs, doc{"_id": "b", "x": "new"}, doc{"_id": "c", "x": "new"}, doc{"_id": "d", "x": "new"})
			left, err := c.InsertNew(ctx, docs)
			if err != nil {
				t.Fatalf("InsertNew: %v", err)
			}
			wantEqual(t, "left", left, []string{"b", "d"})
			wantEqual(t, "kept b", get(t, ctx, c, "b"), doc{"_id": "b", "x": "old"})
			wantEqual(t, "inserted c", get(t, ctx, c, "c"), doc{"_id": "c", "x": "new"})
			wantEqual(t, "inserted n239", get(t, ctx, c, "n239"), doc{"_id": "n239", "i": int64(239)})
			wantCount(t, ctx, c, 243)
			left, err = c.InsertNew(ctx, []doc{{"_id": "c", "x": "again"}, {"_id": "e"}})
			if err != nil {
				t.Fatalf("InsertNew again: %v", err)
			}
			wantEqual(t, "left again", left, []string{"c"})
			wantCount(t, ctx, c, 244)
			if _, err := c.InsertNew(ctx, []doc{{"_id": "f"}, {"v": 1}}); err == nil {
				t.Fatal("InsertNew without _id succeeded, want an error")
			}
			wantNotFound(t, ctx, c, "f")
		}},
		{"UpsertReplaces", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("up")
			insert(t, ctx, c, doc{"_id": "a", "x": int64(1), "y": int64(2)})
			if err := c.Upsert(ctx, []doc{{"_id": "a", "z": int64(3)}, {"_id": "b", "x": "new"}}); err != nil {
				t.Fatalf("Upsert: %v", err)
			}
			wantEqual(t, "replaced a", get(t, ctx, c, "a"), doc{"_id": "a", "z": int64(3)})
			wantEqual(t, "inserted b", get(t, ctx, c, "b"), doc{"_id": "b", "x": "new"})
			wantCount(t, ctx, c, 2)
		}},
		{"UpsertLargeBatch", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("up")
			insert(t, ctx, c, numbered("u", 100)...)
			docs := numbered("u", 250)
			for _, d := range docs {
				d["i"] = d["i"].(int64) * 10
			}
			if err := c.Upsert(ctx, docs); err != nil {
				t.Fatalf("Upsert: %v", err)
			}
			wantCount(t, ctx, c, 250)
			wantEqual(t, "u050", get(t, ctx, c, "u050"), doc{"_id": "u050", "i": int64(500)})
			wantEqual(t, "u200", get(t, ctx, c, "u200"), doc{"_id": "u200", "i": int64(2000)})
		}},
		{"UpdateCreatesAndMerges", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("hub_sources")
			err := c.Update(ctx, "r1", map[string]any{"download.status": "running", "download.n": int64(3), "name": "r"})
			if err != nil {
				t.Fatalf("Update (upsert): %v", err)
			}
			wantEqual(t, "created", get(t, ctx, c, "r1"), doc{"_id": "r1", "name": "r",
				"download": map[string]any{"status": "running", "n": int64(3)}})
			err = c.Update(ctx, "r1", map[string]any{"download.status": "done", "upload.a.b": true, "name": nil})
			if err != nil {
				t.Fatalf("Update (merge): %v", err)
			}
			wantEqual(t, "merged", get(t, ctx, c, "r1"), doc{"_id": "r1", "name": nil,
				"download": map[string]any{"status": "done", "n": int64(3)},
				"upload":   map[string]any{"a": map[string]any{"b": true}}})
			err = c.Update(ctx, "r1", map[string]any{"download": map[string]any{"only": "this"}})
			if err != nil {
				t.Fatalf("Update (object): %v", err)
			}
			got := get(t, ctx, c, "r1")
			wantEqual(t, "replaced object", got["download"], map[string]any{"only": "this"})
			wantCount(t, ctx, c, 1)
		}},
		{"UpdateErrors", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("upd")
			insert(t, ctx, c, doc{"_id": "a", "s": "text"})
			bad := []map[string]any{
				{"s.x": int64(1)},                // through a string
				{"_id": "b"},                     // id change
				{"p": int64(1), "p.q": int64(2)}, // conflicting paths
				{"": int64(1)},                   // empty path
				{"a..b": int64(1)},               // empty segment
			}
			for _, set := range bad {
				if err := c.Update(ctx, "a", set); err == nil {
					t.Fatalf("Update(%v) succeeded, want an error", set)
				}
			}
			wantEqual(t, "unchanged", get(t, ctx, c, "a"), doc{"_id": "a", "s": "text"})
		}},
		{"Unset", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("uns")
			insert(t, ctx, c, doc{"_id": "a", "o": map[string]any{"b": int64(1), "c": int64(2)}, "d": int64(3), "e": "keep"})
			if err := c.Unset(ctx, "a", "o.b", "d", "missing", "other.deep", "e.x"); err != nil {
				t.Fatalf("Unset: %v", err)
			}
			wantEqual(t, "after unset", get(t, ctx, c, "a"), doc{"_id": "a", "o": map[string]any{"c": int64(2)}, "e": "keep"})
			if err := c.Unset(ctx, "nobody", "x"); err != nil {
				t.Fatalf("Unset of a missing document: %v", err)
			}
			wantNotFound(t, ctx, c, "nobody")
			if err := c.Unset(ctx, "a"); err != nil {
				t.Fatalf("Unset without fields: %v", err)
			}
			if err := c.Unset(ctx, "a", "_id"); err == nil {
				t.Fatal("Unset of _id succeeded, want an error")
			}
		}},
		{"Delete", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("del")
			n, err := c.Delete(ctx, "a")
			if err != nil || n != 0 {
				t.Fatalf("Delete on a missing collection = %d, %v; want 0, nil", n, err)
			}
			insert(t, ctx, c, doc{"_id": "a"}, doc{"_id": "b"}, doc{"_id": "c"})
			n, err = c.Delete(ctx, "a", "missing", "c")
			if err != nil || n != 2 {
				t.Fatalf("Delete(a, missing, c) = %d, %v; want 2, nil", n, err)
			}
			n, err = c.Delete(ctx)
			if err != nil || n != 0 {
				t.Fatalf("Delete() = %d, %v; want 0, nil", n, err)
			}
			wantCount(t, ctx, c, 1)
			wantNotFound(t, ctx, c, "a")
			get(t, ctx, c, "b")
			docs := numbered("d", 250)
			insert(t, ctx, c, docs...)
			n, err = c.Delete(ctx, ids(docs)...)
			if err != nil || n != 250 {
				t.Fatalf("Delete of 250 = %d, %v; want 250, nil", n, err)
			}
			wantCount(t, ctx, c, 1)
		}},
	}
}

// ---- get, get many, scan, count ----

func readCases() []testCase {
	return []testCase{
		{"GetNotFound", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("never_written")
			wantNotFound(t, ctx, c, "a")
			insert(t, ctx, c, doc{"_id": "a"})
			wantNotFound(t, ctx, c, "b")
			wantNotFound(t, ctx, s.C("other"), "a")
		}},
		{"GetMany", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("many")
			got, err := c.GetMany(ctx, []string{"a"})
			if err != nil || len(got) != 0 {
				t.Fatalf("GetMany on a missing collection = %v, %v; want empty", got, err)
			}
			insert(t, ctx, c, doc{"_id": "a", "v": int64(1)}, doc{"_id": "b", "v": int64(2)}, doc{"_id": "c", "v": int64(3)})
			got, err = c.GetMany(ctx, []string{"c", "missing", "a", "b"})
			if err != nil {
				t.Fatalf("GetMany: %v", err)
			}
			wantEqual(t, "GetMany ids", ids(got), []string{"c", "a", "b"})
			wantEqual(t, "GetMany c", got[0], doc{"_id": "c", "v": int64(3)})
			got, err = c.GetMany(ctx, nil)
			if err != nil || len(got) != 0 {
				t.Fatalf("GetMany(nil) = %v, %v; want empty", got, err)
			}
			docs := numbered("m", 250)
			insert(t, ctx, c, docs...)
			want := ids(docs)
			slices.Reverse(want)
			got, err = c.GetMany(ctx, want)
			if err != nil {
				t.Fatalf("GetMany of 250: %v", err)
			}
			wantEqual(t, "GetMany 250 reversed", ids(got), want)
		}},
		{"Scan", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("scan")
			wantEqual(t, "scan of a missing collection", scanIDs(t, ctx, c, docstore.ScanOptions{}), []string{})
			docs := numbered("s", 25)
			shuffled := slices.Clone(docs)
			for i := range shuffled { // deterministic shuffle
				j := (i * 7) % len(shuffled)
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			}
			insert(t, ctx, c, shuffled...)
			all := ids(docs)
			tests := []struct {
				opts docstore.ScanOptions
				want []string
			}{
				{docstore.ScanOptions{}, all},
				{docstore.ScanOptions{Batch: 3}, all},
				{docstore.ScanOptions{Batch: 1}, all},
				{docstore.ScanOptions{After: "s004"}, all[5:]},
				{docstore.ScanOptions{After: "s004x"}, all[5:]},
				{docstore.ScanOptions{After: "a"}, all},
				{docstore.ScanOptions{After: "s024"}, []string{}},
				{docstore.ScanOptions{Limit: 7}, all[:7]},
				{docstore.ScanOptions{Limit: 7, Batch: 3}, all[:7]},
				{docstore.ScanOptions{After: "s010", Limit: 4, Batch: 3}, all[11:15]},
				{docstore.ScanOptions{Limit: 100, Batch: 10}, all},
			}
			for _, tt := range tests {
				wantEqual(t, fmt.Sprintf("Scan %+v", tt.opts), scanIDs(t, ctx, c, tt.opts), tt.want)
			}
			for d, err := range c.Scan(ctx, docstore.ScanOptions{After: "s002", Limit: 1}) {
				if err != nil {
					t.Fatalf("Scan: %v", err)
				}
				wantEqual(t, "scanned document", d, doc{"_id": "s003", "i": int64(3)})
			}
		}},
		{"ScanEarlyBreak", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("scan")
			insert(t, ctx, c, numbered("s", 30)...)
			for range 3 {
				n := 0
				for _, err := range c.Scan(ctx, docstore.ScanOptions{Batch: 4}) {
					if err != nil {
						t.Fatalf("Scan: %v", err)
					}
					n++
					if n == 5 {
						break
					}
				}
				if n != 5 {
					t.Fatalf("scanned %d before break, want 5", n)
				}
			}
			// The store must still work (no leaked transaction or cursor).
			insert(t, ctx, c, doc{"_id": "after_break"})
			wantCount(t, ctx, c, 31)
		}},
		{"InsertRaw", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("insertraw")
			ri, ok := c.(docstore.RawInserter)
			if !ok {
				t.Skip("the backend does not implement docstore.RawInserter")
			}
			odd := "odd/ é?#%\"\\ \u2028\t漢"
			texts := map[string]string{
				"a": `{"_id":"a","n":1,"f":2.0,"s":"x\u00e9\n","l":[1,{"b":null}],"t":true}`,
				odd: `{"x":{"_id":3},"_id":"odd/ \u00e9?#%\"\\ \u2028\t漢","big":1e+16}`,
				"b": ` { "_id" : "b" , "o" : { } } `,
			}
			var raws []docstore.RawDoc
			for _, id := range []string{"a", odd, "b"} {
				raws = append(raws, docstore.RawDoc{ID: id, JSON: []byte(texts[id])})
			}
			if err := ri.InsertRaw(ctx, raws); err != nil {
				t.Fatalf("InsertRaw: %v", err)
			}
			for _, r := range raws {
				for i := range r.JSON {
					r.JSON[i] = 'x' // the bytes stay the caller's
				}
			}
			for id, text := range texts {
				want, err := docstore.DecodeJSON([]byte(text))
				if err != nil {
					t.Fatal(err)
				}
				wantEqual(t, "Get "+id+" after InsertRaw", get(t, ctx, c, id), want)
			}
			// A repeated _id, stored or in the batch, keeps nothing of the batch.
			for _, batch := range [][]docstore.RawDoc{
				{{ID: "c", JSON: []byte(`{"_id":"c"}`)}, {ID: "a", JSON: []byte(`{"_id":"a"}`)}},
				{{ID: "d", JSON: []byte(`{"_id":"d"}`)}, {ID: "d", JSON: []byte(`{"_id":"d","v":2}`)}},
			} {
				err := ri.InsertRaw(ctx, batch)
				wantDuplicate(t, err, "insertraw", batch[1].ID)
				wantCount(t, ctx, c, 3)
			}
			// Documents inserted both ways read alike.
			insert(t, ctx, c, doc{"_id": "m", "f": 2.0, "n": int64(2)})
			if err := ri.InsertRaw(ctx, []docstore.RawDoc{{ID: "r", JSON: []byte(`{"_id":"r","f":2.0,"n":2}`)}}); err != nil {
				t.Fatal(err)
			}
			m, r := get(t, ctx, c, "m"), get(t, ctx, c, "r")
			delete(m, "_id")
			delete(r, "_id")
			wantEqual(t, "raw and decoded inserts", r, m)

			// InsertNewRaw keeps what is stored and says what it left.
			left, err := ri.InsertNewRaw(ctx, []docstore.RawDoc{
				{ID: "a", JSON: []byte(`{"_id":"a","x":"new"}`)},
				{ID: "n", JSON: []byte(`{"_id":"n","f":1.5,"l":[true]}`)},
				{ID: "r", JSON: []byte(`{"_id":"r","x":"new"}`)},
			})
			if err != nil {
				t.Fatalf("InsertNewRaw: %v", err)
			}
			wantEqual(t, "left by InsertNewRaw", left, []string{"a", "r"})
			wantEqual(t, "Get n after InsertNewRaw", get(t, ctx, c, "n"), doc{"_id": "n", "f": 1.5, "l": []any{true}})
			wantEqual(t, "kept a", get(t, ctx, c, "a")["n"], int64(1))
			wantCount(t, ctx, c, 6)
		}},
		{"ScanRaw", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("scanraw")
			rs, ok := c.(docstore.RawScanner)
			if !ok {
				t.Skip("the backend does not implement docstore.RawScanner")
			}
			wantEqual(t, "raw scan of a missing collection", len(rawScan(t, ctx, rs, docstore.ScanOptions{})), 0)
			vals, _ := roundTrip()
			odd := "odd/ é?#%\"\\ \u2028\t漢"
			insert(t, ctx, c, append(numbered("s", 25), vals, doc{"_id": odd, "n": int64(1<<53 + 1)})...)
			for _, opts := range []docstore.ScanOptions{
				{}, {Batch: 3}, {Batch: 1}, {After: "s004"}, {After: "s004x", Limit: 5, Batch: 2},
				{Limit: 7, Batch: 3}, {After: "s024"}, {After: "vals"}, {After: odd}, {Limit: 100, Batch: 10},
			} {
				var want []doc
				for d, err := range c.Scan(ctx, opts) {
					if err != nil {
						t.Fatalf("Scan %+v: %v", opts, err)
					}
					want = append(want, d)
				}
				raws := rawScan(t, ctx, rs, opts) // all kept: earlier pages' bytes must stay valid
				if len(raws) != len(want) {
					t.Fatalf("ScanRaw %+v: %d documents, Scan %d", opts, len(raws), len(want))
				}
				for i, r := range raws {
					if r.ID != want[i]["_id"] {
						t.Fatalf("ScanRaw %+v: document %d has _id %q, Scan gives %q", opts, i, r.ID, want[i]["_id"])
					}
					got, err := docstore.DecodeJSON(r.JSON)
					if err != nil {
						t.Fatalf("ScanRaw %+v: _id %q: %s: %v", opts, r.ID, r.JSON, err)
					}
					wantEqual(t, fmt.Sprintf("ScanRaw %+v: _id %q decoded", opts, r.ID), got, want[i])
				}
			}
			// The bytes are the caller's: changing them changes nothing else.
			raws := rawScan(t, ctx, rs, docstore.ScanOptions{Limit: 3})
			for i := range raws[0].JSON {
				raws[0].JSON[i] = 'x'
			}
			_ = append(raws[0].JSON, `,"more":1}`...)
			for _, r := range raws[1:] {
				if _, err := docstore.DecodeJSON(r.JSON); err != nil {
					t.Fatalf("_id %q after changing the bytes of %q: %s: %v", r.ID, raws[0].ID, r.JSON, err)
				}
			}
			wantEqual(t, "Get after changing raw bytes", get(t, ctx, c, "s000"), doc{"_id": "s000", "i": int64(0)})
			n := 0
			for _, err := range rs.ScanRaw(ctx, docstore.ScanOptions{Batch: 4}) {
				if err != nil {
					t.Fatalf("ScanRaw: %v", err)
				}
				if n++; n == 5 {
					break
				}
			}
			insert(t, ctx, c, doc{"_id": "after_break"})
			wantCount(t, ctx, c, 28)
		}},
		{"Count", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("cnt")
			wantCount(t, ctx, c, 0)
			insert(t, ctx, c, numbered("c", 12)...)
			wantCount(t, ctx, c, 12)
			wantCount(t, ctx, s.C("cnt2"), 0)
		}},
	}
}

// ---- find ----

func findDocs() []doc {
	return []doc{
		{"_id": "a", "status": "ok", "n": int64(3), "meta": map[string]any{"kind": "x", "rank": 2.5}, "tags": []any{"t1", "t2"}, "flag": true},
		{"_id": "b", "status": "failed", "n": int64(1), "meta": map[string]any{"kind": "y", "rank": 1.5}, "flag": false},
		{"_id": "c", "status": "ok", "n": int64(2), "meta": map[string]any{"kind": "x", "rank": 0.5}, "tags": []any{"t2"}},
		{"_id": "d", "status": "ok", "n": int64(3), "meta": map[string]any{"kind": "y", "rank": 3.5}, "flag": true, "opt": nil},
		{"_id": "e", "status": "failed", "n": int64(1), "meta": map[string]any{"kind": "x", "rank": 4.5}, "opt": "set"},
	}
}

func findCases() []testCase {
	tests := []struct {
		name string
		q    docstore.Query
		want []string
	}{
		{"All", docstore.Query{}, []string{"a", "b", "c", "d", "e"}},
		{"Eq", docstore.Query{Filter: map[string]any{"status": "ok"}}, []string{"a", "c", "d"}},
		{"Dotted", docstore.Query{Filter: map[string]any{"meta.kind": "x"}}, []string{"a", "c", "e"}},
		{"TwoFields", docstore.Query{Filter: map[string]any{"meta.kind": "x", "status": "ok"}}, []string{"a", "c"}},
		{"Int", docstore.Query{Filter: map[string]any{"n": int64(3)}}, []string{"a", "d"}},
		{"IntAsGoInt", docstore.Query{Filter: map[string]any{"n": 1}}, []string{"b", "e"}},
		{"Float", docstore.Query{Filter: map[string]any{"meta.rank": 1.5}}, []string{"b"}},
		{"BoolTrue", docstore.Query{Filter: map[string]any{"flag": true}}, []string{"a", "d"}},
		{"BoolFalse", docstore.Query{Filter: map[string]any{"flag": false}}, []string{"b"}},
		{"NullOrMissing", docstore.Query{Filter: map[string]any{"opt": nil}}, []string{"a", "b", "c", "d"}},
		{"ArrayElement", docstore.Query{Filter: map[string]any{"tags": "t2"}}, []string{"a", "c"}},
		{"ByID", docstore.Query{Filter: map[string]any{"_id": "c"}}, []string{"c"}},
		{"NoMatch", docstore.Query{Filter: map[string]any{"status": "nope"}}, []string{}},
		{"StringIsNotNumber", docstore.Query{Filter: map[string]any{"n": "3"}}, []string{}},
		{"SortAsc", docstore.Query{Sort: []string{"meta.rank"}}, []string{"c", "b", "a", "d", "e"}},
		{"SortDesc", docstore.Query{Sort: []string{"-meta.rank"}}, []string{"e", "d", "a", "b", "c"}},
		{"SortTiesByID", docstore.Query{Sort: []string{"n"}}, []string{"b", "e", "c", "a", "d"}},
		{"SortTiesByIDDesc", docstore.Query{Sort: []string{"-n"}}, []string{"a", "d", "c", "b", "e"}},
		{"SortTwoKeys", docstore.Query{Sort: []string{"status", "-meta.rank"}}, []string{"e", "b", "d", "a", "c"}},
		{"SortTwoKeysDescAsc", docstore.Query{Sort: []string{"-n", "meta.kind"}}, []string{"a", "d", "c", "e", "b"}},
		{"SortByIDDesc", docstore.Query{Sort: []string{"-_id"}}, []string{"e", "d", "c", "b", "a"}},
		{"Limit", docstore.Query{Sort: []string{"-meta.rank"}, Limit: 2}, []string{"e", "d"}},
		{"FilterSortLimit", docstore.Query{Filter: map[string]any{"status": "ok"}, Sort: []string{"-n", "-_id"}, Limit: 2}, []string{"d", "a"}},
		{"LimitBeyond", docstore.Query{Filter: map[string]any{"status": "failed"}, Limit: 10}, []string{"b", "e"}},
	}
	var cases []testCase
	for _, tt := range tests {
		cases = append(cases, testCase{"Find" + tt.name, func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("find")
			insert(t, ctx, c, findDocs()...)
			got, err := c.Find(ctx, tt.q)
			if err != nil {
				t.Fatalf("Find(%+v): %v", tt.q, err)
			}
			gotIDs := ids(got)
			if tt.q.Sort == nil { // unsorted results come in any order
				slices.Sort(gotIDs)
			}
			wantEqual(t, fmt.Sprintf("Find(%+v)", tt.q), gotIDs, tt.want)
		}})
	}
	return append(cases,
		testCase{"FindReturnsWholeDocuments", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("find")
			insert(t, ctx, c, findDocs()...)
			got, err := c.Find(ctx, docstore.Query{Filter: map[string]any{"_id": "a"}})
			if err != nil || len(got) != 1 {
				t.Fatalf("Find _id a = %v, %v", got, err)
			}
			wantEqual(t, "found a", got[0], findDocs()[0])
		}},
		testCase{"FindEmptyAndErrors", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("find")
			got, err := c.Find(ctx, docstore.Query{Filter: map[string]any{"x": "y"}, Sort: []string{"x"}})
			if err != nil || len(got) != 0 {
				t.Fatalf("Find on a missing collection = %v, %v; want empty", got, err)
			}
			insert(t, ctx, c, findDocs()...)
			for _, q := range []docstore.Query{
				{Filter: map[string]any{"meta": map[string]any{"kind": "x"}}},
				{Filter: map[string]any{"tags": []any{"t2"}}},
				{Filter: map[string]any{"$where": "1"}},
				{Sort: []string{""}},
				{Sort: []string{"-"}},
			} {
				if _, err := c.Find(ctx, q); err == nil {
					t.Fatalf("Find(%+v) succeeded, want an error", q)
				}
			}
		}},
	)
}

// ---- collections: listing, drop, rename, names ----

func listed(t *testing.T, ctx context.Context, s docstore.Store) []string {
	t.Helper()
	names, err := s.Collections(ctx)
	if err != nil {
		t.Fatalf("Collections: %v", err)
	}
	if names == nil {
		names = []string{}
	}
	return names
}

func collectionCases() []testCase {
	return []testCase{
		{"StagedCollection", func(t *testing.T, ctx context.Context, s docstore.Store) {
			st, ok := s.(docstore.Stager)
			if !ok {
				t.Skip("the store lays out no collection for loading (docstore.Stager)")
			}
			for range 2 { // a second Stage leaves the collection as it is
				if err := st.Stage(ctx, "load"); err != nil {
					t.Fatalf("Stage: %v", err)
				}
			}
			c := s.C("load")
			wantEqual(t, "listed once staged", listed(t, ctx, s), []string{"load"})
			wantCount(t, ctx, c, 0)
			// Documents in no _id order, as a parser yielding from a set.
			docs := numbered("d", 300)
			order := []doc{}
			for i := range docs {
				order = append(order, docs[(i*7919)%len(docs)])
			}
			for i := 0; i < len(order); i += 64 {
				insert(t, ctx, c, order[i:min(i+64, len(order))]...)
			}
			wantDuplicate(t, c.Insert(ctx, []doc{{"_id": "zz"}, {"_id": "d007"}}), "load", "d007")
			left, err := c.InsertNew(ctx, []doc{{"_id": "d010", "i": int64(-1)}, {"_id": "e1"}})
			if err != nil {
				t.Fatalf("InsertNew: %v", err)
			}
			wantEqual(t, "InsertNew left", left, []string{"d010"})
			if err := c.Upsert(ctx, []doc{{"_id": "d011", "i": int64(-11)}}); err != nil {
				t.Fatalf("Upsert: %v", err)
			}
			wantEqual(t, "Get d010", get(t, ctx, c, "d010"), doc{"_id": "d010", "i": int64(10)})
			wantEqual(t, "Get d011", get(t, ctx, c, "d011"), doc{"_id": "d011", "i": int64(-11)})
			want := append(ids(docs), "e1")
			wantEqual(t, "staged scan", scanIDs(t, ctx, c, docstore.ScanOptions{Batch: 50}), want)
			insert(t, ctx, s.C("live"), doc{"_id": "old"})
			if err := s.Rename(ctx, "load", "live", false); err == nil {
				t.Fatal("Rename over an existing collection without dropTarget succeeded")
			}
			wantCount(t, ctx, c, 301)
			if err := s.Rename(ctx, "load", "live", true); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			live := s.C("live")
			wantEqual(t, "listed after rename", listed(t, ctx, s), []string{"live"})
			wantEqual(t, "scan after rename", scanIDs(t, ctx, live, docstore.ScanOptions{After: "d100", Batch: 7}), want[101:])
			wantEqual(t, "Get d011 after rename", get(t, ctx, live, "d011"), doc{"_id": "d011", "i": int64(-11)})
			wantNotFound(t, ctx, live, "old")
			wantDuplicate(t, live.Insert(ctx, []doc{{"_id": "d299"}}), "live", "d299")
		}},
		{"Collections", func(t *testing.T, ctx context.Context, s docstore.Store) {
			wantEqual(t, "new store", listed(t, ctx, s), []string{})
			_ = s.C("read_only") // never written: does not exist
			wantCount(t, ctx, s.C("read_only"), 0)
			insert(t, ctx, s.C("b_2"), doc{"_id": "x"})
			insert(t, ctx, s.C("A1"), doc{"_id": "x"})
			insert(t, ctx, s.C("c-x.y"), doc{"_id": "x"})
			if err := s.C("_9").Update(ctx, "x", map[string]any{"v": int64(1)}); err != nil {
				t.Fatalf("Update: %v", err)
			}
			if err := s.C("u").Upsert(ctx, []doc{{"_id": "x"}}); err != nil {
				t.Fatalf("Upsert: %v", err)
			}
			wantEqual(t, "listed", listed(t, ctx, s), []string{"A1", "_9", "b_2", "c-x.y", "u"})
			if _, err := s.C("u").Delete(ctx, "x"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			wantEqual(t, "emptied collection still listed", listed(t, ctx, s), []string{"A1", "_9", "b_2", "c-x.y", "u"})
		}},
		{"SameIDInTwoCollections", func(t *testing.T, ctx context.Context, s docstore.Store) {
			insert(t, ctx, s.C("one"), doc{"_id": "x", "in": "one"})
			insert(t, ctx, s.C("two"), doc{"_id": "x", "in": "two"})
			wantEqual(t, "one/x", get(t, ctx, s.C("one"), "x"), doc{"_id": "x", "in": "one"})
			wantEqual(t, "two/x", get(t, ctx, s.C("two"), "x"), doc{"_id": "x", "in": "two"})
		}},
		{"Drop", func(t *testing.T, ctx context.Context, s docstore.Store) {
			if err := s.Drop(ctx, "missing"); err != nil {
				t.Fatalf("Drop of a missing collection: %v", err)
			}
			c := s.C("gone")
			insert(t, ctx, c, doc{"_id": "a"}, doc{"_id": "b"})
			insert(t, ctx, s.C("kept"), doc{"_id": "a"})
			if err := s.Drop(ctx, "gone"); err != nil {
				t.Fatalf("Drop: %v", err)
			}
			wantEqual(t, "after drop", listed(t, ctx, s), []string{"kept"})
			wantCount(t, ctx, c, 0)
			wantNotFound(t, ctx, c, "a")
			// Writing again recreates the collection.
			insert(t, ctx, c, doc{"_id": "a", "again": true})
			wantEqual(t, "recreated", get(t, ctx, c, "a"), doc{"_id": "a", "again": true})
			wantCount(t, ctx, c, 1)
		}},
		{"Rename", func(t *testing.T, ctx context.Context, s docstore.Store) {
			src := s.C("build_v1")
			insert(t, ctx, src, doc{"_id": "a", "v": int64(1)}, doc{"_id": "b", "v": int64(2)})
			if err := s.Rename(ctx, "build_v1", "build_v2", false); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			dst := s.C("build_v2")
			wantEqual(t, "renamed a", get(t, ctx, dst, "a"), doc{"_id": "a", "v": int64(1)})
			wantCount(t, ctx, dst, 2)
			wantCount(t, ctx, src, 0)
			wantEqual(t, "after rename", listed(t, ctx, s), []string{"build_v2"})
			// The old name is free again.
			insert(t, ctx, src, doc{"_id": "new"})
			wantCount(t, ctx, src, 1)
		}},
		{"RenameOntoExisting", func(t *testing.T, ctx context.Context, s docstore.Store) {
			insert(t, ctx, s.C("tmp"), doc{"_id": "new", "v": "new"})
			insert(t, ctx, s.C("live"), doc{"_id": "old", "v": "old"})
			if err := s.Rename(ctx, "tmp", "live", false); err == nil {
				t.Fatal("Rename onto an existing collection without dropTarget succeeded, want an error")
			}
			wantEqual(t, "live untouched", get(t, ctx, s.C("live"), "old"), doc{"_id": "old", "v": "old"})
			wantEqual(t, "tmp untouched", get(t, ctx, s.C("tmp"), "new"), doc{"_id": "new", "v": "new"})
			if err := s.Rename(ctx, "tmp", "live", true); err != nil {
				t.Fatalf("Rename with dropTarget: %v", err)
			}
			live := s.C("live")
			wantNotFound(t, ctx, live, "old")
			wantEqual(t, "live replaced", get(t, ctx, live, "new"), doc{"_id": "new", "v": "new"})
			wantCount(t, ctx, live, 1)
			wantEqual(t, "after rename", listed(t, ctx, s), []string{"live"})
		}},
		{"RenameMissing", func(t *testing.T, ctx context.Context, s docstore.Store) {
			err := s.Rename(ctx, "missing", "other", false)
			if !errors.Is(err, docstore.ErrNotFound) {
				t.Fatalf("Rename of a missing collection = %v, want ErrNotFound", err)
			}
			err = s.Rename(ctx, "missing", "other", true)
			if !errors.Is(err, docstore.ErrNotFound) {
				t.Fatalf("Rename of a missing collection with dropTarget = %v, want ErrNotFound", err)
			}
			wantEqual(t, "after failed renames", listed(t, ctx, s), []string{})
		}},
		{"InvalidNames", func(t *testing.T, ctx context.Context, s docstore.Store) {
			for _, name := range []string{"", "a b", `x";drop table y;--`, "é", "a/b", "a$b"} {
				err := s.C(name).Insert(ctx, []doc{{"_id": "a"}})
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", name)) {
					t.Fatalf("Insert into %q = %v, want an error naming the collection", name, err)
				}
				if _, err := s.C(name).Get(ctx, "a"); err == nil || errors.Is(err, docstore.ErrNotFound) {
					t.Fatalf("Get from %q = %v, want an invalid-name error", name, err)
				}
			}
			if err := s.Rename(ctx, "a b", "c", false); err == nil {
				t.Fatal("Rename from an invalid name succeeded")
			}
			wantEqual(t, "nothing created", listed(t, ctx, s), []string{})
		}},
		{"Info", func(t *testing.T, ctx context.Context, s docstore.Store) {
			info, err := s.Info(ctx)
			if err != nil {
				t.Fatalf("Info: %v", err)
			}
			if info.Backend == "" || info.Version == "" || info.Where == "" {
				t.Fatalf("Info = %+v, want backend, version and where", info)
			}
		}},
	}
}

// ---- value normalisation ----

// roundTrip is a document written with assorted Go types and the exact
// normalised document every backend must return.
func roundTrip() (in, want doc) {
	in = doc{
		"_id":       "vals",
		"str":       "plain",
		"unicode":   "é漢字🧬 \"quoted\" \\ back\nline\ttab",
		"empty":     "",
		"t":         true,
		"f":         false,
		"null":      nil,
		"int":       42,
		"int32":     int32(-7),
		"uint8":     uint8(200),
		"i64max":    int64(math.MaxInt64),
		"i64min":    int64(math.MinInt64),
		"beyond53":  int64(1<<53 + 1),
		"zero":      int64(0),
		"frac":      1.5,
		"negfrac":   -0.25,
		"f32":       float32(0.5),
		"big":       1e300,
		"tiny":      5e-324,
		"intfloat":  3.0,
		"list":      []any{int64(1), "two", 3.5, nil, true, map[string]any{"k": "v", "l": []any{"in", "obj"}}},
		"strings":   []string{"a", "b"},
		"emptyList": []any{},
		"emptyObj":  map[string]any{},
		"obj": map[string]any{
			"deep":  map[string]any{"er": map[string]any{"est": int64(-1)}},
			"typed": map[string]int{"x": 1},
		},
	}
	want = doc{
		"_id":       "vals",
		"str":       "plain",
		"unicode":   "é漢字🧬 \"quoted\" \\ back\nline\ttab",
		"empty":     "",
		"t":         true,
		"f":         false,
		"null":      nil,
		"int":       int64(42),
		"int32":     int64(-7),
		"uint8":     int64(200),
		"i64max":    int64(math.MaxInt64),
		"i64min":    int64(math.MinInt64),
		"beyond53":  int64(1<<53 + 1),
		"zero":      int64(0),
		"frac":      1.5,
		"negfrac":   -0.25,
		"f32":       0.5,
		"big":       1e300,
		"tiny":      5e-324,
		"intfloat":  3.0,
		"list":      []any{int64(1), "two", 3.5, nil, true, map[string]any{"k": "v", "l": []any{"in", "obj"}}},
		"strings":   []any{"a", "b"},
		"emptyList": []any{},
		"emptyObj":  map[string]any{},
		"obj": map[string]any{
			"deep":  map[string]any{"er": map[string]any{"est": int64(-1)}},
			"typed": map[string]any{"x": int64(1)},
		},
	}
	return in, want
}

func valueCases() []testCase {
	return []testCase{
		{"ValuesRoundTrip", func(t *testing.T, ctx context.Context, s docstore.Store) {
			in, want := roundTrip()
			c := s.C("values")
			insert(t, ctx, c, in)
			wantEqual(t, "Get", get(t, ctx, c, "vals"), want)
			many, err := c.GetMany(ctx, []string{"vals"})
			if err != nil || len(many) != 1 {
				t.Fatalf("GetMany = %v, %v", many, err)
			}
			wantEqual(t, "GetMany", many[0], want)
			found, err := c.Find(ctx, docstore.Query{Filter: map[string]any{"i64max": int64(math.MaxInt64)}})
			if err != nil || len(found) != 1 {
				t.Fatalf("Find by i64max = %v, %v; want one document", found, err)
			}
			wantEqual(t, "Find", found[0], want)
			for d, err := range c.Scan(ctx, docstore.ScanOptions{}) {
				if err != nil {
					t.Fatalf("Scan: %v", err)
				}
				wantEqual(t, "Scan", d, want)
			}
		}},
		{"ValuesThroughUpsertAndUpdate", func(t *testing.T, ctx context.Context, s docstore.Store) {
			in, want := roundTrip()
			c := s.C("values")
			if err := c.Upsert(ctx, []doc{in}); err != nil {
				t.Fatalf("Upsert: %v", err)
			}
			wantEqual(t, "Get after Upsert", get(t, ctx, c, "vals"), want)
			set := map[string]any{}
			for k, v := range in {
				if k != "_id" {
					set["copy."+k] = v
				}
			}
			if err := c.Update(ctx, "vals", set); err != nil {
				t.Fatalf("Update: %v", err)
			}
			got := get(t, ctx, c, "vals")
			wantCopy := map[string]any{}
			for k, v := range want {
				if k != "_id" {
					wantCopy[k] = v
				}
			}
			wantEqual(t, "Get after Update", got["copy"], wantCopy)
		}},
		{"ValuesNestedArrays", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("values")
			want := doc{"_id": "n", "m": []any{[]any{int64(1), 2.5}, []any{}, []any{[]any{"deep"}}}}
			insert(t, ctx, c, want)
			wantEqual(t, "Get", get(t, ctx, c, "n"), want)
		}},
		{"IntegralFloatStaysFloat", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("values")
			insert(t, ctx, c, doc{"_id": "f", "v": 2.0, "w": int64(2)})
			got := get(t, ctx, c, "f")
			if _, ok := got["v"].(float64); !ok {
				t.Fatalf("v = %T(%v), want float64", got["v"], got["v"])
			}
			if _, ok := got["w"].(int64); !ok {
				t.Fatalf("w = %T(%v), want int64", got["w"], got["w"])
			}
			// Numbers compare by value across int and float, as in MongoDB.
			found, err := c.Find(ctx, docstore.Query{Filter: map[string]any{"v": int64(2), "w": 2.0}})
			if err != nil || len(found) != 1 {
				t.Fatalf("Find 2 == 2.0 = %v, %v; want one document", found, err)
			}
		}},
		{"RejectsUnstorableValues", func(t *testing.T, ctx context.Context, s docstore.Store) {
			c := s.C("values")
			for _, v := range []any{math.NaN(), math.Inf(1), uint64(math.MaxUint64)} {
				if err := c.Insert(ctx, []doc{{"_id": "x", "v": v}}); err == nil {
					t.Fatalf("Insert of %v succeeded, want an error", v)
				}
			}
			wantCount(t, ctx, c, 0)
		}},
	}
}
