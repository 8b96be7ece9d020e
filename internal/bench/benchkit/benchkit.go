// Package benchkit holds the helpers the benchmark programs under
// internal/bench share, so that each program keeps only what it measures:
//
//   - Phase, CPUTime, ChildrenCPUTime and MiB: wall time, CPU time and peak
//     resident memory of a phase of work, and the rate they give;
//   - Run, WorkDir and StartCPUProfile: a program's main that stops cleanly
//     on an interrupt, its working folder, and a CPU profile of a phase;
//   - RepoRoot, FreePort and StudioReady: finding the repository, a
//     loopback port, and whether a started `studio dev` is ready;
//   - Keyword, CGIFile and CGIColumns: the keyword field of a released
//     index's mapping, and the name and columns of the CGI biomarkers file
//     that several benchmarks generate rows for.
//
// Only the benchmark programs import it.
package benchkit
