package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/engine/search"
	"studio/internal/testsupport/testenv"
)

// uploadTutorialCGI registers the tutorial's plugin, dumps and uploads it.
func uploadTutorialCGI(t *testing.T, s *stack) {
	t.Helper()
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveFile(t, "cgi_biomarkers_per_variant.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv), 0)
	repo := cgiPluginRepo(t, "cgi", srv.URL+"/cgi_biomarkers_per_variant.zip")
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	s.do("PUT", "/source/cgi/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/cgi")
	result(t, s.wait("upload/cgi", 2*time.Minute), &[]activities.UploadResult{})
	s.recordHistory("plugin/cgi", "register_plugin")
	s.recordHistory(started.ID, "dump")
	s.recordHistory("upload/cgi", "upload")
}

// cgiMapping is a registered mapping for the tutorial's source.
var cgiMapping = map[string]any{"cgi": map[string]any{"properties": map[string]any{
	"gene": map[string]any{"type": "keyword", "normalizer": "keyword_lowercase_normalizer", "copy_to": []any{"all"}},
	"drug": map[string]any{"type": "text"},
}}}

func TestBuildFromTutorialSource(t *testing.T) {
	s := newStack(t, true)
	uploadTutorialCGI(t, s)
	var he *hubclient.Error

	// Without a registered mapping, the configuration is refused.
	conf := map[string]any{"name": "default", "doc_type": "variant", "sources": []string{"cgi"}, "_meta": map[string]any{"license": "test"}}
	if err := s.doErr("POST", "/buildconf", conf, nil); !errors.As(err, &he) || he.Code != 400 || !strings.Contains(he.Message, "no registered mapping") {
		t.Fatalf("buildconf without a mapping: %v", err)
	}
	t.Logf("BADINPUT class=buildconf case=source_without_mapping result=%s", badResult(t))
	if err := s.eng.Hub.C("src_master").Update(context.Background(), "cgi", map[string]any{"mapping": cgiMapping}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/buildconf", conf, nil)
	for name, bad := range map[string]map[string]any{
		"dot":     {"name": "a.b", "doc_type": "variant", "sources": []string{"cgi"}},
		"unknown": {"name": "x", "doc_type": "variant", "sources": []string{"nope"}},
		"empty":   {"name": "x", "doc_type": "variant", "sources": []string{}},
	} {
		if err := s.doErr("POST", "/buildconf", bad, nil); !errors.As(err, &he) || he.Code != 400 {
			t.Errorf("buildconf %s: %v, want a 400", name, err)
		}
		t.Logf("BADINPUT class=buildconf case=%s result=%s", name, badResult(t))
	}
	if err := s.doErr("POST", "/buildconf", conf, nil); !errors.As(err, &he) || he.Code != 409 {
		t.Errorf("second POST of the same configuration: %v, want a 409", err)
	}
	t.Logf("BADINPUT class=buildconf case=duplicate_name result=%s", badResult(t))
	var confs []map[string]any
	s.do("GET", "/buildconfs", nil, &confs)
	if len(confs) != 1 || confs[0]["name"] != "default" {
		t.Fatalf("GET /buildconfs = %v", confs)
	}

	var started struct {
		ID      string
		BuildID string `json:"build_id"`
	}
	s.do("PUT", "/build/default/new", nil, &started)
	var res activities.BuildResult
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	s.recordHistory(started.ID, "build")
	if res.Total != 323 || res.MergeStats["cgi"] != 323 || res.BuildID != started.BuildID {
		t.Fatalf("build = %+v", res)
	}
	var build struct {
		Status     string
		Count      int64
		MergeStats map[string]int64 `json:"merge_stats"`
		Mapping    map[string]any
		Meta       struct {
			BiothingType string `json:"biothing_type"`
			BuildVersion string `json:"build_version"`
			License      string
			Stats        struct{ Total int64 }
			Src          map[string]struct {
				Version string
				License string
				Code    struct{ Commit string }
			}
		} `json:"_meta"`
	}
	s.do("GET", "/build/"+res.BuildID, nil, &build)
	if build.Status != "success" || build.Meta.BiothingType != "variant" || build.Meta.Stats.Total != 323 ||
		build.Meta.Src["cgi"].Version != "2026-03-14" || build.Meta.Src["cgi"].License != "CC BY-NC 4.0" ||
		build.Meta.Src["cgi"].Code.Commit == "" || build.Meta.License != "test" || !reflect.DeepEqual(build.Mapping, cgiMapping) {
		t.Fatalf("GET /build/%s = %+v", res.BuildID, build)
	}

	// Every document of the build equals the source's.
	src, target := all(t, s, "cgi"), scanTarget(t, s, res.BuildID)
	if !reflect.DeepEqual(src, target) {
		t.Fatalf("build collection (%d docs) differs from the source (%d docs)", len(target), len(src))
	}

	s.do("DELETE", "/build/"+res.BuildID, nil, nil)
	if n, _ := s.eng.Target.C(res.BuildID).Count(context.Background()); n != 0 {
		t.Fatalf("the build's collection still holds %d documents after DELETE", n)
	}
	if err := s.doErr("GET", "/build/"+res.BuildID, nil, nil); !errors.As(err, &he) || he.Code != 404 {
		t.Fatalf("GET a deleted build: %v", err)
	}
	t.Logf("BADINPUT class=unknown case=get_deleted_build result=%s", badResult(t))
}

// TestTutorialFlowToRelease is the tutorial end to end: plugin, dump,
// upload, inspect and commit the mapping with cgi.gene searched by default,
// build configuration, build, full release; then the index finds ABL1
// through the "all" field and returns a document whole.
func TestTutorialFlowToRelease(t *testing.T) {
	s := newStack(t, true)
	uploadTutorialCGI(t, s)
	var started struct {
		ID      string
		BuildID string `json:"build_id"`
	}
	s.do("PUT", "/inspect", map[string]any{"data_provider": []string{"src", "cgi"}}, &started)
	result(t, s.wait(started.ID, 2*time.Minute), &activities.InspectResult{})
	s.do("PUT", "/source/cgi/mapping/field", map[string]any{"field": "cgi.gene", "search_by_default": true}, nil)
	var m struct{ Inspect map[string]any }
	s.do("GET", "/source/cgi/mapping", nil, &m)
	s.do("PUT", "/source/cgi/mapping", map[string]any{"mapping": m.Inspect, "dest": "master"}, nil)
	s.do("POST", "/buildconf", map[string]any{"name": "default", "doc_type": "variant", "sources": []string{"cgi"}}, nil)
	s.do("PUT", "/build/default/new", nil, &started)
	var build activities.BuildResult
	result(t, s.wait(started.ID, 2*time.Minute), &build)

	var idx struct{ ID, Index string }
	s.do("PUT", "/index", map[string]any{"build": build.BuildID}, &idx)
	var res activities.IndexResult
	result(t, s.wait(idx.ID, 2*time.Minute), &res)
	s.recordHistory(idx.ID, "index")
	if res.Count != 323 || res.Stats.Indexed != 323 || res.Index != build.BuildID {
		t.Fatalf("release = %+v", res)
	}

	ctx := context.Background()
	found, err := s.eng.Search.Search(ctx, res.Index, search.SearchRequest{
		Query: search.QueryString{Query: "ABL1", DefaultOperator: search.And}, Size: 1000,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, d := range all(t, s, "cgi") {
		b, _ := json.Marshal(d["cgi"])
		if strings.Contains(string(b), `"gene":"ABL1"`) {
			want++
		}
	}
	if found.Total != int64(want) || want == 0 {
		t.Fatalf("q=ABL1 found %d documents, want %d (those whose cgi.gene is ABL1)", found.Total, want)
	}
	hit, err := s.eng.Search.Get(ctx, res.Index, "chr9:g.133748283C>T")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s.eng.Target.C(build.BuildID).Get(ctx, "chr9:g.133748283C>T")
	if err != nil {
		t.Fatal(err)
	}
	delete(doc, "_id")
	if !reflect.DeepEqual(hit.Source, doc) {
		t.Fatalf("indexed document differs from the build's:\n%v\n%v", hit.Source, doc)
	}

	// The tutorial's "Generating a BioThings API": an API created and
	// started from the hub API, answering the tutorial's three calls.
	port := freePort(t)
	s.do("POST", "/api", map[string]any{"name": "cgi_api", "index": res.Index, "port": port, "description": "CGI"}, nil)
	s.do("PUT", "/api/cgi_api/start", nil, nil)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(t, base+"/status", 30*time.Second)
	var meta struct {
		BiothingType string `json:"biothing_type"`
		Src          map[string]struct {
			Version string
			Stats   map[string]int64
		}
		Stats struct{ Total int64 }
	}
	if code := httpGetJSON(t, base+"/metadata", &meta); code != 200 || meta.BiothingType != "variant" ||
		meta.Src["cgi"].Version != "2026-03-14" || meta.Src["cgi"].Stats["cgi"] != 323 || meta.Stats.Total != 323 {
		t.Fatalf("/metadata = %d %+v", code, meta)
	}
	var q struct {
		Total int64
		Hits  []map[string]any
	}
	if code := httpGetJSON(t, base+"/query?q=ABL1", &q); code != 200 || q.Total != int64(want) || len(q.Hits) != min(want, 10) {
		t.Fatalf("/query?q=ABL1 = %d, total %d, %d hits; want total %d", code, q.Total, len(q.Hits), want)
	}
	var v map[string]any
	if code := httpGetJSON(t, base+"/variant/chr9:g.133748283C>T", &v); code != 200 || v["_id"] != "chr9:g.133748283C>T" || v["_version"] == nil || v["cgi"] == nil {
		t.Fatalf("/variant/chr9:g.133748283C>T = %d %v", code, v)
	}
	var apis []struct{ Name, Status string }
	s.do("GET", "/api/list", nil, &apis)
	if len(apis) != 1 || apis[0].Status != "running" {
		t.Fatalf("/api/list = %+v", apis)
	}
	s.do("PUT", "/api/cgi_api/stop", nil, nil)
	if _, err := http.Get(base + "/status"); err == nil {
		t.Fatal("the API still answers after stop")
	}
	s.do("GET", "/api/list", nil, &apis)
	if apis[0].Status != "stopped" {
		t.Fatalf("/api/list after stop = %+v", apis)
	}
	s.recordHistory("api/cgi_api", "api_service")
	s.do("DELETE", "/api/cgi_api", nil, nil)

	// A second release into the same index is refused unless purged.
	s.do("PUT", "/index", map[string]any{"build": build.BuildID}, &idx)
	cmd := s.wait(idx.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "purge") {
		t.Fatalf("second release: %s %q", cmd.Status, cmd.Failure)
	}
	t.Logf("BADINPUT class=release case=second_release_without_purge result=%s", badResult(t))
	s.do("PUT", "/index", map[string]any{"build": build.BuildID, "purge": true}, &idx)
	result(t, s.wait(idx.ID, 2*time.Minute), &res)
	if res.Count != 323 {
		t.Fatalf("purged release = %+v", res)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
