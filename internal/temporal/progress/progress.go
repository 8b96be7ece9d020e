// Package progress is the shape of the progress that activities report in
// their heartbeats, and that the server, the web app and the CLI display:
// counts, a total when known, a rate and a resume point.
package progress

import (
	"fmt"
	"time"
)

// Progress is one heartbeat's worth of progress.
type Progress struct {
	Step   string  `json:"step,omitempty"`   // what is being done ("download", "parse")
	Unit   string  `json:"unit,omitempty"`   // what Done counts ("bytes", "docs")
	Done   int64   `json:"done"`             // units done so far
	Total  int64   `json:"total,omitempty"`  // units in all, 0 when unknown
	Rate   float64 `json:"rate,omitempty"`   // units per second since the start
	Resume string  `json:"resume,omitempty"` // where a retry may resume (a file, an _id)
}

// Meter computes rates for a run of work that started at a known time.
type Meter struct {
	Step  string
	Unit  string
	Total int64
	start time.Time
	now   func() time.Time
}

// NewMeter starts measuring now.
func NewMeter(step, unit string, total int64) *Meter {
	return &Meter{Step: step, Unit: unit, Total: total, start: time.Now(), now: time.Now}
}

// At returns the progress after done units, with resume as the resume point.
func (m *Meter) At(done int64, resume string) Progress {
	p := Progress{Step: m.Step, Unit: m.Unit, Done: done, Total: m.Total, Resume: resume}
	if secs := m.now().Sub(m.start).Seconds(); secs > 0 {
		p.Rate = float64(done) / secs
	}
	return p
}

// Percent is Done over Total in percent, or -1 when the total is unknown.
func (p Progress) Percent() float64 {
	if p.Total <= 0 {
		return -1
	}
	return 100 * float64(p.Done) / float64(p.Total)
}

// ETA is the time left at the current rate, or 0 when it cannot be known.
func (p Progress) ETA() time.Duration {
	if p.Total <= 0 || p.Rate <= 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second))
}

// String is a one-line summary for logs and the CLI.
func (p Progress) String() string {
	s := fmt.Sprintf("%s %d", p.Step, p.Done)
	if p.Total > 0 {
		s += fmt.Sprintf("/%d (%.1f%%)", p.Total, p.Percent())
	}
	if p.Unit != "" {
		s += " " + p.Unit
	}
	if p.Rate > 0 {
		s += fmt.Sprintf(", %.0f %s/s", p.Rate, p.Unit)
	}
	if eta := p.ETA(); eta > 0 {
		s += ", ETA " + eta.Round(time.Second).String()
	}
	return s
}
