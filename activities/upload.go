package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
	"studio/internal/domain/tableparse"
	"studio/internal/domain/uploadstore"
	"studio/internal/temporal/progress"
)

// UploadPlan names the uploaders of a source and the data they read.
type UploadPlan struct {
	Source     string   `json:"source"`
	Release    string   `json:"release"`
	DataFolder string   `json:"data_folder"`
	Subs       []string `json:"subs"`
	// Holder is the worker holding the dumped files.
	Holder Holder `json:"holder,omitempty"`
	// Parallel names the uploaders with a parallelizer.
	Parallel []string `json:"parallel,omitempty"`
}

// UploadPrepare checks that the source has a successful dump and lists the
// uploaders to run.
func (a *Activities) UploadPrepare(ctx context.Context, in UploadInput) (UploadPlan, error) {
	m, err := a.loadManifest(ctx, in.Source)
	if err != nil {
		return UploadPlan{}, err
	}
	rec, err := a.records().Source(ctx, in.Source)
	if err != nil {
		return UploadPlan{}, nonRetryable("NoSource", err)
	}
	plan := UploadPlan{Source: in.Source, Release: rec.Download.Release, DataFolder: rec.Download.DataFolder}
	if rec.Download.Status != hub.Success || plan.DataFolder == "" {
		return plan, nonRetryable("NotDumped", fmt.Errorf("source %s has no successful dump to upload: dump it first", in.Source))
	}
	for _, u := range m.Uploaders {
		if in.Sub == "" || in.Sub == u.Name {
			plan.Subs = append(plan.Subs, u.Name)
			if u.Parallelizer != "" {
				plan.Parallel = append(plan.Parallel, u.Name)
			}
		}
	}
	if len(plan.Subs) == 0 {
		return plan, nonRetryable("NoUploader", fmt.Errorf("source %s has no uploader named %q", in.Source, in.Sub))
	}
	plan.Holder, err = a.FilesAt(ctx, DumpFilesKey(in.Source))
	return plan, err
}

func findUploader(m *manifest.Manifest, sub string) (manifest.Uploader, bool) {
	for _, u := range m.Uploaders {
		if u.Name == sub {
			return u, true
		}
	}
	return manifest.Uploader{}, false
}

// UploadRun parses one uploader's data and stores it: into a temp
// collection, then switched live. It heartbeats the documents stored and
// its temp collection, and a retry after a crash resumes from there.
func (a *Activities) UploadRun(ctx context.Context, in UploadSubInput) (UploadResult, error) {
	started := time.Now()
	var last progress.Progress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &last)
	}
	// The beat starts at once: reading an advanced plugin and its mapping
	// function start Python (and whatever it imports) before the first
	// document. Until then it repeats the previous attempt's progress,
	// which holds its resume point.
	beat := keepBeating(ctx, last)
	defer beat.close()
	m, err := a.loadManifest(ctx, in.Source)
	if err != nil {
		return UploadResult{}, err
	}
	up, ok := findUploader(m, in.Sub)
	if !ok {
		return UploadResult{}, nonRetryable("NoUploader", fmt.Errorf("source %s has no uploader %q", in.Source, in.Sub))
	}
	if up.Parallelizer != "" {
		return UploadResult{}, nonRetryable("Parallelizer", fmt.Errorf(`source %s, uploader %s has a parallelizer (%s): its jobs run as UploadJob activities; start the Upload workflow, or UploadSub with "parallel": true`, in.Source, in.Sub, up.Parallelizer))
	}
	// The manifest's mapping function runs first: a broken one fails the
	// upload before anything is stored.
	var mapping map[string]any
	if up.Mapping != "" {
		mapping, err = pyparser.CallMapping(ctx, a.pySpec(in.Source, up.Mapping, m))
		if err != nil {
			return UploadResult{}, nonRetryable("BadMapping", fmt.Errorf("source %s, uploader %s: mapping function %s: %w", in.Source, in.Sub, up.Mapping, err))
		}
	}
	if up.Kind == pyparser.UploaderDummy {
		return a.uploadDummy(ctx, in, m, mapping, started)
	}
	opts := uploadstore.Options{OnDuplicates: up.OnDuplicates}
	if last.Resume != "" {
		opts.Resume, opts.ResumeAfter = last.Resume, last.Done
		a.log().Info("upload resumes", "source", in.Source, "sub", in.Sub, "temp", last.Resume, "after", last.Done)
	}
	if err := a.records().UploadStarted(ctx, in.Source, in.Sub, hub.UploadJob{Release: in.Release, DataFolder: in.DataFolder, StartedAt: hub.Now()}); err != nil {
		return UploadResult{}, err
	}
	w, err := uploadstore.NewWriter(ctx, a.Src, in.Sub, opts)
	if err != nil {
		return UploadResult{}, fmt.Errorf("source %s: %w", in.Source, err)
	}
	meter := progress.NewMeter("upload", "docs", 0)
	lastBeat := time.Time{}
	emit := func(doc map[string]any) error {
		if err := w.Add(ctx, doc); err != nil {
			return err
		}
		if now := time.Now(); now.Sub(lastBeat) > time.Second {
			lastBeat = now
			temp, done := w.Position()
			beat.set(meter.At(done, temp))
		}
		return nil
	}
	if err := a.parse(ctx, in, m, up, emit); err != nil {
		return UploadResult{}, a.uploadFailed(ctx, in, w, err)
	}
	if err := w.Flush(ctx); err != nil {
		return UploadResult{}, a.uploadFailed(ctx, in, w, err)
	}
	stats, err := w.Switch(ctx)
	if err != nil {
		return UploadResult{}, a.uploadFailed(ctx, in, w, err)
	}
	res := UploadResult{Sub: in.Sub, Count: stats.Stored, Stats: stats, Duration: time.Since(started).Round(time.Millisecond).Seconds()}
	if err := a.recordUpload(ctx, in, m, res, mapping); err != nil {
		return res, err
	}
	return res, nil
}

