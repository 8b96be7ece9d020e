package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/hubclient"
	"studio/internal/domain/differ"
	"studio/internal/temporal/commands"
	"studio/internal/testsupport/testenv"
)

// loadDocs is the size of the released index of the load test; its second
// build updates nearly all of them, so the sync writes ~40,000 documents.
const loadDocs = 40000

// loadParser yields loadDocs documents whose values depend on the version
// file the dump downloaded. From version 2 on, every 50th document is gone
// and as many new ones ("e" ids) appear; the others all change.
const loadParser = `import os

def load_data(data_folder, n=40000):
    with open(os.path.join(data_folder, "version.txt")) as f:
        version = int(f.read().strip())
    for i in range(n):
        if version > 1 and i % 50 == 49:
            continue
        yield {"_id": "d%06d" % i, "v": {"n": i, "version": version, "name": "gene%d" % (i % 997)}}
    if version > 1:
        for i in range(0, n, 50):
            yield {"_id": "e%06d" % i, "v": {"n": i, "version": version, "name": "new%d" % i}}
`

// loadMapping is the mapping of the load test's source.
var loadMapping = map[string]any{"v": map[string]any{"properties": map[string]any{
	"n":       map[string]any{"type": "integer"},
	"version": map[string]any{"type": "keyword"},
	"name":    map[string]any{"type": "keyword", "normalizer": "keyword_lowercase_normalizer", "copy_to": []any{"all"}},
}}}

// envInt reads a positive integer from the environment, else def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// loadKind is a kind of request of the load test.
type loadKind int

const (
	kindID      loadKind = iota // GET /v1/thing/<id> of a document in both builds
	kindMissing                 // GET /v1/thing/<id> of an id that never existed
	kindQuery                   // GET /v1/query?q=...
	kindPost                    // POST /v1/query or POST /v1/thing
	kindBad                     // a request the API must refuse with a 4xx
	numKinds
)

var kindNames = [numKinds]string{"id", "missing id", "query", "post", "bad"}

// loadRequest is one request to send, and what its answer must be.
type loadRequest struct {
	kind   loadKind
	method string
	path   string
	ctype  string
	body   string
}

// loadOutcome is what one request got.
type loadOutcome struct {
	kind       loadKind
	status     int
	err        error
	latency    time.Duration
	start      time.Time
	badAnswer  string // why the answer is not what the kind requires
	duringSync bool
}

