package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"runtime"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/hub"
	"studio/internal/domain/inspect"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
	"studio/internal/temporal/progress"
)

// InspectRun streams a collection through the inspector, in parallel,
// heartbeating the documents seen, and records the result without touching
// the registered mapping.
func (a *Activities) InspectRun(ctx context.Context, in InspectInput) (InspectResult, error) {
	target, err := contract.ParseTarget(in.DataProvider)
	if err != nil {
		return InspectResult{}, nonRetryable("BadInput", err)
	}
	modes, err := in.Modes()
	if err != nil {
		return InspectResult{}, nonRetryable("BadInput", err)
	}
	coll := a.Src.C(target.Name)
	if target.Kind == "build" {
		coll = a.Target.C(target.Name)
	}
	total, err := coll.Count(ctx)
	if err != nil {
		return InspectResult{}, err
	}
	if total == 0 {
		return InspectResult{}, nonRetryable("Empty", fmt.Errorf("%s %s has no documents to inspect", target.Kind, target.Name))
	}
	started := time.Now()
	inspected := hub.Inspected{Build: target.Kind == "build", Name: target.Name}
	if err := a.records().InspectionStarted(ctx, inspected, hub.Now()); err != nil {
		return InspectResult{}, err
	}
	if in.Limit > 0 {
		total = min(total, in.Limit)
	}
	meter := progress.NewMeter("inspect", "docs", total)
	var seen atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, meter.At(seen.Load(), ""))
			}
		}
	}()
	res, err := inspect.Parallel(ctx, runtime.GOMAXPROCS(0), sampled(ctx, coll, in.Limit, in.Sample, &seen), modes...)
	if err != nil {
		_ = a.records().InspectionFailed(context.WithoutCancel(ctx), inspected, err.Error())
		return InspectResult{}, fmt.Errorf("inspect %s %s: %w", target.Kind, target.Name, err)
	}
	out := InspectResult{Target: target, Result: res, Time: time.Since(started).Round(time.Millisecond).Seconds()}
	var resDoc map[string]any
	b, _ := json.Marshal(res)
	_ = json.Unmarshal(b, &resDoc)
	err = a.records().InspectionDone(ctx, inspected, hub.Inspection{
		Mode: in.Mode, Results: resDoc, Time: out.Time, Count: res.Count, LastSuccess: hub.Now(),
	})
	return out, err
}

// sampled streams a collection, stopping at limit and keeping about a
// sample fraction of the documents (every n-th, so runs are repeatable).
func sampled(ctx context.Context, c docstore.Collection, limit int64, sample float64, seen *atomic.Int64) iter.Seq2[map[string]any, error] {
	every := int64(1)
	if sample > 0 && sample < 1 {
		every = int64(1 / sample)
	}
	return func(yield func(map[string]any, error) bool) {
		var i, kept int64
		for d, err := range c.Scan(ctx, docstore.ScanOptions{}) {
			if err != nil {
				yield(nil, err)
				return
			}
			i++
			if (i-1)%every != 0 {
				continue
			}
			kept++
			seen.Store(kept)
			if !yield(d, nil) || (limit > 0 && kept >= limit) {
				return
			}
		}
	}
}
