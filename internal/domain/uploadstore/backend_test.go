package uploadstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"studio/internal/domain/uploadstore"
	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/docstoretest"
	"studio/internal/engine/docstore/sqlite"
)

// TestWriter runs every case of the suite against each backend.
func TestWriter(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, db docstore.Store)
	}{
		{"FirstUpload", testFirstUpload},
		{"SecondUploadArchives", testSecondUploadArchives},
		{"KeepArchives", testKeepArchives},
		{"EmptyResult", testEmptyResult},
		{"Rejections", testRejections},
		{"OnDuplicates", testOnDuplicates},
		{"Resume", testResume},
		{"ResumeFindsRealDuplicate", testResumeFindsRealDuplicate},
		{"ResumeAfterPartialBatch", testResumeAfterPartialBatch},
		{"ResumeWithoutTemp", testResumeWithoutTemp},
		{"ResumeAheadOfData", testResumeAheadOfData},
		{"SwitchRollsBack", testSwitchRollsBack},
		{"SwitchInterrupted", testSwitchInterrupted},
		{"Abort", testAbort},
	}
	for _, b := range docstoretest.Backends(t, "store_test") {
		for _, f := range []feed{maps, texts} {
			t.Run(b.Name+"/"+f.String(), func(t *testing.T) {
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) {
						feeding = f
						t.Cleanup(func() { feeding = maps })
						c.run(t, b.Open(t))
					})
				}
			})
		}
	}
}

// feed is how the suite gives documents to a Writer.
type feed int

const (
	maps  feed = iota // Add
	texts             // AddJSON, as a Python parser's text, when jsonenc.Verbatim takes it
)

func (f feed) String() string { return [...]string{"Add", "AddJSON"}[f] }

// feeding is the feed of the running case (cases run one at a time).
var feeding = maps

// add gives d to w as the running case feeds documents.
func add(ctx context.Context, w *uploadstore.Writer, d map[string]any) error {
	if feeding == texts {
		if text, ok := pythonJSON(d); ok {
			var v jsonenc.Verbatim
			if id, ok := v.Check(text); ok {
				return w.AddJSON(ctx, id, text)
			}
		}
	}
	return w.Add(ctx, d)
}

// pythonJSON writes d as Python's json module would (a float keeps its
// ".0"); false for a value it cannot write.
func pythonJSON(d map[string]any) ([]byte, bool) {
	var write func(b []byte, v any) ([]byte, bool)
	write = func(b []byte, v any) ([]byte, bool) {
		switch x := v.(type) {
		case nil:
			return append(b, "null"...), true
		case bool:
			return strconv.AppendBool(b, x), true
		case int:
			return strconv.AppendInt(b, int64(x), 10), true
		case int64:
			return strconv.AppendInt(b, x, 10), true
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return b, false
			}
			at := len(b)
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
			if !strings.ContainsAny(string(b[at:]), ".e") {
				b = append(b, ".0"...)
			}
			return b, true
		case string:
			q, _ := json.Marshal(x)
			return append(b, q...), true
		case []any:
			b = append(b, '[')
			for i, e := range x {
				if i > 0 {
					b = append(b, ',')
				}
				var ok bool
				if b, ok = write(b, e); !ok {
					return b, false
				}
			}
			return append(b, ']'), true
		case map[string]any:
			b = append(b, '{')
			first := true
			for k, e := range x {
				if !first {
					b = append(b, ',')
				}
				first = false
				q, _ := json.Marshal(k)
				b = append(append(b, q...), ':')
				var ok bool
				if b, ok = write(b, e); !ok {
					return b, false
				}
			}
			return append(b, '}'), true
		}
		return b, false
	}
	return write(nil, map[string]any(d))
}

const src = "mysrc"

// doc builds a small document with tags and a nested object.
func doc(id string, n int) map[string]any {
	return map[string]any{"_id": id, "n": n, "tags": []any{fmt.Sprint("t", n%3)}, "sub": map[string]any{"v": float64(n) / 2}}
}

func docs(prefix string, count int) []map[string]any {
	out := make([]map[string]any, count)
	for i := range out {
		out[i] = doc(fmt.Sprintf("%s%04d", prefix, i), i)
	}
	return out
}

