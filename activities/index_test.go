package activities

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/temporal/progress"
	"studio/internal/testsupport/testenv/escluster"
)

func TestMain(m *testing.M) { escluster.Main(m) }

// countingEngine counts the Bulk requests of an engine and hides its
// optional interfaces.
type countingEngine struct {
	search.Engine
	bulks *atomic.Int64
}

func (c countingEngine) Bulk(ctx context.Context, index string, ops []search.BulkOp) (search.BulkResult, error) {
	c.bulks.Add(1)
	return c.Engine.Bulk(ctx, index, ops)
}

// rawCountingEngine is countingEngine offering BulkRaw too, counted.
type rawCountingEngine struct {
	countingEngine
	raws *atomic.Int64
}

func (c rawCountingEngine) BulkRaw(ctx context.Context, index string, docs []search.RawDoc) (search.BulkResult, error) {
	c.raws.Add(1)
	return c.Engine.(search.RawBulker).BulkRaw(ctx, index, docs)
}

// plainStore hides the optional interfaces of a store's collections.
type plainStore struct{ docstore.Store }

func (s plainStore) C(name string) docstore.Collection { return plainCollection{s.Store.C(name)} }

type plainCollection struct{ docstore.Collection }

// releaseDocs is a build with what a release must carry through exactly:
// unicode, integers beyond 2^53, nested objects and lists, integral
// floats, odd _ids, more documents than a batch, and documents the
// release or the engine rejects.
func releaseDocs() []docstore.Doc {
	docs := []docstore.Doc{
		{"_id": "unicode", "name": "é漢字🧬 \"quoted\" \\ back\nline\ttab \u2028 <&>", "alias": []any{"α", "β"}},
		{"_id": "big", "n": int64(1<<53 + 1), "max": int64(math.MaxInt64), "min": int64(math.MinInt64), "f": 2.0, "tiny": 5e-324, "huge": 1e30},
		{"_id": "nested", "a": map[string]any{"b": map[string]any{"c": []any{map[string]any{"d": nil, "e": true}, map[string]any{"d": "x", "f": []any{int64(1), int64(2)}}}}}, "empty": map[string]any{}, "list": []any{}},
		{"_id": "odd/ é?#%\"\\&<> \u2028漢", "name": "odd id"},
		{"_id": strings.Repeat("x", 513), "name": "an _id too long"},
		{"_id": "bad-taxid", "taxid": "not a number"},
	}
	for i := range 2500 {
		docs = append(docs, docstore.Doc{
			"_id":   fmt.Sprintf("g%05d", i),
			"taxid": int64(9606 + i%7),
			"name":  fmt.Sprintf("gene %d ünïcode", i),
			"pos":   map[string]any{"chr": fmt.Sprint(1 + i%22), "start": int64(i) * 1000, "score": float64(i) / 8},
			"go":    []any{map[string]any{"id": fmt.Sprintf("GO:%07d", i), "ev": "IEA"}},
		})
	}
	return docs
}

type releaseRun struct {
	stats      IndexStats
	heartbeats []progress.Progress
	raws       int64
	bulks      int64
}

// release runs IndexDocs of build into a new index, in the Temporal SDK's
// test activity environment, resuming from resume when it is set.
func release(t *testing.T, a *Activities, build, index string, total int64, resume *progress.Progress) releaseRun {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	var run releaseRun
	var mu sync.Mutex
	// The progress reported, each change once: while a bulk is in flight
	// the activity repeats its last progress every few seconds (or the
	// point it started from), as many times as the bulk takes.
	var last progress.Progress
	if resume != nil {
		last = *resume
	}
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, details converter.EncodedValues) {
		var p progress.Progress
		if err := details.Get(&p); err != nil {
			t.Errorf("heartbeat: %v", err)
		}
		p.Rate = 0 // a measure of time
		mu.Lock()
		defer mu.Unlock()
		if reflect.DeepEqual(p, last) {
			return
		}
		last = p
		run.heartbeats = append(run.heartbeats, p)
	})
	if resume != nil {
		env.SetHeartbeatDetails(*resume)
	}
	val, err := env.ExecuteActivity(a.IndexDocs, IndexPlan{Build: build, Index: index, Total: total})
	if err != nil {
		t.Fatalf("IndexDocs into %s: %v", index, err)
	}
	if err := val.Get(&run.stats); err != nil {
		t.Fatal(err)
	}
	if err := a.Search.Refresh(context.Background(), index); err != nil {
		t.Fatal(err)
	}
	return run
}

