package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"studio/internal/temporal/commands"
	"studio/internal/temporal/progress"
	"studio/internal/testsupport/apicheck"
)

// fakeHub answers hub routes from a script: each "METHOD /path" has a list
// of answers given in turn, the last one repeated; other routes get the
// fallback answer, or a 404. It records every request.
type fakeHub struct {
	*httptest.Server
	mu       sync.Mutex
	script   map[string][]answer
	fallback *answer
	requests []request
}

type answer struct {
	code   int
	result any    // the envelope's result when code is 200
	err    string // the envelope's error otherwise
}

type request struct {
	Method, Path string
	Body         any
}

func newFakeHub(t *testing.T, script map[string][]answer) *fakeHub {
	h := &fakeHub{script: script}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		// Every request the command line sends fits the hub API's
		// OpenAPI document.
		apicheck.Request(t, r.Method, r.URL.String(), r.Header, b)
		var body any
		_ = json.Unmarshal(b, &body)
		w.Header().Set("Content-Type", "application/json")
		a := h.answer(request{r.Method, r.URL.RequestURI(), body}, r.Method+" "+r.URL.Path)
		if a.code == 0 {
			a.code = 200
		}
		w.WriteHeader(a.code)
		if a.code == 200 {
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "ok", "result": a.result})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "error", "error": a.err, "code": a.code})
	}))
	t.Cleanup(h.Close)
	return h
}

// answer records a request and picks its answer.
func (h *fakeHub) answer(r request, key string) answer {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, r)
	answers := h.script[key]
	switch {
	case len(answers) == 1:
		return answers[0]
	case len(answers) > 1:
		h.script[key] = answers[1:]
		return answers[0]
	case h.fallback != nil:
		return *h.fallback
	}
	return answer{code: 404, err: "no route " + key}
}

func (h *fakeHub) recorded() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.requests...)
}

