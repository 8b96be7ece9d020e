// Package commands reads the Studio's commands, which are the Temporal
// workflow executions of its namespace, from Temporal itself: visibility for
// the list, history for failures, and pending activities for live progress.
// Workflows started from the temporal CLI are commands like any other.
package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ErrNotFound is returned for an unknown command id.
var ErrNotFound = errors.New("command not found")

// Command is one workflow execution as the hub API shows it.
type Command struct {
	ID        string     `json:"id"`
	RunID     string     `json:"run_id"`
	Type      string     `json:"type"`
	Status    string     `json:"status"` // running, completed, failed, canceled, terminated, timed_out, continued_as_new
	TaskQueue string     `json:"task_queue,omitempty"`
	StartTime time.Time  `json:"start_time"`
	CloseTime *time.Time `json:"close_time,omitempty"`
	// Duration is in seconds, up to now for a running command.
	Duration   float64    `json:"duration"`
	Failure    string     `json:"failure,omitempty"`
	Activities []Activity `json:"activities,omitempty"`
	Result     any        `json:"result,omitempty"`
}

// Activity is a pending activity of a running command.
type Activity struct {
	ID            string     `json:"id"`
	Type          string     `json:"type"`
	State         string     `json:"state"` // scheduled, started, cancel_requested, paused
	Attempt       int32      `json:"attempt"`
	Progress      any        `json:"progress,omitempty"` // last heartbeat details
	LastHeartbeat *time.Time `json:"last_heartbeat,omitempty"`
	LastFailure   string     `json:"last_failure,omitempty"`
	Worker        string     `json:"worker,omitempty"`
}

// Reader reads commands from one namespace.
type Reader struct {
	C         client.Client
	Namespace string
}

// ListOptions filter a listing.
type ListOptions struct {
	Running bool   // running commands only
	Type    string // one workflow type only
	Limit   int    // at most this many (default 100, max 1000)
}

// List returns commands, newest first.
func (r Reader) List(ctx context.Context, opts ListOptions) ([]Command, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var where []string
	if opts.Running {
		where = append(where, `ExecutionStatus = "Running"`)
	}
	if opts.Type != "" {
		where = append(where, fmt.Sprintf("WorkflowType = %q", opts.Type))
	}
	execs, err := r.Query(ctx, strings.Join(where, " AND "), limit)
	if err != nil {
		return nil, err
	}
	out := make([]Command, 0, len(execs))
	for _, e := range execs {
		cmd := FromInfo(e)
		if cmd.Status == "failed" || cmd.Status == "timed_out" || cmd.Status == "terminated" {
			cmd.Failure = r.closeFailure(ctx, cmd.ID, cmd.RunID)
		}
		out = append(out, cmd)
	}
	return out, nil
}

// Query returns up to limit executions matching a visibility query.
func (r Reader) Query(ctx context.Context, query string, limit int) ([]*workflowpb.WorkflowExecutionInfo, error) {
	var out []*workflowpb.WorkflowExecutionInfo
	var token []byte
	for len(out) < limit {
		resp, err := r.C.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace:     r.Namespace,
			PageSize:      int32(min(limit-len(out), 1000)),
			NextPageToken: token,
			Query:         query,
		})
		if err != nil {
			return nil, fmt.Errorf("list workflows %q: %w", query, err)
		}
		out = append(out, resp.Executions...)
		token = resp.NextPageToken
		if len(token) == 0 {
			break
		}
	}
	return out, nil
}

// Get describes one command (its latest run), with pending activities and,
// once closed, its result or failure.
func (r Reader) Get(ctx context.Context, id string) (Command, error) {
	d, err := r.C.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return Command{}, fmt.Errorf("%w: %q", ErrNotFound, id)
		}
		return Command{}, fmt.Errorf("describe command %q: %w", id, err)
	}
	cmd := FromInfo(d.WorkflowExecutionInfo)
	for _, pa := range d.PendingActivities {
		cmd.Activities = append(cmd.Activities, FromPending(pa))
	}
	if cmd.CloseTime != nil {
		cmd.Result, cmd.Failure = r.closeOutcome(ctx, cmd.ID, cmd.RunID)
	}
	return cmd, nil
}

// FromInfo converts a visibility record.
func FromInfo(e *workflowpb.WorkflowExecutionInfo) Command {
	cmd := Command{
		ID:        e.GetExecution().GetWorkflowId(),
		RunID:     e.GetExecution().GetRunId(),
		Type:      e.GetType().GetName(),
		Status:    Status(e.GetStatus()),
		TaskQueue: e.GetTaskQueue(),
		StartTime: e.GetStartTime().AsTime(),
	}
	end := time.Now()
	if e.GetCloseTime() != nil && e.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		ct := e.GetCloseTime().AsTime()
		cmd.CloseTime = &ct
		end = ct
	}
	cmd.Duration = end.Sub(cmd.StartTime).Seconds()
	return cmd
}

