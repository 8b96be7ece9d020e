package uploadstore_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/docstoretest"
)

// TestJobs runs the parallel-upload cases against each backend.
func TestJobs(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, db docstore.Store)
	}{
		{"MatchOneCall", testJobsMatchOneCall},
		{"DuplicateAcrossJobs", testJobsDuplicateAcrossJobs},
		{"Resume", testJobsResume},
		{"FinishTwice", testJobsFinishTwice},
		{"ResumeTempGone", testJobsResumeTempGone},
	}
	for _, b := range docstoretest.Backends(t, "store_test") {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, b.Open(t)) })
			}
		})
	}
}

// jobsData is the documents of n jobs: each job has its own documents, a
// rejected one, and (unless unique) _ids repeated within the job and
// across jobs, whose copies merge the same in any order (disjoint fields).
func jobsData(n, per int, unique bool) [][]map[string]any {
	out := make([][]map[string]any, n)
	for j := range out {
		for i := range per {
			switch {
			case i == 3:
				out[j] = append(out[j], map[string]any{"_id": i}) // rejected
			case !unique && i%5 == 4:
				// every job repeats shared _ids, each with a field of its own
				out[j] = append(out[j], map[string]any{"_id": fmt.Sprintf("shared%02d", i%15), fmt.Sprintf("j%d_%d", j, i): int64(i)})
			default:
				out[j] = append(out[j], doc(fmt.Sprintf("j%d_%04d", j, i), i))
			}
		}
	}
	return out
}

