package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"studio/internal/app/config"
	"studio/internal/app/program"
	"studio/internal/domain/hub"
	"studio/internal/engine"
	"studio/internal/temporal/contract"
	"studio/internal/temporal/feed"
	"studio/internal/testsupport/testenv"
)

// stack is the real engines, a worker and the server on loopback.
type stack struct {
	base     string
	frontend string
	cli      string
	eng      *engine.Engines
}

func startStack(t *testing.T) *stack {
	t.Helper()
	dev := testenv.StartDevServer(t, "")
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	cfg.TemporalAddress = dev.FrontendHostPort()
	ws, err := program.StartWorkers(cfg, eng, dev.Client(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ws.Stop)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := program.Serve(ln, program.ServerDeps(cfg, eng, dev.Client(), nil, ""))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &stack{base: "http://" + ln.Addr().String(), frontend: dev.FrontendHostPort(), cli: dev.CLI, eng: eng}
}

// envelope is the hub API's answer.
type envelope struct {
	Status string          `json:"status"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
	Code   int             `json:"code"`
}

// call sends one request to the hub and checks the answer against the hub
// API's OpenAPI document.
func call(t *testing.T, method, url, body string) (int, envelope) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkAnswer(t, method, url, resp.StatusCode, resp.Header, raw)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: not the hub envelope: %s", method, url, raw)
	}
	return resp.StatusCode, env
}

// live is a websocket client of /ws.
type live struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialLive(t *testing.T, base string) *live {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http://", "ws://", 1)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	l := &live{t: t, conn: conn}
	if m := l.next(); m["op"] != "hello" {
		t.Fatalf("first message = %v, want hello", m)
	}
	return l
}

func (l *live) next() map[string]any {
	l.t.Helper()
	_ = l.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := l.conn.ReadMessage()
	if err != nil {
		l.t.Fatalf("read /ws: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		l.t.Fatalf("/ws message is not JSON: %s", data)
	}
	return m
}

// eventsUntilClosed collects the events of one workflow until it closes.
func (l *live) eventsUntilClosed(workflowID string) []feed.Event {
	l.t.Helper()
	var got []feed.Event
	for {
		m := l.next()
		if m["op"] != "event" || m["workflow_id"] != workflowID {
			continue
		}
		b, _ := json.Marshal(m)
		var ev feed.Event
		_ = json.Unmarshal(b, &ev)
		got = append(got, ev)
		if strings.HasPrefix(ev.Type, "workflow.") && ev.Type != feed.WorkflowStarted {
			return got
		}
	}
}

func types(evs []feed.Event) string {
	var s []string
	for _, e := range evs {
		t := e.Type
		if e.Error != "" {
			t += "(" + e.Error + ")"
		}
		s = append(s, t)
	}
	return strings.Join(s, " ")
}

func assertSelfCheckEvents(t *testing.T, evs []feed.Event) {
	t.Helper()
	want := []string{feed.WorkflowStarted, feed.ActivityStarted, feed.ActivityCompleted, feed.WorkflowCompleted}
	i := 0
	for _, e := range evs {
		if i < len(want) && e.Type == want[i] {
			if strings.HasPrefix(e.Type, "activity.") && e.ActivityType != "CheckStores" {
				t.Errorf("%s for activity %q, want CheckStores", e.Type, e.ActivityType)
			}
			if e.WorkflowType != "SelfCheck" {
				t.Errorf("%s has workflow type %q, want SelfCheck", e.Type, e.WorkflowType)
			}
			i++
		}
	}
	if i != len(want) {
		t.Fatalf("events %s: want the sequence %q", types(evs), strings.Join(want, " "))
	}
}

func TestSelfCheckThroughEveryLayer(t *testing.T) {
	s := startStack(t)
	ws := dialLive(t, s.base)

	code, env := call(t, "POST", s.base+"/selfcheck", `{"note":"from rest"}`)
	if code != 200 || env.Status != "ok" {
		t.Fatalf("POST /selfcheck = %d %+v", code, env)
	}
	var started struct{ ID string }
	_ = json.Unmarshal(env.Result, &started)
	if !strings.HasPrefix(started.ID, "selfcheck/") {
		t.Fatalf("workflow id %q", started.ID)
	}
	assertSelfCheckEvents(t, ws.eventsUntilClosed(started.ID))

	// The command's record shows the result, and the activity's write is in
	// the hub database.
	_, env = call(t, "GET", s.base+"/command/"+started.ID, "")
	var cmd struct {
		Status string
		Result contract.SelfCheckResult
	}
	_ = json.Unmarshal(env.Result, &cmd)
	if cmd.Status != "completed" || cmd.Result.RecordID != started.ID || cmd.Result.Store.Backend != "sqlite" || cmd.Result.Search.Backend != "bleve" {
		t.Fatalf("GET /command/%s = %s", started.ID, env.Result)
	}
	doc, err := s.eng.Hub.C(hub.SelfCheck).Get(context.Background(), started.ID)
	if err != nil || doc["note"] != "from rest" {
		t.Fatalf("hub record = %v, %v", doc, err)
	}

	// The same workflow started by the temporal CLI, by its documented name
	// and JSON input, shows up in /commands and on /ws too.
	out, err := exec.Command(s.cli, "workflow", "start", "--address", s.frontend, "--namespace", "default",
		"--task-queue", "studio", "--type", "SelfCheck", "--workflow-id", "selfcheck/from-cli",
		"--input", `{"note":"from cli"}`).CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow start: %v\n%s", err, out)
	}
	assertSelfCheckEvents(t, ws.eventsUntilClosed("selfcheck/from-cli"))
	_, env = call(t, "GET", s.base+"/commands", "")
	var list []struct{ ID, Type, Status string }
	_ = json.Unmarshal(env.Result, &list)
	found := map[string]string{}
	for _, c := range list {
		found[c.ID] = c.Status
	}
	if found["selfcheck/from-cli"] != "completed" || found[started.ID] != "completed" {
		t.Fatalf("/commands = %s", env.Result)
	}
	doc, err = s.eng.Hub.C(hub.SelfCheck).Get(context.Background(), "selfcheck/from-cli")
	if err != nil || doc["note"] != "from cli" {
		t.Fatalf("hub record of the CLI run = %v, %v", doc, err)
	}

	// ping / pong on the live channel.
	if err := ws.conn.WriteMessage(websocket.TextMessage, []byte(`{"op":"ping","t":42}`)); err != nil {
		t.Fatal(err)
	}
	for {
		m := ws.next()
		if m["op"] == "pong" {
			if m["t"] != float64(42) {
				t.Fatalf("pong = %v, want t 42", m)
			}
			break
		}
	}
}

func TestStatusAndErrors(t *testing.T) {
	s := startStack(t)
	// A worker is polling once the worker has started; poll for it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, env := call(t, "GET", s.base+"/status", "")
		var st struct {
			Temporal struct {
				OK            bool
				ServerVersion string `json:"server_version"`
				Workers       []struct{ Identity string }
			}
			Docstore map[string]struct{ OK bool }
			Search   struct{ OK bool }
		}
		if err := json.Unmarshal(env.Result, &st); err != nil {
			t.Fatalf("/status: %v: %s", err, env.Result)
		}
		if !st.Temporal.OK || st.Temporal.ServerVersion == "" || !st.Search.OK || !st.Docstore["hub"].OK || !st.Docstore["src"].OK || !st.Docstore["target"].OK {
			t.Fatalf("/status = %s", env.Result)
		}
		if len(st.Temporal.Workers) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no worker polling in /status: %s", env.Result)
		}
		time.Sleep(200 * time.Millisecond)
	}

	tests := []struct {
		name, method, path, body string
		code                     int
		errPart                  string
	}{
		{"unknown command", "GET", "/command/selfcheck/nope", "", 404, "command not found"},
		{"bad limit", "GET", "/commands?limit=0", "", 400, "limit"},
		{"bad json", "POST", "/selfcheck", `{"note":`, 400, "invalid JSON body"},
		{"ws without upgrade", "GET", "/ws", "", 426, "websocket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, env := call(t, tc.method, s.base+tc.path, tc.body)
			if code != tc.code || env.Status != "error" || env.Code != tc.code || !strings.Contains(env.Error, tc.errPart) {
				t.Fatalf("%s %s = %d %+v, want %d with %q", tc.method, tc.path, code, env, tc.code, tc.errPart)
			}
		})
	}

	// A body over the limit is refused from its Content-Length, before it
	// is read.
	t.Run("body too large", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /selfcheck HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 9<<20)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || !bytes.Contains(body, []byte("at most 8 MiB")) {
			t.Fatalf("9 MiB body = %d %s", resp.StatusCode, body)
		}
	})

	// The web app is served at /.
	resp, err := http.Get(s.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<title>Studio</title>")) {
		t.Fatalf("GET / = %d %.200s", resp.StatusCode, body)
	}
}

// TestJSONBodyAnyContentTypeAndCleanFailures: a JSON body is read whatever
// its Content-Type says (curl -d sends a form type, some clients
// text/plain or none), and a registration the plugin's manifest fails
// answers one clean message: no Temporal wrapping, nothing said twice.
func TestJSONBodyAnyContentTypeAndCleanFailures(t *testing.T) {
	s := startStack(t)
	dir := t.TempDir() + "/badplug"
	for _, args := range [][]string{
		{"init", "-q", "-b", "main", dir},
		{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "empty"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	body := `{"url": "` + dir + `"}`
	for _, ct := range []string{"application/json", "", "text/plain", "application/x-www-form-urlencoded"} {
		t.Run("content type "+ct, func(t *testing.T) {
			req, err := http.NewRequest("POST", s.base+"/dataplugin/register_url", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var env envelope
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 400 || !strings.Contains(env.Error, "manifest") {
				t.Fatalf("%d %q, want a 400 about the plugin's missing manifest", resp.StatusCode, env.Error)
			}
			for _, noise := range []string{"body must be JSON", "(type:", "retryable", "activity error", "workflow execution error"} {
				if strings.Contains(env.Error, noise) {
					t.Errorf("message %q holds %q", env.Error, noise)
				}
			}
			parts := strings.Split(env.Error, ": ")
			seen := map[string]bool{}
			for _, p := range parts {
				if seen[p] {
					t.Errorf("message %q says %q twice", env.Error, p)
				}
				seen[p] = true
			}
		})
	}
	// A real form still reads as a form.
	req, _ := http.NewRequest("POST", s.base+"/dataplugin/register_url", strings.NewReader("url="+dir))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	_ = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(env.Error, "manifest") {
		t.Fatalf("form body: %d %q, want the same 400 about the manifest", resp.StatusCode, env.Error)
	}
	t.Logf("message: %s", env.Error)
}
