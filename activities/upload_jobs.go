package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
	"studio/internal/domain/uploadstore"
	"studio/internal/temporal/progress"
)

// A parallel upload: an uploader with a "parallelizer" runs its parser once
// per job the parallelizer lists (UploadJobs), as parallel UploadJob
// activities writing into one temp collection, which UploadFinish makes
// live; UploadAbort drops it when the upload fails.

// MaxUploadJobs and MaxUploadJobsBytes bound what one parallelizer may
// list: the jobs' arguments travel through the workflow's history, in one
// payload (Temporal refuses payloads over 2 MB).
const (
	MaxUploadJobs      = 10000
	MaxUploadJobsBytes = 1 << 20
)

// UploadJobsPlan is the jobs of a parallel upload and its temp collection.
type UploadJobsPlan struct {
	Temp string `json:"temp"`
	// Jobs holds each job's parser arguments, a JSON list of one value.
	Jobs []json.RawMessage `json:"jobs"`
}

// UploadJobInput is one job of a parallel upload.
type UploadJobInput struct {
	Sub  UploadSubInput  `json:"sub"`
	Temp string          `json:"temp"`
	Job  int             `json:"job"`  // from 1
	Of   int             `json:"of"`   // jobs in all
	Args json.RawMessage `json:"args"` // the parser's arguments
}

// UploadFinishInput ends a parallel upload.
type UploadFinishInput struct {
	Sub     UploadSubInput       `json:"sub"`
	Temp    string               `json:"temp"`
	Jobs    int                  `json:"jobs"`
	Totals  uploadstore.JobStats `json:"totals"`
	Started time.Time            `json:"started"`
}

// UploadAbortInput records a parallel upload's failure.
type UploadAbortInput struct {
	Sub  UploadSubInput `json:"sub"`
	Temp string         `json:"temp"`
	Err  string         `json:"err"`
}

// uploaderOf loads the manifest and finds the uploader of in.
func (a *Activities) uploaderOf(ctx context.Context, in UploadSubInput) (*manifest.Manifest, manifest.Uploader, error) {
	m, err := a.loadManifest(ctx, in.Source)
	if err != nil {
		return nil, manifest.Uploader{}, err
	}
	up, ok := findUploader(m, in.Sub)
	if !ok {
		return nil, up, nonRetryable("NoUploader", fmt.Errorf("source %s has no uploader %q", in.Source, in.Sub))
	}
	return m, up, nil
}

// subSpec is how a plugin function of one uploader runs: pySpec, with
// the uploader's parser_kwargs and a logger naming the sub-source.
func (a *Activities) subSpec(in UploadSubInput, m *manifest.Manifest, fn string, kwargs map[string]any) pyparser.Spec {
	spec := a.pySpec(in.Source, fn, m)
	spec.Kwargs = kwargs
	spec.Logger = a.log().With("source", in.Source, "sub", in.Sub)
	return spec
}

// UploadJobs calls the uploader's parallelizer on the worker holding the
// data and returns its jobs with a fresh temp collection. A broken
// parallelizer or mapping function fails here, before anything is stored.
func (a *Activities) UploadJobs(ctx context.Context, in UploadSubInput) (UploadJobsPlan, error) {
	beat := keepBeating(ctx, progress.Progress{Step: "list jobs"})
	defer beat.close()
	m, up, err := a.uploaderOf(ctx, in)
	if err != nil {
		return UploadJobsPlan{}, err
	}
	if up.Parallelizer == "" {
		return UploadJobsPlan{}, nonRetryable("NoParallelizer", fmt.Errorf("source %s, uploader %s has no parallelizer", in.Source, in.Sub))
	}
	where := fmt.Sprintf("source %s, uploader %s", in.Source, in.Sub)
	if err := pyparser.CheckRequires(ctx, a.subSpec(in, m, up.Parallelizer, nil)); err != nil {
		return UploadJobsPlan{}, nonRetryable("MissingRequires", fmt.Errorf("%s: %w", where, err))
	}
	if up.Mapping != "" {
		if _, err := pyparser.CallMapping(ctx, a.subSpec(in, m, up.Mapping, nil)); err != nil {
			return UploadJobsPlan{}, a.permanent(ctx, in, "BadMapping", fmt.Errorf("%s: mapping function %s: %w", where, up.Mapping, err))
		}
	}
	info := pyparser.UploaderInfo{Name: in.Sub, MainSource: in.Source, Fullname: in.Source + "." + in.Sub}
	jobs, err := pyparser.CallJobs(ctx, a.subSpec(in, m, up.Parallelizer, up.ParserKwargs), in.DataFolder, info)
	switch {
	case err != nil && pyparser.IsParserError(err):
		return UploadJobsPlan{}, a.permanent(ctx, in, "BadParallelizer", fmt.Errorf("%s: %w", where, err))
	case err != nil:
		return UploadJobsPlan{}, fmt.Errorf("%s: parallelizer %s: %w", where, up.Parallelizer, err)
	}
	if err := checkJobs(jobs, up.Parallelizer, in.DataFolder); err != nil {
		return UploadJobsPlan{}, a.permanent(ctx, in, "BadJobs", fmt.Errorf("%s: %w", where, err))
	}
	temp, err := uploadstore.NewTemp(ctx, a.Src, in.Sub)
	if err != nil {
		return UploadJobsPlan{}, fmt.Errorf("%s: %w", where, err)
	}
	if err := a.records().UploadStarted(ctx, in.Source, in.Sub, hub.UploadJob{
		Release: in.Release, DataFolder: in.DataFolder, StartedAt: hub.Now(), Jobs: int64(len(jobs)), Temp: temp,
	}); err != nil {
		return UploadJobsPlan{}, err
	}
	return UploadJobsPlan{Temp: temp, Jobs: jobs}, nil
}