// runJobs writes each job's documents with its own JobWriter, all at once,
// and returns the sum of their stats and the first error. Jobs are
// numbered from 1 unless nums says otherwise.
func runJobs(t *testing.T, db docstore.Store, temp string, opts uploadstore.Options, jobs [][]map[string]any, nums ...int) (uploadstore.JobStats, error) {
	t.Helper()
	var (
		mu     sync.Mutex
		totals uploadstore.JobStats
		errs   []error
		wg     sync.WaitGroup
	)
	for j, in := range jobs {
		num := j + 1
		if nums != nil {
			num = nums[j]
		}
		wg.Go(func() {
			st, err := writeJob(t, db, temp, num, opts, in, len(in))
			mu.Lock()
			defer mu.Unlock()
			totals.Add(st)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return totals, errors.Join(errs...)
}

// writeJob writes the first upTo documents of one job; upTo < len(in)
// stops there without a flush, as a killed worker would.
func writeJob(t *testing.T, db docstore.Store, temp string, job int, opts uploadstore.Options, in []map[string]any, upTo int) (uploadstore.JobStats, error) {
	w, err := uploadstore.NewJobWriter(t.Context(), db, src, temp, job, opts)
	if err != nil {
		return uploadstore.JobStats{}, err
	}
	for _, d := range in[:upTo] {
		if err := w.Add(t.Context(), d); err != nil {
			return w.Stats(), err
		}
	}
	if upTo < len(in) {
		return w.Stats(), nil
	}
	return w.Stats(), w.Flush(t.Context())
}

func flatten(jobs [][]map[string]any) []map[string]any {
	var out []map[string]any
	for _, j := range jobs {
		out = append(out, j...)
	}
	return out
}

// testJobsMatchOneCall: jobs writing at once give the counts and the
// documents of one call producing every job's documents, under each policy.
func testJobsMatchOneCall(t *testing.T, db docstore.Store) {
	for _, tt := range []struct {
		mode   string
		unique bool
	}{{"error", true}, {"ignore", false}, {"merge", false}} {
		t.Run(tt.mode, func(t *testing.T) {
			jobs := jobsData(4, 90, tt.unique)
			opts := uploadstore.Options{OnDuplicates: tt.mode, BatchSize: 7}
			ref := mustUpload(t, db, opts, flatten(jobs))
			want := checksum(t, db, src)

			temp, err := uploadstore.NewTemp(t.Context(), db, src)
			if err != nil {
				t.Fatal(err)
			}
			totals, err := runJobs(t, db, temp, opts, jobs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := uploadstore.FinishJobs(t.Context(), db, src, temp, opts, totals)
			if err != nil {
				t.Fatal(err)
			}
			if got.Stored != ref.Stored || got.Duplicates != ref.Duplicates || got.Rejected != ref.Rejected || len(got.RejectSamples) != len(ref.RejectSamples) {
				t.Fatalf("jobs: %+v, one call: %+v", got, ref)
			}
			if tt.mode != "ignore" { // ignore keeps whichever copy was stored first
				if sum := checksum(t, db, src); sum != want {
					t.Errorf("the jobs stored other documents than one call")
				}
			}
			if _, _, temps := collections(t, db); len(temps) != 0 {
				t.Errorf("temp collections left: %v", temps)
			}
		})
	}
}

// testJobsDuplicateAcrossJobs: under "error", an _id of one job repeating
// one of another job fails, naming the job and document.
func testJobsDuplicateAcrossJobs(t *testing.T, db docstore.Store) {
	jobs := jobsData(3, 40, true)
	jobs[2][30] = doc("j0_0010", 99) // job 3 repeats an _id of job 1
	temp, err := uploadstore.NewTemp(t.Context(), db, src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = runJobs(t, db, temp, uploadstore.Options{BatchSize: 5}, jobs)
	var dup *uploadstore.DuplicateIDError
	if !errors.As(err, &dup) || dup.ID != "j0_0010" {
		t.Fatalf("error = %v, want a duplicate _id j0_0010", err)
	}
	// Either job may be the second to store it.
	if !strings.Contains(err.Error(), `_id "j0_0010" repeats a document stored before, by this job or another job of the parallelizer`) ||
		!(dup.Job == 3 && dup.Doc == 31 || dup.Job == 1 && dup.Doc == 11) {
		t.Fatalf("error = %v (job %d, document %d)", err, dup.Job, dup.Doc)
	}
}

// testJobsResume: one job is killed after a part of its documents; its
// retry, from each position a heartbeat could have reported (and from 0),
// still gives the counts and documents of an uninterrupted run.
func testJobsResume(t *testing.T, db docstore.Store) {
	for _, tt := range []struct {
		mode   string
		unique bool
	}{{"error", true}, {"ignore", false}, {"merge", false}} {
		t.Run(tt.mode, func(t *testing.T) {
			jobs := jobsData(3, 60, tt.unique)
			opts := uploadstore.Options{OnDuplicates: tt.mode, BatchSize: 8}
			ref := mustUpload(t, db, opts, flatten(jobs))
			want := checksum(t, db, src)
			for _, resumeAfter := range []int64{0, 8, 24, 40} {
				temp, err := uploadstore.NewTemp(t.Context(), db, src)
				if err != nil {
					t.Fatal(err)
				}
				totals, err := runJobs(t, db, temp, opts, [][]map[string]any{jobs[0], jobs[2]}, 1, 3)
				if err != nil {
					t.Fatal(err)
				}
				// Job 2 dies after 45 documents (40 written), then is retried.
				if _, err := writeJob(t, db, temp, 2, opts, jobs[1], 45); err != nil {
					t.Fatal(err)
				}
				ropts := opts
				ropts.Resume, ropts.ResumeAfter = temp, resumeAfter
				st, err := writeJob(t, db, temp, 2, ropts, jobs[1], len(jobs[1]))
				if err != nil {
					t.Fatalf("resume after %d: %v", resumeAfter, err)
				}
				totals.Add(st)
				got, err := uploadstore.FinishJobs(t.Context(), db, src, temp, opts, totals)
				if err != nil {
					t.Fatalf("resume after %d: %v", resumeAfter, err)
				}
				if got.Stored != ref.Stored || got.Duplicates != ref.Duplicates || got.Rejected != ref.Rejected {
					t.Fatalf("resume after %d: %+v, uninterrupted %+v", resumeAfter, got, ref)
				}
				if sum := checksum(t, db, src); tt.mode != "ignore" && sum != want {
					t.Errorf("resume after %d: other documents than an uninterrupted run", resumeAfter)

				}
			}
		})
	}
}

// testJobsFinishTwice: FinishJobs run again after it succeeded (a worker
// killed before reporting) gives the same counts.
func testJobsFinishTwice(t *testing.T, db docstore.Store) {
	jobs := jobsData(2, 30, false)
	opts := uploadstore.Options{OnDuplicates: "merge", BatchSize: 4}
	temp, err := uploadstore.NewTemp(t.Context(), db, src)
	if err != nil {
		t.Fatal(err)
	}
	totals, err := runJobs(t, db, temp, opts, jobs)
	if err != nil {
		t.Fatal(err)
	}
	first, err := uploadstore.FinishJobs(t.Context(), db, src, temp, opts, totals)
	if err != nil {
		t.Fatal(err)
	}
	again, err := uploadstore.FinishJobs(t.Context(), db, src, temp, opts, totals)
	if err != nil || again.Stored != first.Stored || again.Duplicates != first.Duplicates {
		t.Fatalf("again: %+v, %v; first %+v", again, err, first)
	}
}

// testJobsResumeTempGone: a retried job whose temp collection is gone
// fails rather than skip documents nobody holds any more.
func testJobsResumeTempGone(t *testing.T, db docstore.Store) {
	temp, err := uploadstore.NewTemp(t.Context(), db, src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = uploadstore.NewJobWriter(t.Context(), db, src, temp, 2, uploadstore.Options{Resume: temp, ResumeAfter: 10})
	if !errors.Is(err, uploadstore.ErrTempGone) || !strings.Contains(err.Error(), "job 2 cannot resume after document 10") {
		t.Fatalf("error = %v, want ErrTempGone", err)
	}
}