// runCLI runs the command line against hub and returns its outputs.
func runCLI(t *testing.T, hub string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Setenv("STUDIO_HUB", hub)
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestRequests checks the request each command line sends.
func TestRequests(t *testing.T) {
	tests := []struct {
		args   []string
		method string
		path   string
		body   string
	}{
		{[]string{"dump", "cgi", "--no-wait", "--force", "--release", "v2"}, "PUT", "/source/cgi/dump", `{"force":true,"release":"v2"}`},
		{[]string{"upload", "--no-wait", "cgi", "--sub", "cgi_b"}, "PUT", "/source/cgi/upload", `{"sub":"cgi_b"}`},
		{[]string{"inspect", "cgi", "--no-wait"}, "PUT", "/inspect", `{"data_provider":["src","cgi"],"mode":["mapping"]}`},
		{[]string{"inspect", "--build", "b1", "--mode", "type,stats", "--limit", "10", "--sample", "0.5", "--no-wait"}, "PUT", "/inspect",
			`{"data_provider":"b1","mode":["type","stats"],"limit":10,"sample":0.5}`},
		{[]string{"buildconf", "create", "--name", "default", "--doctype", "variant", "--sources", "a, b", "--root", "a"}, "POST", "/buildconf",
			`{"name":"default","doc_type":"variant","sources":["a","b"],"root":["a"]}`},
		{[]string{"buildconf", "delete", "default"}, "DELETE", "/buildconf/default", ``},
		{[]string{"build", "default", "--no-wait"}, "PUT", "/build/default/new", ``},
		{[]string{"release", "b1", "--full", "--index", "live", "--purge", "--no-wait"}, "PUT", "/index", `{"build":"b1","index":"live","purge":true}`},
		{[]string{"release", "b1", "--no-wait"}, "PUT", "/index", `{"build":"b1"}`},
		{[]string{"mapping", "field", "cgi", "cgi.gene", "--search-by-default"}, "PUT", "/source/cgi/mapping/field", `{"field":"cgi.gene","search_by_default":true}`},
		{[]string{"mapping", "field", "cgi", "cgi.drug", "--searchable=false"}, "PUT", "/source/cgi/mapping/field", `{"field":"cgi.drug","searchable":false}`},
		{[]string{"api", "create", "--name", "cgi_api", "--index", "i1", "--port", "8001"}, "POST", "/api", `{"name":"cgi_api","index":"i1","port":8001}`},
		{[]string{"api", "create", "--name", "x", "--index", "i1", "--port", "8001", "--scroll-size", "50", "--max-facet-size", "20", "--nested-aggs", "--license", "exac=http://e"}, "POST", "/api",
			`{"name":"x","index":"i1","port":8001,"scroll_size":50,"max_facet_size":20,"nested_aggs":true,"licenses":{"exac":"http://e"}}`},
		{[]string{"api", "stop", "cgi_api"}, "PUT", "/api/cgi_api/stop", ``},
		{[]string{"api", "delete", "cgi_api"}, "DELETE", "/api/cgi_api", ``},
		{[]string{"api", "start", "cgi_api", "--no-wait"}, "PUT", "/api/cgi_api/start", ``},
		{[]string{"register", "https://github.com/x/cgi.git", "--ref", "v1"}, "POST", "/dataplugin/register_url", `{"url":"https://github.com/x/cgi.git","ref":"v1"}`},
		{[]string{"commands", "--all", "--running"}, "GET", "/commands?limit=1000&running=1", ``},
		{[]string{"commands", "--type", "Dump"}, "GET", "/commands?limit=20&type=Dump", ``},
		{[]string{"release-note", "b2", "--old", "b1"}, "GET", "/release_note?new=b2&old=b1", ``},
		{[]string{"watch", "dump/cgi"}, "GET", "/command/dump/cgi", ``},
		{[]string{"cancel", "dump/cgi"}, "DELETE", "/command/dump/cgi", ``},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			hub := newFakeHub(t, map[string][]answer{
				"GET /build/b1/release_options": {{result: map[string]any{"incremental": map[string]any{"possible": false, "reason": "no earlier build"}}}},
				"GET /command/dump/cgi":         {{result: commandAt("dump/cgi", "completed", nil, nil, "")}},
				"GET /commands":                 {{result: []any{}}},
			})
			hub.fallback = &answer{result: map[string]any{"id": "x/1", "run_id": "r1"}}
			if _, stderr, err := runCLI(t, hub.URL, tc.args...); err != nil {
				t.Fatalf("err = %v\nstderr: %s", err, stderr)
			}
			var got []request
			for _, r := range hub.recorded() {
				if r.Method == tc.method && r.Path == tc.path {
					got = append(got, r)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d requests %s %s among %+v, want 1", len(got), tc.method, tc.path, hub.recorded())
			}
			var want any
			if tc.body != "" {
				if err := json.Unmarshal([]byte(tc.body), &want); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got[0].Body, want) {
				gb, _ := json.Marshal(got[0].Body)
				t.Errorf("body = %s, want %s", gb, tc.body)
			}
		})
	}
}

// TestUsageErrors checks that bad command lines are usage errors (exit 2)
// that send nothing to the hub.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		part string
	}{
		{[]string{"inspect"}, "studio inspect"},
		{[]string{"dump", "a", "b"}, "studio dump"},
		{[]string{"watch"}, "studio watch <command id>"},
		{[]string{"cancel"}, "studio cancel <command id>"},
		{[]string{"release", "b1", "--full", "--incremental"}, "choose one"},
		{[]string{"release", "b1", "--full", "--old-index", "x"}, "--old-index"},
		{[]string{"release", "b1", "--index", "a", "--old-index", "b"}, "name it once"},
		{[]string{"buildconf", "create", "--name", "x"}, "--doctype, --sources required"},
		{[]string{"buildconf"}, "studio buildconf <list|show|create|delete>"},
		{[]string{"buildconf", "frob"}, "studio buildconf <list|show|create|delete>"},
		{[]string{"mapping", "field", "cgi", "cgi.gene"}, "give --searchable or --search-by-default"},
		{[]string{"mapping", "field", "cgi", "cgi.gene", "--searchable=maybe"}, "want true or false"},
		{[]string{"api", "create", "--name", "x", "--port", "nine"}, "invalid value"},
		{[]string{"api", "create", "--name", "x"}, "--name, --index and --port are required"},
		{[]string{"commands", "--limit", "0"}, "want 1..1000"},
		{[]string{"sources", "--frobnicate"}, "flag provided but not defined"},
		{[]string{"inspect", "cgi", "--sample", "2"}, "--sample"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			hub := newFakeHub(t, nil)
			_, _, err := runCLI(t, hub.URL, tc.args...)
			if !errors.Is(err, errUsage) || exitCode(err) != 2 {
				t.Fatalf("err = %v (exit %d), want a usage error", err, exitCode(err))
			}
			if !strings.Contains(err.Error(), tc.part) {
				t.Fatalf("err = %q, want it to contain %q", err, tc.part)
			}
			if n := len(hub.recorded()); n != 0 {
				t.Fatalf("a usage error sent %d requests to the hub", n)
			}
		})
	}
}

