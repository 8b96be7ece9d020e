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
	if err := a.recordInspect(ctx, target, map[string]any{"status": "inspecting", "started_at": hub.Now(), "err": nil}); err != nil {
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
		_ = a.recordInspect(context.WithoutCancel(ctx), target, map[string]any{"status": hub.Failed, "err": err.Error()})
		return InspectResult{}, fmt.Errorf("inspect %s %s: %w", target.Kind, target.Name, err)
	}
	out := InspectResult{Target: target, Result: res, Time: time.Since(started).Round(time.Millisecond).Seconds()}
	var resDoc map[string]any
	b, _ := json.Marshal(res)
	_ = json.Unmarshal(b, &resDoc)
	err = a.recordInspect(ctx, target, map[string]any{
		"status": hub.Success, "mode": toAny(in.Mode), "results": resDoc, "time": out.Time, "count": res.Count, "last_success": hub.Now(),
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

// recordInspect writes fields under src_dump.<source>.inspect.jobs.<sub>
// for a sub-source, or src_build.<id>.inspect for a build.
func (a *Activities) recordInspect(ctx context.Context, t InspectTarget, fields map[string]any) error {
	set := map[string]any{}
	if t.Kind == "build" {
		for k, v := range fields {
			set["inspect."+k] = v
		}
		return a.Hub.C(hub.SrcBuild).Update(ctx, t.Name, set)
	}
	source := t.Name
	if m, err := a.Hub.C(hub.SrcMaster).Get(ctx, t.Name); err == nil {
		if s, _ := m["source"].(string); s != "" {
			source = s
		}
	}
	for k, v := range fields {
		set["inspect.jobs."+t.Name+"."+k] = v
	}
	return a.Hub.C(hub.SrcDump).Update(ctx, source, set)
}