// nthRequest is the i-th request of the load: a fixed mix of kinds, with
// values spread over the index.
func nthRequest(i int) loadRequest {
	kept := func(k int) string { // an id of both builds (i % 50 != 49)
		k %= loadDocs
		if k%50 == 49 {
			k--
		}
		return fmt.Sprintf("d%06d", k)
	}
	r := i * 7919 // spread the values, deterministically
	switch i % 20 {
	case 0, 1, 2, 3, 4, 5, 6, 7:
		return loadRequest{kind: kindID, method: "GET", path: "/v1/thing/" + kept(r)}
	case 8, 9:
		p := "/v1/thing/missing" + strconv.Itoa(r)
		if i%40 == 9 {
			p = "/v1/thing/" + url.PathEscape(fmt.Sprintf("d%06d", loadDocs+r%1000))
		}
		return loadRequest{kind: kindMissing, method: "GET", path: p}
	case 10, 11, 12, 13:
		var q string
		switch i % 4 {
		case 0:
			q = fmt.Sprintf("q=gene%d&fields=v.n,v.name&size=5&from=%d", r%997, r%30)
		case 1:
			q = fmt.Sprintf("q=%s&size=20", url.QueryEscape(fmt.Sprintf("v.name:gene%d", r%997)))
		case 2:
			lo := r % loadDocs
			q = fmt.Sprintf("q=%s&fields=v.n&size=10&from=3&sort=v.n", url.QueryEscape(fmt.Sprintf("v.n:[%d TO %d]", lo, lo+40)))
		default:
			q = "q=" + url.QueryEscape("_id:"+kept(r)) + "&fields=v"
		}
		return loadRequest{kind: kindQuery, method: "GET", path: "/v1/query?" + q}
	case 14, 15, 16:
		if i%2 == 0 {
			terms := make([]string, 5)
			for j := range terms {
				terms[j] = fmt.Sprintf("gene%d", (r+j*131)%997)
			}
			b, _ := json.Marshal(map[string]any{"q": terms, "scopes": []string{"v.name"}, "fields": "v.n", "size": 3})
			return loadRequest{kind: kindPost, method: "POST", path: "/v1/query", ctype: "application/json", body: string(b)}
		}
		ids := []string{kept(r), kept(r + 1), "missing" + strconv.Itoa(r), kept(r + 77)}
		b, _ := json.Marshal(map[string]any{"ids": ids})
		return loadRequest{kind: kindPost, method: "POST", path: "/v1/thing", ctype: "application/json", body: string(b)}
	}
	bad := []loadRequest{
		{method: "GET", path: "/v1/query?q=gene1&size=abc"},
		{method: "GET", path: "/v1/query?q=gene1&from=-3"},
		{method: "GET", path: "/v1/query?q=" + url.QueryEscape(`"unbalanced`)},
		{method: "GET", path: "/v1/query?q=gene1&sort=all"},
		{method: "GET", path: "/v1/query?q=gene1&format=bogus"},
		{method: "POST", path: "/v1/query", ctype: "application/json", body: `{"q": ["gene1",`},
		{method: "POST", path: "/v1/thing", ctype: "application/json", body: `not json`},
		{method: "GET", path: "/v1/nowhere/at/all"},
		{method: "GET", path: "/nothing"},
		{method: "DELETE", path: "/v1/query"},
		{method: "GET", path: "/v1/thing"},
		{method: "POST", path: "/v1/query", ctype: "application/json", body: `{"scopes": ["v.name"]}`},
	}
	req := bad[(i/20)%len(bad)]
	req.kind = kindBad
	return req
}

// send sends one request and checks its answer against its kind.
func (r loadRequest) send(client *http.Client, base string) loadOutcome {
	out := loadOutcome{kind: r.kind}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		out.err = err
		return out
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	out.start = time.Now()
	resp, err := client.Do(req)
	if err != nil {
		out.err = err
		out.latency = time.Since(out.start)
		return out
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	out.latency = time.Since(out.start)
	out.status = resp.StatusCode
	if err != nil {
		out.err = fmt.Errorf("read the answer: %w", err)
		return out
	}
	out.badAnswer = r.check(resp, data)
	return out
}

// check says what is wrong with an answer, or "".
func (r loadRequest) check(resp *http.Response, data []byte) string {
	code := resp.StatusCode
	switch r.kind {
	case kindID:
		var doc struct {
			ID string `json:"_id"`
		}
		if code != 200 {
			return fmt.Sprintf("status %d: %.200s", code, data)
		}
		if err := json.Unmarshal(data, &doc); err != nil || "/v1/thing/"+doc.ID != r.path {
			return fmt.Sprintf("answer %.200s (%v)", data, err)
		}
	case kindMissing:
		if code != 404 {
			return fmt.Sprintf("status %d, want 404: %.200s", code, data)
		}
	case kindQuery, kindPost:
		if code != 200 || !json.Valid(data) {
			return fmt.Sprintf("status %d: %.200s", code, data)
		}
	case kindBad:
		var e struct {
			Success *bool `json:"success"`
			Error   string
		}
		if code < 400 || code >= 500 {
			return fmt.Sprintf("status %d, want a 4xx: %.200s", code, data)
		}
		if err := json.Unmarshal(data, &e); err != nil || e.Success == nil || *e.Success || e.Error == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			return fmt.Sprintf("status %d, want a JSON error body: %s %.200s (%v)", code, resp.Header.Get("Content-Type"), data, err)
		}
	}
	return ""
}

