package server_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/internal/domain/plugingen"
	"studio/internal/testsupport/testenv"
)

// cgiZip is the shared CGI file zipped, as the lab publishes it.
func cgiZip(t *testing.T) []byte {
	t.Helper()
	tsv, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("cgi_biomarkers_per_variant.tsv")
	w.Write(tsv)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// waitCommand polls GET /command/<id> until it ends and returns its status.
func waitCommand(t *testing.T, base, id string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		code, env := call(t, "GET", base+"/command/"+id, "")
		var cmd struct{ Status, Failure string }
		if code == http.StatusOK {
			json.Unmarshal(env.Result, &cmd)
			if cmd.Status != "running" {
				if cmd.Status != "completed" {
					t.Fatalf("command %s: %s %s", id, cmd.Status, cmd.Failure)
				}
				return cmd.Status
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("command %s: not ended after %s (last answer %d %s)", id, timeout, code, env.Error)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPluginFromFile goes through the routes that make a plugin from a
// file URL: preview (inferred, then with options), the errors, save
// (register, dump, upload), download as zip and tar.gz, push to a bare
// repository.
func TestPluginFromFile(t *testing.T) {
	data := cgiZip(t)
	lab := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi_biomarkers_per_variant.zip" {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "cgi_biomarkers_per_variant.zip", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), bytes.NewReader(data))
	}))
	t.Cleanup(lab.Close)
	fileURL := lab.URL + "/cgi_biomarkers_per_variant.zip"
	s := startStack(t)

	// The inferred plan.
	code, env := call(t, "POST", s.base+"/dataplugin/new/preview", `{"url": "`+fileURL+`"}`)
	if code != http.StatusOK {
		t.Fatalf("preview = %d %s", code, env.Error)
	}
	var plan struct {
		Sample struct {
			DataFile  string `json:"data_file"`
			Truncated bool
		}
		Inferred struct {
			Format  string
			Columns []struct{ Name, Type string }
		}
		Options map[string]any
		Preview struct {
			Columns []string
			Rows    [][]any
			Stats   struct{ Rows, Docs, Rejected, Skipped int64 }
		}
	}
	json.Unmarshal(env.Result, &plan)
	if plan.Inferred.Format != "tsv" || len(plan.Inferred.Columns) != 24 || plan.Sample.DataFile != "cgi_biomarkers_per_variant.tsv" || plan.Sample.Truncated {
		t.Fatalf("inferred %+v, sample %+v", plan.Inferred, plan.Sample)
	}

	// The tutorial's choices: _id gDNA, rows of a variant grouped under cgi.
	opts := plan.Options
	opts["name"], opts["root"], opts["id"], opts["group"] = "cgi", "cgi", "{gDNA}", true
	body, _ := json.Marshal(map[string]any{"url": fileURL, "options": opts})
	code, env = call(t, "POST", s.base+"/dataplugin/new/preview", string(body))
	if code != http.StatusOK {
		t.Fatalf("preview with options = %d %s", code, env.Error)
	}
	json.Unmarshal(env.Result, &plan)
	if st := plan.Preview.Stats; st.Docs != 323 || st.Rejected != 0 || st.Rows != 1442 {
		t.Fatalf("preview stats %+v, want 323 documents from 1442 rows", st)
	}
	if plan.Preview.Columns[0] != "_id" || len(plan.Preview.Rows) != 50 {
		t.Fatalf("preview table: columns %v, %d rows", plan.Preview.Columns, len(plan.Preview.Rows))
	}

	// Errors name the parameter.
	badType, _ := json.Marshal(map[string]any{"url": fileURL, "options": map[string]any{"name": "cgi", "id": "{gDNA}", "fields": []any{map[string]any{"column": "Gene", "path": "gene", "type": "date", "keep": true}}}})
	for _, tc := range []struct{ body, want string }{
		{`{}`, "url: give the URL of a data file"},
		{`{"url": "` + lab.URL + `/missing.tsv"}`, "url: fetching a sample"},
		{`{"url": "` + fileURL + `", "options": {"name": "cgi", "id": "{nope}"}}`, `options: id: column "nope" is not in the file`},
		{string(badType), `options: fields[0].type: "date" is not one of`},
		{`[1`, "body must be JSON"},
	} {
		code, env := call(t, "POST", s.base+"/dataplugin/new/preview", tc.body)
		if code != http.StatusBadRequest || env.Status != "error" || !strings.Contains(env.Error, tc.want) {
			t.Errorf("preview %s = %d %q, want 400 with %q", tc.body, code, env.Error, tc.want)
		}
	}

	// Save: a git repository, registered, dumped, uploaded.
	code, env = call(t, "POST", s.base+"/dataplugin/new", string(body))
	if code != http.StatusOK {
		t.Fatalf("save = %d %s", code, env.Error)
	}
	var saved struct {
		Name    string
		Written struct{ Dir, Commit string }
		Plugin  struct{ Name, Type string }
		Dump    struct{ ID string }
	}
	json.Unmarshal(env.Result, &saved)
	if saved.Name != "cgi" || saved.Plugin.Name != "cgi" || saved.Dump.ID != "dump/cgi" || len(saved.Written.Commit) != 40 {
		t.Fatalf("save = %s", env.Result)
	}
	waitCommand(t, s.base, "dump/cgi", 2*time.Minute)
	deadline := time.Now().Add(time.Minute)
	for {
		if code, _ := call(t, "GET", s.base+"/command/upload/cgi", ""); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dump started no upload/cgi")
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitCommand(t, s.base, "upload/cgi", 2*time.Minute)
	if n, err := s.eng.Src.C("cgi").Count(context.Background()); err != nil || n != 323 {
		t.Fatalf("the source cgi holds %d documents (%v), want 323", n, err)
	}

	// Download.
	for _, format := range []string{"zip", "tar.gz"} {
		resp, err := http.Get(s.base + "/dataplugin/cgi/archive?format=" + format)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "cgi."+format) || len(raw) == 0 {
			t.Fatalf("archive %s = %d %q, %d bytes", format, resp.StatusCode, resp.Header.Get("Content-Disposition"), len(raw))
		}
		if format == "zip" {
			zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			f, err := zr.Open("cgi/manifest.json")
			if err != nil {
				t.Fatalf("the zip has no cgi/manifest.json: %v", err)
			}
			m, _ := io.ReadAll(f)
			if !strings.Contains(string(m), `"data_url": "`+fileURL+`"`) || !strings.Contains(string(m), `"id": "{gDNA}"`) {
				t.Fatalf("manifest.json:\n%s", m)
			}
		}
	}
	if code, env := call(t, "GET", s.base+"/dataplugin/cgi/archive?format=rar", ""); code != http.StatusBadRequest || !strings.Contains(env.Error, `format: "rar"`) {
		t.Errorf("archive rar = %d %q", code, env.Error)
	}
	if code, env := call(t, "GET", s.base+"/dataplugin/nope/archive", ""); code != http.StatusNotFound || !strings.Contains(env.Error, `"nope"`) {
		t.Errorf("archive of an unknown plugin = %d %q", code, env.Error)
	}

	// Saving again under the same name updates the same plugin; a name
	// registered from elsewhere is refused.
	code, env = call(t, "POST", s.base+"/dataplugin/new/preview", string(body))
	if code != http.StatusOK {
		t.Fatalf("preview after save = %d %s", code, env.Error)
	}
	other := filepath.Join(t.TempDir(), "other")
	o := plugingen.Options{Name: "other", Format: "tsv", ID: "{gDNA}", Root: "other", Fields: []plugingen.Field{{Column: "Gene", Path: "gene", Keep: true}}}
	if _, err := plugingen.Write(context.Background(), other, o.Manifest(fileURL, "cgi_biomarkers_per_variant.tsv", true), ""); err != nil {
		t.Fatal(err)
	}
	if code, env := call(t, "POST", s.base+"/dataplugin/register_url", `{"url": "`+other+`"}`); code != http.StatusOK {
		t.Fatalf("register %s = %d %s", other, code, env.Error)
	}
	opts["name"] = "other"
	clash, _ := json.Marshal(map[string]any{"url": fileURL, "options": opts})
	if code, env := call(t, "POST", s.base+"/dataplugin/new", string(clash)); code != http.StatusConflict || !strings.Contains(env.Error, `options.name: a source named "other" is already registered from`) {
		t.Errorf("save under the name of another plugin = %d %q, want 409", code, env.Error)
	}

	// Push to a bare repository.
	bare := filepath.Join(t.TempDir(), "cgi.git")
	if out, err := exec.Command("git", "init", "--bare", "--quiet", bare).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v %s", err, out)
	}
	if code, env := call(t, "POST", s.base+"/dataplugin/cgi/push", `{"remote": "`+bare+`"}`); code != http.StatusOK {
		t.Fatalf("push = %d %s", code, env.Error)
	}
	head, err := exec.Command("git", "-C", bare, "rev-parse", "refs/heads/main").Output()
	if err != nil || strings.TrimSpace(string(head)) != saved.Written.Commit {
		t.Fatalf("the bare repository's main is %q (%v), want %s", head, err, saved.Written.Commit)
	}
	for _, tc := range []struct{ body, want string }{
		{`{}`, "remote: body must be JSON"},
		{`{"remote": "` + filepath.Join(t.TempDir(), "none.git") + `"}`, "remote: pushing to"},
	} {
		if code, env := call(t, "POST", s.base+"/dataplugin/cgi/push", tc.body); code != http.StatusBadRequest || !strings.Contains(env.Error, tc.want) {
			t.Errorf("push %s = %d %q, want 400 with %q", tc.body, code, env.Error, tc.want)
		}
	}
}

