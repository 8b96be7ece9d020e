package server_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"studio/internal/app/procstat"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

func TestJobManagerShowsQueuesAndProcesses(t *testing.T) {
	s := startStack(t)
	old := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	if err := s.eng.Hub.C(hub.Processes).Upsert(context.Background(), []docstore.Doc{
		{"_id": "7@elsewhere", "role": "worker", "pid": int64(7), "host": "elsewhere", "rss_bytes": int64(1 << 20), "updated_at": old},
	}); err != nil {
		t.Fatal(err)
	}
	type view struct {
		TaskQueues []struct {
			Name, Kind string
			Backlog    int64
			Pollers    []struct{ Identity string }
		} `json:"task_queues"`
		Activities []json.RawMessage
		Processes  []procstat.Stats
	}
	var v view
	for deadline := time.Now().Add(20 * time.Second); ; {
		code, env := call(t, "GET", s.base+"/job_manager", "")
		if code != 200 {
			t.Fatalf("GET /job_manager = %d %+v", code, env)
		}
		v = view{}
		if err := json.Unmarshal(env.Result, &v); err != nil {
			t.Fatalf("%v: %s", err, env.Result)
		}
		polled := 0
		for _, q := range v.TaskQueues {
			if len(q.Pollers) > 0 {
				polled++
			}
		}
		if polled == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no poller on both queues: %s", env.Result)
		}
		time.Sleep(200 * time.Millisecond)
	}
	kinds := map[string]bool{}
	for _, q := range v.TaskQueues {
		kinds[q.Kind] = true
		if q.Name != "studio" || q.Backlog < 0 {
			t.Errorf("queue %+v", q)
		}
		// The worker runs in this process: it polls under the process's name.
		found := false
		for _, p := range q.Pollers {
			found = found || p.Identity == procstat.Identity()
		}
		if !found {
			t.Errorf("%s queue: no poller named %s: %+v", q.Kind, procstat.Identity(), q.Pollers)
		}
	}
	if !kinds["workflow"] || !kinds["activity"] {
		t.Errorf("queue kinds = %v", kinds)
	}
	if len(v.Processes) != 2 {
		t.Fatalf("processes = %+v", v.Processes)
	}
	self, gone := v.Processes[0], v.Processes[1]
	if self.PID != os.Getpid() || self.Role != "server" || self.RSSBytes <= 0 || self.Stale {
		t.Errorf("this process = %+v", self)
	}
	if gone.Identity != "7@elsewhere" || !gone.Stale || gone.RSSBytes != 1<<20 {
		t.Errorf("old process = %+v, want stale", gone)
	}
	if v.Activities == nil {
		t.Error("activities is null, want a list")
	}
}