// uploadDummy records a DummySourceUploader's source: its data is what its
// collection holds already, nothing is parsed or stored.
func (a *Activities) uploadDummy(ctx context.Context, in UploadSubInput, m *manifest.Manifest, mapping map[string]any, started time.Time) (UploadResult, error) {
	n, err := a.Src.C(in.Sub).Count(ctx)
	if err != nil {
		return UploadResult{}, fmt.Errorf("source %s, uploader %s: counting its collection: %w", in.Source, in.Sub, err)
	}
	res := UploadResult{Sub: in.Sub, Count: n, Stats: uploadstore.Stats{Stored: n}, Duration: time.Since(started).Round(time.Millisecond).Seconds()}
	return res, a.recordUpload(ctx, in, m, res, mapping)
}

// parse runs the uploader's parser, Python or declarative, into emit.
func (a *Activities) parse(ctx context.Context, in UploadSubInput, m *manifest.Manifest, up manifest.Uploader, emit func(map[string]any) error) error {
	if up.Parser.Spec != nil {
		spec, err := tableparse.ParseSpec(up.Parser.Spec)
		if err != nil {
			return nonRetryable("BadParser", err)
		}
		_, err = tableparse.Run(ctx, spec, in.DataFolder, tableparse.Options{}, emit)
		return err
	}
	spec := a.subSpec(in, m, up.Parser.Func, up.ParserKwargs)
	if up.Class != "" {
		// An advanced plugin's uploader class: its load_data runs in the runner.
		spec.Func = up.Class
		_, err := pyparser.RunUploader(ctx, spec, up.Kind, in.DataFolder, a.Parser, emit)
		return err
	}
	if err := pyparser.CheckRequires(ctx, spec); err != nil {
		return nonRetryable("MissingRequires", err)
	}
	_, err := pyparser.Run(ctx, spec, in.DataFolder, a.Parser, emit)
	return err
}

// uploadFailed records the failure. Failures a retry cannot fix drop the
// temp collection and are marked non-retryable; others keep it for the
// retry to resume into. The live collection is untouched either way.
func (a *Activities) uploadFailed(ctx context.Context, in UploadSubInput, w *uploadstore.Writer, err error) error {
	var dup *uploadstore.DuplicateIDError
	permanent := pyparser.IsParserError(err) || errors.As(err, &dup) || errors.Is(err, uploadstore.ErrNoDocuments) || isNonRetryable(err)
	err = fmt.Errorf("source %s, uploader %s: %w", in.Source, in.Sub, err)
	_ = a.records().UploadFailed(context.WithoutCancel(ctx), in.Source, in.Sub, err.Error())
	if !permanent {
		return err
	}
	_ = w.Abort(context.WithoutCancel(ctx))
	return nonRetryable("UploadFailed", err)
}

// recordUpload writes the job's success and the sub-source's src_master.
func (a *Activities) recordUpload(ctx context.Context, in UploadSubInput, m *manifest.Manifest, res UploadResult, mapping map[string]any) error {
	err := a.records().UploadDone(ctx, in.Source, in.Sub, hub.UploadJob{
		Count: res.Count, Time: res.Duration, LastSuccess: hub.Now(),
		Rejected: res.Stats.Rejected, RejectSamples: res.Stats.RejectSamples,
	})
	if err != nil {
		return err
	}
	plug, err := a.records().Plugin(ctx, in.Source)
	if err != nil {
		return err
	}
	meta := map[string]any{}
	srcMeta := m.Metadata
	if up, ok := findUploader(m, in.Sub); ok && up.Metadata != nil {
		srcMeta = up.Metadata // an advanced plugin's uploader class has its own __metadata__
	}
	for k, v := range srcMeta {
		meta[k] = v
	}
	meta["code"] = map[string]any{
		"repo": plug.Plugin.URL, "url": plug.Plugin.URL,
		"commit": plug.Plugin.Commit, "branch": plug.Plugin.Branch,
	}
	// An update, not a replacement: src_master also holds the registered
	// mapping, which only the manifest's mapping function or a commit sets.
	return a.records().SubUploaded(ctx, hub.Master{
		ID: in.Sub, Name: in.Sub, Source: in.Source, Timestamp: hub.Now(),
		Release: in.Release, Count: res.Count, SrcMeta: meta, Mapping: mapping,
	})
}
