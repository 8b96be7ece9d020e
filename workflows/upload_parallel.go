package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"studio/activities"
	"studio/internal/domain/uploadstore"
	"studio/internal/temporal/contract"
)

// parallelizerVersion marks the UploadSub runs that send an uploader with a
// parallelizer through uploadParallel. Histories from before it never had
// one (the manifest refused it) and replay unchanged.
const (
	parallelizerChange  = "parallelizer"
	parallelizerVersion = 1
)

// maxParallelJobs is how many jobs of one upload run at once: the workers
// holding the data share them.
const maxParallelJobs = 8

// jobsPerRun is the most jobs one workflow execution schedules, which keeps
// each history to a few thousand events; more jobs run as UploadJobRange
// children of this many, one after the other. Changing it changes the
// commands of running uploads: do it under a new GetVersion. (A variable
// only so that a test can make ranges of a few jobs.)
var jobsPerRun = 500

// UploadJobRangeInput is contract.UploadJobRangeInput.
type UploadJobRangeInput = contract.UploadJobRangeInput

// parallelOn says whether this run may take the parallel path.
func parallelOn(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, parallelizerChange, workflow.DefaultVersion, parallelizerVersion) >= parallelizerVersion
}

// listJobsActivity is the options of the parallelizer's call: minutes at
// most, heartbeating while Python runs.
func listJobsActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 3,
		},
	})
}

// finishActivity is the options of UploadFinish: merging kept duplicates
// may take a while; it heartbeats throughout.
func finishActivity(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 12 * time.Hour,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5,
		},
	})
}

// jobActivity is parseActivity for one job, waiting for a canceled job to
// stop before the upload drops its temp collection.
func jobActivity(ctx workflow.Context) workflow.Context {
	ctx = parseActivity(ctx)
	opts := workflow.GetActivityOptions(ctx)
	opts.WaitForCancellation = true
	return workflow.WithActivityOptions(ctx, opts)
}

// uploadParallel lists the parallelizer's jobs on the worker holding the
// data, runs them there (on any worker when the data folder is shared) at
// most maxParallelJobs at once, then makes the temp collection live. The
// first job that fails cancels the others and fails the upload, naming it.
func uploadParallel(ctx workflow.Context, in contract.UploadSubInput) (contract.UploadResult, error) {
	started := workflow.Now(ctx)
	var plan activities.UploadJobsPlan
	if err := workflow.ExecuteActivity(onHolder(listJobsActivity(ctx), in.Holder), a.UploadJobs, in).Get(ctx, &plan); err != nil {
		return contract.UploadResult{}, err
	}
	totals, err := runJobRanges(ctx, in, plan)
	if err != nil {
		abortUpload(ctx, in, plan.Temp, err)
		return contract.UploadResult{}, err
	}
	var res contract.UploadResult
	fin := activities.UploadFinishInput{Sub: in, Temp: plan.Temp, Jobs: len(plan.Jobs), Totals: totals, Started: started}
	if err := workflow.ExecuteActivity(finishActivity(ctx), a.UploadFinish, fin).Get(ctx, &res); err != nil {
		abortUpload(ctx, in, plan.Temp, err)
		return res, err
	}
	return res, nil
}

// runJobRanges runs every job: in this run, or in children of jobsPerRun.
func runJobRanges(ctx workflow.Context, in contract.UploadSubInput, plan activities.UploadJobsPlan) (uploadstore.JobStats, error) {
	n := len(plan.Jobs)
	if n <= jobsPerRun {
		return runJobs(ctx, UploadJobRangeInput{Sub: in, Temp: plan.Temp, First: 1, Of: n, Jobs: plan.Jobs})
	}
	var totals uploadstore.JobStats
	for lo := 0; lo < n; lo += jobsPerRun {
		hi := min(lo+jobsPerRun, n)
		r := UploadJobRangeInput{Sub: in, Temp: plan.Temp, First: lo + 1, Of: n, Jobs: plan.Jobs[lo:hi]}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: contract.UploadJobRangeID(in.Source, in.Sub, lo+1, hi),
		})
		var st uploadstore.JobStats
		if err := workflow.ExecuteChildWorkflow(cctx, UploadJobRangeName, r).Get(ctx, &st); err != nil {
			return totals, err
		}
		totals.Add(st)
	}
	return totals, nil
}

// UploadJobRange runs a range of a parallel upload's jobs and returns the
// sum of their counts.
func UploadJobRange(ctx workflow.Context, r UploadJobRangeInput) (uploadstore.JobStats, error) {
	return runJobs(ctx, r)
}

// runJobs runs the jobs of r, at most maxParallelJobs at once, on the
// worker holding the data. The first failure cancels the jobs still
// running, waits for them to stop, and is returned.
func runJobs(ctx workflow.Context, r UploadJobRangeInput) (uploadstore.JobStats, error) {
	jctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	actx := onHolder(jobActivity(jctx), r.Sub.Holder)
	sel := workflow.NewSelector(ctx)
	var (
		totals   uploadstore.JobStats
		firstErr error
		running  int
		next     int
	)
	start := func(i int) {
		in := activities.UploadJobInput{Sub: r.Sub, Temp: r.Temp, Job: r.First + i, Of: r.Of, Args: r.Jobs[i]}
		running++
		sel.AddFuture(workflow.ExecuteActivity(actx, a.UploadJob, in), func(f workflow.Future) {
			running--
			var st uploadstore.JobStats
			if err := f.Get(ctx, &st); err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			totals.Add(st)
		})
	}
	for {
		for firstErr == nil && running < maxParallelJobs && next < len(r.Jobs) {
			start(next)
			next++
		}
		if running == 0 {
			return totals, firstErr
		}
		sel.Select(ctx)
	}
}

// abortUpload records the failure and drops the temp collection, even
// when the workflow itself was canceled.
func abortUpload(ctx workflow.Context, in contract.UploadSubInput, temp string, cause error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	ab := activities.UploadAbortInput{Sub: in, Temp: temp, Err: cause.Error()}
	if err := workflow.ExecuteActivity(shortActivity(dctx), a.UploadAbort, ab).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("recording the failed upload and dropping its temp collection failed", "source", in.Source, "sub", in.Sub, "temp", temp, "error", err)
	}
}
