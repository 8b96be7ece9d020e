package differ

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/encoding/jsondiff"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "docs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func insert(t *testing.T, c docstore.Collection, docs []docstore.Doc) {
	t.Helper()
	if len(docs) == 0 {
		return
	}
	if err := c.Insert(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
}

func testDoc(r *rand.Rand, id string) docstore.Doc {
	return docstore.Doc{
		"_id":    id,
		"symbol": fmt.Sprintf("G%d", r.IntN(1000)),
		"taxid":  int64(9606),
		"score":  r.Float64(),
		"alias":  []any{"a" + id, "b" + id},
		"pos":    map[string]any{"chr": "1", "start": int64(r.IntN(1e6)), "strand": nil},
	}
}

// edited is an old and a new collection with known differences.
type edited struct {
	old, new            docstore.Collection
	oldDocs, newDocs    map[string]docstore.Doc
	add, update, delete int64
	same                int64
}

// makeEdited stores n documents and a copy with adds, updates and deletes.
func makeEdited(t *testing.T, n int, seed uint64) edited {
	s := openStore(t)
	r := rand.New(rand.NewPCG(seed, 1))
	e := edited{old: s.C("old"), new: s.C("new"), oldDocs: map[string]docstore.Doc{}, newDocs: map[string]docstore.Doc{}}
	var olds, news []docstore.Doc
	for i := range n {
		id := fmt.Sprintf("id%05d", i*2)
		d := testDoc(r, id)
		olds = append(olds, d)
		e.oldDocs[id] = d
		nd := clone(d)
		switch i % 10 {
		case 0:
			e.delete++
			continue
		case 1:
			nd["symbol"] = "changed"
			e.update++
		case 2:
			delete(nd, "alias")
			nd["pos"].(map[string]any)["end"] = int64(5)
			e.update++
		case 3:
			nd["alias"] = []any{"a" + id}
			e.update++
		default:
			e.same++
		}
		news = append(news, nd)
		e.newDocs[id] = nd
		if i%10 == 4 { // a new _id between two old ones
			ad := testDoc(r, fmt.Sprintf("id%05d", i*2+1))
			news = append(news, ad)
			e.newDocs[ad["_id"].(string)] = ad
			e.add++
		}
	}
	insert(t, e.old, olds)
	insert(t, e.new, news)
	return e
}

func clone(d docstore.Doc) docstore.Doc {
	out, err := jsondiff.Apply(d, nil)
	if err != nil {
		panic(err)
	}
	return out
}

func runDiff(t *testing.T, e edited, dir string, opts Options) Metadata {
	t.Helper()
	md, err := Diff(t.Context(), e.old, e.new, dir, "b1", "b2", nil, nil, map[string]any{"version": "2"}, opts)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return md
}

func TestDiffEditedCopy(t *testing.T) {
	e := makeEdited(t, 500, 1)
	dir := t.TempDir()
	var calls []Stats
	md := runDiff(t, e, dir, Options{MaxDocsPerFile: 40, Progress: func(s Stats) { calls = append(calls, s) }})

	want := Stats{Add: e.add, Update: e.update, Delete: e.delete, Same: e.same}
	if md.Stats != want {
		t.Errorf("stats %+v, want %+v", md.Stats, want)
	}
	if len(calls) == 0 || calls[len(calls)-1] != want {
		t.Errorf("last Progress call %v, want %+v", calls, want)
	}
	back, err := ReadMetadata(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, md) {
		t.Errorf("ReadMetadata\n got %+v\nwant %+v", back, md)
	}

	// Rebuild the new collection from the old one and the files.
	rebuilt := map[string]docstore.Doc{}
	for id, d := range e.oldDocs {
		rebuilt[id] = d
	}
	for _, f := range md.Files {
		if err := VerifyFile(dir, f); err != nil {
			t.Error(err)
		}
		if n := f.Add + f.Update + f.Delete; n > 40 {
			t.Errorf("file %s has %d entries, more than 40", f.Name, n)
		}
		content, err := ReadFile(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range content.Add {
			id := d["_id"].(string)
			if _, ok := rebuilt[id]; ok {
				t.Errorf("add of %s, which the old collection has", id)
			}
			rebuilt[id] = d
		}
		for _, u := range content.Update {
			if len(u.Patch) == 0 {
				t.Errorf("update of %s has an empty patch", u.ID)
			}
			patched, err := jsondiff.Apply(e.oldDocs[u.ID], u.Patch)
			if err != nil {
				t.Fatalf("patch of %s: %v", u.ID, err)
			}
			if !jsondiff.Equal(patched, e.newDocs[u.ID]) {
				t.Errorf("patched %s = %v, want %v", u.ID, patched, e.newDocs[u.ID])
			}
			rebuilt[u.ID] = patched
		}
		for _, id := range content.Delete {
			if _, ok := rebuilt[id]; !ok {
				t.Errorf("delete of unknown %s", id)
			}
			delete(rebuilt, id)
		}
	}
	if !jsondiff.Equal(toAny(rebuilt), toAny(e.newDocs)) {
		t.Error("old collection + diff files differs from the new collection")
	}
}

func toAny(m map[string]docstore.Doc) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestDiffFileSize(t *testing.T) {
	s := openStore(t)
	var news []docstore.Doc
	for i := range 25 {
		news = append(news, docstore.Doc{"_id": fmt.Sprintf("%03d", i)})
	}
	insert(t, s.C("new"), news)
	dir := t.TempDir()
	md, err := Diff(t.Context(), s.C("old"), s.C("new"), dir, "a", "b", nil, nil, nil, Options{MaxDocsPerFile: 10})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var sizes []int
	for _, f := range md.Files {
		names = append(names, f.Name)
		sizes = append(sizes, f.Add)
	}
	if want := []string{"00000.json.gz", "00001.json.gz", "00002.json.gz"}; !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	if want := []int{10, 10, 5}; !slices.Equal(sizes, want) {
		t.Errorf("adds per file %v, want %v", sizes, want)
	}
	if want := (Stats{Add: 25}); md.Stats != want {
		t.Errorf("stats %+v, want %+v", md.Stats, want)
	}
	content, err := ReadFile(dir, md.Files[2])
	if err != nil {
		t.Fatal(err)
	}
	if content.Add[0]["_id"] != "020" || len(content.Update) != 0 || len(content.Delete) != 0 {
		t.Errorf("last file %+v", content)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	e := makeEdited(t, 100, 2)
	dir := t.TempDir()
	md := runDiff(t, e, dir, Options{MaxDocsPerFile: 10})
	if len(md.Files) < 4 {
		t.Fatalf("only %d files", len(md.Files))
	}
	for _, f := range md.Files {
		if err := VerifyFile(dir, f); err != nil {
			t.Fatal(err)
		}
	}

	// Same size, one byte changed: the md5 catches it.
	f := md.Files[1]
	path := filepath.Join(dir, f.Name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	err = VerifyFile(dir, f)
	if err == nil || !strings.HasPrefix(err.Error(), "file 00001.json.gz: md5 ") || !strings.HasSuffix(err.Error(), ", metadata says "+f.MD5) {
		t.Errorf("tampered file: %v", err)
	}
	if _, err := ReadFile(dir, f); err == nil || !strings.Contains(err.Error(), "md5") {
		t.Errorf("ReadFile of a tampered file: %v", err)
	}

	// Truncated.
	f = md.Files[2]
	if err := os.Truncate(filepath.Join(dir, f.Name), f.Size-1); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("file 00002.json.gz: %d bytes, metadata says %d", f.Size-1, f.Size)
	if err := VerifyFile(dir, f); err == nil || err.Error() != want {
		t.Errorf("truncated file: %v, want %q", err, want)
	}

	// Missing.
	f = md.Files[3]
	if err := os.Remove(filepath.Join(dir, f.Name)); err != nil {
		t.Fatal(err)
	}
	if err := VerifyFile(dir, f); err == nil || err.Error() != "file 00003.json.gz is missing" {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(dir, f); err == nil || err.Error() != "file 00003.json.gz is missing" {
		t.Errorf("ReadFile of a missing file: %v", err)
	}

	// A name from a hostile metadata.json cannot leave the folder.
	if err := VerifyFile(dir, FileInfo{Name: "../00000.json.gz"}); err == nil {
		t.Error("VerifyFile accepted a path outside the folder")
	}
}

func TestReadMetadataErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadMetadata(dir); err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "run it again") {
		t.Errorf("missing metadata: %v", err)
	}
	good := `"old":"a","new":"b","stats":{"add":1,"update":0,"delete":0,"same":3}`
	file := `{"name":"00000.json.gz","md5":"0123456789abcdef0123456789abcdef","size":10,"add":1,"update":0,"delete":0}`
	tests := map[string]string{
		`{` + good + `,"files":[` + file + `]}`:                                              "",
		`{` + good + `,"files":[]}`:                                                          "the files hold 0 adds",
		`{"old":"","new":"b","files":[]}`:                                                    `"old" and "new"`,
		`{` + good + `,"files":[` + strings.Replace(file, "00000", "../0", 1) + `]}`:         "not a diff file name",
		`{` + good + `,"files":[` + strings.Replace(file, "0123", "XYZ0", 1) + `]}`:          "not 32 lowercase hex",
		`{` + good + `,"files":[` + file + `,` + file + `]}`:                                 "listed twice",
		`{` + good + `,"files":[` + strings.Replace(file, `"size":10`, `"size":0`, 1) + `]}`: "not possible",
		`not json`: "invalid character",
	}
	for in, want := range tests {
		if err := os.WriteFile(filepath.Join(dir, "metadata.json"), []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadMetadata(dir)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("ReadMetadata(%s) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestDiffEmptyCollections(t *testing.T) {
	s := openStore(t)
	docs := []docstore.Doc{{"_id": "a", "x": int64(1)}, {"_id": "b"}, {"_id": "c", "l": []any{}}}
	insert(t, s.C("full"), docs)
	tests := []struct {
		name     string
		old, new string
		want     Stats
		files    int
	}{
		{"empty old", "missing", "full", Stats{Add: 3}, 1},
		{"empty new", "full", "missing", Stats{Delete: 3}, 1},
		{"both empty", "missing", "missing2", Stats{}, 0},
		{"identical", "full", "full", Stats{Same: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			md, err := Diff(t.Context(), s.C(tt.old), s.C(tt.new), dir, "a", "b", nil, nil, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if md.Stats != tt.want || len(md.Files) != tt.files {
				t.Errorf("stats %+v with %d files, want %+v with %d", md.Stats, len(md.Files), tt.want, tt.files)
			}
			if _, err := ReadMetadata(dir); err != nil {
				t.Error(err)
			}
			if tt.want.Delete > 0 {
				f, err := ReadFile(dir, md.Files[0])
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(f.Delete, []string{"a", "b", "c"}) {
					t.Errorf("deletes %v", f.Delete)
				}
			}
		})
	}
}

func TestDiffCancelled(t *testing.T) {
	e := makeEdited(t, 30_000, 3)
	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		dir := t.TempDir()
		_, err := Diff(ctx, e.old, e.new, dir, "a", "b", nil, nil, nil, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Diff = %v, want context.Canceled", err)
		}
		assertEmpty(t, dir)
	})
	t.Run("midway", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		dir := t.TempDir()
		var seen Stats
		_, err := Diff(ctx, e.old, e.new, dir, "a", "b", nil, nil, nil, Options{
			MaxDocsPerFile: 100,
			Progress: func(s Stats) {
				seen = s
				cancel() // after some files were written
			},
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Diff = %v, want context.Canceled", err)
		}
		if seen.Add+seen.Update+seen.Delete < 100 {
			t.Errorf("cancelled after %+v: no file was written before", seen)
		}
		assertEmpty(t, dir)
	})
}

// assertEmpty checks that a failed diff left nothing behind.
func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("failed diff left %s", e.Name())
	}
}

func TestDiffRerunStartsClean(t *testing.T) {
	e := makeEdited(t, 200, 4)
	dir := t.TempDir()
	first := runDiff(t, e, dir, Options{MaxDocsPerFile: 5})
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".00007.json.gz.tmp", ".metadata.json.tmp", ".mine.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("torn"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second := runDiff(t, e, dir, Options{})
	if len(first.Files) < 2 || len(second.Files) != 1 {
		t.Fatalf("files: %d then %d", len(first.Files), len(second.Files))
	}
	if first.Stats != second.Stats {
		t.Errorf("stats changed between runs: %+v, %+v", first.Stats, second.Stats)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".mine.tmp", "00000.json.gz", "metadata.json", "notes.txt"}; !slices.Equal(names, want) {
		t.Errorf("folder holds %v, want %v", names, want)
	}
}

func TestDiffMetadata(t *testing.T) {
	s := openStore(t)
	insert(t, s.C("old"), []docstore.Doc{{"_id": "1", "a": "x"}})
	insert(t, s.C("new"), []docstore.Doc{{"_id": "1", "a": "y", "b": int64(2)}})
	oldMap := map[string]any{"a": map[string]any{"type": "keyword"}, "gone": map[string]any{"type": "text"}}
	newMap := map[string]any{"a": map[string]any{"type": "keyword"}, "b": map[string]any{"type": "integer"}}
	meta := map[string]any{"build_version": "20240101", "stats": map[string]any{"total": int64(1)}}
	dir := t.TempDir()
	md, err := Diff(t.Context(), s.C("old"), s.C("new"), dir, "old1", "new1", oldMap, newMap, meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !md.MappingChanged || !slices.Equal(md.MappingAdded, []string{"b"}) || !slices.Equal(md.MappingIncompatible, []string{"gone"}) {
		t.Errorf("mapping changes: %v %v %v", md.MappingChanged, md.MappingAdded, md.MappingIncompatible)
	}
	if md.Old != "old1" || md.New != "new1" || md.CreatedAt == "" {
		t.Errorf("metadata %+v", md)
	}
	back, err := ReadMetadata(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Meta, meta) {
		t.Errorf("_meta read back as %#v, want %#v", back.Meta, meta)
	}
	f, err := ReadFile(dir, md.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []jsondiff.Op{{Op: "replace", Path: "/a", Value: "y"}, {Op: "add", Path: "/b", Value: int64(2)}}
	if len(f.Update) != 1 || !reflect.DeepEqual(f.Update[0].Patch, want) {
		t.Errorf("update %+v, want %v", f.Update, want)
	}

	same, err := Diff(t.Context(), s.C("old"), s.C("new"), t.TempDir(), "a", "b", oldMap, oldMap, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if same.MappingChanged || len(same.MappingAdded)+len(same.MappingIncompatible) != 0 {
		t.Errorf("identical mappings reported as changed: %+v", same)
	}
}

// unordered returns documents out of _id order, as a broken backend might.
type unordered struct {
	docstore.Collection
	docs []docstore.Doc
}

func (u unordered) Scan(context.Context, docstore.ScanOptions) iter.Seq2[docstore.Doc, error] {
	return func(yield func(docstore.Doc, error) bool) {
		for _, d := range u.docs {
			if !yield(d, nil) {
				return
			}
		}
	}
}

func TestDiffRejectsUnsortedScan(t *testing.T) {
	s := openStore(t)
	bad := unordered{Collection: s.C("bad"), docs: []docstore.Doc{{"_id": "b"}, {"_id": "a"}}}
	dir := t.TempDir()
	_, err := Diff(t.Context(), s.C("empty"), bad, dir, "a", "b", nil, nil, nil, Options{MaxDocsPerFile: 1})
	if err == nil || !strings.Contains(err.Error(), `scan returned _id "a" after "b"`) {
		t.Errorf("Diff = %v, want an order error", err)
	}
	assertEmpty(t, dir)
}
