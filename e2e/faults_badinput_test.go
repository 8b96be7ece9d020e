package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/testsupport/testenv"
)

// badInput is one bad input given to the hub API. With code set, the call
// itself must be refused with that status; with code 0 it starts a command
// that must fail. Either way the message must hold want.
type badInput struct {
	class, name  string
	method, path string
	body         any
	code         int
	want         string
}

// tinyParser yields a few documents, enough for a source to exist.
const tinyParser = `def load_data(data_folder):
    for i in range(5):
        yield {"_id": "t%d" % i, "v": i}
`

// TestBadInputs tries the classes of bad input the other tests do not:
// manifests, URLs, content, API parameters, unknown names, mappings, build
// configurations and commands started out of order. Each case prints a
// BADINPUT line for docs/reliability.md.
func TestBadInputs(t *testing.T) {
	t.Parallel() // beside the fault tests, on its own engines
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/seed.tsv":
			fmt.Fprint(w, "a\tb\n1\t2\n")
		case "/empty.tsv":
			w.Header().Set("Content-Length", "0")
		case "/broken.zip":
			fmt.Fprint(w, "PK\x03\x04 this is not really a zip archive")
		default:
			http.NotFound(w, r)
		}
	}))
	defer files.Close()
	plugin := func(name, dataURL, extra string) string {
		return testenv.GitRepo(t, name, map[string]string{
			"manifest.json": fmt.Sprintf(`{"version": "1", "dumper": {"data_url": %q%s}, "uploader": {"parser": "parser:load_data"}}`, dataURL, extra),
			"parser.py":     tinyParser,
		})
	}
	s := newStack(t, true)
	tiny := plugin("tiny", files.URL+"/seed.tsv", "")
	for _, repo := range []string{
		tiny,
		plugin("emptysrc", files.URL+"/empty.tsv", ""),
		plugin("brokenzip", files.URL+"/broken.zip", `, "uncompress": true`),
		plugin("gone", files.URL+"/missing.tsv", ""),
		plugin("undumped", files.URL+"/seed.tsv", ""),
	} {
		s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	}
	var started struct{ ID string }
	s.do("PUT", "/source/tiny/dump", nil, &started)
	result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
	s.waitStarted("upload/tiny")
	result(t, s.wait("upload/tiny", time.Minute), &[]activities.UploadResult{})

	badRepo := func(name string, files map[string]string) string { return testenv.GitRepo(t, name, files) }
	noManifest := badRepo("nomanifest", map[string]string{"parser.py": tinyParser})
	syntax := badRepo("syntaxerr", map[string]string{"manifest.json": "{\"version\": \"1\",\n  \"dumper\": {\n"})
	badCron := badRepo("badcron", map[string]string{"manifest.json": fmt.Sprintf(
		`{"version": "1", "dumper": {"data_url": %q, "schedule": "61 * * * *"}, "uploader": {"parser": "parser:load_data"}}`, files.URL+"/seed.tsv"),
		"parser.py": tinyParser})
	badName := badRepo("9-bad.name", map[string]string{"manifest.json": "{}"})
	notRepo := filepath.Join(t.TempDir(), "nothing_here")
	badMapping := map[string]any{"v": map[string]any{"type": "no_such_type"}}

	cases := []badInput{
		{"manifest", "missing_manifest", "POST", "/dataplugin/register_url", map[string]string{"url": noManifest}, 400, "manifest.json"},
		{"manifest", "json_syntax_error", "POST", "/dataplugin/register_url", map[string]string{"url": syntax}, 400, "manifest"},
		{"manifest", "bad_schedule", "POST", "/dataplugin/register_url", map[string]string{"url": badCron}, 400, "schedule"},
		{"manifest", "bad_plugin_name", "POST", "/dataplugin/register_url", map[string]string{"url": badName}, 400, "9-bad.name"},
		{"url", "no_such_folder", "POST", "/dataplugin/register_url", map[string]string{"url": notRepo}, 400, "nothing_here"},
		{"url", "unknown_scheme", "POST", "/dataplugin/register_url", map[string]string{"url": "gopher://example.org/plugin"}, 400, "gopher"},
		{"url", "empty_url", "POST", "/dataplugin/register_url", map[string]string{}, 400, "url"},
		{"url", "data_url_404", "PUT", "/source/gone/dump", nil, 0, "404"},
		{"content", "empty_file", "PUT", "/source/emptysrc/dump", nil, 0, "empty"},
		{"content", "broken_archive", "PUT", "/source/brokenzip/dump", nil, 0, "zip"},
		{"order", "upload_before_dump", "PUT", "/source/undumped/upload", nil, 0, "dump it first"},
		{"order", "inspect_empty_source", "PUT", "/inspect", map[string]any{"data_provider": []string{"src", "undumped"}}, 0, "no documents"},
		{"api_parameters", "body_not_an_object", "PUT", "/index", "{not json", 400, "body must be JSON"},
		{"api_parameters", "index_without_build", "PUT", "/index", map[string]any{}, 400, "build"},
		{"api_parameters", "diff_without_new", "PUT", "/diff", map[string]string{"old": "x"}, 400, "new"},
		{"api_parameters", "sync_without_index", "POST", "/sync", map[string]string{"diff": "/tmp/x"}, 400, "index"},
		{"api_parameters", "commands_limit_zero", "GET", "/commands?limit=0", nil, 400, "limit"},
		{"api_parameters", "inspect_bad_mode", "PUT", "/inspect", map[string]any{"data_provider": []string{"src", "tiny"}, "mode": []string{"bogus"}}, 400, "bogus"},
		{"api_parameters", "inspect_bad_provider", "PUT", "/inspect", map[string]any{"data_provider": []string{"x"}}, 400, "data_provider"},
		{"api_parameters", "inspect_sample_above_one", "PUT", "/inspect", map[string]any{"data_provider": []string{"src", "tiny"}, "sample": 2}, 400, "sample"},
		{"api_parameters", "schedule_not_bool", "PUT", "/source/tiny/schedule", map[string]string{"paused": "yes"}, 400, "paused"},
		{"api_parameters", "api_privileged_port", "POST", "/api", map[string]any{"name": "a", "index": "x", "port": 80}, 400, "port"},
		{"api_parameters", "release_note_without_ids", "GET", "/release_note", nil, 400, "old and new"},
		{"unknown", "upload_unknown_source", "PUT", "/source/nope/upload", nil, 404, "nope"},
		{"unknown", "build_unknown_config", "PUT", "/build/nope/new", nil, 404, "nope"},
		{"unknown", "index_unknown_build", "PUT", "/index", map[string]string{"build": "nope"}, 404, "nope"},
		{"unknown", "get_unknown_build", "GET", "/build/nope", nil, 404, "nope"},
		{"unknown", "delete_unknown_build", "DELETE", "/build/nope", nil, 404, "nope"},
		{"unknown", "release_options_unknown_build", "GET", "/build/nope/release_options", nil, 404, "nope"},
		{"unknown", "unregister_unknown_plugin", "DELETE", "/dataplugin/unregister_url", map[string]string{"url": notRepo}, 404, "nothing_here"},
		{"unknown", "diff_unknown_builds", "PUT", "/diff", map[string]string{"old": "nope_a", "new": "nope_b"}, 0, "no build"},
		{"unknown", "sync_missing_diff", "POST", "/sync", map[string]string{"diff": notRepo, "index": "nope"}, 0, "metadata"},
		{"mapping", "bad_dest", "PUT", "/source/tiny/mapping", map[string]any{"mapping": map[string]any{}, "dest": "elsewhere"}, 400, "elsewhere"},
		{"mapping", "invalid_type", "POST", "/mapping/validate", map[string]any{"mapping": badMapping}, 400, "no_such_type"},
		{"mapping", "field_without_inspection", "PUT", "/source/tiny/mapping/field", map[string]any{"field": "v", "searchable": false}, 404, "inspect it first"},
		{"buildconf", "source_without_mapping", "POST", "/buildconf", map[string]any{"name": "b1", "doc_type": "thing", "sources": []string{"tiny"}}, 400, "no registered mapping"},
		{"buildconf", "dot_in_name", "POST", "/buildconf", map[string]any{"name": "a.b", "doc_type": "thing", "sources": []string{"tiny"}}, 400, "a.b"},
		{"buildconf", "unknown_source", "POST", "/buildconf", map[string]any{"name": "b2", "doc_type": "thing", "sources": []string{"nope"}}, 400, "nope"},
		{"buildconf", "no_sources", "POST", "/buildconf", map[string]any{"name": "b3", "doc_type": "thing", "sources": []string{}}, 400, "sources"},
	}
	for _, c := range cases {
		t.Run(c.class+"/"+c.name, func(t *testing.T) {
			problem := c.try(s)
			res := "pass"
			if problem != "" {
				res = "fail"
				t.Error(problem)
			}
			t.Logf("BADINPUT class=%s case=%s result=%s", c.class, c.name, res)
		})
	}
}

// try gives the bad input and returns what went wrong, or "".
func (c badInput) try(s *stack) string {
	var started struct{ ID string }
	err := s.doErr(c.method, c.path, c.body, &started)
	var he *hubclient.Error
	if c.code != 0 {
		switch {
		case !errors.As(err, &he):
			return fmt.Sprintf("%s %s: %v, want a %d", c.method, c.path, err, c.code)
		case he.Code != c.code || !strings.Contains(he.Message, c.want):
			return fmt.Sprintf("%s %s: %d %q, want a %d naming %q", c.method, c.path, he.Code, he.Message, c.code, c.want)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("%s %s: %v, want a command that fails", c.method, c.path, err)
	}
	cmd := s.wait(started.ID, 2*time.Minute)
	if cmd.Status != "failed" || !strings.Contains(cmd.Failure, c.want) {
		return fmt.Sprintf("%s %s: command %s %s %q, want failed naming %q", c.method, c.path, cmd.ID, cmd.Status, cmd.Failure, c.want)
	}
	return ""
}

// badResult is the result of a bad-input case for its BADINPUT line: pass
// unless the test has failed so far.
func badResult(t *testing.T) string {
	if t.Failed() {
		return "fail"
	}
	return "pass"
}