func upload(t *testing.T, db docstore.Store, opts uploadstore.Options, in []map[string]any) (uploadstore.Stats, error) {
	t.Helper()
	w, err := uploadstore.NewWriter(t.Context(), db, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range in {
		if err := add(t.Context(), w, d); err != nil {
			return w.Stats(), err
		}
	}
	return w.Switch(t.Context())
}

func mustUpload(t *testing.T, db docstore.Store, opts uploadstore.Options, in []map[string]any) uploadstore.Stats {
	t.Helper()
	st, err := upload(t, db, opts, in)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func count(t *testing.T, db docstore.Store, coll string) int64 {
	t.Helper()
	n, err := db.C(coll).Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// collections lists the collections of src, grouped: live ("" when
// missing), archives oldest first, temps.
func collections(t *testing.T, db docstore.Store) (live string, archives, temps []string) {
	t.Helper()
	all, err := db.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		switch {
		case c == src:
			live = c
		case strings.HasPrefix(c, src+"_archive_"):
			archives = append(archives, c)
		case strings.HasPrefix(c, src+"_temp_"):
			temps = append(temps, c)
		}
	}
	return live, archives, temps
}

// checksum hashes a collection's documents in _id order.
func checksum(t *testing.T, db docstore.Store, coll string) string {
	t.Helper()
	h := sha256.New()
	for d, err := range db.C(coll).Scan(t.Context(), docstore.ScanOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(append(b, '\n'))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func testFirstUpload(t *testing.T, db docstore.Store) {
	w, err := uploadstore.NewWriter(t.Context(), db, src, uploadstore.Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	temp, seen := w.Position()
	if !regexpMatch(`^mysrc_temp_[0-9a-f]{8}$`, temp) || seen != 0 {
		t.Fatalf("Position = %q, %d", temp, seen)
	}
	for i, d := range docs("d", 25) {
		if err := add(t.Context(), w, d); err != nil {
			t.Fatal(err)
		}
		if _, seen := w.Position(); seen != int64(i+1)/10*10 {
			t.Fatalf("after document %d, Position says %d documents are settled", i+1, seen)
		}
	}
	st, err := w.Switch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := uploadstore.Stats{Stored: 25, Temp: temp}
	if !statsEqual(st, want) {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	live, archives, temps := collections(t, db)
	if live != src || len(archives) != 0 || len(temps) != 0 {
		t.Errorf("collections: live %q, archives %q, temps %q", live, archives, temps)
	}
	if n := count(t, db, src); n != 25 {
		t.Errorf("live count = %d, want 25", n)
	}
	got, err := db.C(src).Get(t.Context(), "d0007")
	if err != nil || got["n"] != int64(7) {
		t.Errorf("Get(d0007) = %v, %v", got, err)
	}
	if _, err := w.Switch(t.Context()); err != nil {
		t.Errorf("Switch again: %v", err)
	}
	if err := add(t.Context(), w, doc("late", 1)); err == nil {
		t.Error("Add after Switch: no error")
	}
}

func testSecondUploadArchives(t *testing.T, db docstore.Store) {
	mustUpload(t, db, uploadstore.Options{}, docs("a", 12))
	before := checksum(t, db, src)
	mustUpload(t, db, uploadstore.Options{}, docs("b", 5))
	live, archives, temps := collections(t, db)
	if live != src || len(archives) != 1 || len(temps) != 0 {
		t.Fatalf("collections: live %q, archives %q, temps %q", live, archives, temps)
	}
	day := time.Now().UTC().Format("20060102")
	yesterday := time.Now().UTC().Add(-time.Hour).Format("20060102") // around midnight
	if !regexpMatch(`^mysrc_archive_(`+day+`|`+yesterday+`)_[0-9a-f]{8}$`, archives[0]) {
		t.Errorf("archive name %q", archives[0])
	}
	if n := count(t, db, src); n != 5 {
		t.Errorf("live count = %d, want 5", n)
	}
	if got := checksum(t, db, archives[0]); got != before {
		t.Errorf("the archive does not hold the previous live documents")
	}
}

func testKeepArchives(t *testing.T, db docstore.Store) {
	ctx := t.Context()
	// Collections that are not ours must survive the clean-up.
	for _, c := range []string{"other_temp_0badf00d", "mysrc2_temp_0badf00d", "mysrc_extra"} {
		if err := db.C(c).Insert(ctx, []docstore.Doc{{"_id": "x"}}); err != nil {
			t.Fatal(err)
		}
	}
	for k := 1; k <= 5; k++ {
		if k == 5 { // a stray temp of an earlier failed upload
			if err := db.C(src+"_temp_0badf00d").Insert(ctx, []docstore.Doc{{"_id": "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		mustUpload(t, db, uploadstore.Options{KeepArchives: 2}, docs("k", k))
	}
	live, archives, temps := collections(t, db)
	if live != src || len(archives) != 2 || len(temps) != 0 {
		t.Fatalf("collections: live %q, archives %q, temps %q", live, archives, temps)
	}
	// Newest kept: the uploads of 4 and 3 documents, in that order.
	if a, b := count(t, db, archives[0]), count(t, db, archives[1]); a != 3 || b != 4 {
		t.Errorf("archive counts (oldest first) = %d, %d; want 3, 4", a, b)
	}
	for _, c := range []string{"other_temp_0badf00d", "mysrc2_temp_0badf00d", "mysrc_extra"} {
		if count(t, db, c) != 1 {
			t.Errorf("%s was touched", c)
		}
	}
	mustUpload(t, db, uploadstore.Options{KeepArchives: -1}, docs("k", 6))
	if _, archives, _ := collections(t, db); len(archives) != 0 {
		t.Errorf("KeepArchives -1 kept %q", archives)
	}
}

func testEmptyResult(t *testing.T, db docstore.Store) {
	mustUpload(t, db, uploadstore.Options{}, docs("a", 3))
	before := checksum(t, db, src)
	tests := []struct {
		name string
		in   []map[string]any
		want string
	}{
		{"no documents", nil, `store: "mysrc": parser produced no documents`},
		{"all rejected", []map[string]any{{"x": 1}, {"_id": 2}},
			`store: "mysrc": parser produced no documents: all 2 documents were rejected, e.g. document 1: _id missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := upload(t, db, uploadstore.Options{}, tt.in)
			if !errors.Is(err, uploadstore.ErrNoDocuments) || err.Error() != tt.want {
				t.Errorf("Switch error = %v, want %s", err, tt.want)
			}
			live, archives, temps := collections(t, db)
			if live != src || len(archives) != 0 || len(temps) != 0 {
				t.Errorf("collections: live %q, archives %q, temps %q", live, archives, temps)
			}
			if checksum(t, db, src) != before {
				t.Error("the live collection changed")
			}
		})
	}
}

func testRejections(t *testing.T, db docstore.Store) {
	in := []map[string]any{
		doc("ok1", 1),
		{"name": "no id"},
		{"_id": 42},
		{"_id": 1.5},
		{"_id": false},
		{"_id": nil},
		{"_id": map[string]any{"a": "b"}},
		{"_id": []any{"x"}},
		{"_id": ""},
		{"_id": strings.Repeat("z", 513)},
		doc(strings.Repeat("y", 512), 2),
		{"_id": "nan", "v": []any{1, float64Nan()}},
		doc("ok2", 3),
	}
	st := mustUpload(t, db, uploadstore.Options{BatchSize: 2}, in)
	want := uploadstore.Stats{Stored: 3, Rejected: 10, RejectSamples: []string{
		"document 2: _id missing",
		"document 3: _id is a number (42), want a string",
		"document 4: _id is a number (1.5), want a string",
		"document 5: _id is a boolean (false), want a string",
		"document 6: _id is null, want a string",
		`document 7: _id is an object ({"a":"b"}), want a string`,
		`document 8: _id is an array (["x"]), want a string`,
		"document 9: _id is empty",
		`document 10: _id is 513 bytes long, at most 512 allowed (it starts "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz…")`,
		"document 12: cannot be stored: v: [1]: number NaN cannot be stored",
	}, Temp: st.Temp}
	if !statsEqual(st, want) {
		t.Errorf("Stats =\n%+v\nwant\n%+v", st, want)
	}
	if n := count(t, db, src); n != 3 {
		t.Errorf("live count = %d, want 3", n)
	}
	// Only the first ten reasons are kept; all are counted.
	many := make([]map[string]any, 25)
	for i := range many {
		many[i] = map[string]any{"_id": i}
	}
	st, _ = upload(t, db, uploadstore.Options{}, append(many, doc("x", 1)))
	if st.Rejected != 25 || len(st.RejectSamples) != 10 || st.Stored != 1 {
		t.Errorf("Stats = %+v, want 25 rejected, 10 samples, 1 stored", st)
	}
}

func testOnDuplicates(t *testing.T, db docstore.Store) {
	in := []map[string]any{
		{"_id": "a", "x": 1, "l": []any{"p"}, "o": map[string]any{"k": 1}},
		{"_id": "b", "x": 1},
		{"_id": "c", "x": 1},
		{"_id": "a", "x": 2, "l": []any{"q", "p"}, "o": map[string]any{"j": 2}, "y": true},
		{"_id": "a", "x": 1, "l": []any{"r"}},
	}
	merged := map[string]any{"_id": "a", "x": []any{int64(1), int64(2)}, "l": []any{"p", "q", "r"},
		"o": map[string]any{"k": int64(1), "j": int64(2)}, "y": true}
	tests := []struct {
		mode    string
		batch   int
		wantErr string
		wantA   map[string]any
	}{
		{"error", 100, `document 4: _id "a" repeats document 1 (on_duplicates is "error": fix the parser, or set on_duplicates to "ignore" or "merge")`, nil},
		{"", 2, `document 4: _id "a" repeats an earlier document (on_duplicates is "error": fix the parser, or set on_duplicates to "ignore" or "merge")`, nil},
		{"ignore", 100, "", map[string]any{"_id": "a", "x": int64(1), "l": []any{"p"}, "o": map[string]any{"k": int64(1)}}},
		{"ignore", 2, "", map[string]any{"_id": "a", "x": int64(1), "l": []any{"p"}, "o": map[string]any{"k": int64(1)}}},
		{"ignore", 1, "", map[string]any{"_id": "a", "x": int64(1), "l": []any{"p"}, "o": map[string]any{"k": int64(1)}}},
		{"merge", 100, "", merged},
		{"merge", 2, "", merged},
		{"merge", 4, "", merged},
		{"merge", 1, "", merged},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/batch%d", tt.mode, tt.batch), func(t *testing.T) {
			w, err := uploadstore.NewWriter(t.Context(), db, src, uploadstore.Options{OnDuplicates: tt.mode, BatchSize: tt.batch})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort(context.WithoutCancel(t.Context()))
			for _, d := range in {
				if err = add(t.Context(), w, d); err != nil {
					break
				}
			}
			var st uploadstore.Stats
			if err == nil {
				st, err = w.Switch(t.Context())
			}
			if tt.wantErr != "" {
				var dup *uploadstore.DuplicateIDError
				if !errors.As(err, &dup) || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				if live, _, _ := collections(t, db); live != "" {
					t.Error("a failed upload went live")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Stored != 3 || st.Duplicates != 2 || st.Rejected != 0 {
				t.Errorf("Stats = %+v, want 3 stored, 2 duplicates", st)
			}
			got, err := db.C(src).Get(t.Context(), "a")
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, tt.wantA) {
				t.Errorf("a = %v, want %v", got, tt.wantA)
			}
			if b, _ := db.C(src).Get(t.Context(), "b"); b["x"] != int64(1) {
				t.Errorf("b = %v", b)
			}
		})
	}
}

// resumeData is a parse with rejected documents and, unless unique, repeated
// _ids whose later copies differ.
func resumeData(n int, unique bool) []map[string]any {
	out := make([]map[string]any, 0, n)
	for i := range n {
		switch {
		case i%11 == 5:
			out = append(out, map[string]any{"_id": i})
		case !unique && i%7 == 6:
			d := doc(fmt.Sprintf("r%04d", i-4), i)
			d["tags"] = []any{"again", i}
			out = append(out, d)
		default:
			out = append(out, doc(fmt.Sprintf("r%04d", i), i))
		}
	}
	return out
}

// crash writes the first upTo documents and stops without Switch or Abort,
// as a killed worker would. It returns the temp collection and the
// positions heartbeats could have reported, one per write.
func crash(t *testing.T, db docstore.Store, opts uploadstore.Options, in []map[string]any, upTo int) (string, []int64) {
	t.Helper()
	w, err := uploadstore.NewWriter(t.Context(), db, src, opts)
	if err != nil {
		t.Fatal(err)
	}
	var beats []int64
	for _, d := range in[:upTo] {
		if err := add(t.Context(), w, d); err != nil {
			t.Fatal(err)
		}
		if _, seen := w.Position(); len(beats) == 0 || seen != beats[len(beats)-1] {
			beats = append(beats, seen)
		}
	}
	temp, _ := w.Position()
	return temp, beats
}

func testResume(t *testing.T, db docstore.Store) {
	const n, upTo = 60, 47
	for _, mode := range []string{"error", "ignore", "merge"} {
		for _, lag := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("%s/lag%d", mode, lag), func(t *testing.T) {
				in := resumeData(n, mode == "error")
				opts := uploadstore.Options{OnDuplicates: mode, BatchSize: 8}
				want := mustUpload(t, db, opts, in)
				wantSum := checksum(t, db, src)

				temp, beats := crash(t, db, opts, in, upTo)
				// The last heartbeat sent may be older than the last write.
				opts.Resume, opts.ResumeAfter = temp, beats[len(beats)-1-lag]
				got := mustUpload(t, db, opts, in)
				want.Temp = temp
				if !statsEqual(got, want) {
					t.Errorf("resumed Stats =\n%+v\nuninterrupted\n%+v", got, want)
				}
				if sum := checksum(t, db, src); sum != wantSum {
					t.Error("the resumed upload stored other documents than the uninterrupted one")
				}
				if _, _, temps := collections(t, db); len(temps) != 0 {
					t.Errorf("temps left: %q", temps)
				}
			})
		}
	}
}

func testResumeFindsRealDuplicate(t *testing.T, db docstore.Store) {
	in := resumeData(40, true)
	in = append(in, doc("r0003", 3)) // identical to document 4, but a repeat all the same
	opts := uploadstore.Options{BatchSize: 5}
	_, err := upload(t, db, opts, in)
	var dup *uploadstore.DuplicateIDError
	if !errors.As(err, &dup) || dup.ID != "r0003" || dup.Doc != 41 {
		t.Fatalf("uninterrupted: error %v, want a duplicate of r0003 at document 41", err)
	}
	temp, beats := crash(t, db, opts, in, 38)
	opts.Resume, opts.ResumeAfter = temp, beats[len(beats)-3]
	_, err = upload(t, db, opts, in)
	if !errors.As(err, &dup) || dup.ID != "r0003" || dup.Doc != 41 {
		t.Fatalf("resumed: error %v, want a duplicate of r0003 at document 41", err)
	}

	// In the lag window, a stored document that differs from the replayed
	// one is a real duplicate too.
	temp, beats = crash(t, db, opts, in, 38)
	changed := doc("r0030", 30)
	changed["n"] = "changed"
	if err := db.C(temp).Upsert(t.Context(), []docstore.Doc{changed}); err != nil {
		t.Fatal(err)
	}
	opts.Resume, opts.ResumeAfter = temp, beats[len(beats)-4]
	_, err = upload(t, db, opts, in)
	if !errors.As(err, &dup) || dup.ID != "r0030" || dup.Doc != 31 {
		t.Fatalf("changed stored document: error %v, want a duplicate of r0030 at document 31", err)
	}
}

// testResumeAfterPartialBatch stores, past the last write the writer
// reported, the first documents of the next batch, as a MongoDB insert cut
// short by a crash leaves them.
func testResumeAfterPartialBatch(t *testing.T, db docstore.Store) {
	in := resumeData(30, true)
	opts := uploadstore.Options{BatchSize: 6}
	want := mustUpload(t, db, opts, in)
	wantSum := checksum(t, db, src)

	temp, beats := crash(t, db, opts, in, 20)
	last := beats[len(beats)-1]
	var partial []docstore.Doc
	for _, d := range in[last:] {
		if _, ok := d["_id"].(string); ok && len(partial) < 3 {
			partial = append(partial, d)
		}
	}
	if err := db.C(temp).Insert(t.Context(), partial); err != nil {
		t.Fatal(err)
	}
	opts.Resume, opts.ResumeAfter = temp, beats[len(beats)-2]
	got := mustUpload(t, db, opts, in)
	want.Temp = temp
	if !statsEqual(got, want) || checksum(t, db, src) != wantSum {
		t.Errorf("resumed Stats %+v, want %+v (or other documents)", got, want)
	}
}

// testResumeWithoutTemp resumes into a temp collection that is gone (the
// crash came after Switch): the writer starts over and loses nothing.
func testResumeWithoutTemp(t *testing.T, db docstore.Store) {
	in := resumeData(20, true)
	opts := uploadstore.Options{BatchSize: 6}
	want := mustUpload(t, db, opts, in)
	opts.Resume, opts.ResumeAfter = want.Temp, 18
	got := mustUpload(t, db, opts, in)
	if got.Stored != want.Stored || got.Rejected != want.Rejected || count(t, db, src) != want.Stored {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// testResumeAheadOfData refuses a resume point beyond what was stored.
func testResumeAheadOfData(t *testing.T, db docstore.Store) {
	in := resumeData(30, true)
	opts := uploadstore.Options{BatchSize: 6}
	temp, _ := crash(t, db, opts, in, 14)
	opts.Resume, opts.ResumeAfter = temp, 25
	_, err := upload(t, db, opts, in)
	if err == nil || !strings.Contains(err.Error(), "start the upload over") {
		t.Fatalf("error = %v, want a refusal to resume", err)
	}
	if live, _, _ := collections(t, db); live != "" {
		t.Error("an upload with missing documents went live")
	}
}

// faultStore fails the renames fail picks, as a crash or an outage would.
type faultStore struct {
	docstore.Store
	fail func(from, to string) bool
}

func (f *faultStore) Rename(ctx context.Context, from, to string, dropTarget bool) error {
	if f.fail(from, to) {
		return fmt.Errorf("simulated failure renaming %q to %q", from, to)
	}
	return f.Store.Rename(ctx, from, to, dropTarget)
}

func testSwitchRollsBack(t *testing.T, db docstore.Store) {
	mustUpload(t, db, uploadstore.Options{}, docs("a", 4))
	before := checksum(t, db, src)
	broken := true
	fs := &faultStore{Store: db, fail: func(from, to string) bool {
		return broken && strings.Contains(from, "_temp_")
	}}
	w, err := uploadstore.NewWriter(t.Context(), fs, src, uploadstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs("b", 6) {
		if err := add(t.Context(), w, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Switch(t.Context()); err == nil || !strings.Contains(err.Error(), `"mysrc" is unchanged`) {
		t.Fatalf("Switch error = %v, want a failure that left mysrc unchanged", err)
	}
	live, archives, temps := collections(t, db)
	if live != src || len(archives) != 0 || len(temps) != 1 || checksum(t, db, src) != before {
		t.Fatalf("after a failed Switch: live %q, archives %q, temps %q", live, archives, temps)
	}
	broken = false
	if st, err := w.Switch(t.Context()); err != nil || st.Stored != 6 {
		t.Fatalf("Switch retried: %+v, %v", st, err)
	}
	if n := count(t, db, src); n != 6 {
		t.Errorf("live count = %d, want 6", n)
	}
}

// testSwitchInterrupted stops Switch between its two renames (the rename
// of the temp collection and the rename back both fail, as when the worker
// dies there), then recovers in each of the three ways.
func testSwitchInterrupted(t *testing.T, db docstore.Store) {
	tests := []struct {
		name    string
		recover func(t *testing.T, temp string, done int64, in []map[string]any)
		wantNew bool // the new upload is live, not the previous one
		stray   bool // the interrupted temp collection is left for the next Switch
	}{
		{"resumed Switch finishes", func(t *testing.T, temp string, done int64, in []map[string]any) {
			mustUpload(t, db, uploadstore.Options{Resume: temp, ResumeAfter: done}, in)
		}, true, false},
		{"Switch alone finishes", func(t *testing.T, temp string, done int64, _ []map[string]any) {
			mustUpload(t, db, uploadstore.Options{Resume: temp, ResumeAfter: done}, nil)
		}, true, false},
		{"Abort restores", func(t *testing.T, temp string, done int64, _ []map[string]any) {
			w, err := uploadstore.NewWriter(t.Context(), db, src, uploadstore.Options{Resume: temp, ResumeAfter: done})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Abort(t.Context()); err != nil {
				t.Fatal(err)
			}
		}, false, false},
		{"new writer restores", func(t *testing.T, _ string, _ int64, _ []map[string]any) {
			if _, err := uploadstore.NewWriter(t.Context(), db, src, uploadstore.Options{}); err != nil {
				t.Fatal(err)
			}
		}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustUpload(t, db, uploadstore.Options{KeepArchives: -1}, docs("a", 4))
			old := checksum(t, db, src)
			fs := &faultStore{Store: db, fail: func(from, to string) bool { return to == src }}
			w, err := uploadstore.NewWriter(t.Context(), fs, src, uploadstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			in := docs("b", 7)
			for _, d := range in {
				if err := add(t.Context(), w, d); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.Switch(t.Context()); err == nil || !strings.Contains(err.Error(), "retry Switch to finish, or Abort to restore it") {
				t.Fatalf("Switch error = %v", err)
			}
			temp, done := w.Position()
			live, archives, temps := collections(t, db)
			if live != "" || len(archives) != 1 || !slices.Equal(temps, []string{temp}) {
				t.Fatalf("not the state of an interrupted switch: live %q, archives %q, temps %q", live, archives, temps)
			}
			tt.recover(t, temp, done, in)
			live, archives, temps = collections(t, db)
			if live != src || len(temps) != 0 && !(tt.stray && slices.Equal(temps, []string{temp})) {
				t.Fatalf("after recovery: live %q, archives %q, temps %q", live, archives, temps)
			}
			if isNew := checksum(t, db, src) != old; isNew != tt.wantNew {
				t.Errorf("new documents live: %v, want %v", isNew, tt.wantNew)
			}
			if tt.wantNew && (len(archives) != 1 || checksum(t, db, archives[0]) != old) {
				t.Errorf("the previous documents are not in the archive %q", archives)
			}
		})
	}
}

func testAbort(t *testing.T, db docstore.Store) {
	mustUpload(t, db, uploadstore.Options{}, docs("a", 4))
	before := checksum(t, db, src)
	w, err := uploadstore.NewWriter(t.Context(), db, src, uploadstore.Options{BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs("b", 8) {
		if err := add(t.Context(), w, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(t.Context()); err != nil {
		t.Fatal(err)
	}
	live, archives, temps := collections(t, db)
	if live != src || len(archives) != 0 || len(temps) != 0 || checksum(t, db, src) != before {
		t.Errorf("after Abort: live %q, archives %q, temps %q", live, archives, temps)
	}
	if err := add(t.Context(), w, doc("c", 1)); err == nil {
		t.Error("Add after Abort: no error")
	}
	if _, err := w.Switch(t.Context()); err == nil {
		t.Error("Switch after Abort: no error")
	}
}

func regexpMatch(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}

func statsEqual(a, b uploadstore.Stats) bool {
	return a.Stored == b.Stored && a.Rejected == b.Rejected && a.Duplicates == b.Duplicates &&
		a.Temp == b.Temp && slices.Equal(a.RejectSamples, b.RejectSamples)
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func float64Nan() float64 { return math.NaN() }

func TestNewWriterRefuses(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "src.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		name string
		src  string
		opts uploadstore.Options
		want string
	}{
		{"bad name", "my src", uploadstore.Options{}, `store: collection "my src": invalid name`},
		{"bad policy", src, uploadstore.Options{OnDuplicates: "replace"}, `store: on_duplicates "replace": use "error", "ignore" or "merge"`},
		{"ResumeAfter alone", src, uploadstore.Options{ResumeAfter: 3}, "store: ResumeAfter 3 needs Resume"},
		{"not a temp", src, uploadstore.Options{Resume: "mysrc_archive_20250101_00000000"}, `store: cannot resume into "mysrc_archive_20250101_00000000": it is not a temp collection of "mysrc"`},
		{"temp of another", src, uploadstore.Options{Resume: "other_temp_00000000"}, `it is not a temp collection of "mysrc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := uploadstore.NewWriter(t.Context(), db, tt.src, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %s", err, tt.want)
			}
		})
	}
}