// checkJobs refuses a list of jobs that is empty, or too long to travel
// through the workflow's history.
func checkJobs(jobs []json.RawMessage, fn, dataFolder string) error {
	switch size := jobsBytes(jobs); {
	case len(jobs) == 0:
		return fmt.Errorf("parallelizer %s returned no jobs: the data folder %s holds nothing it looks for; check the dump or the parallelizer", fn, dataFolder)
	case len(jobs) > MaxUploadJobs:
		return fmt.Errorf("parallelizer %s returned %d jobs, more than %d: give each job several files (the parser receives whatever the job holds)", fn, len(jobs), MaxUploadJobs)
	case size > MaxUploadJobsBytes:
		return fmt.Errorf("the jobs of parallelizer %s take %d bytes of JSON, more than %d: give each job a shorter argument (a file name relative to the data folder, joined in the parser) or several files", fn, size, MaxUploadJobsBytes)
	}
	return nil
}

// permanent records a failure retrying cannot fix and marks it so.
func (a *Activities) permanent(ctx context.Context, in UploadSubInput, kind string, err error) error {
	_ = a.records().UploadFailed(context.WithoutCancel(ctx), in.Source, in.Sub, err.Error())
	return nonRetryable(kind, err)
}

// UploadJob runs the parser on one job's arguments into the upload's temp
// collection. It heartbeats the documents settled and the temp collection,
// and a retry (after a crash, on any worker holding the data) replays the
// parser and skips what was settled, as UploadRun does.
func (a *Activities) UploadJob(ctx context.Context, in UploadJobInput) (uploadstore.JobStats, error) {
	sub := in.Sub
	m, up, err := a.uploaderOf(ctx, sub)
	if err != nil {
		return uploadstore.JobStats{}, err
	}
	opts := uploadstore.Options{OnDuplicates: up.OnDuplicates}
	var last progress.Progress
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &last) == nil && last.Resume == in.Temp {
		opts.ResumeAfter = last.Done
	}
	if activity.GetInfo(ctx).Attempt > 1 || opts.ResumeAfter > 0 {
		// A retry: the interrupted attempt may have stored documents
		// beyond its last heartbeat.
		opts.Resume = in.Temp
		a.log().Info("upload job resumes", "source", sub.Source, "sub", sub.Sub, "job", in.Job, "temp", in.Temp, "after", opts.ResumeAfter)
	}
	w, err := uploadstore.NewJobWriter(ctx, a.Src, sub.Sub, in.Temp, in.Job, opts)
	if errors.Is(err, uploadstore.ErrTempGone) {
		return uploadstore.JobStats{}, nonRetryable("TempGone", a.jobErr(in, up, err))
	}
	if err != nil {
		return uploadstore.JobStats{}, a.jobErr(in, up, err)
	}
	meter := progress.NewMeter(fmt.Sprintf("upload job %d/%d", in.Job, in.Of), "docs", 0)
	if last.Resume == "" {
		last = meter.At(0, in.Temp)
	}
	beat := keepBeating(ctx, last)
	defer beat.close()
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
	spec := a.subSpec(sub, m, up.Parser.Func, up.ParserKwargs)
	spec.Job = in.Args
	if err := pyparser.CheckRequires(ctx, spec); err != nil {
		return uploadstore.JobStats{}, nonRetryable("MissingRequires", a.jobErr(in, up, err))
	}
	if _, err := pyparser.Run(ctx, spec, sub.DataFolder, a.Parser, emit); err != nil {
		return w.Stats(), a.jobFailed(in, up, err)
	}
	if err := w.Flush(ctx); err != nil {
		return w.Stats(), a.jobFailed(in, up, err)
	}
	temp, done := w.Position()
	beat.set(meter.At(done, temp))
	return w.Stats(), nil
}