func TestHubErrorIsPrintedAsIs(t *testing.T) {
	hub := newFakeHub(t, map[string][]answer{"PUT /source/nosuch/dump": {{code: 404, err: `no such source "nosuch"`}}})
	for _, args := range [][]string{{"dump", "nosuch"}, {"dump", "nosuch", "--json"}} {
		stdout, _, err := runCLI(t, hub.URL, args...)
		want := `hub: PUT /source/nosuch/dump: 404 no such source "nosuch"`
		if err == nil || err.Error() != want || exitCode(err) != 1 {
			t.Fatalf("%v: err = %v (exit %d), want %q and exit 1", args, err, exitCode(err), want)
		}
		if stdout != "" {
			t.Fatalf("%v: stdout = %q, want nothing", args, stdout)
		}
	}
}

// commandAt is a command record for the fake hub.
func commandAt(id, status string, acts []commands.Activity, result any, failure string) map[string]any {
	c := commands.Command{ID: id, Type: "Dump", Status: status, StartTime: time.Now().Add(-time.Second), Duration: 1.5,
		Activities: acts, Result: result, Failure: failure}
	if status != "running" {
		now := time.Now()
		c.CloseTime = &now
	}
	var m map[string]any
	decode(c, &m)
	return m
}

func TestFollowShowsProgressThenResult(t *testing.T) {
	act := func(done int64) []commands.Activity {
		return []commands.Activity{{ID: "5", Type: "DumpFetch", State: "started", Attempt: 1,
			Progress: progress.Progress{Step: "download", Unit: "bytes", Done: done, Total: 4096, Rate: 1024}}}
	}
	script := func() map[string][]answer {
		return map[string][]answer{
			"PUT /source/cgi/dump": {{result: map[string]any{"id": "dump/cgi", "run_id": "r"}}},
			"GET /command/dump/cgi": {
				{result: commandAt("dump/cgi", "running", nil, nil, "")},
				{result: commandAt("dump/cgi", "running", act(1024), nil, "")},
				{result: commandAt("dump/cgi", "running", []commands.Activity{{ID: "5", Type: "DumpFetch", State: "started", Attempt: 2, LastFailure: "connection reset"}}, nil, "")},
				{result: commandAt("dump/cgi", "completed", nil, map[string]any{"status": "success", "release": "2026-03-14", "files": []any{1}}, "")},
			},
		}
	}
	stdout, _, err := runCLI(t, newFakeHub(t, script()).URL, "dump", "cgi", "--dump-only")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"started dump/cgi\n",
		"dump/cgi running\n",
		"dump/cgi download  [",
		"1.0 KiB/4.0 KiB  1.0 KiB/s  ETA 3s\n",
		"dump/cgi: DumpFetch attempt 1 failed, retrying: connection reset\n",
		"dump/cgi completed in 1.5s\n",
		"release 2026-03-14: 1 file(s)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\r") {
		t.Errorf("output to a non-terminal holds a carriage return:\n%q", stdout)
	}

	// --json: stdout is the JSON only, progress goes to stderr.
	stdout, stderr, err := runCLI(t, newFakeHub(t, script()).URL, "dump", "cgi", "--dump-only", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Dump   commands.Command
		Upload *commands.Command
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if out.Dump.Status != "completed" || out.Upload != nil {
		t.Fatalf("--json = %+v", out)
	}
	if !strings.Contains(stderr, "dump/cgi download") {
		t.Fatalf("stderr lacks the progress:\n%s", stderr)
	}
}

