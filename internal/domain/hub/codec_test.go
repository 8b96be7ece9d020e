package hub_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// Documents as the store hands them out (int64, float64, []any,
// map[string]any), in the shapes Studio writes, with fields of BioThings'
// that Studio has no Go field for, nulls, and present zero values.
var (
	pluginDoc = docstore.Doc{
		"_id": "cgi",
		"plugin": map[string]any{"url": "https://github.com/x/cgi.git", "type": "git", "folder": "/d/plugins/cgi", "active": true,
			"loader": "manifest", "commit": "0123abcd", "branch": "", "ref": "", "release": "main 0123abc", "registered_at": "2026-01-02T03:04:05Z"},
		"manifest": map[string]any{"version": "0.2", "display_name": "", "biothing_type": "variant", "data_url": []any{"https://x/a.tsv"},
			"uncompress": false, "schedule": "", "uploaders": []any{}, "__metadata__": nil, "requires": []any{"pandas"}},
		"download": map[string]any{"status": "success"}, // BioThings keeps a copy here
	}
	sourceDoc = docstore.Doc{
		"_id": "cgi", "src_name": "cgi", "data_plugin": "cgi", "plugin_release": "main 0123abc",
		"download": map[string]any{"status": "success", "started_at": "2026-01-02T03:04:05Z", "release": "2026-01-01",
			"data_folder": "/d/datasources/cgi/2026-01-01", "logfile": nil, "err": nil, "last_success": "2026-01-02T03:04:09Z",
			"time": 4.25, "files": []any{map[string]any{"name": "a.tsv", "size": int64(12345), "url": "https://x/a.tsv", "etag": "W/1"}},
			"unpacked": []any{}},
		"upload": map[string]any{"jobs": map[string]any{
			"cgi": map[string]any{"status": "success", "step": "done", "release": "2026-01-01", "data_folder": "/d", "started_at": "t1",
				"err": nil, "count": int64(323), "time": int64(2), "last_success": "t2", "rejected": int64(0), "reject_samples": []any{}},
			"cgi_par": map[string]any{"status": "failed", "err": "source cgi, uploader cgi_par: boom", "jobs": int64(3), "temp": "cgi_par_temp_1"},
		}},
		"inspect": map[string]any{"jobs": map[string]any{
			"cgi": map[string]any{"status": "success", "started_at": "t3", "err": nil, "mode": []any{"type", "mapping"},
				"results": map[string]any{"count": int64(323), "mapping": map[string]any{"gene": map[string]any{"type": "keyword"}}, "ratio": 0.5},
				"time":    0.125, "count": int64(323), "last_success": "t4", "edited_at": "t5"},
		}},
		"pending":     []any{"upload"},
		"__version__": "0.1", "lastmodified": map[string]any{"a": []any{int64(1), 2.5, nil, "x"}},
	}
	newSourceDoc = docstore.Doc{"_id": "new", "src_name": "new", "download": map[string]any{}, "upload": map[string]any{"jobs": map[string]any{}}}
	masterDoc    = docstore.Doc{
		"_id": "cgi", "name": "cgi", "source": "cgi", "timestamp": "t", "release": "r", "count": int64(0),
		"src_meta":   map[string]any{"license": "CC BY-NC 4.0", "code": map[string]any{"repo": "u", "url": "u", "commit": "c", "branch": ""}},
		"mapping":    map[string]any{"gene": map[string]any{"type": "keyword", "copy_to": []any{"all"}}},
		"src_master": true,
	}
	confDoc = docstore.Doc{
		"_id": "default", "name": "default", "doc_type": "variant", "sources": []any{"cgi", "dbsnp"}, "root": []any{"cgi"},
		"num_shards": int64(3), "_meta": map[string]any{"src": map[string]any{"cgi": map[string]any{"license_url": "u"}}},
		"extra_index_settings": map[string]any{"analysis": map[string]any{}}, "updated_at": "t", "build_class": "biothings.hub.databuild.builder.DataBuilder",
	}
	buildDoc = docstore.Doc{
		"_id": "default_20260101_1a2b3c4d", "status": "success", "build_version": "20260101", "target_name": "default_20260101_1a2b3c4d",
		"target_backend": "docstore", "started_at": "t0", "finished_at": "t1", "count": int64(10),
		"build_config": map[string]any{"name": "default", "doc_type": "variant", "sources": []any{"cgi"}},
		"jobs":         []any{map[string]any{"step": "merge", "status": "success", "started_at": "t0", "time": 0.5, "pid": int64(7)}},
		"merge_stats":  map[string]any{"cgi": int64(10)},
		"mapping":      map[string]any{"gene": map[string]any{"type": "keyword"}},
		"_meta":        map[string]any{"biothing_type": "variant", "stats": map[string]any{"total": int64(10)}},
		"index": map[string]any{"default_20260101_1a2b3c4d": map[string]any{"status": "success", "run_id": "r", "started_at": "t",
			"count": int64(10), "environment": "bleve", "created_at": "t", "rejected": int64(0), "reject_samples": []any{}, "time": 0.25}},
		"diff": map[string]any{"default_old": map[string]any{"folder": "/d/diff/a-b", "stats": map[string]any{"add": int64(1), "update": int64(2), "delete": int64(0), "same": int64(7)},
			"mapping_changed": false, "mapping_incompatible": []any{}, "created_at": "t"}},
		"release_note": map[string]any{"default_old": map[string]any{"json_text": `{"a":1}`, "txt": "note", "created_at": "t"}},
		"inspect":      map[string]any{"status": "failed", "err": "boom"},
		"err":          nil,
		"archived":     false,
	}
	apiDoc = docstore.Doc{
		"_id": "v1", "name": "v1", "index": "i", "port": int64(8000), "host": "127.0.0.1", "description": "", "status": "stopped",
		"created_at": "t", "url": "http://127.0.0.1:8000", "started_at": "t", "err": nil, "stopped_at": "t",
		"scroll_size": int64(500), "licenses": map[string]any{"cgi": "u"},
	}
	filesDoc = docstore.Doc{"_id": "dump/cgi", "queue": "", "folder": "/d", "updated_at": "t"}
	syncDoc  = docstore.Doc{"_id": "i|/d/diff/a-b", "index": "i", "diff": "/d/diff/a-b", "updated_at": "t", "applied": []any{"1.json"}}
)