// jobErr names the job in err.
func (a *Activities) jobErr(in UploadJobInput, up manifest.Uploader, err error) error {
	return fmt.Errorf("source %s, uploader %s, job %d of %d (parallelizer %s, arguments %s): %w",
		in.Sub.Source, in.Sub.Sub, in.Job, in.Of, up.Parallelizer, shortJSON(in.Args), err)
}

// jobFailed names the job in err and marks the failures a retry cannot fix.
func (a *Activities) jobFailed(in UploadJobInput, up manifest.Uploader, err error) error {
	var dup *uploadstore.DuplicateIDError
	permanent := pyparser.IsParserError(err) || errors.As(err, &dup) || isNonRetryable(err)
	err = a.jobErr(in, up, err)
	if permanent {
		return nonRetryable("UploadJobFailed", err)
	}
	return err
}

func jobsBytes(jobs []json.RawMessage) int {
	n := 0
	for _, j := range jobs {
		n += len(j)
	}
	return n
}

func shortJSON(b json.RawMessage) string {
	const most = 200
	if len(b) > most {
		return string(b[:most]) + "…"
	}
	return string(b)
}

// UploadFinish ends a parallel upload once every job succeeded: the kept
// duplicates are merged in, the temp collection goes live with the counts
// of all the jobs, and the job and the sub-source are recorded as
// UploadRun records them.
func (a *Activities) UploadFinish(ctx context.Context, in UploadFinishInput) (UploadResult, error) {
	beat := keepBeating(ctx, progress.Progress{Step: "switch", Resume: in.Temp})
	defer beat.close()
	sub := in.Sub
	m, up, err := a.uploaderOf(ctx, sub)
	if err != nil {
		return UploadResult{}, err
	}
	var mapping map[string]any
	if up.Mapping != "" {
		mapping, err = pyparser.CallMapping(ctx, a.subSpec(sub, m, up.Mapping, nil))
		if err != nil {
			return UploadResult{}, nonRetryable("BadMapping", fmt.Errorf("source %s, uploader %s: mapping function %s: %w", sub.Source, sub.Sub, up.Mapping, err))
		}
	}
	stats, err := uploadstore.FinishJobs(ctx, a.Src, sub.Sub, in.Temp, uploadstore.Options{OnDuplicates: up.OnDuplicates}, in.Totals)
	if err != nil {
		err = fmt.Errorf("source %s, uploader %s: %w", sub.Source, sub.Sub, err)
		if errors.Is(err, uploadstore.ErrNoDocuments) || errors.Is(err, uploadstore.ErrCountMismatch) {
			return UploadResult{}, nonRetryable("UploadFailed", err)
		}
		return UploadResult{}, err
	}
	res := UploadResult{Sub: sub.Sub, Count: stats.Stored, Stats: stats, Duration: time.Since(in.Started).Round(time.Millisecond).Seconds()}
	if err := a.recordUpload(ctx, sub, m, res, mapping); err != nil {
		return res, err
	}
	return res, nil
}

// UploadAbort records a parallel upload's failure and drops its temp
// collection; the live collection is untouched.
func (a *Activities) UploadAbort(ctx context.Context, in UploadAbortInput) error {
	if err := a.records().UploadFailed(ctx, in.Sub.Source, in.Sub.Sub, in.Err); err != nil {
		return err
	}
	if in.Temp == "" {
		return nil
	}
	if err := uploadstore.DropTemp(ctx, a.Src, in.Sub.Sub, in.Temp); err != nil {
		return fmt.Errorf("source %s, uploader %s: %w", in.Sub.Source, in.Sub.Sub, err)
	}
	return nil
}
