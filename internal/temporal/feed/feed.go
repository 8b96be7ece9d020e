// Package feed turns what happens in the Temporal namespace into a stream of
// events for the live channel: workflows started, activities started, their
// heartbeat progress, retries, completions and failures. It reads Temporal
// (visibility, history and pending activities) rather than hooking into the
// worker, so workflows started from the temporal CLI or another process are
// seen too.
package feed

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"

	"studio/internal/temporal/commands"
)

// Event types.
const (
	WorkflowStarted   = "workflow.started"
	WorkflowCompleted = "workflow.completed"
	WorkflowFailed    = "workflow.failed"
	WorkflowCanceled  = "workflow.canceled"
	WorkflowEnded     = "workflow.ended" // terminated, timed out, continued as new
	ActivityStarted   = "activity.started"
	ActivityProgress  = "activity.progress"
	ActivityRetrying  = "activity.retrying"
	ActivityCompleted = "activity.completed"
	ActivityFailed    = "activity.failed"
)

// Event is one message of the live channel.
type Event struct {
	Op           string    `json:"op"` // always "event"
	Type         string    `json:"type"`
	WorkflowID   string    `json:"workflow_id"`
	RunID        string    `json:"run_id"`
	WorkflowType string    `json:"workflow_type"`
	ActivityID   string    `json:"activity_id,omitempty"`
	ActivityType string    `json:"activity_type,omitempty"`
	Attempt      int32     `json:"attempt,omitempty"`
	Progress     any       `json:"progress,omitempty"`
	Status       string    `json:"status,omitempty"`
	Error        string    `json:"error,omitempty"`
	Time         time.Time `json:"time"`
}

// Watcher polls a namespace and emits events.
type Watcher struct {
	Reader   commands.Reader
	Interval time.Duration // default 250 ms
	Emit     func(Event)
	Log      *slog.Logger
	// Active, when set, says whether anyone listens; while nobody does,
	// Temporal is not polled.
	Active func() bool

	runs map[string]*run
}

// run is what the watcher knows of one workflow run.
type run struct {
	wfType    string
	seen      int64                        // history events already turned into events
	scheduled map[int64]*commands.Activity // by scheduled event id
	started   map[string]bool              // activity id -> started emitted
	beats     map[string]time.Time         // activity id -> last heartbeat emitted
	attempts  map[string]int32             // activity id -> last attempt seen
	closedAt  time.Time
}

// Run watches until ctx ends. Workflows already running when it starts are
// followed from their next event; those already closed are not replayed.
func (w *Watcher) Run(ctx context.Context) {
	if w.Interval <= 0 {
		w.Interval = 250 * time.Millisecond
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	w.runs = map[string]*run{}
	since := time.Now()
	w.bootstrap(ctx)
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pollStart := time.Now()
		if w.Active != nil && !w.Active() {
			since = pollStart
			continue
		}
		if err := w.poll(ctx, since); err != nil && ctx.Err() == nil {
			w.Log.Debug("live feed poll", "err", err)
			continue
		}
		// Overlap windows: visibility may record a close a little late.
		since = pollStart.Add(-10 * time.Second)
		w.prune(pollStart)
	}
}

func key(e *workflowpb.WorkflowExecutionInfo) string {
	return e.GetExecution().GetWorkflowId() + "\x00" + e.GetExecution().GetRunId()
}

func newRun(wfType string) *run {
	return &run{
		wfType:    wfType,
		scheduled: map[int64]*commands.Activity{},
		started:   map[string]bool{},
		beats:     map[string]time.Time{},
		attempts:  map[string]int32{},
	}
}

// bootstrap marks what exists now as seen.
func (w *Watcher) bootstrap(ctx context.Context) {
	execs, err := w.Reader.Query(ctx, `ExecutionStatus = "Running"`, 1000)
	if err != nil {
		return
	}
	for _, e := range execs {
		r := newRun(e.GetType().GetName())
		r.seen = e.GetHistoryLength()
		w.runs[key(e)] = r
	}
}

func (w *Watcher) poll(ctx context.Context, since time.Time) error {
	running, err := w.Reader.Query(ctx, `ExecutionStatus = "Running"`, 1000)
	if err != nil {
		return err
	}
	closed, err := w.Reader.Query(ctx, fmt.Sprintf(`CloseTime > %q`, since.UTC().Format(time.RFC3339Nano)), 1000)
	if err != nil {
		return err
	}
	for _, e := range closed {
		w.follow(ctx, e, false)
	}
	for _, e := range running {
		w.follow(ctx, e, true)
	}
	return nil
}

// follow emits the new events of one run.
func (w *Watcher) follow(ctx context.Context, e *workflowpb.WorkflowExecutionInfo, running bool) {
	k := key(e)
	r := w.runs[k]
	if r == nil {
		r = newRun(e.GetType().GetName())
		w.runs[k] = r
	}
	if !r.closedAt.IsZero() {
		return
	}
	wid, rid := e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()
	if !running || e.GetHistoryLength() > r.seen {
		w.history(ctx, wid, rid, r)
	}
	if running && r.closedAt.IsZero() {
		w.pending(ctx, wid, rid, r)
	}
}

func (w *Watcher) base(typ, wid, rid string, r *run) Event {
	return Event{Op: "event", Type: typ, WorkflowID: wid, RunID: rid, WorkflowType: r.wfType, Time: time.Now().UTC()}
}