// TestIndexDocsRawPath releases one build through the raw path (stored
// JSON sent through) and through the decoded path, into the embedded
// Bleve engine and into a real Elasticsearch cluster, and checks that
// both make the same index: same documents, count and mapping, the very
// same stored bytes, and the same stats and heartbeats.
func TestIndexDocsRawPath(t *testing.T) {
	t.Run("bleve", func(t *testing.T) {
		eng, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		// Bleve skips a value it cannot index (a word in an integer field).
		testIndexDocsRawPath(t, eng, "indexdocs-", nil, func(t *testing.T, index string, ids []string) [][]byte {
			hits, err := eng.MGetRaw(context.Background(), index, ids)
			if err != nil {
				t.Fatal(err)
			}
			out := make([][]byte, len(ids))
			for i, h := range hits {
				out[i] = h.Source
			}
			return out
		})
	})
	t.Run("elasticsearch", func(t *testing.T) {
		url := os.Getenv("ES_URL")
		if url == "" {
			url = escluster.Shared(t).URL()
		}
		eng, err := elasticsearch.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		prefix := "indexdocs-" + hex.EncodeToString(b) + "-"
		t.Cleanup(func() {
			if infos, err := eng.ListIndexes(context.Background()); err == nil {
				for _, ix := range infos {
					if strings.HasPrefix(ix.Name, prefix) {
						_ = eng.DeleteIndex(context.Background(), ix.Name)
					}
				}
			}
			eng.Close()
		})
		testIndexDocsRawPath(t, eng, prefix, []string{"bad-taxid"}, func(t *testing.T, index string, ids []string) [][]byte {
			return storedSources(t, url, index, ids)
		})
	})
}

// storedFunc reads the sources an engine keeps, undecoded (nil for a
// missing document).
type storedFunc func(t *testing.T, index string, ids []string) [][]byte

// testIndexDocsRawPath is TestIndexDocsRawPath on one engine, which
// refuses the documents refused.
func testIndexDocsRawPath(t *testing.T, eng search.Engine, prefix string, refused []string, stored storedFunc) {
	ctx := context.Background()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "target.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	docs := releaseDocs()
	const build = "build_1"
	if err := store.C(build).Insert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.C(build).(docstore.RawScanner); !ok {
		t.Fatal("the SQLite store does not implement docstore.RawScanner")
	}
	spec := search.IndexSpec{
		Settings: search.DefaultSettings(1, 0),
		Mapping:  map[string]any{"properties": map[string]any{"taxid": map[string]any{"type": "integer"}}},
	}

	type variant struct {
		name    string
		store   docstore.Store
		raw     bool // the engine offers BulkRaw
		wantRaw bool
	}
	variants := []variant{
		{"decoded", plainStore{store}, false, false},
		{"raw", store, true, true},
		{"store without raw scan", plainStore{store}, true, false},
		{"engine without raw bulk", store, false, false},
	}
	// A retry resumes after the last _id of its heartbeat.
	resume := &progress.Progress{Step: "index", Unit: "docs", Done: 1203, Resume: "g01200"}
	var want, wantResumed releaseRun
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			var bulks, raws atomic.Int64
			var e search.Engine = countingEngine{eng, &bulks}
			if v.raw {
				e = rawCountingEngine{countingEngine{eng, &bulks}, &raws}
			}
			a := &Activities{Target: v.store, Search: e}
			var runs [2]releaseRun
			for j, res := range []*progress.Progress{nil, resume} {
				index := fmt.Sprintf("%s%d-%d", prefix, i, j)
				if err := eng.CreateIndex(ctx, index, spec); err != nil {
					t.Fatal(err)
				}
				bulks.Store(0)
				raws.Store(0)
				runs[j] = release(t, a, build, index, int64(len(docs)), res)
				runs[j].bulks, runs[j].raws = bulks.Load(), raws.Load()
				if v.wantRaw && (runs[j].raws == 0 || runs[j].bulks != 0) || !v.wantRaw && runs[j].raws != 0 {
					t.Fatalf("%d Bulk and %d BulkRaw requests; want the raw path: %v", runs[j].bulks, runs[j].raws, v.wantRaw)
				}
			}
			if i == 0 {
				want, wantResumed = runs[0], runs[1]
				checkIndex(t, eng, prefix+"0-0", docs, refused)
				return
			}
			for j, w := range []releaseRun{want, wantResumed} {
				if !reflect.DeepEqual(runs[j].stats, w.stats) {
					t.Errorf("run %d: stats %+v; the decoded path's %+v", j, runs[j].stats, w.stats)
				}
				if !reflect.DeepEqual(runs[j].heartbeats, w.heartbeats) {
					t.Errorf("run %d: heartbeats %+v; the decoded path's %+v", j, runs[j].heartbeats, w.heartbeats)
				}
				sameIndex(t, eng, stored, fmt.Sprintf("%s%d-%d", prefix, i, j), fmt.Sprintf("%s0-%d", prefix, j), docs)
			}
		})
	}
	// What the decoded path did, for the record.
	rejected := 1 + len(refused) // the _id too long, and what the engine refuses
	if want.stats.Indexed != int64(len(docs)-rejected) || want.stats.Rejected != int64(rejected) || want.stats.LastID != "unicode" {
		t.Errorf("decoded path: %+v; want %d indexed, %d rejected, last _id unicode", want.stats, len(docs)-rejected, rejected)
	}
	// After g01200 come all documents but bad-taxid, big and g00000 to
	// g01200, one of them rejected (the _id too long).
	if wantResumed.stats.Indexed != 1203+int64(len(docs)-1203-1) {
		t.Errorf("decoded path resumed after g01200: %+v", wantResumed.stats)
	}
}

