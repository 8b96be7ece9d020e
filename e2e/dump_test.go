package e2e

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/testsupport/testenv"
)

// tutorialManifest is the tutorial's manifest.json, pointing at dataURL.
func tutorialManifest(dataURL, extraDumper string) string {
	return fmt.Sprintf(`{
  "version": "0.1",
  "dumper": {"data_url": %q, "uncompress": true%s},
  "uploader": {"parser": "parser:load_data", "on_duplicates": "error"}
}`, dataURL, extraDumper)
}

const tutorialParser = "def load_data(data_folder):\n    return []\n"

// zipOf zips one file.
func zipOf(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var lastModified = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// fileServer serves one file by name with Last-Modified and Range support;
// bytesPerSecond > 0 throttles it. It counts requests carrying a Range.
type fileServer struct {
	*httptest.Server
	ranged atomic.Int64
}

func serveFile(t *testing.T, name string, data []byte, bytesPerSecond int) *fileServer {
	fs := &fileServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+name {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Range") != "" {
			fs.ranged.Add(1)
		}
		var rs io.ReadSeeker = bytes.NewReader(data)
		if bytesPerSecond > 0 {
			rs = &throttled{ReadSeeker: rs, perSecond: bytesPerSecond}
		}
		http.ServeContent(w, r, name, lastModified, rs)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// throttled slows reads down to about perSecond bytes a second.
type throttled struct {
	io.ReadSeeker
	perSecond int
}

func (r *throttled) Read(p []byte) (int, error) {
	chunk := r.perSecond / 20
	if len(p) > chunk {
		p = p[:chunk]
	}
	time.Sleep(50 * time.Millisecond)
	return r.ReadSeeker.Read(p)
}

type sourceView struct {
	Name     string
	Download struct {
		Status     string
		Release    string
		DataFolder string `json:"data_folder"`
		Err        string
		Files      []struct {
			Name string
			Size int64
		}
	}
	Pending    []string
	DataPlugin struct {
		Plugin struct {
			URL, Type, Commit, Branch, Release string
		}
	} `json:"data_plugin"`
	Schedule *struct {
		ID     string
		Paused bool
		Cron   string
	}
}

func TestTutorialPluginRegisterAndDump(t *testing.T) {
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveFile(t, "cgi_biomarkers_per_variant.zip", zipOf(t, "cgi_biomarkers_per_variant.tsv", tsv), 0)
	repo := testenv.GitRepo(t, "cgi", map[string]string{
		"manifest.json": tutorialManifest(srv.URL+"/cgi_biomarkers_per_variant.zip", `, "schedule": "0 3 * * *"`),
		"parser.py":     tutorialParser,
	})
	s := newStack(t, true)

	var reg activities.PluginResult
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, &reg)
	if reg.Name != "cgi" || reg.Type != "git" || len(reg.Commit) != 40 || !strings.HasPrefix(reg.Release, "main ") {
		t.Fatalf("registered %+v", reg)
	}

	// First dump: downloads, unpacks, release from Last-Modified.
	var started struct{ ID string }
	s.do("PUT", "/source/cgi/dump", nil, &started)
	if started.ID != "dump/cgi" {
		t.Fatalf("dump id %q", started.ID)
	}
	var res activities.DumpResult
	result(t, s.wait(started.ID, time.Minute), &res)
	if res.Status != "success" || res.Release != "2026-03-14" {
		t.Fatalf("dump = %+v", res)
	}
	got, err := os.ReadFile(filepath.Join(s.cfg.DataDir, "datasources", "cgi", "2026-03-14", "cgi_biomarkers_per_variant.tsv"))
	if err != nil || !bytes.Equal(got, tsv) {
		t.Fatalf("unpacked file differs from the source (%v)", err)
	}
	var src sourceView
	s.do("GET", "/source/cgi", nil, &src)
	if src.Download.Status != "success" || src.Download.Release != "2026-03-14" || len(src.Download.Files) != 1 ||
		src.DataPlugin.Plugin.URL != repo || len(src.Pending) != 1 || src.Pending[0] != "upload" {
		t.Fatalf("GET /source/cgi = %+v", src)
	}
	if src.Schedule == nil || src.Schedule.ID != "dump/cgi" || src.Schedule.Cron != "0 3 * * *" || src.Schedule.Paused {
		t.Fatalf("schedule = %+v", src.Schedule)
	}

	// Nothing newer: nothing to dump. Forced: downloaded again. (A dump
	// waits for the upload the previous one started: the two never run
	// together.)
	s.wait("upload/cgi", time.Minute)
	s.do("PUT", "/source/cgi/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &res)
	if res.Status != "nothing to dump" {
		t.Fatalf("second dump = %+v", res)
	}
	s.do("PUT", "/dataplugin/cgi/dump", map[string]any{"force": true}, &started)
	result(t, s.wait(started.ID, time.Minute), &res)
	if res.Status != "success" || len(res.Files) != 1 {
		t.Fatalf("forced dump = %+v", res)
	}

	s.wait("upload/cgi", time.Minute)

	// The schedule pauses and resumes from the hub API.
	s.do("PUT", "/source/cgi/schedule", map[string]bool{"paused": true}, nil)
	s.do("GET", "/source/cgi", nil, &src)
	if src.Schedule == nil || !src.Schedule.Paused {
		t.Fatalf("schedule after pause = %+v", src.Schedule)
	}

	// Unregister removes code, records and schedule.
	s.do("DELETE", "/dataplugin/unregister_url", map[string]string{"url": repo}, nil)
	var he *hubclient.Error
	if err := s.doErr("GET", "/source/cgi", nil, nil); !errors.As(err, &he) || he.Code != 404 {
		t.Fatalf("GET /source/cgi after unregister: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.cfg.DataDir, "plugins", "cgi")); !os.IsNotExist(err) {
		t.Fatalf("plugin folder still there: %v", err)
	}
	if _, err := s.dev.Client().ScheduleClient().GetHandle(t.Context(), "dump/cgi").Describe(t.Context()); err == nil {
		t.Fatal("schedule dump/cgi still exists after unregister")
	}
}

func TestBadPluginsAndBadContent(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Service unavailable</body></html>")
	}))
	defer html.Close()
	s := newStack(t, true)

	// A manifest with several errors: all of them in one 400.
	bad := testenv.GitRepo(t, "badplugin", map[string]string{
		"manifest.json": `{"dumper": {"data_url": "gopher://x/y"}, "uploader": {"parser": "nocolon", "ignore_duplicates": true}}`,
	})
	var he *hubclient.Error
	err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": bad}, nil)
	if !errors.As(err, &he) || he.Code != 400 {
		t.Fatalf("register bad plugin: %v", err)
	}
	for _, want := range []string{"$.version", "$.dumper.data_url", "$.uploader.parser", "on_duplicates"} {
		if !strings.Contains(he.Message, want) {
			t.Errorf("error does not name %s: %s", want, he.Message)
		}
	}
	t.Logf("BADINPUT class=manifest case=several_errors_in_one_400 result=%s", badResult(t))

	// A server answering an HTML page where data was expected.
	repo := testenv.GitRepo(t, "htmlsrc", map[string]string{
		"manifest.json": tutorialManifest(html.URL+"/data.zip", ""),
		"parser.py":     tutorialParser,
	})
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	var started struct{ ID string }
	s.do("PUT", "/source/htmlsrc/dump", nil, &started)
	cmd := s.wait(started.ID, time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, "HTML") {
		t.Fatalf("dump of an HTML page: %s %q", cmd.Status, cmd.Failure)
	}
	var src sourceView
	s.do("GET", "/source/htmlsrc", nil, &src)
	if src.Download.Status != "failed" || !strings.Contains(src.Download.Err, "HTML") {
		t.Fatalf("src_dump after a failed dump = %+v", src.Download)
	}
	t.Logf("BADINPUT class=content case=html_page_for_data result=%s", badResult(t))

	// Unknown source.
	if err := s.doErr("PUT", "/source/nope/dump", nil, nil); !errors.As(err, &he) || he.Code != 404 {
		t.Fatalf("dump of an unknown source: %v", err)
	}
	t.Logf("BADINPUT class=unknown case=dump_unknown_source result=%s", badResult(t))
}

