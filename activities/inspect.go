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

	"studio/internal/docstore"
	"studio/internal/hub"
	"studio/internal/inspect"
	"studio/internal/progress"
)

// InspectInput is the input of the Inspect workflow. DataProvider is
// ["src", "<sub-source>"] or a build id, as in BioThings.
type InspectInput struct {
	DataProvider json.RawMessage `json:"data_provider"`
	Mode         []string        `json:"mode,omitempty"`   // type, stats, mapping (default mapping)
	Limit        int64           `json:"limit,omitempty"`  // inspect at most this many documents
	Sample       float64         `json:"sample,omitempty"` // inspect about this fraction (0 < x <= 1)
}

// InspectTarget is where an inspection reads and records.
type InspectTarget struct {
	Kind string `json:"kind"` // "src" or "build"
	Name string `json:"name"` // sub-source or build id
}

// ParseTarget reads a data_provider: ["src", name] or "<build id>".
func ParseTarget(raw json.RawMessage) (InspectTarget, error) {
	var pair []string
	if err := json.Unmarshal(raw, &pair); err == nil {
		if len(pair) == 2 && pair[0] == "src" && pair[1] != "" {
			return InspectTarget{Kind: "src", Name: pair[1]}, nil
		}
		return InspectTarget{}, fmt.Errorf(`data_provider %s: want ["src", "<source>"] or a build id`, raw)
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" {
		return InspectTarget{}, fmt.Errorf(`data_provider %s: want ["src", "<source>"] or a build id`, raw)
	}
	return InspectTarget{Kind: "build", Name: id}, nil
}

// Modes returns the inspection modes, checked.
func (in InspectInput) Modes() ([]inspect.Mode, error) {
	if len(in.Mode) == 0 {
		return []inspect.Mode{"mapping"}, nil
	}
	var out []inspect.Mode
	for _, m := range in.Mode {
		switch m {
		case "type", "stats", "mapping":
			out = append(out, inspect.Mode(m))
		default:
			return nil, fmt.Errorf("mode %q: want type, stats or mapping", m)
		}
	}
	return out, nil
}

// InspectResult is what an inspection found.
type InspectResult struct {
	Target InspectTarget  `json:"target"`
	Result inspect.Result `json:"result"`
	Time   float64        `json:"time"`
}

// InspectRun streams a collection through the inspector, in parallel,
// heartbeating the documents seen, and records the result without touching
// the registered mapping.
func (a *Activities) InspectRun(ctx context.Context, in InspectInput) (InspectResult, error) {
	target, err := ParseTarget(in.DataProvider)
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