// checkIndex checks that index holds the documents a release must make
// of docs: each without its _id, the one whose _id is too long and those
// the engine refuses left out.
func checkIndex(t *testing.T, eng search.Engine, index string, docs []docstore.Doc, refused []string) {
	t.Helper()
	for _, d := range docs {
		id := d["_id"].(string)
		h, err := eng.Get(context.Background(), index, id)
		if slices.Contains(refused, id) || len(id) > 512 {
			if err == nil {
				t.Errorf("%s: document %.20q indexed, want it rejected", index, id)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: get %q: %v", index, id, err)
		}
		want, _ := docstore.NormalizeDoc(d)
		delete(want, "_id")
		if !reflect.DeepEqual(h.Source, want) {
			t.Errorf("%s: document %q = %v; want %v", index, id, h.Source, want)
		}
	}
}

// sameIndex checks that two indexes hold the same documents (as decoded)
// and mappings.
func sameIndex(t *testing.T, eng search.Engine, stored storedFunc, got, want string, docs []docstore.Doc) {
	t.Helper()
	ctx := context.Background()
	ng, err1 := eng.Count(ctx, got, nil)
	nw, err2 := eng.Count(ctx, want, nil)
	if err1 != nil || err2 != nil || ng != nw {
		t.Errorf("%s holds %d documents (%v), %s %d (%v)", got, ng, err1, want, nw, err2)
	}
	var ids []string
	for _, d := range docs {
		if id := d["_id"].(string); len(id) <= 512 { // longer ones are no request's
			ids = append(ids, id)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		hg, err1 := eng.MGet(ctx, got, chunk)
		hw, err2 := eng.MGet(ctx, want, chunk)
		if err1 != nil || err2 != nil {
			t.Fatalf("mget: %v, %v", err1, err2)
		}
		for i := range hg {
			if hg[i].Found != hw[i].Found || !reflect.DeepEqual(hg[i].Source, hw[i].Source) {
				t.Errorf("document %.40q: %s has %v (found %v), %s %v (found %v)", chunk[i], got, hg[i].Source, hg[i].Found, want, hw[i].Source, hw[i].Found)
			}
		}
		// The engine got the very same bytes.
		rawg, raww := stored(t, got, chunk), stored(t, want, chunk)
		for i := range rawg {
			if !bytes.Equal(rawg[i], raww[i]) {
				t.Errorf("document %.40q: %s holds %s, %s %s", chunk[i], got, rawg[i], want, raww[i])
			}
		}
	}
	sg, err1 := eng.GetIndex(ctx, got)
	sw, err2 := eng.GetIndex(ctx, want)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(sg.Mapping, sw.Mapping) {
		t.Errorf("mapping of %s: %v (%v); of %s: %v (%v)", got, sg.Mapping, err1, want, sw.Mapping, err2)
	}
}

// storedSources reads the _source of documents as Elasticsearch keeps
// them, undecoded (nil for a missing one), from the cluster at url.
func storedSources(t *testing.T, url, index string, ids []string) [][]byte {
	t.Helper()
	node := strings.TrimSuffix(strings.Split(url, ",")[0], "/")
	body, _ := json.Marshal(map[string]any{"ids": ids})
	res, err := http.Post(node+"/"+index+"/_mget", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ans struct {
		Docs []struct {
			Source json.RawMessage `json:"_source"`
		} `json:"docs"`
	}
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil || len(ans.Docs) != len(ids) {
		t.Fatalf("_mget %s: %d documents for %d ids (%v)", index, len(ans.Docs), len(ids), err)
	}
	out := make([][]byte, len(ids))
	for i, d := range ans.Docs {
		out[i] = d.Source
	}
	return out
}