func TestFailedCommandExitsOne(t *testing.T) {
	hub := newFakeHub(t, map[string][]answer{
		"GET /command/build/default/b1": {{result: commandAt("build/default/b1", "failed", nil, nil, "source cgi has no registered mapping")}},
	})
	stdout, _, err := runCLI(t, hub.URL, "watch", "build/default/b1", "--json")
	if err == nil || exitCode(err) != 1 || err.Error() != "build/default/b1 failed: source cgi has no registered mapping" {
		t.Fatalf("err = %v (exit %d)", err, exitCode(err))
	}
	var cmd commands.Command
	if json.Unmarshal([]byte(stdout), &cmd) != nil || cmd.Status != "failed" || cmd.Failure == "" {
		t.Fatalf("--json of a failed command = %s", stdout)
	}
}

func TestHelp(t *testing.T) {
	stdout, _, err := runCLI(t, "http://127.0.0.1:1", "-h")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commandsList() {
		if !strings.Contains(stdout, "\n  "+c.name+" ") {
			t.Errorf("studio -h does not list %s", c.name)
		}
	}
	tests := []struct {
		args  []string
		parts []string
	}{
		{[]string{"release", "-h"}, []string{"usage: studio release [flags] <build>", "-incremental", "-old-index", "-json", "-no-wait"}},
		{[]string{"buildconf", "-h"}, []string{"studio buildconf create --name N", "studio buildconf delete <name>"}},
		{[]string{"buildconf", "create", "-h"}, []string{"-doctype", "-sources", "-root"}},
		{[]string{"mapping", "-h"}, []string{"usage: studio mapping [flags] <source>", "studio mapping commit", "studio mapping field"}},
		{[]string{"api", "start", "-h"}, []string{"usage: studio api start", "-timeout"}},
		{[]string{"watch", "-h"}, []string{"usage: studio watch [flags] <command id>"}},
	}
	for _, tc := range tests {
		_, stderr, err := runCLI(t, "http://127.0.0.1:1", tc.args...)
		if !errors.Is(err, flag.ErrHelp) || exitCode(err) != 0 {
			t.Errorf("%v: err = %v, want help (exit 0)", tc.args, err)
		}
		for _, p := range tc.parts {
			if !strings.Contains(stderr, p) {
				t.Errorf("%v: help lacks %q:\n%s", tc.args, p, stderr)
			}
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		full bool
		idx  string
	}{
		{[]string{"b1"}, []string{"b1"}, false, ""},
		{[]string{"b1", "--full", "--index", "x"}, []string{"b1"}, true, "x"},
		{[]string{"--index=x", "b1", "b2", "--full"}, []string{"b1", "b2"}, true, "x"},
		{[]string{"b1", "--", "--full"}, []string{"b1", "--full"}, false, ""},
		{[]string{}, nil, false, ""},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		full := fs.Bool("full", false, "")
		idx := fs.String("index", "", "")
		pos, err := parseInterleaved(fs, tc.args)
		if err != nil || !reflect.DeepEqual(pos, tc.pos) || *full != tc.full || *idx != tc.idx {
			t.Errorf("%v: pos %q full %v index %q err %v; want %q %v %q", tc.args, pos, *full, *idx, err, tc.pos, tc.full, tc.idx)
		}
	}
}

func TestChooseRelease(t *testing.T) {
	yes, no := true, false
	small, big := 4.5, 80.0
	opts := func(possible bool, reason string, changed *float64, full *bool) releaseOptions {
		var o releaseOptions
		o.Full.Possible = true
		o.Incremental.Possible, o.Incremental.Reason, o.Incremental.Previous = possible, reason, "b0"
		o.Incremental.ThresholdPercent, o.Incremental.ChangedPercent, o.Incremental.RecommendFull = 50, changed, full
		return o
	}
	tests := []struct {
		name    string
		flags   releaseFlags
		opts    releaseOptions
		mode    string
		decided bool
		reason  string
		err     string
	}{
		{"asked full", releaseFlags{full: true}, opts(true, "", &small, &no), "full", true, "--full", ""},
		{"asked incremental", releaseFlags{incremental: true}, opts(true, "", nil, nil), "incremental", true, "from b0", ""},
		{"incremental impossible", releaseFlags{build: "b1", incremental: true}, opts(false, "no earlier successful build", nil, nil), "", false, "", "not possible: no earlier successful build"},
		{"no earlier build", releaseFlags{}, opts(false, "no earlier successful build", nil, nil), "full", true, "not possible: no earlier successful build", ""},
		{"diff not made yet", releaseFlags{}, opts(true, "", nil, nil), "incremental", false, "the diff's size decides", ""},
		{"small diff", releaseFlags{}, opts(true, "", &small, &no), "incremental", true, "changes 4.5% of the documents, within the 50% threshold", ""},
		{"big diff", releaseFlags{}, opts(true, "", &big, &yes), "full", true, "changes 80.0% of the documents, more than the 50%", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := chooseRelease(tc.flags, tc.opts)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || p.Mode != tc.mode || p.Decided != tc.decided || !strings.Contains(p.Reason, tc.reason) {
				t.Fatalf("plan = %+v, %v; want %s decided=%v reason with %q", p, err, tc.mode, tc.decided, tc.reason)
			}
		})
	}
	for _, tc := range []struct {
		flags releaseFlags
		mode  string
		want  string
	}{
		{releaseFlags{index: "live"}, "full", "live"},
		{releaseFlags{}, "full", ""},
		{releaseFlags{index: "live"}, "incremental", "live"},
		{releaseFlags{oldIndex: "old"}, "incremental", "old"},
		{releaseFlags{}, "incremental", "b0"},
	} {
		if got := releaseIndex(tc.flags, tc.mode, "b0"); got != tc.want {
			t.Errorf("releaseIndex(%+v, %s) = %q, want %q", tc.flags, tc.mode, got, tc.want)
		}
	}
}

