// Package benchkit holds what the benchmark programs under internal/bench
// share: measuring a phase of work (wall time, this process's CPU time and
// peak resident memory, and the rate that gives), formatting memory,
// a CPU profile of a phase, the working folder of a run, finding the
// repository, a loopback port and whether a started `studio dev` is ready,
// the keyword field of a released index's mapping, and the name and columns
// of the CGI biomarkers file that several benchmarks generate data like.
//
// Only the benchmark programs import it.
package benchkit
