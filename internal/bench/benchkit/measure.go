package benchkit

import (
	"fmt"
	"syscall"
	"time"

	"studio/internal/app/procstat"
)

// CPUTime is the CPU time this process has used so far, user and system;
// 0 where the kernel does not say.
func CPUTime() time.Duration { return rusageCPU(syscall.RUSAGE_SELF) }

// ChildrenCPUTime is the CPU time, user and system, of this process's
// children that have ended and been waited for; 0 where the kernel does not
// say.
func ChildrenCPUTime() time.Duration { return rusageCPU(syscall.RUSAGE_CHILDREN) }

func rusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Phase is what one side of a benchmark measured over one or more calls
// of Measure.
type Phase struct {
	Took time.Duration // wall time
	CPU  time.Duration // this process's CPU time, user and system
	Peak int64         // the largest peak resident memory of one call, bytes; -1 when unknown
}

// Rate is n items over the wall time taken, per second.
func (p Phase) Rate(n int) float64 { return float64(n) / p.Took.Seconds() }

// Measure runs f and adds its wall and CPU time to p; it restarts the
// process's peak resident memory before f and keeps the largest peak.
func (p *Phase) Measure(f func() error) error {
	procstat.ResetPeak()
	c0 := CPUTime()
	t0 := time.Now()
	err := f()
	p.Took += time.Since(t0)
	p.CPU += CPUTime() - c0
	p.Peak = max(p.Peak, procstat.PeakBytes())
	return err
}

// MiB formats a byte count in whole mebibytes; "unknown" when b is
// negative (a peak that could not be read).
func MiB(b int64) string {
	if b < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
