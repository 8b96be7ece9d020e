package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"studio/internal/domain/manifest"
	"studio/internal/temporal/contract"
)

// syncSchedule makes the source's dump schedule match the manifest: created
// or updated for a cron expression (keeping a pause), deleted for "".
func (a *Activities) syncSchedule(ctx context.Context, source, cron string) error {
	if a.Temporal == nil {
		return errors.New("schedules need a Temporal client in the worker")
	}
	sc := a.Temporal.ScheduleClient()
	id := contract.DumpID(source)
	h := sc.GetHandle(ctx, id)
	if cron == "" {
		err := h.Delete(ctx)
		var nf *serviceerror.NotFound
		if err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("delete schedule %s: %w", id, err)
		}
		return nil
	}
	spec := client.ScheduleSpec{CronExpressions: []string{manifest.TemporalCron(cron)}}
	action := &client.ScheduleWorkflowAction{
		ID: id, Workflow: contract.DumpName, TaskQueue: a.TaskQueue,
		Args: []any{DumpInput{Source: source}},
	}
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID: id, Spec: spec, Action: action,
		Note: fmt.Sprintf("dump of %s on the manifest's schedule %q", source, cron),
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec = &spec
			s.Action = action
			return &client.ScheduleUpdate{Schedule: &s}, nil
		}})
	}
	if err != nil {
		return fmt.Errorf("schedule %s (%q): %w", id, cron, err)
	}
	return nil
}
