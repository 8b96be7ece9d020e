package commands

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func chain(msgs ...string) *failurepb.Failure {
	var f *failurepb.Failure
	for i := len(msgs) - 1; i >= 0; i-- {
		f = &failurepb.Failure{Message: msgs[i], Cause: f}
	}
	return f
}

func TestFailureText(t *testing.T) {
	tests := []struct {
		name string
		f    *failurepb.Failure
		want string
	}{
		{"none", nil, ""},
		{"one", chain("boom"), "boom"},
		{"distinct causes", chain("upload cgi", "disk full"), "upload cgi: disk full"},
		{"cause repeated", chain("boom", "boom"), "boom"},
		{"cause quoted by its wrapper", chain("source x: parser killed", "parser killed"), "source x: parser killed"},
		{"empty messages", chain("", "boom", ""), "boom"},
		{"generic wrappers dropped", chain("activity error", "child workflow execution error", "boom"), "boom"},
		{"application details dropped", chain("source x: bad (type: BadPlugin, retryable: false)"), "source x: bad"},
		{"wrapper with details in a message", chain("upload cgi: activity error (type: UploadRun, scheduledEventID: 5, startedEventID: 6, identity: 7@host@): source x: bad (type: BadPlugin, retryable: false)"), "upload cgi: source x: bad"},
		{"a cause said once", chain("source x: disk full (type: wrapError, retryable: true): disk full"), "source x: disk full"},
		{"a cause added to the message", chain("upload (type: wrapError, retryable: true): disk full"), "upload: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FailureText(tt.f); got != tt.want {
				t.Fatalf("FailureText = %q, want %q", got, tt.want)
			}
		})
	}
}

// The failures Temporal records for real workflows: activities failing
// with an application error or a wrapped Go error, seen from the workflow
// that runs them and from a parent that runs that workflow as a child.
func badPluginActivity(context.Context) error {
	return temporal.NewNonRetryableApplicationError("source x: manifest.json: $.dumper: data_url is required", "BadPlugin", nil)
}

func diskFullActivity(context.Context) error {
	return fmt.Errorf("source x: writing batch 3: %w", errors.New("disk full"))
}

func stepWorkflow(ctx workflow.Context, which string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	act := any(badPluginActivity)
	if which == "disk" {
		act = diskFullActivity
	}
	if err := workflow.ExecuteActivity(ctx, act).Get(ctx, nil); err != nil {
		return fmt.Errorf("upload cgi: %w", err)
	}
	return nil
}

func parentWorkflow(ctx workflow.Context, which string) error {
	return workflow.ExecuteChildWorkflow(ctx, stepWorkflow, which).Get(ctx, nil)
}

func TestFailureTextOfTemporalFailures(t *testing.T) {
	tests := []struct {
		name     string
		workflow any
		which    string
		want     string
	}{
		{"application error", stepWorkflow, "plugin", "upload cgi: source x: manifest.json: $.dumper: data_url is required"},
		{"application error in a child", parentWorkflow, "plugin", "upload cgi: source x: manifest.json: $.dumper: data_url is required"},
		{"wrapped Go error", stepWorkflow, "disk", "upload cgi: source x: writing batch 3: disk full"},
		{"wrapped Go error in a child", parentWorkflow, "disk", "upload cgi: source x: writing batch 3: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			env.RegisterActivity(badPluginActivity)
			env.RegisterActivity(diskFullActivity)
			env.RegisterWorkflow(stepWorkflow)
			env.ExecuteWorkflow(tt.workflow, tt.which)
			var we *temporal.WorkflowExecutionError
			if !errors.As(env.GetWorkflowError(), &we) {
				t.Fatalf("workflow error %v, want a failure", env.GetWorkflowError())
			}
			// What the history records: the workflow's own error.
			f := temporal.GetDefaultFailureConverter().ErrorToFailure(errors.Unwrap(we))
			if got := FailureText(f); got != tt.want {
				t.Fatalf("FailureText = %q, want %q", got, tt.want)
			}
		})
	}
}