func TestProgressLineOfACommand(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	merge := func(read int64) commands.Command {
		return commands.Command{ID: "build/default/b1", Activities: []commands.Activity{
			{ID: "7", Type: "BuildMerge", State: "started", Progress: map[string]any{"read": float64(read), "created": float64(read)}}}}
	}
	tests := []struct {
		name string
		cmd  commands.Command
		at   time.Time
		want string
	}{
		{"no activity", commands.Command{ID: "dump/cgi"}, now, "dump/cgi running"},
		{"waiting for a worker", commands.Command{ID: "dump/cgi", Activities: []commands.Activity{{ID: "1", Type: "DumpPrepare", State: "scheduled"}}}, now,
			"dump/cgi DumpPrepare waiting for a worker"},
		{"text heartbeat", commands.Command{ID: "plugin/cgi", Activities: []commands.Activity{{ID: "1", Type: "PluginFetch", State: "started", Progress: "fetching file:///x"}}}, now,
			"plugin/cgi PluginFetch: fetching file:///x"},
		{"api heartbeat", commands.Command{ID: "api/a", Activities: []commands.Activity{{ID: "1", Type: "APIServe", State: "started", Progress: map[string]any{"url": "http://127.0.0.1:8001"}}}}, now,
			"api/a APIServe: serving on http://127.0.0.1:8001"},
		{"merge counts, first sample", merge(100), now, "build/default/b1 merge  100 docs"},
		{"merge counts, rate from samples", merge(300), now.Add(2 * time.Second), "build/default/b1 merge  300 docs  100 docs/s"},
		{"several activities, the one with progress shown", commands.Command{ID: "sync/live", Activities: []commands.Activity{
			{ID: "1", Type: "SyncFile", State: "scheduled"},
			{ID: "2", Type: "SyncFile", State: "started", Progress: map[string]any{"step": "sync", "unit": "docs", "done": float64(5), "total": float64(10)}},
		}}, now, "sync/live (+1) sync  [##########..........]   50%  5/10 docs"},
	}
	f := newFollower()
	for _, tc := range tests {
		if got := f.line(tc.cmd, tc.at, 60); got != tc.want {
			t.Errorf("%s: line = %q, want %q", tc.name, got, tc.want)
		}
	}
}
