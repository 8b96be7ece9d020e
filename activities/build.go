package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/buildconf"
	"studio/internal/domain/hub"
	"studio/internal/domain/merge"
)

// BuildPlan is the merge order of a build.
type BuildPlan struct {
	BuildID   string   `json:"build_id"`
	Root      []string `json:"root"`
	Others    []string `json:"others"`
	StartedAt string   `json:"started_at"`
}

// MergeInput merges one source into a build.
type MergeInput struct {
	BuildID string `json:"build_id"`
	Source  string `json:"source"`
	Root    bool   `json:"root"`
	First   bool   `json:"first"` // the first root source: the target is empty
}

// BuildFinishInput closes a build.
type BuildFinishInput struct {
	Input BuildInput             `json:"input"`
	Plan  BuildPlan              `json:"plan"`
	Stats map[string]merge.Stats `json:"stats"`
}

// BuildPrepare validates the configuration against the sources as they are
// now and records the build in src_build.
func (a *Activities) BuildPrepare(ctx context.Context, in BuildInput) (BuildPlan, error) {
	conf, err := buildconf.Load(ctx, a.Hub, in.Config)
	if err != nil {
		return BuildPlan{}, nonRetryable("NoBuildConfig", err)
	}
	known, err := hub.KnownSources(ctx, a.Hub)
	if err != nil {
		return BuildPlan{}, err
	}
	if err := conf.Validate(known); err != nil {
		return BuildPlan{}, nonRetryable("BadBuildConfig", fmt.Errorf("build configuration %s: %w", conf.Name, err))
	}
	root, others, _ := merge.Config{Sources: conf.Sources, Root: conf.Root}.Roots()
	plan := BuildPlan{BuildID: in.BuildID, Root: root, Others: others, StartedAt: hub.Now()}
	rec, err := conf.Record()
	if err != nil {
		return plan, nonRetryable("BadBuildConfig", err)
	}
	err = a.records().BuildStarted(ctx, in.BuildID, rec, in.Version, plan.StartedAt)
	return plan, err
}

// BuildMerge merges one source into the build's collection, heartbeating
// its progress; a retry resumes after the last _id written.
func (a *Activities) BuildMerge(ctx context.Context, in MergeInput) (merge.Stats, error) {
	opts := merge.Options{Root: in.Root, CreateNew: in.First}
	var last merge.Stats
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &last) == nil {
		opts.After = last.LastID
	}
	// A slow store (one batch taking longer than the heartbeat timeout)
	// must not pass for a dead worker: the last progress is repeated.
	beat := keepBeating(ctx, last)
	opts.Progress = func(s merge.Stats) { beat.set(s) }
	st, err := merge.Source(ctx, a.Src.C(in.Source), a.Target.C(in.BuildID), opts)
	beat.close()
	if err != nil {
		return st, fmt.Errorf("build %s: merge %s: %w", in.BuildID, in.Source, err)
	}
	// Counts of a resumed run add to those of the attempt before it.
	st.Read += last.Read
	st.Created += last.Created
	st.Updated += last.Updated
	st.Skipped += last.Skipped
	return st, nil
}

// BuildFinish records the merged mapping, the _meta and the counts.
func (a *Activities) BuildFinish(ctx context.Context, in BuildFinishInput) (BuildResult, error) {
	conf, err := buildconf.Load(ctx, a.Hub, in.Input.Config)
	if err != nil {
		return BuildResult{}, nonRetryable("NoBuildConfig", err)
	}
	total, err := a.Target.C(in.Input.BuildID).Count(ctx)
	if err != nil {
		return BuildResult{}, err
	}
	mappings := map[string]map[string]any{}
	srcMeta := map[string]any{}
	mergeStats := map[string]int64{}
	for _, s := range conf.Sources {
		master, err := a.records().Master(ctx, s)
		if err != nil {
			return BuildResult{}, err
		}
		mappings[s] = master.Mapping
		st := in.Stats[s]
		mergeStats[s] = st.Created + st.Updated
		srcMeta[s] = a.sourceMeta(ctx, s, master)
	}
	mapping, err := merge.Mappings(conf.Sources, mappings)
	if err != nil {
		return BuildResult{}, nonRetryable("NoMapping", err)
	}
	now := time.Now().UTC()
	meta := conf.BuildMeta(map[string]any{
		"biothing_type": conf.DocType,
		"src":           srcMeta,
		"stats":         map[string]any{"total": total},
		"build_version": in.Input.Version,
		"build_date":    now.Format(time.RFC3339),
	})
	started, _ := time.Parse(time.RFC3339, in.Plan.StartedAt)
	err = a.records().BuildFinished(ctx, in.Input.BuildID, hub.Build{
		Count: total, MergeStats: mergeStats, Mapping: mapping, Meta: meta,
		Jobs: []hub.BuildJob{{Step: "merge", Status: hub.Success, StartedAt: in.Plan.StartedAt,
			Time: now.Sub(started).Round(time.Millisecond).Seconds()}},
		FinishedAt: now.Format(time.RFC3339),
	})
	return BuildResult{BuildID: in.Input.BuildID, Total: total, MergeStats: mergeStats}, err
}

// sourceMeta is one source's entry of a build's _meta.src.
func (a *Activities) sourceMeta(ctx context.Context, sub string, master hub.Master) map[string]any {
	m := map[string]any{"version": master.Release, "upload_date": master.Timestamp,
		"stats": map[string]any{sub: master.Count}}
	for _, k := range []string{"license", "license_url", "url", "code"} {
		if v, ok := master.SrcMeta[k]; ok {
			m[k] = v
		}
	}
	if master.Source != "" {
		if d, err := a.records().Source(ctx, master.Source); err == nil {
			m["download_date"] = d.Download.LastSuccess
		}
	}
	return m
}

// BuildFailedInput records a failed build.
type BuildFailedInput struct {
	BuildID string `json:"build_id"`
	Err     string `json:"err"`
}

// BuildFailed records the failure of a build.
func (a *Activities) BuildFailed(ctx context.Context, in BuildFailedInput) error {
	return a.records().BuildFailed(ctx, in.BuildID, in.Err)
}