// FromPending converts a pending activity.
func FromPending(pa *workflowpb.PendingActivityInfo) Activity {
	a := Activity{
		ID:          pa.GetActivityId(),
		Type:        pa.GetActivityType().GetName(),
		State:       strings.ToLower(strings.TrimPrefix(pa.GetState().String(), "PENDING_ACTIVITY_STATE_")),
		Attempt:     pa.GetAttempt(),
		Progress:    DecodePayloads(pa.GetHeartbeatDetails()),
		LastFailure: FailureText(pa.GetLastFailure()),
		Worker:      pa.GetLastWorkerIdentity(),
	}
	if pa.GetLastHeartbeatTime() != nil {
		t := pa.GetLastHeartbeatTime().AsTime()
		a.LastHeartbeat = &t
	}
	return a
}

// Status names a workflow status the way the hub API shows it.
func Status(s enumspb.WorkflowExecutionStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_"))
}

// DecodePayloads decodes JSON payloads: one payload gives its value, several
// a list, none nil. Payloads that are not JSON are shown as their encoding.
func DecodePayloads(p *commonpb.Payloads) any {
	if p == nil || len(p.Payloads) == 0 {
		return nil
	}
	vals := make([]any, 0, len(p.Payloads))
	for _, pl := range p.Payloads {
		var v any
		if err := json.Unmarshal(pl.GetData(), &v); err != nil {
			v = fmt.Sprintf("<%s payload>", pl.GetMetadata()["encoding"])
		}
		vals = append(vals, v)
	}
	if len(vals) == 1 {
		return vals[0]
	}
	return vals
}

// FailureText is a failure as people read it: each message of the chain
// once, without Temporal's wrapping. Temporal's generic wrappers ("activity
// error", "child workflow execution error") and the details its errors add
// ("(type: BadPlugin, retryable: false)", event ids, identities) are
// dropped, and a message already said by its wrapper is not said again, so
// an upload that fails reads "upload cgi: source cgi: manifest.json: ...".
func FailureText(f *failurepb.Failure) string {
	var text string
	for ; f != nil; f = f.GetCause() {
		if f.GetActivityFailureInfo() != nil || f.GetChildWorkflowExecutionFailureInfo() != nil {
			continue
		}
		m := cleanFailure(f.GetMessage())
		switch {
		case m == "" || strings.Contains(text, m):
		case text == "":
			text = m
		default:
			text += ": " + m
		}
	}
	return text
}

// ErrorText is FailureText for an error a Temporal client or workflow
// returned (a workflow's failure seen through WorkflowRun.Get, an
// application error): the message people should read.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	return FailureText(temporal.GetDefaultFailureConverter().ErrorToFailure(err))
}

var (
	// appDetail is what Temporal's application errors add to a message.
	appDetail = regexp.MustCompile(` \(type: [^()]*, retryable: (?:true|false)\)`)
	// wrapper is one of Temporal's generic wrappers, with its details.
	wrapper = regexp.MustCompile(`(?:child workflow execution|workflow execution|activity) error(?: \([^()]*\))?(?:: |$)`)
)

// cleanFailure removes Temporal's wrapping from one message. An application
// error's text is "<message> (type: T, retryable: R): <cause>", where a
// wrapped Go error's message already ends with its cause: that cause is
// then said once.
func cleanFailure(m string) string {
	loc := appDetail.FindStringIndex(m)
	if loc == nil {
		return strings.TrimSpace(wrapper.ReplaceAllString(m, ""))
	}
	left := strings.TrimSpace(wrapper.ReplaceAllString(m[:loc[0]], ""))
	rest, ok := strings.CutPrefix(m[loc[1]:], ": ")
	if !ok {
		return left + cleanFailure(m[loc[1]:])
	}
	right := cleanFailure(rest)
	switch {
	case right == "" || strings.HasSuffix(left, right):
		return left
	case left == "" || strings.HasPrefix(right, left):
		return right
	}
	return left + ": " + right
}

func (r Reader) closeFailure(ctx context.Context, id, runID string) string {
	_, failure := r.closeOutcome(ctx, id, runID)
	return failure
}

// closeOutcome reads the close event of a run: its result or its failure.
func (r Reader) closeOutcome(ctx context.Context, id, runID string) (any, string) {
	it := r.C.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, "reading history: " + err.Error()
		}
		switch {
		case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
			return DecodePayloads(ev.GetWorkflowExecutionCompletedEventAttributes().GetResult()), ""
		case ev.GetWorkflowExecutionFailedEventAttributes() != nil:
			return nil, FailureText(ev.GetWorkflowExecutionFailedEventAttributes().GetFailure())
		case ev.GetWorkflowExecutionTimedOutEventAttributes() != nil:
			return nil, "workflow timed out"
		case ev.GetWorkflowExecutionTerminatedEventAttributes() != nil:
			a := ev.GetWorkflowExecutionTerminatedEventAttributes()
			return nil, strings.TrimSpace("terminated " + a.GetReason())
		case ev.GetWorkflowExecutionCanceledEventAttributes() != nil:
			return nil, "canceled"
		}
	}
	return nil, ""
}
