package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/progress"
)

// SelfCheckCollection is the hub collection the self-check writes to
// (hub.SelfCheck).
const SelfCheckCollection = hub.SelfCheck

// CheckStores writes a record for this workflow into the hub database,
// reads it back, and asks the search engine for its indexes: the smallest
// piece of work that proves the worker reaches every engine.
func (a *Activities) CheckStores(ctx context.Context, in SelfCheckInput) (SelfCheckResult, error) {
	info := activity.GetInfo(ctx)
	id := info.WorkflowExecution.ID
	meter := progress.NewMeter("selfcheck", "checks", 4)
	beat := func(done int64) { activity.RecordHeartbeat(ctx, meter.At(done, id)) }

	var res SelfCheckResult
	var err error
	beat(0)
	if res.Store, err = a.Hub.Info(ctx); err != nil {
		return res, fmt.Errorf("document store: %w", err)
	}
	c := a.Hub.C(SelfCheckCollection)
	rec := docstore.Doc{
		"_id":     id,
		"run_id":  info.WorkflowExecution.RunID,
		"note":    in.Note,
		"attempt": int64(info.Attempt),
		"at":      time.Now().UTC().Format(time.RFC3339Nano),
	}
	if err := c.Upsert(ctx, []docstore.Doc{rec}); err != nil {
		return res, fmt.Errorf("write %s/%s: %w", SelfCheckCollection, id, err)
	}
	beat(1)
	got, err := c.Get(ctx, id)
	if err != nil {
		return res, fmt.Errorf("read back %s/%s: %w", SelfCheckCollection, id, err)
	}
	if got["note"] != in.Note {
		return res, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("read back %s/%s: note is %v, wrote %q", SelfCheckCollection, id, got["note"], in.Note),
			"SelfCheckMismatch", nil)
	}
	res.RecordID = id
	if res.Records, err = c.Count(ctx); err != nil {
		return res, fmt.Errorf("count %s: %w", SelfCheckCollection, err)
	}
	beat(2)
	if res.Search, err = a.Search.Info(ctx); err != nil {
		return res, fmt.Errorf("search engine: %w", err)
	}
	idx, err := a.Search.ListIndexes(ctx)
	if err != nil {
		return res, fmt.Errorf("search engine: list indexes: %w", err)
	}
	res.Indexes = len(idx)
	beat(4)
	return res, nil
}
