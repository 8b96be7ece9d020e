package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"golang.org/x/sync/errgroup"

	"studio/internal/app/procstat"
	"studio/internal/domain/hub"
	"studio/internal/temporal/commands"
)

// queueView is one task queue of one kind, as the Workers view shows it.
type queueView struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"` // workflow or activity
	Backlog int64    `json:"backlog"`
	Pollers []poller `json:"pollers"`
	Error   string   `json:"error,omitempty"`
}

// runningActivity is an activity running now, with its last progress.
type runningActivity struct {
	WorkflowID    string     `json:"workflow_id"`
	WorkflowType  string     `json:"workflow_type"`
	ActivityID    string     `json:"activity_id"`
	ActivityType  string     `json:"activity_type"`
	State         string     `json:"state"`
	Attempt       int32      `json:"attempt"`
	Progress      any        `json:"progress,omitempty"`
	LastHeartbeat *time.Time `json:"last_heartbeat,omitempty"`
	LastFailure   string     `json:"last_failure,omitempty"`
	Worker        string     `json:"worker,omitempty"`
}

// processFresh is how long a process record counts as alive after its last
// report (reports come every 5 s).
const processFresh = 20 * time.Second

// jobManager is GET /job_manager: the workers polling each task queue, the
// tasks waiting in each, the activities running (with heartbeat progress),
// and the memory of each Studio process.
func (s *Server) jobManager(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 10*time.Second)
	defer cancel()
	var (
		queues = []queueView{
			{Name: s.deps.TaskQueue, Kind: "workflow"},
			{Name: s.deps.TaskQueue, Kind: "activity"},
		}
		acts  []runningActivity
		procs []procstat.Stats
	)
	g, gctx := errgroup.WithContext(ctx)
	for i := range queues {
		g.Go(func() error { s.describeQueue(gctx, &queues[i]); return nil })
	}
	g.Go(func() error {
		var err error
		acts, err = s.runningActivities(gctx)
		return err
	})
	g.Go(func() error {
		var err error
		procs, err = procstat.List(gctx, s.deps.Hub.C(hub.Processes), processFresh)
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	return ok(c, fiber.Map{"task_queues": queues, "activities": acts, "processes": withSelf(procs)})
}

// withSelf puts this server's live sample in the list: replacing its own
// record when it reports too (studio dev runs server and worker in one
// process), or added as "server" otherwise.
func withSelf(procs []procstat.Stats) []procstat.Stats {
	self := procstat.Sample("server")
	for i, p := range procs {
		if p.Identity == self.Identity {
			self.Role = p.Role
			procs[i] = self
			return procs
		}
	}
	return append([]procstat.Stats{self}, procs...)
}

func (s *Server) describeQueue(ctx context.Context, q *queueView) {
	kind := enumspb.TASK_QUEUE_TYPE_WORKFLOW
	if q.Kind == "activity" {
		kind = enumspb.TASK_QUEUE_TYPE_ACTIVITY
	}
	resp, err := s.deps.Temporal.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
		Namespace:     s.deps.Namespace,
		TaskQueue:     &taskqueuepb.TaskQueue{Name: q.Name, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		TaskQueueType: kind,
		ReportStats:   true,
	})
	if err != nil {
		q.Error = "describe task queue: " + err.Error()
		return
	}
	q.Backlog = resp.GetStats().GetApproximateBacklogCount()
	q.Pollers = []poller{}
	for _, p := range resp.GetPollers() {
		q.Pollers = append(q.Pollers, poller{Identity: p.GetIdentity(), LastAccess: p.GetLastAccessTime().AsTime(), Kind: q.Kind})
	}
}

// runningActivities lists the pending activities of the running commands.
func (s *Server) runningActivities(ctx context.Context) ([]runningActivity, error) {
	running, err := s.cmds.List(ctx, commands.ListOptions{Running: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := []runningActivity{}
	details := make([]commands.Command, len(running))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, r := range running {
		g.Go(func() error {
			d, err := s.cmds.Get(gctx, r.ID)
			if err == nil {
				details[i] = d
			}
			return nil // a command that closed meanwhile is simply left out
		})
	}
	_ = g.Wait()
	for _, d := range details {
		for _, a := range d.Activities {
			out = append(out, runningActivity{
				WorkflowID: d.ID, WorkflowType: d.Type, ActivityID: a.ID, ActivityType: a.Type,
				State: a.State, Attempt: a.Attempt, Progress: a.Progress, LastHeartbeat: a.LastHeartbeat,
				LastFailure: a.LastFailure, Worker: a.Worker,
			})
		}
	}
	return out, nil
}