// history turns the run's new history events into events.
func (w *Watcher) history(ctx context.Context, wid, rid string, r *run) {
	it := w.Reader.C.GetWorkflowHistory(ctx, wid, rid, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			w.Log.Debug("live feed history", "workflow", wid, "err", err)
			return
		}
		if ev.GetEventId() <= r.seen {
			continue
		}
		r.seen = ev.GetEventId()
		w.historyEvent(ev, wid, rid, r)
	}
}

func (w *Watcher) historyEvent(ev *historypb.HistoryEvent, wid, rid string, r *run) {
	at := ev.GetEventTime().AsTime()
	emit := func(e Event) {
		e.Time = at
		w.Emit(e)
	}
	act := func(typ string, scheduledID int64) Event {
		e := w.base(typ, wid, rid, r)
		if a := r.scheduled[scheduledID]; a != nil {
			e.ActivityID, e.ActivityType = a.ID, a.Type
		}
		return e
	}
	startOnce := func(scheduledID int64) {
		a := r.scheduled[scheduledID]
		if a == nil || r.started[a.ID] {
			return
		}
		r.started[a.ID] = true
		emit(act(ActivityStarted, scheduledID))
	}
	switch {
	case ev.GetWorkflowExecutionStartedEventAttributes() != nil:
		emit(w.base(WorkflowStarted, wid, rid, r))
	case ev.GetActivityTaskScheduledEventAttributes() != nil:
		s := ev.GetActivityTaskScheduledEventAttributes()
		r.scheduled[ev.GetEventId()] = &commands.Activity{ID: s.GetActivityId(), Type: s.GetActivityType().GetName()}
	case ev.GetActivityTaskStartedEventAttributes() != nil:
		startOnce(ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId())
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		s := ev.GetActivityTaskCompletedEventAttributes()
		startOnce(s.GetScheduledEventId())
		e := act(ActivityCompleted, s.GetScheduledEventId())
		e.Progress = commands.DecodePayloads(s.GetResult())
		emit(e)
	case ev.GetActivityTaskFailedEventAttributes() != nil:
		s := ev.GetActivityTaskFailedEventAttributes()
		e := act(ActivityFailed, s.GetScheduledEventId())
		e.Error = commands.FailureText(s.GetFailure())
		emit(e)
	case ev.GetActivityTaskTimedOutEventAttributes() != nil:
		s := ev.GetActivityTaskTimedOutEventAttributes()
		e := act(ActivityFailed, s.GetScheduledEventId())
		e.Error = commands.FailureText(s.GetFailure())
		emit(e)
	case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
		e := w.base(WorkflowCompleted, wid, rid, r)
		e.Status = "completed"
		emit(e)
		r.closedAt = time.Now()
	case ev.GetWorkflowExecutionFailedEventAttributes() != nil:
		e := w.base(WorkflowFailed, wid, rid, r)
		e.Status, e.Error = "failed", commands.FailureText(ev.GetWorkflowExecutionFailedEventAttributes().GetFailure())
		emit(e)
		r.closedAt = time.Now()
	case ev.GetWorkflowExecutionCanceledEventAttributes() != nil:
		e := w.base(WorkflowCanceled, wid, rid, r)
		e.Status = "canceled"
		emit(e)
		r.closedAt = time.Now()
	case ev.GetWorkflowExecutionTerminatedEventAttributes() != nil,
		ev.GetWorkflowExecutionTimedOutEventAttributes() != nil,
		ev.GetWorkflowExecutionContinuedAsNewEventAttributes() != nil:
		e := w.base(WorkflowEnded, wid, rid, r)
		e.Status = endStatus(ev)
		emit(e)
		r.closedAt = time.Now()
	}
}

func endStatus(ev *historypb.HistoryEvent) string {
	switch {
	case ev.GetWorkflowExecutionTerminatedEventAttributes() != nil:
		return "terminated"
	case ev.GetWorkflowExecutionTimedOutEventAttributes() != nil:
		return "timed_out"
	default:
		return "continued_as_new"
	}
}

// pending emits activity starts, heartbeat progress and retries that the
// history does not show yet.
func (w *Watcher) pending(ctx context.Context, wid, rid string, r *run) {
	d, err := w.Reader.C.DescribeWorkflowExecution(ctx, wid, rid)
	if err != nil {
		return
	}
	for _, pa := range d.GetPendingActivities() {
		a := commands.FromPending(pa)
		if a.State != "started" {
			continue
		}
		base := func(typ string) Event {
			e := w.base(typ, wid, rid, r)
			e.ActivityID, e.ActivityType, e.Attempt = a.ID, a.Type, a.Attempt
			return e
		}
		if prev, ok := r.attempts[a.ID]; ok && a.Attempt > prev {
			e := base(ActivityRetrying)
			e.Error = a.LastFailure
			w.Emit(e)
		}
		r.attempts[a.ID] = a.Attempt
		if !r.started[a.ID] {
			r.started[a.ID] = true
			w.Emit(base(ActivityStarted))
		}
		if a.LastHeartbeat != nil && a.Progress != nil && a.LastHeartbeat.After(r.beats[a.ID]) {
			r.beats[a.ID] = *a.LastHeartbeat
			e := base(ActivityProgress)
			e.Progress = a.Progress
			w.Emit(e)
		}
	}
}

// prune forgets runs closed more than a minute ago.
func (w *Watcher) prune(now time.Time) {
	for k, r := range w.runs {
		if !r.closedAt.IsZero() && now.Sub(r.closedAt) > time.Minute {
			delete(w.runs, k)
		}
	}
}