// TestDataAPILoadDuringSync releases a build of 40,000 documents, serves
// it with a data API instance, and while the next release is synced into
// the same index fires STUDIO_LOAD_REQUESTS (10,000) requests from
// STUDIO_LOAD_CLIENTS (64) clients with keep-alive: id lookups, queries,
// batch POSTs and bad requests. No answer may be a 5xx, no connection may
// drop, bad requests get a 4xx with a JSON error, every existing id is
// found; the sync then completes and the index equals the new build.
func TestDataAPILoadDuringSync(t *testing.T) {
	total := envInt(t, "STUDIO_LOAD_REQUESTS", 10000)
	clients := envInt(t, "STUDIO_LOAD_CLIENTS", 64)

	lab := serveLabFile(t, "version.txt", []byte("1\n"))
	repo := testenv.GitRepo(t, "things", map[string]string{
		"manifest.json": `{"version": "1", "dumper": {"data_url": "` + lab.URL + `"},
		  "uploader": {"parser": "parser:load_data", "parser_kwargs": {"n": ` + strconv.Itoa(loadDocs) + `}}}`,
		"parser.py": loadParser,
	})
	s := newStack(t, true)
	s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
	if err := s.eng.Hub.C("src_master").Update(context.Background(), "things", map[string]any{"mapping": loadMapping}); err != nil {
		t.Fatal(err)
	}
	s.do("POST", "/buildconf", map[string]any{"name": "things", "doc_type": "thing", "sources": []string{"things"}}, nil)
	oldID := s.buildSource("things", "things", 3*time.Minute)
	var idx struct{ ID string }
	s.do("PUT", "/index", map[string]any{"build": oldID, "index": "things_live"}, &idx)
	result(t, s.wait(idx.ID, 5*time.Minute), &activities.IndexResult{})

	port := freePort(t)
	s.do("POST", "/api", map[string]any{"name": "things_api", "index": "things_live", "port": port, "description": "load"}, nil)
	s.do("PUT", "/api/things_api/start", nil, nil)
	t.Cleanup(func() { _ = s.doErr("PUT", "/api/things_api/stop", nil, nil) })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	testenv.WaitHTTP(t, base+"/status", 30*time.Second)

	lab.publish([]byte("2\n"), lastModified.Add(24*time.Hour))
	newID := s.buildSource("things", "things", 3*time.Minute)
	var started struct{ ID string }
	s.do("PUT", "/diff", map[string]string{"old": oldID, "new": newID}, &started)
	var md differ.Metadata
	result(t, s.wait(started.ID, 3*time.Minute), &md)
	deleted := (loadDocs + 49) / 50
	if md.Stats.Add != int64(deleted) || md.Stats.Delete != int64(deleted) || md.Stats.Update != int64(loadDocs-deleted) {
		t.Fatalf("diff stats = %+v, want %d added, %d deleted, %d updated", md.Stats, deleted, deleted, loadDocs-deleted)
	}

	// The load starts once the sync writes: its first SyncFile runs.
	dir := s.cfg.DataDir + "/diff/" + oldID + "-" + newID
	s.do("POST", "/sync", map[string]string{"diff": dir, "index": "things_live"}, &started)
	syncID := started.ID
	waitSyncWriting(t, s, syncID)

	var syncRunning atomic.Bool
	syncRunning.Store(true)
	watchDone := make(chan struct{})
	stopWatch := make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			var cmd commands.Command
			if err := s.doErr("GET", hubclient.CommandPath(syncID), nil, &cmd); err == nil && cmd.CloseTime != nil {
				syncRunning.Store(false)
				return
			}
			select {
			case <-stopWatch:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()

	outcomes := runLoad(base, total, clients, &syncRunning)
	close(stopWatch)
	<-watchDone
	elapsed := loadElapsed(outcomes)

	var res activities.SyncResult
	result(t, s.wait(syncID, 5*time.Minute), &res)
	if res.Added != deleted || res.Deleted != deleted || res.Updated != loadDocs-deleted || res.Files != len(md.Files) {
		t.Fatalf("sync = %+v", res)
	}
	assertIndexEqualsBuild(t, s, "things_live", newID)

	if during := reportLoad(t, outcomes, elapsed, clients); during == 0 {
		t.Fatal("no request was sent while the sync ran")
	}
	var failures []string
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			failures = append(failures, fmt.Sprintf("%s: transport error: %v", kindNames[o.kind], o.err))
		case o.status >= 500:
			failures = append(failures, fmt.Sprintf("%s: status %d", kindNames[o.kind], o.status))
		case o.badAnswer != "":
			failures = append(failures, fmt.Sprintf("%s: %s", kindNames[o.kind], o.badAnswer))
		}
	}
	if len(failures) > 0 {
		sort.Strings(failures)
		t.Fatalf("%d of %d requests failed; the first ones:\n%s", len(failures), len(outcomes), strings.Join(failures[:min(len(failures), 20)], "\n"))
	}
}

