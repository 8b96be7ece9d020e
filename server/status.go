package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"studio/internal/app/version"
)

// engineStatus is one engine's line in /status.
type engineStatus struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	Info  any    `json:"info,omitempty"`
}

// poller is a worker polling a task queue.
type poller struct {
	Identity   string    `json:"identity"`
	LastAccess time.Time `json:"last_access"`
	Kind       string    `json:"kind"` // workflow or activity
}

// status reports whether every engine answers, their versions, and the
// workers polling the Studio task queue.
func (s *Server) status(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 5*time.Second)
	defer cancel()
	res := fiber.Map{
		"studio": fiber.Map{
			"version": version.Version,
			"uptime":  time.Since(s.started).Round(time.Second).String(),
		},
		"temporal": s.temporalStatus(ctx),
		"search":   probe(func() (any, error) { return s.deps.Search.Info(ctx) }),
	}
	stores := fiber.Map{}
	for name, st := range s.stores() {
		stores[name] = probe(func() (any, error) { return st.Info(ctx) })
	}
	res["docstore"] = stores
	return ok(c, res)
}

func probe(f func() (any, error)) engineStatus {
	info, err := f()
	if err != nil {
		return engineStatus{Error: err.Error()}
	}
	return engineStatus{OK: true, Info: info}
}

func (s *Server) temporalStatus(ctx context.Context) fiber.Map {
	out := fiber.Map{
		"address":    s.deps.TemporalAddress,
		"namespace":  s.deps.Namespace,
		"task_queue": s.deps.TaskQueue,
		"web_ui":     s.deps.TemporalUIURL,
	}
	info, err := s.deps.Temporal.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{})
	if err != nil {
		out["ok"], out["error"] = false, err.Error()
		return out
	}
	out["ok"], out["server_version"] = true, info.GetServerVersion()
	var pollers []poller
	for kind, tq := range map[string]enumspb.TaskQueueType{
		"workflow": enumspb.TASK_QUEUE_TYPE_WORKFLOW,
		"activity": enumspb.TASK_QUEUE_TYPE_ACTIVITY,
	} {
		d, err := s.deps.Temporal.DescribeTaskQueue(ctx, s.deps.TaskQueue, tq)
		if err != nil {
			out["error"] = "describe task queue: " + err.Error()
			continue
		}
		for _, p := range d.GetPollers() {
			pollers = append(pollers, poller{Identity: p.GetIdentity(), LastAccess: p.GetLastAccessTime().AsTime(), Kind: kind})
		}
	}
	out["workers"] = pollers
	return out
}