// roundTrip decodes d into a record of type R and checks that the record
// encodes to d's JSON, byte for byte, and back to d as a document.
func roundTrip[R any, P interface {
	*R
	hub.Record
}](t *testing.T, name string, d docstore.Doc) R {
	t.Helper()
	r, err := hub.Decode[R, P](d)
	if err != nil {
		t.Fatalf("%s: decode: %v", name, err)
	}
	want, _ := json.Marshal(d)
	got, err := json.Marshal(P(&r))
	if err != nil {
		t.Fatalf("%s: encode: %v", name, err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s: encoded\n%s\nwant\n%s", name, got, want)
	}
	var fromJSON R
	if err := json.Unmarshal(want, P(&fromJSON)); err != nil {
		t.Fatalf("%s: json.Unmarshal: %v", name, err)
	}
	if again, _ := json.Marshal(P(&fromJSON)); string(again) != string(want) {
		t.Fatalf("%s: read from JSON, encoded\n%s\nwant\n%s", name, again, want)
	}
	back, err := hub.Doc(P(&r))
	if err != nil {
		t.Fatalf("%s: Doc: %v", name, err)
	}
	if !reflect.DeepEqual(back, d) {
		t.Fatalf("%s: Doc = %#v\nwant %#v", name, back, d)
	}
	return r
}

// TestRecordsRoundTrip reads each kind of record and writes it back: the
// same JSON, unknown fields, nulls and zero values included.
func TestRecordsRoundTrip(t *testing.T) {
	p := roundTrip[hub.Plugin](t, "plugin", pluginDoc)
	if p.Plugin.Commit != "0123abcd" || !p.Plugin.Active || p.Manifest.DataURL[0] != "https://x/a.tsv" || p.Extra["download"] == nil || p.Manifest.Extra["requires"] == nil {
		t.Errorf("plugin = %+v", p)
	}
	s := roundTrip[hub.Source](t, "source", sourceDoc)
	if s.Download.Status != hub.Success || s.Download.Files[0].Size != 12345 || s.Download.Files[0].Extra["etag"] != "W/1" ||
		s.Upload.Jobs["cgi"].Count != 323 || s.Upload.Jobs["cgi_par"].Temp != "cgi_par_temp_1" || s.Pending[0] != "upload" {
		t.Errorf("source = %+v", s)
	}
	if m := s.Inspect.Jobs["cgi"].Mapping(); m["gene"] == nil {
		t.Errorf("inspected mapping = %v", m)
	}
	if v := s.Extra["lastmodified"].(map[string]any)["a"].([]any); v[0] != int64(1) || v[1] != 2.5 {
		t.Errorf("extra numbers = %#v, want int64 and float64 as the store gives them", v)
	}
	if got := s.Inspect.Jobs["cgi"].Results["count"]; got != int64(323) {
		t.Errorf("results.count = %#v, want int64(323)", got)
	}
	roundTrip[hub.Source](t, "new source", newSourceDoc)
	m := roundTrip[hub.Master](t, "master", masterDoc)
	if m.Source != "cgi" || len(m.Mapping) != 1 || m.SrcMeta["license"] != "CC BY-NC 4.0" {
		t.Errorf("master = %+v", m)
	}
	c := roundTrip[hub.BuildConfig](t, "build configuration", confDoc)
	if c.NumShards != 3 || c.Sources[1] != "dbsnp" || c.Extra["build_class"] == nil {
		t.Errorf("build configuration = %+v", c)
	}
	b := roundTrip[hub.Build](t, "build", buildDoc)
	if b.BuildConfig.Name != "default" || b.Diff["default_old"].Stats.Changed() != 3 || b.Index["default_20260101_1a2b3c4d"].Environment != "bleve" ||
		b.ReleaseNote["default_old"].JSONText != `{"a":1}` || b.Inspect.Err != "boom" || b.Jobs[0].Extra["pid"] != int64(7) {
		t.Errorf("build = %+v", b)
	}
	a := roundTrip[hub.DataAPI](t, "data API", apiDoc)
	if a.Port != 8000 || a.ScrollSize != 500 || a.Licenses["cgi"] != "u" {
		t.Errorf("data API = %+v", a)
	}
	roundTrip[hub.Files](t, "worker files", filesDoc)
	roundTrip[hub.SyncFiles](t, "sync state", syncDoc)
}

// TestRecordEncoding: a record made in Go writes the fields that hold a
// value; a read one keeps its nulls and zeros unless they are changed;
// named fields win over Extra keys of the same name.
func TestRecordEncoding(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  json.Marshaler
		want string
	}{
		{"made in Go", hub.Files{ID: "dump/a", Folder: "/d"}, `{"_id":"dump/a","folder":"/d"}`},
		{"nested made in Go", hub.Build{ID: "b", Diff: map[string]hub.Diff{"a": {Folder: "f", Synced: []hub.Synced{}}}},
			`{"_id":"b","diff":{"a":{"folder":"f","synced":[]}}}`},
		{"Extra beside named fields", hub.Files{ID: "k", Queue: "q", Keep: hub.Keep{Extra: map[string]any{"queue": "lost", "host": "h"}}},
			`{"_id":"k","host":"h","queue":"q"}`},
		{"changed null", func() json.Marshaler {
			a, _ := hub.Decode[hub.DataAPI](docstore.Doc{"_id": "x", "err": nil, "url": nil})
			a.Err = "refused"
			return a
		}(), `{"_id":"x","err":"refused","url":null}`},
		{"cleared value", func() json.Marshaler {
			a, _ := hub.Decode[hub.DataAPI](docstore.Doc{"_id": "x", "port": int64(8000), "host": "h"})
			a.Port, a.Host = 0, ""
			return a
		}(), `{"_id":"x","host":"","port":0}`},
	} {
		got, err := json.Marshal(tc.rec)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

// TestDecodeErrorsNameTheField: a stored value of the wrong type is an
// error naming the field.
func TestDecodeErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		doc  docstore.Doc
		want string
	}{
		{docstore.Doc{"_id": "b", "count": "ten"}, "count"},
		{docstore.Doc{"_id": "b", "diff": map[string]any{"a": map[string]any{"stats": map[string]any{"add": "x"}}}}, "diff: a: stats: add"},
		{docstore.Doc{"_id": "b", "jobs": map[string]any{}}, "jobs"},
	} {
		_, err := hub.Decode[hub.Build](tc.doc)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Decode(%v) error = %v, want one starting with %q", tc.doc, err, tc.want)
		}
	}
}
