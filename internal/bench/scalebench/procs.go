package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The classes of processes in the tree of `studio dev`, measured apart.
const (
	classStudio   = iota // the studio process itself (server, worker, embedded stores and Bleve)
	classParser          // Python parser children (advanced and Python plugins)
	classTemporal        // the Temporal dev server
	numClasses
)

var classNames = [numClasses]string{"studio", "parser", "temporal"}

// sample is the resident memory of each class at one time.
type sample struct {
	at   time.Time
	rss  [numClasses]int64 // bytes
	anon int64             // anonymous resident bytes of the studio process (heap, stacks, C allocations)
}

// sampler reads /proc every interval and keeps the resident memory of the
// process tree under root, by class.
type sampler struct {
	root     int
	interval time.Duration
	page     int64

	mu      sync.Mutex
	samples []sample
	stop    chan struct{}
	done    chan struct{}
}

func newSampler(root int, interval time.Duration) *sampler {
	s := &sampler{root: root, interval: interval, page: int64(os.Getpagesize()), stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		smp := s.read()
		s.mu.Lock()
		s.samples = append(s.samples, smp)
		s.mu.Unlock()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *sampler) close() {
	close(s.stop)
	<-s.done
}

// read takes one sample: the descendants of root from the parent links of
// every process in /proc, each classified by its command name.
func (s *sampler) read() sample {
	smp := sample{at: time.Now()}
	parent := map[int]int{}
	comm := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(string(b[close+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		parent[pid], comm[pid] = ppid, string(b[open+1:close])
	}
	for pid := range parent {
		if !s.under(pid, parent) {
			continue
		}
		res, shared := s.statm(pid)
		c := classify(pid == s.root, comm[pid])
		smp.rss[c] += res
		if pid == s.root {
			smp.anon = res - shared
		}
	}
	return smp
}

// under reports whether pid is root or one of its descendants.
func (s *sampler) under(pid int, parent map[int]int) bool {
	for range 64 {
		if pid == s.root {
			return true
		}
		p, ok := parent[pid]
		if !ok || p <= 1 {
			return false
		}
		pid = p
	}
	return false
}

func classify(root bool, comm string) int {
	switch {
	case root:
		return classStudio
	case strings.HasPrefix(comm, "temporal"):
		return classTemporal
	case strings.HasPrefix(comm, "python"):
		return classParser
	}
	return classStudio
}

// statm returns the resident and the shared (file-backed) bytes of pid.
func (s *sampler) statm(pid int) (resident, shared int64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, 0
	}
	r, _ := strconv.ParseInt(f[1], 10, 64)
	sh, _ := strconv.ParseInt(f[2], 10, 64)
	return r * s.page, sh * s.page
}

// peak is the largest resident memory of each class, and of the studio
// process's anonymous memory, between from and to.
func (s *sampler) peak(from, to time.Time) (p [numClasses]int64, anon int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, smp := range s.samples {
		if smp.at.Before(from) || smp.at.After(to) {
			continue
		}
		for c := range p {
			p[c] = max(p[c], smp.rss[c])
		}
		anon = max(anon, smp.anon)
	}
	return p, anon
}

// diskUsage is the space the files under dir take on disk (allocated
// blocks, so sparse files count what they use).
func diskUsage(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			} else {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
