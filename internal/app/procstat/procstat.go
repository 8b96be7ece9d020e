// Package procstat samples the resources of the running Studio process
// (resident memory, Go heap, goroutines) and records them in the hub
// database at a steady interval, so that the server can show the memory of
// every worker and server process, wherever it runs.
package procstat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"strconv"
	"time"

	"studio/internal/engine/docstore"
)

// Stats is one sample of a process.
type Stats struct {
	Identity   string    `json:"identity"`
	Role       string    `json:"role"`
	PID        int       `json:"pid"`
	Host       string    `json:"host"`
	RSSBytes   int64     `json:"rss_bytes"`
	HeapBytes  int64     `json:"heap_bytes"`
	Goroutines int       `json:"goroutines"`
	StartedAt  time.Time `json:"started_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Stale is set when a listing finds no report within its freshness
	// window: the process is probably gone.
	Stale bool `json:"stale,omitempty"`
}

var started = time.Now()

// Identity is this process's name, "<pid>@<host>": the same string the
// Studio worker gives Temporal as its identity, so that activities and
// processes can be matched.
func Identity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d@%s", os.Getpid(), host)
}

// Sample reads this process's resources now.
func Sample(role string) Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	host, _ := os.Hostname()
	rss := residentBytes()
	if rss <= 0 {
		rss = int64(ms.Sys)
	}
	return Stats{
		Identity: Identity(), Role: role, PID: os.Getpid(), Host: host,
		RSSBytes: rss, HeapBytes: int64(ms.HeapAlloc), Goroutines: runtime.NumGoroutine(),
		StartedAt: started, UpdatedAt: time.Now().UTC(),
	}
}

// residentBytes reads VmRSS from /proc/self/status, or returns 0 where
// there is no /proc.
func residentBytes() int64 { return max(statusBytes("VmRSS:"), 0) }

// PeakBytes is this process's peak resident memory (VmHWM) since it started
// or since ResetPeak; -1 where there is no /proc.
func PeakBytes() int64 { return statusBytes("VmHWM:") }

// ResetPeak asks Linux to restart the peak at the current resident memory,
// so that the next PeakBytes covers one phase of a program. It reports
// whether the kernel took it; when not, PeakBytes keeps the peak since the
// start.
func ResetPeak() bool { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil }

// statusBytes reads one "<field> <n> kB" line of /proc/self/status, in
// bytes; -1 when it cannot.
func statusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(field)) {
			continue
		}
		f := bytes.Fields(line[len(field):])
		if len(f) == 0 {
			return -1
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}

// Reporter records this process's sample in a hub collection every
// Interval until its context ends, and removes the record on a clean stop.
type Reporter struct {
	Coll     docstore.Collection
	Role     string
	Interval time.Duration // default 5 s
	Log      *slog.Logger
}

// Run reports until ctx ends.
func (r Reporter) Run(ctx context.Context) {
	every := r.Interval
	if every <= 0 {
		every = 5 * time.Second
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := r.Report(ctx); err != nil && ctx.Err() == nil {
			log.Warn("process report", "err", err)
		}
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if _, err := r.Coll.Delete(stop, Identity()); err != nil {
				log.Debug("remove process report", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// Report records one sample now.
func (r Reporter) Report(ctx context.Context) error {
	s := Sample(r.Role)
	doc := docstore.Doc{
		"_id": s.Identity, "role": s.Role, "pid": int64(s.PID), "host": s.Host,
		"rss_bytes": s.RSSBytes, "heap_bytes": s.HeapBytes, "goroutines": int64(s.Goroutines),
		"started_at": s.StartedAt.UTC().Format(time.RFC3339Nano), "updated_at": s.UpdatedAt.Format(time.RFC3339Nano),
	}
	if err := r.Coll.Upsert(ctx, []docstore.Doc{doc}); err != nil {
		return fmt.Errorf("record process %s: %w", s.Identity, err)
	}
	return nil
}

// List returns the recorded processes, newest report first; those not
// heard from within fresh are marked Stale.
func List(ctx context.Context, coll docstore.Collection, fresh time.Duration) ([]Stats, error) {
	var out []Stats
	for d, err := range coll.Scan(ctx, docstore.ScanOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("list processes: %w", err)
		}
		out = append(out, fromDoc(d))
	}
	now := time.Now()
	for i := range out {
		out[i].Stale = now.Sub(out[i].UpdatedAt) > fresh
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpdatedAt.After(out[j].UpdatedAt) })
	return out, nil
}

// record is a processes record as Report writes it.
type record struct {
	ID         string `json:"_id"`
	Role       string `json:"role"`
	PID        int    `json:"pid"`
	Host       string `json:"host"`
	RSSBytes   int64  `json:"rss_bytes"`
	HeapBytes  int64  `json:"heap_bytes"`
	Goroutines int    `json:"goroutines"`
	StartedAt  string `json:"started_at"`
	UpdatedAt  string `json:"updated_at"`
}

// fromDoc reads a processes record; a field of another type than Report
// writes reads as zero (encoding/json decodes the others).
func fromDoc(d docstore.Doc) Stats {
	var r record
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &r)
	s := Stats{Identity: r.ID, Role: r.Role, Host: r.Host, PID: r.PID, RSSBytes: r.RSSBytes, HeapBytes: r.HeapBytes, Goroutines: r.Goroutines}
	s.StartedAt, _ = time.Parse(time.RFC3339Nano, r.StartedAt)
	s.UpdatedAt, _ = time.Parse(time.RFC3339Nano, r.UpdatedAt)
	return s
}
