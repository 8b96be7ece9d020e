package workflows

// SetJobsPerRun makes parallel uploads run ranges of n jobs, until the
// returned function restores the default.
func SetJobsPerRun(n int) (restore func()) {
	old := jobsPerRun
	jobsPerRun = n
	return func() { jobsPerRun = old }
}
