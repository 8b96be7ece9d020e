package syncer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"studio/internal/domain/differ"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/testenv/escluster"
)

var props = map[string]any{
	"name": map[string]any{"type": "keyword"},
	"n":    map[string]any{"type": "long"},
}

func TestMain(m *testing.M) { escluster.Main(m) }

// backends open the engines the tests run on, with the name of the live
// index: the embedded Bleve, and a real Elasticsearch cluster (ES_URL,
// else the one package escluster starts), shared with other tests, where
// the index has a name of its own and is deleted at the end.
var backends = []struct {
	name string
	open func(t *testing.T) (search.Engine, string)
}{
	{"bleve", func(t *testing.T) (search.Engine, string) {
		eng, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		return eng, "live"
	}},
	{"elasticsearch", func(t *testing.T) (search.Engine, string) {
		url := os.Getenv("ES_URL")
		if url == "" {
			url = escluster.Shared(t).URL()
		}
		eng, err := elasticsearch.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		index := "syncer-" + hex.EncodeToString(b) + "-live"
		t.Cleanup(func() {
			if err := eng.DeleteIndex(context.Background(), index); err != nil && !errors.Is(err, search.ErrIndexNotFound) {
				t.Errorf("delete %s: %v", index, err)
			}
			eng.Close()
		})
		return eng, index
	}},
}

// eachBackend runs test on each backend, in subtests named after them.
func eachBackend(t *testing.T, test func(t *testing.T, eng search.Engine, index string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			eng, index := b.open(t)
			test(t, eng, index)
		})
	}
}

// fixture is an index holding the old documents and a diff to the new.
type fixture struct {
	eng   search.Engine
	index string
	dir   string
	files []differ.FileInfo
	want  map[string]map[string]any // the new documents by id, without _id
}

func doc(i int, name string) docstore.Doc {
	return docstore.Doc{"_id": fmt.Sprintf("d%04d", i), "name": name, "n": int64(i), "tags": []any{"t", name}}
}

// newFixture: 1500 old docs; in the new, 0-9 are gone, 1000-1299 changed,
// 1500-1504 added. 1300 updates put two Bulk chunks in one file.
func newFixture(t *testing.T, eng search.Engine, index string) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "src.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := eng.CreateIndex(ctx, index, search.ReleaseSpec(props, map[string]any{"build": "old"}, 1, 0)); err != nil {
		t.Fatal(err)
	}
	var olds, news []docstore.Doc
	var ops []search.BulkOp
	want := map[string]map[string]any{}
	for i := range 1505 {
		if i < 1500 {
			d := doc(i, "old")
			olds = append(olds, d)
			ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: d["_id"].(string), Doc: strip(d)})
		}
		if i < 10 {
			continue
		}
		d := doc(i, "old")
		if i >= 1000 && i < 1300 {
			d = doc(i, "new")
			d["extra"] = map[string]any{"x": int64(i)}
		} else if i >= 1500 {
			d = doc(i, "added")
		}
		news = append(news, d)
		want[d["_id"].(string)] = strip(d)
	}
	if err := st.C("old").Insert(ctx, olds); err != nil {
		t.Fatal(err)
	}
	if err := st.C("new").Insert(ctx, news); err != nil {
		t.Fatal(err)
	}
	if r, err := eng.Bulk(ctx, index, ops); err != nil || len(r.Failed) > 0 {
		t.Fatal(err, r.Failed)
	}
	dir := filepath.Join(t.TempDir(), "diff")
	md, err := differ.Diff(ctx, st.C("old"), st.C("new"), dir, "old", "new", props, props, nil, differ.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if md.Stats.Add != 5 || md.Stats.Update != 300 || md.Stats.Delete != 10 {
		t.Fatalf("diff stats %+v", md.Stats)
	}
	return &fixture{eng: eng, index: index, dir: dir, files: md.Files, want: want}
}

func strip(d docstore.Doc) map[string]any {
	m := map[string]any{}
	for k, v := range d {
		if k != "_id" {
			m[k] = v
		}
	}
	return m
}