// TestDumpSurvivesWorkerKill kills the worker process in the middle of a
// large download; the dump finishes after a new worker comes back, resuming
// the partial file, with the exact bytes.
func TestDumpSurvivesWorkerKill(t *testing.T) {
	data := make([]byte, 24<<20)
	for i := range data {
		data[i] = byte(i*7 + i/4096)
	}
	srv := serveFile(t, "big.bin", data, 3<<20)
	repo := testenv.GitRepo(t, "bigsrc", map[string]string{
		"manifest.json": tutorialManifest(srv.URL+"/big.bin", ""),
		"parser.py":     tutorialParser,
	})
	s := newStack(t, false)
	s.startChildWorker()
	if err := s.doErr("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil); err != nil {
		t.Fatalf("register: %v; worker log:\n%s", err, s.childOutput())
	}
	var started struct{ ID string }
	s.do("PUT", "/source/bigsrc/dump", nil, &started)

	// A second dump of the same source while one runs is refused.
	var he *hubclient.Error
	if err := s.doErr("PUT", "/source/bigsrc/dump", nil, nil); !errors.As(err, &he) || he.Code != 409 || !strings.Contains(he.Message, "already running") {
		t.Fatalf("second dump while one runs: %v", err)
	}
	t.Logf("BADINPUT class=order case=second_dump_while_one_runs result=%s", badResult(t))

	// Kill -9 once a quarter of the file is on disk.
	part := filepath.Join(s.cfg.DataDir, "datasources", "bigsrc", "2026-03-14", "big.bin.part")
	deadline := time.Now().Add(time.Minute)
	for {
		if st, err := os.Stat(part); err == nil && st.Size() > int64(len(data))/4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("download did not start; worker log:\n%s", s.childOutput())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.killChildWorker()
	s.startChildWorker()

	var res activities.DumpResult
	result(t, s.wait(started.ID, 2*time.Minute), &res)
	got, err := os.ReadFile(filepath.Join(res.DataFolder, "big.bin"))
	if err != nil || sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("downloaded file differs from the served one (%v, %d bytes)", err, len(got))
	}
	if srv.ranged.Load() == 0 {
		t.Error("the retry did not resume with a Range request")
	}
	b, _ := json.Marshal(res)
	t.Logf("dump after kill: %s", b)
}
