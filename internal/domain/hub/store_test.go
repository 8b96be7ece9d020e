package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/docstoretest"
)

// storeCase writes records through Records, then checks what reads give.
type storeCase struct {
	name  string
	write func(ctx context.Context, r hub.Records) error
	check func(t *testing.T, ctx context.Context, r hub.Records)
}

// must(t)(v, err) is v, failing t on err.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// raw reads a stored document as JSON.
func raw(t *testing.T, ctx context.Context, r hub.Records, coll, id string) string {
	t.Helper()
	d, err := r.Store.C(coll).Get(ctx, id)
	if err != nil {
		t.Fatalf("%s %s: %v", coll, id, err)
	}
	b, _ := json.Marshal(d)
	return string(b)
}

var storeCases = []storeCase{
	{
		name: "a registered plugin and its source",
		write: func(ctx context.Context, r hub.Records) error {
			p := hub.PluginInfo{URL: "/plugins/cgi", Type: "folder", Folder: "/d/plugins/cgi", Active: true, Loader: "manifest", Release: "r1", RegisteredAt: "t1"}
			m := hub.PluginManifest{Version: "1", BiothingType: "variant", DataURL: []string{"https://x/a.tsv"}, Uploaders: []string{"cgi"}}
			if err := r.SetPlugin(ctx, "cgi", p, m); err != nil {
				return err
			}
			if err := r.AddSource(ctx, "cgi", "r1"); err != nil {
				return err
			}
			if err := r.DownloadStarted(ctx, "cgi", hub.Download{StartedAt: "t2", Release: "2026", DataFolder: "/d/cgi/2026"}); err != nil {
				return err
			}
			// Registering again keeps the source's state.
			p.Release, p.Commit = "r2", "abc"
			if err := r.SetPlugin(ctx, "cgi", p, m); err != nil {
				return err
			}
			return r.AddSource(ctx, "cgi", "r2")
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			p := must[hub.Plugin](t)(r.Plugin(ctx, "cgi"))
			if p.Plugin.Release != "r2" || p.Plugin.Commit != "abc" || !p.Plugin.Active || p.Manifest.Uploaders[0] != "cgi" || p.Manifest.Metadata == nil {
				t.Errorf("plugin = %+v", p)
			}
			if got, want := raw(t, ctx, r, hub.DataPlugin, "cgi"), `"manifest":{"__metadata__":{},"biothing_type":"variant","data_url":["https://x/a.tsv"],"display_name":"","schedule":"","uncompress":false,"uploaders":["cgi"],"version":"1"}`; !strings.Contains(got, want) {
				t.Errorf("data_plugin = %s, want %s in it", got, want)
			}
			s := must[hub.Source](t)(r.Source(ctx, "cgi"))
			if s.SrcName != "cgi" || s.DataPlugin != "cgi" || s.PluginRelease != "r2" || s.Download.Status != hub.Downloading || s.Upload.Jobs == nil {
				t.Errorf("source = %+v", s)
			}
			if _, err := r.Plugin(ctx, "nope"); !errors.Is(err, hub.ErrNoSource) {
				t.Errorf("Plugin(nope) = %v, want ErrNoSource", err)
			}
			if _, err := r.Source(ctx, "nope"); !errors.Is(err, hub.ErrNoSource) {
				t.Errorf("Source(nope) = %v, want ErrNoSource", err)
			}
			if err := r.RemovePlugin(ctx, "cgi"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Source(ctx, "cgi"); !errors.Is(err, hub.ErrNoSource) {
				t.Errorf("Source after RemovePlugin = %v, want ErrNoSource", err)
			}
		},
	},
	{
		name: "a dump",
		write: func(ctx context.Context, r hub.Records) error {
			if err := r.AddSource(ctx, "cgi", ""); err != nil {
				return err
			}
			if err := r.DownloadStarted(ctx, "cgi", hub.Download{StartedAt: "t1", Release: "2026", DataFolder: "/d/cgi/2026"}); err != nil {
				return err
			}
			err := r.DownloadDone(ctx, "cgi", hub.Download{Release: "2026", DataFolder: "/d/cgi/2026", LastSuccess: "t2", Time: 1.5,
				Files: []hub.DownloadFile{{Name: "a.tsv", Size: 10, URL: "https://x/a.tsv"}}})
			if err != nil {
				return err
			}
			if err := r.UploadPending(ctx, "cgi"); err != nil {
				return err
			}
			// A failed dump of a source that is gone records nothing.
			return r.DownloadFailed(ctx, "gone", "boom", nil)
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			s := must[hub.Source](t)(r.Source(ctx, "cgi"))
			d := s.Download
			if d.Status != hub.Success || d.StartedAt != "t1" || d.Time != 1.5 || len(d.Files) != 1 || d.Files[0].Size != 10 || d.Unpacked == nil || !slices.Equal(s.Pending, []string{"upload"}) {
				t.Errorf("source = %+v", s)
			}
			if got, want := raw(t, ctx, r, hub.SrcDump, "cgi"), `"err":null,"files":[{"name":"a.tsv","size":10,"url":"https://x/a.tsv"}],"last_success":"t2","logfile":null`; !strings.Contains(got, want) {
				t.Errorf("src_dump = %s, want %s in it", got, want)
			}
			if _, err := r.Store.C(hub.SrcDump).Get(ctx, "gone"); !errors.Is(err, docstore.ErrNotFound) {
				t.Errorf("a failed dump of a missing source made a record: %v", err)
			}
			secs := 2.0
			if err := r.DownloadFailed(ctx, "cgi", "boom", &secs); err != nil {
				t.Fatal(err)
			}
			if d := must[hub.Source](t)(r.Source(ctx, "cgi")).Download; d.Status != hub.Failed || d.Err != "boom" || d.Time != 2 || d.Release != "2026" {
				t.Errorf("failed download = %+v", d)
			}
		},
	},
	{
		name: "uploads of two sub-sources",
		write: func(ctx context.Context, r hub.Records) error {
			if err := r.AddSource(ctx, "cgi", ""); err != nil {
				return err
			}
			if err := r.UploadPending(ctx, "cgi"); err != nil {
				return err
			}
			if err := r.UploadStarted(ctx, "cgi", "cgi_a", hub.UploadJob{Release: "2026", DataFolder: "/d", StartedAt: "t1"}); err != nil {
				return err
			}
			if err := r.UploadStarted(ctx, "cgi", "cgi_b", hub.UploadJob{Release: "2026", DataFolder: "/d", StartedAt: "t1", Jobs: 3, Temp: "cgi_b_temp_x"}); err != nil {
				return err
			}
			if err := r.UploadFailed(ctx, "cgi", "cgi_b", "job 2 raised"); err != nil {
				return err
			}
			if err := r.UploadDone(ctx, "cgi", "cgi_a", hub.UploadJob{Count: 5, Time: 0.5, LastSuccess: "t2", Rejected: 1, RejectSamples: []string{"document 3: _id missing"}}); err != nil {
				return err
			}
			mapping := map[string]any{"gene": map[string]any{"type": "keyword"}}
			if err := r.SubUploaded(ctx, hub.Master{ID: "cgi_a", Name: "cgi_a", Source: "cgi", Timestamp: "t2", Release: "2026", Count: 5,
				SrcMeta: map[string]any{"license": "L"}, Mapping: mapping}); err != nil {
				return err
			}
			// An upload without a mapping function keeps the registered mapping.
			return r.SubUploaded(ctx, hub.Master{ID: "cgi_a", Name: "cgi_a", Source: "cgi", Timestamp: "t3", Release: "2027", Count: 6, SrcMeta: map[string]any{}})
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			s := must[hub.Source](t)(r.Source(ctx, "cgi"))
			a, b := s.Upload.Jobs["cgi_a"], s.Upload.Jobs["cgi_b"]
			if a.Status != hub.Success || a.Step != "done" || a.Count != 5 || a.Release != "2026" || a.RejectSamples[0] != "document 3: _id missing" || a.Err != "" {
				t.Errorf("job cgi_a = %+v", a)
			}
			if b.Status != hub.Failed || b.Err != "job 2 raised" || b.Jobs != 3 || b.Temp != "cgi_b_temp_x" {
				t.Errorf("job cgi_b = %+v", b)
			}
			if s.Pending != nil {
				t.Errorf("pending = %v after a successful upload", s.Pending)
			}
			m := must[hub.Master](t)(r.Master(ctx, "cgi_a"))
			if m.Release != "2027" || m.Count != 6 || m.Mapping["gene"] == nil || m.Source != "cgi" {
				t.Errorf("master = %+v", m)
			}
			if got := r.SourceOf(ctx, "cgi_a"); got != "cgi" {
				t.Errorf("SourceOf(cgi_a) = %q", got)
			}
			if got := r.SourceOf(ctx, "other"); got != "other" {
				t.Errorf("SourceOf(other) = %q", got)
			}
			if err := r.CommitMapping(ctx, "cgi_a", map[string]any{"x": map[string]any{"type": "text"}}, "t4"); err != nil {
				t.Fatal(err)
			}
			if m := must[hub.Master](t)(r.Master(ctx, "cgi_a")); m.Mapping["x"] == nil || m.Mapping["gene"] != nil || m.MappingCommittedAt != "t4" {
				t.Errorf("committed master = %+v", m)
			}
			if err := r.CommitMapping(ctx, "nope", map[string]any{}, "t"); !errors.Is(err, docstore.ErrNotFound) {
				t.Errorf("CommitMapping(nope) = %v, want ErrNotFound", err)
			}
			known := must[map[string]bool](t)(hub.KnownSources(ctx, r.Store))
			if !reflect.DeepEqual(known, map[string]bool{"cgi_a": true}) {
				t.Errorf("KnownSources = %v", known)
			}
		},
	},
	{
		name: "inspections and an edited mapping",
		write: func(ctx context.Context, r hub.Records) error {
			if err := r.AddSource(ctx, "cgi", ""); err != nil {
				return err
			}
			if err := r.SubUploaded(ctx, hub.Master{ID: "cgi_a", Name: "cgi_a", Source: "cgi"}); err != nil {
				return err
			}
			sub, build := hub.Inspected{Name: "cgi_a"}, hub.Inspected{Build: true, Name: "b1"}
			for _, t := range []hub.Inspected{sub, build} {
				if err := r.InspectionStarted(ctx, t, "t1"); err != nil {
					return err
				}
			}
			if err := r.InspectionFailed(ctx, build, "no documents"); err != nil {
				return err
			}
			results := map[string]any{"count": int64(3), "mapping": map[string]any{"gene": map[string]any{"type": "keyword"}}}
			if err := r.InspectionDone(ctx, sub, hub.Inspection{Mode: []string{"mapping"}, Results: results, Time: 0.25, Count: 3, LastSuccess: "t2"}); err != nil {
				return err
			}
			return r.SaveInspectedMapping(ctx, "cgi_a", map[string]any{"gene": map[string]any{"type": "text"}}, "t3")
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			i := must[hub.Source](t)(r.Source(ctx, "cgi")).Inspect.Jobs["cgi_a"]
			if i.Status != hub.Success || i.Count != 3 || i.Mode[0] != "mapping" || i.EditedAt != "t3" || i.Results["count"] != int64(3) {
				t.Errorf("inspection of cgi_a = %+v", i)
			}
			if m := i.Mapping(); m["gene"].(map[string]any)["type"] != "text" {
				t.Errorf("edited mapping = %v", m)
			}
			if b := must[hub.Build](t)(r.Build(ctx, "b1")); b.Inspect.Status != hub.Failed || b.Inspect.Err != "no documents" || b.Inspect.StartedAt != "t1" {
				t.Errorf("inspection of build b1 = %+v", b.Inspect)
			}
		},
	},
	{
		name: "build configurations",
		write: func(ctx context.Context, r hub.Records) error {
			for _, name := range []string{"b", "a"} {
				c, err := hub.Decode[hub.BuildConfig](docstore.Doc{"_id": name, "name": name, "doc_type": "gene", "sources": []any{"cgi"}, "updated_at": "t", "build_class": "x"})
				if err != nil {
					return err
				}
				if err := r.PutBuildConfig(ctx, c); err != nil {
					return err
				}
			}
			return nil
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			all := must[[]hub.BuildConfig](t)(r.BuildConfigs(ctx))
			if len(all) != 2 || all[0].ID != "a" || all[1].Name != "b" || all[0].Extra["build_class"] != "x" {
				t.Errorf("BuildConfigs = %+v", all)
			}
			if _, err := r.BuildConfig(ctx, "nope"); !errors.Is(err, docstore.ErrNotFound) {
				t.Errorf("BuildConfig(nope) = %v", err)
			}
			if ok, err := r.DeleteBuildConfig(ctx, "a"); !ok || err != nil {
				t.Errorf("DeleteBuildConfig(a) = %v, %v", ok, err)
			}
			if ok, err := r.DeleteBuildConfig(ctx, "a"); ok || err != nil {
				t.Errorf("DeleteBuildConfig(a) again = %v, %v", ok, err)
			}
		},
	},
	{
		name: "builds, their diffs, notes and releases",
		write: func(ctx context.Context, r hub.Records) error {
			conf, err := hub.Decode[hub.BuildConfig](docstore.Doc{"name": "c", "doc_type": "gene", "sources": []any{"cgi"}})
			if err != nil {
				return err
			}
			for i, id := range []string{"c_1", "c_2"} {
				started := fmt.Sprintf("2026-01-0%dT00:00:00Z", i+1)
				if err := r.BuildStarted(ctx, id, conf, "v", started); err != nil {
					return err
				}
				err := r.BuildFinished(ctx, id, hub.Build{Count: 10, MergeStats: map[string]int64{"cgi": 10}, Mapping: map[string]any{"g": map[string]any{"type": "keyword"}},
					Meta: map[string]any{"stats": map[string]any{"total": int64(10)}}, FinishedAt: "t",
					Jobs: []hub.BuildJob{{Step: "merge", Status: hub.Success, StartedAt: started, Time: 0.5}}})
				if err != nil {
					return err
				}
			}
			if err := r.BuildStarted(ctx, "c_3", conf, "v", "2026-01-03T00:00:00Z"); err != nil {
				return err
			}
			if err := r.BuildFailed(ctx, "c_3", "merge failed"); err != nil {
				return err
			}
			if err := r.BuildFailed(ctx, "gone", "x"); err != nil {
				return err
			}
			if err := r.DiffDone(ctx, "c_2", "c_1", hub.Diff{Folder: "/d/diff/c_1-c_2", Stats: hub.DiffStats{Add: 1, Update: 2, Same: 7}, CreatedAt: "t"}); err != nil {
				return err
			}
			if err := r.ReleaseNoteDone(ctx, "c_2", "c_1", hub.ReleaseNote{JSONText: `{"x":1}`, Txt: "note", CreatedAt: "t"}); err != nil {
				return err
			}
			if err := r.ReleaseStarted(ctx, "c_2", "i2", "run1", "t"); err != nil {
				return err
			}
			if err := r.ReleaseDone(ctx, "c_2", "i2", hub.Release{Count: 10, Environment: "bleve", CreatedAt: "t", Time: 1}); err != nil {
				return err
			}
			if err := r.ReleaseFailed(ctx, "c_1", "i1", "refused"); err != nil {
				return err
			}
			if err := r.ReleaseFailed(ctx, "gone", "i1", "refused"); err != nil {
				return err
			}
			return r.FilesApplied(ctx, hub.SyncFiles{Index: "i2", Diff: "/d/diff/c_1-c_2", Applied: []string{"1.json", "2.json"}, UpdatedAt: "t"})
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			all := must[[]hub.Build](t)(r.Builds(ctx))
			if len(all) != 3 || all[0].ID != "c_3" || all[2].ID != "c_1" {
				t.Fatalf("Builds = %v, want latest first", all)
			}
			if all[0].Status != hub.Failed || all[0].Err != "merge failed" || all[0].Jobs[0].Status != "running" {
				t.Errorf("failed build = %+v", all[0])
			}
			ok := must[[]hub.Build](t)(r.SuccessfulBuilds(ctx, "c"))
			if len(ok) != 2 || ok[0].ID != "c_1" || ok[1].ID != "c_2" {
				t.Errorf("SuccessfulBuilds = %v", ok)
			}
			b := must[hub.Build](t)(r.BuildWithSyncs(ctx, "c_2"))
			if b.BuildConfig.Name != "c" || b.BuildConfig.ID != "" || b.TargetName != "c_2" || b.Count != 10 || b.MergeStats["cgi"] != 10 || b.Jobs[0].Time != 0.5 {
				t.Errorf("build = %+v", b)
			}
			d := b.Diff["c_1"]
			if d.Stats.Changed() != 3 || d.MappingIncompatible == nil || len(d.Synced) != 1 || d.Synced[0] != (hub.Synced{Index: "i2", Applied: 2, UpdatedAt: "t"}) {
				t.Errorf("diff = %+v", d)
			}
			if n := b.ReleaseNote["c_1"]; n.JSONText != `{"x":1}` || n.Txt != "note" {
				t.Errorf("release note = %+v", n)
			}
			if rel := b.Index["i2"]; rel.Status != hub.Success || rel.RunID != "run1" || rel.Count != 10 || rel.RejectSamples == nil {
				t.Errorf("release = %+v", rel)
			}
			if rel := must[hub.Build](t)(r.Build(ctx, "c_1")).Index["i1"]; rel.Status != hub.Failed || rel.Err != "refused" {
				t.Errorf("failed release = %+v", rel)
			}
			for _, id := range []string{"gone"} {
				if _, err := r.Build(ctx, id); !errors.Is(err, docstore.ErrNotFound) {
					t.Errorf("a failure of a missing build made a record: %v", err)
				}
			}
			if s := must[hub.SyncFiles](t)(r.SyncFiles(ctx, "i2", "/d/diff/c_1-c_2")); !slices.Equal(s.Applied, []string{"1.json", "2.json"}) {
				t.Errorf("sync state = %+v", s)
			}
			if ok, err := r.DeleteBuild(ctx, "c_1"); !ok || err != nil {
				t.Errorf("DeleteBuild(c_1) = %v, %v", ok, err)
			}
		},
	},
	{
		name: "data API instances and worker files",
		write: func(ctx context.Context, r hub.Records) error {
			if _, err := r.AddDataAPI(ctx, hub.DataAPI{ID: "v1", Name: "v1", Index: "i", Port: 8000, Host: "127.0.0.1", Status: "stopped", CreatedAt: "t", ScrollSize: 10}); err != nil {
				return err
			}
			if err := r.DataAPIRunning(ctx, "v1", "http://127.0.0.1:8000", "t2"); err != nil {
				return err
			}
			return r.RecordFiles(ctx, hub.Files{ID: "dump/cgi", Folder: "/d", UpdatedAt: "t"})
		},
		check: func(t *testing.T, ctx context.Context, r hub.Records) {
			a := must[hub.DataAPI](t)(r.DataAPI(ctx, "v1"))
			if a.Status != "running" || a.URL != "http://127.0.0.1:8000" || a.Port != 8000 || a.ScrollSize != 10 || a.MaxFacetSize != 0 {
				t.Errorf("data API = %+v", a)
			}
			if got, want := raw(t, ctx, r, hub.API, "v1"), `"description":"","err":null,"host":"127.0.0.1"`; !strings.Contains(got, want) {
				t.Errorf("api = %s, want %s in it", got, want)
			}
			if err := r.DataAPIStopped(ctx, "v1", "t3"); err != nil {
				t.Fatal(err)
			}
			if all := must[[]hub.DataAPI](t)(r.DataAPIs(ctx)); len(all) != 1 || all[0].Status != "stopped" || all[0].StoppedAt != "t3" {
				t.Errorf("DataAPIs = %+v", all)
			}
			if ok, err := r.DeleteDataAPI(ctx, "v1"); !ok || err != nil {
				t.Errorf("DeleteDataAPI = %v, %v", ok, err)
			}
			if f := must[hub.Files](t)(r.Files(ctx, "dump/cgi")); f.Queue != "" || f.Folder != "/d" {
				t.Errorf("files = %+v", f)
			}
			if got := raw(t, ctx, r, hub.WorkerFiles, "dump/cgi"); got != `{"_id":"dump/cgi","folder":"/d","queue":"","updated_at":"t"}` {
				t.Errorf("worker_files = %s", got)
			}
		},
	},
}

// TestRecordsStore runs the cases on each backend; after each, every
// stored record reads into its type and writes back to the same JSON.
func TestRecordsStore(t *testing.T) {
	ctx := context.Background()
	for _, b := range docstoretest.Backends(t, "hub_test") {
		t.Run(b.Name, func(t *testing.T) {
			for _, tc := range storeCases {
				t.Run(tc.name, func(t *testing.T) {
					r := hub.Records{Store: b.Open(t)}
					if err := tc.write(ctx, r); err != nil {
						t.Fatal(err)
					}
					checkAllRoundTrip(t, ctx, r.Store)
					tc.check(t, ctx, r)
				})
			}
		})
	}
}

// checkAllRoundTrip reads every record of the hub collections into its
// type and checks that it encodes to the stored JSON.
func checkAllRoundTrip(t *testing.T, ctx context.Context, st docstore.Store) {
	t.Helper()
	codecs := map[string]func(docstore.Doc) (any, error){
		hub.DataPlugin:     func(d docstore.Doc) (any, error) { return hub.Decode[hub.Plugin](d) },
		hub.SrcDump:        func(d docstore.Doc) (any, error) { return hub.Decode[hub.Source](d) },
		hub.SrcMaster:      func(d docstore.Doc) (any, error) { return hub.Decode[hub.Master](d) },
		hub.SrcBuildConfig: func(d docstore.Doc) (any, error) { return hub.Decode[hub.BuildConfig](d) },
		hub.SrcBuild:       func(d docstore.Doc) (any, error) { return hub.Decode[hub.Build](d) },
		hub.API:            func(d docstore.Doc) (any, error) { return hub.Decode[hub.DataAPI](d) },
		hub.WorkerFiles:    func(d docstore.Doc) (any, error) { return hub.Decode[hub.Files](d) },
		hub.SyncState:      func(d docstore.Doc) (any, error) { return hub.Decode[hub.SyncFiles](d) },
	}
	for coll, decode := range codecs {
		for d, err := range st.C(coll).Scan(ctx, docstore.ScanOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			rec, err := decode(d)
			if err != nil {
				t.Fatalf("%s %v: %v", coll, d["_id"], err)
			}
			got, _ := json.Marshal(rec)
			want, _ := json.Marshal(d)
			if string(got) != string(want) {
				t.Errorf("%s %v: record encodes to\n%s\nstored\n%s", coll, d["_id"], got, want)
			}
		}
	}
}