// check compares the index with the new documents.
func (fx *fixture) check(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	if err := fx.eng.Refresh(ctx, fx.index); err != nil {
		t.Fatal(err)
	}
	n, err := fx.eng.Count(ctx, fx.index, nil)
	if err != nil || n != int64(len(fx.want)) {
		t.Fatalf("index holds %d docs (%v), want %d", n, err, len(fx.want))
	}
	for _, id := range []string{"d0000", "d0009"} {
		if h, err := fx.eng.MGet(ctx, fx.index, []string{id}); err != nil || h[0].Found {
			t.Errorf("%s should be deleted (%v)", id, err)
		}
	}
	for _, id := range []string{"d0010", "d0999", "d1000", "d1299", "d1300", "d1500", "d1504"} {
		h, err := fx.eng.Get(ctx, fx.index, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !reflect.DeepEqual(h.Source, fx.want[id]) {
			t.Errorf("%s = %#v (%T %T), want %#v", id, h.Source, h.Source["n"], h.Source["extra"].(map[string]any)["x"], fx.want[id])
		}
	}
}

func TestApplyFile(t *testing.T) { eachBackend(t, testApplyFile) }

func testApplyFile(t *testing.T, eng search.Engine, index string) {
	fx := newFixture(t, eng, index)
	var total Result
	calls := 0
	for _, f := range fx.files {
		r, err := ApplyFile(t.Context(), fx.eng, fx.index, fx.dir, f, func(done, all int) {
			calls++
			if done > all {
				t.Errorf("progress %d of %d", done, all)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Resumed {
			t.Error("fresh apply says resumed")
		}
		if _, err := os.Stat(ComputedPath(fx.dir, fx.index, f)); err != nil {
			t.Errorf("computed documents not kept: %v", err)
		}
		if err := RemoveComputed(fx.dir, fx.index, f); err != nil {
			t.Fatal(err)
		}
		total.Added += r.Added
		total.Updated += r.Updated
		total.Deleted += r.Deleted
	}
	if total != (Result{Added: 5, Updated: 300, Deleted: 10}) {
		t.Errorf("result %+v", total)
	}
	if calls == 0 {
		t.Error("no progress")
	}
	fx.check(t)
}

// failing fails Bulk after writing the first chunk, like a worker killed
// in the middle of a file, and counts MGet calls.
type failing struct {
	search.Engine
	fail  bool
	mgets int
}

func (e *failing) Bulk(ctx context.Context, index string, ops []search.BulkOp) (search.BulkResult, error) {
	r, err := e.Engine.Bulk(ctx, index, ops)
	if err == nil && e.fail {
		err = errors.New("connection reset")
	}
	return r, err
}

func (e *failing) MGet(ctx context.Context, index string, ids []string) ([]search.Hit, error) {
	e.mgets++
	return e.Engine.MGet(ctx, index, ids)
}

func TestApplyFileResumesWithoutRepatching(t *testing.T) {
	eachBackend(t, testApplyFileResumesWithoutRepatching)
}

func testApplyFileResumesWithoutRepatching(t *testing.T, eng search.Engine, index string) {
	fx := newFixture(t, eng, index)
	if len(fx.files) != 1 {
		t.Fatalf("want one diff file, got %d", len(fx.files))
	}
	f := fx.files[0]
	failer := &failing{Engine: fx.eng, fail: true}
	_, err := ApplyFile(t.Context(), failer, fx.index, fx.dir, f, nil)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v", err)
	}
	var perm *Error
	if errors.As(err, &perm) {
		t.Fatalf("engine error taken as permanent: %v", err)
	}
	if _, err := os.Stat(ComputedPath(fx.dir, fx.index, f)); err != nil {
		t.Fatalf("computed documents not kept after a partial write: %v", err)
	}
	// The first chunk (the adds and 995 updates) is in the index now:
	// patching those again would be wrong.
	failer.fail, failer.mgets = false, 0
	r, err := ApplyFile(t.Context(), failer, fx.index, fx.dir, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Resumed || failer.mgets != 0 {
		t.Errorf("resumed %v with %d MGet calls: the documents were patched again", r.Resumed, failer.mgets)
	}
	if r != (Result{Added: 5, Updated: 300, Deleted: 10, Resumed: true}) {
		t.Errorf("result %+v", r)
	}
	fx.check(t)
}

func TestApplyFileMissingDocument(t *testing.T) { eachBackend(t, testApplyFileMissingDocument) }

func testApplyFileMissingDocument(t *testing.T, eng search.Engine, index string) {
	fx := newFixture(t, eng, index)
	if _, err := fx.eng.Bulk(t.Context(), fx.index, []search.BulkOp{{Kind: search.BulkDelete, ID: "d1000"}}); err != nil {
		t.Fatal(err)
	}
	_, err := ApplyFile(t.Context(), fx.eng, fx.index, fx.dir, fx.files[0], nil)
	if !errors.Is(err, ErrPatch) || errors.Is(err, ErrRefused) {
		t.Fatalf("err = %v, want ErrPatch", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "d1000") || !strings.Contains(msg, "is not in index "+fx.index) {
		t.Errorf("message %q", msg)
	}
	if _, err := os.Stat(ComputedPath(fx.dir, fx.index, fx.files[0])); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("computed documents written for a failed patch: %v", err)
	}
}

// TestApplyFileIndexGone: a sync into an index deleted meanwhile fails
// with ErrIndexNotFound, whether it reads the documents to patch or
// writes documents computed by an earlier attempt, and makes up no index
// on the way.
func TestApplyFileIndexGone(t *testing.T) { eachBackend(t, testApplyFileIndexGone) }

func testApplyFileIndexGone(t *testing.T, eng search.Engine, index string) {
	fx := newFixture(t, eng, index)
	f := fx.files[0]
	if _, err := ApplyFile(t.Context(), &failing{Engine: eng, fail: true}, index, fx.dir, f, nil); err == nil {
		t.Fatal("the failing attempt succeeded")
	}
	if err := eng.DeleteIndex(t.Context(), index); err != nil {
		t.Fatal(err)
	}
	for _, attempt := range []string{"with the computed documents", "reading the documents"} {
		_, err := ApplyFile(t.Context(), eng, index, fx.dir, f, nil)
		if !errors.Is(err, search.ErrIndexNotFound) {
			t.Errorf("ApplyFile %s = %v, want ErrIndexNotFound", attempt, err)
		}
		if _, err := eng.GetIndex(t.Context(), index); !errors.Is(err, search.ErrIndexNotFound) {
			t.Fatalf("GetIndex after ApplyFile %s = %v, want ErrIndexNotFound", attempt, err)
		}
		if err := RemoveComputed(fx.dir, index, f); err != nil {
			t.Fatal(err)
		}
	}
}