// TestPluginFromGzippedJSONLines saves a plugin from a gzipped JSON lines
// file with the inferred options, and uploads it.
func TestPluginFromGzippedJSONLines(t *testing.T) {
	var raw bytes.Buffer
	zw := gzip.NewWriter(&raw)
	for i := range 300 {
		fmt.Fprintf(zw, `{"gene_id": "G%03d", "score": %d.5, "info": {"chrom": "%d"}}`+"\n", i, i, i%22+1)
	}
	zw.Close()
	data := raw.Bytes()
	lab := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "genes.jsonl.gz", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), bytes.NewReader(data))
	}))
	t.Cleanup(lab.Close)
	s := startStack(t)
	code, env := call(t, "POST", s.base+"/dataplugin/new", `{"url": "`+lab.URL+`/genes.jsonl.gz"}`)
	if code != http.StatusOK {
		t.Fatalf("save = %d %s", code, env.Error)
	}
	var saved struct {
		Name     string
		Manifest struct {
			Dumper   map[string]any
			Uploader struct{ Parser map[string]any }
		}
	}
	json.Unmarshal(env.Result, &saved)
	p := saved.Manifest.Uploader.Parser
	if saved.Name != "genes" || p["format"] != "jsonl" || p["file"] != "genes.jsonl.gz" || p["id"] != "{gene_id}" || saved.Manifest.Dumper["uncompress"] != nil {
		t.Fatalf("save = %s", env.Result)
	}
	waitCommand(t, s.base, "dump/genes", 2*time.Minute)
	deadline := time.Now().Add(time.Minute)
	for {
		if code, _ := call(t, "GET", s.base+"/command/upload/genes", ""); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dump started no upload/genes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitCommand(t, s.base, "upload/genes", 2*time.Minute)
	doc, err := s.eng.Src.C("genes").Get(context.Background(), "G007")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(doc)
	if want := `{"_id":"G007","genes":{"gene_id":"G007","info":{"chrom":"8"},"score":7.5}}`; string(got) != want {
		t.Fatalf("document G007 = %s, want %s", got, want)
	}
}