// waitSyncWriting waits until the sync runs its first SyncFile activity,
// and fails if the sync ends first: the load must meet a running sync.
func waitSyncWriting(t *testing.T, s *stack, id string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var cmd commands.Command
		s.do("GET", hubclient.CommandPath(id), nil, &cmd)
		if cmd.Status != "running" {
			t.Fatalf("sync %s is %s before the load started (%s): it must still run; raise loadDocs", id, cmd.Status, cmd.Failure)
		}
		if slices.ContainsFunc(cmd.Activities, func(a commands.Activity) bool { return a.Type == "SyncFile" }) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync %s never started writing", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runLoad sends total requests from clients goroutines, each with its own
// keep-alive http.Client, and returns every outcome.
func runLoad(base string, total, clients int, syncRunning *atomic.Bool) []loadOutcome {
	outcomes := make([]loadOutcome, total)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			tr := &http.Transport{MaxIdleConnsPerHost: 1, IdleConnTimeout: time.Minute}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
			for {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				during := syncRunning.Load()
				o := nthRequest(i).send(client, base)
				o.duringSync = during
				outcomes[i] = o
			}
		})
	}
	wg.Wait()
	return outcomes
}

// loadElapsed is the time from the first request's start to the last
// answer.
func loadElapsed(outcomes []loadOutcome) time.Duration {
	var first, last time.Time
	for _, o := range outcomes {
		if o.start.IsZero() {
			continue
		}
		if first.IsZero() || o.start.Before(first) {
			first = o.start
		}
		if end := o.start.Add(o.latency); end.After(last) {
			last = end
		}
	}
	return last.Sub(first)
}

// reportLoad logs the numbers of the load: rate, latency percentiles per
// kind, status codes, and how many requests met the running sync, which
// it returns.
func reportLoad(t *testing.T, outcomes []loadOutcome, elapsed time.Duration, clients int) int {
	t.Helper()
	var lat [numKinds][]time.Duration
	codes := map[int]int{}
	during, transport := 0, 0
	for _, o := range outcomes {
		lat[o.kind] = append(lat[o.kind], o.latency)
		if o.err != nil {
			transport++
		} else {
			codes[o.status]++
		}
		if o.duringSync {
			during++
		}
	}
	t.Logf("load: %d requests from %d clients in %s: %.0f requests/s; %d sent while the sync ran; %d transport errors",
		len(outcomes), clients, elapsed.Round(time.Millisecond), float64(len(outcomes))/elapsed.Seconds(), during, transport)
	for k := range numKinds {
		l := lat[k]
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		pct := func(p int) time.Duration { return l[min(len(l)*p/100, len(l)-1)].Round(10 * time.Microsecond) }
		t.Logf("  %-10s %6d requests  p50 %-10s p95 %-10s p99 %s", kindNames[k], len(l), pct(50), pct(95), pct(99))
	}
	keys := make([]int, 0, len(codes))
	for c := range codes {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, c := range keys {
		parts[i] = fmt.Sprintf("%d: %d", c, codes[c])
	}
	t.Logf("  status codes: %s", strings.Join(parts, ", "))
	return during
}
