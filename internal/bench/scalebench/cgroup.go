package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// memLimit is a memory cgroup holding the studio process (and the parser
// children it starts afterwards; the Temporal dev server, started before,
// stays out), with a limit on the memory charged to it: its own and the
// page cache it reads through. A process over the limit that the kernel
// cannot bring back under it by reclaiming page cache is killed, so a run
// that completes under the limit shows the memory the steps need.
type memLimit struct {
	dir string
	v2  bool
}

// limitMemory makes the cgroup scalebench-<pid> with a limit of mb MiB and
// moves pid into it: cgroup v2 where the unified hierarchy has the memory
// controller, else v1's memory hierarchy. It needs the right to write
// there (root, or a delegated cgroup).
func limitMemory(pid, mb int) (*memLimit, error) {
	name := fmt.Sprintf("scalebench-%d", os.Getpid())
	limit := strconv.FormatInt(int64(mb)<<20, 10)
	for _, root := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		ctl, err := os.ReadFile(filepath.Join(root, "cgroup.subtree_control"))
		if err != nil || !strings.Contains(string(ctl), "memory") {
			continue
		}
		m := &memLimit{dir: filepath.Join(root, name), v2: true}
		return m, m.setup("memory.max", limit, pid)
	}
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err == nil {
		m := &memLimit{dir: filepath.Join("/sys/fs/cgroup/memory", name)}
		return m, m.setup("memory.limit_in_bytes", limit, pid)
	}
	return nil, errors.New("-memory-limit: no memory cgroup controller found (cgroup v2 with memory enabled, or v1's /sys/fs/cgroup/memory)")
}

func (m *memLimit) setup(file, limit string, pid int) error {
	if err := os.Mkdir(m.dir, 0o755); err != nil {
		return fmt.Errorf("-memory-limit: %w", err)
	}
	for _, w := range [][2]string{{file, limit}, {"cgroup.procs", strconv.Itoa(pid)}} {
		if err := os.WriteFile(filepath.Join(m.dir, w[0]), []byte(w[1]), 0o644); err != nil {
			return fmt.Errorf("-memory-limit: write %s: %w", filepath.Join(m.dir, w[0]), err)
		}
	}
	return nil
}

// peak is the most memory charged to the cgroup so far, and the number of
// processes the kernel killed in it for memory.
func (m *memLimit) peak() (peak, oomKills int64) {
	read := func(file string) string {
		b, _ := os.ReadFile(filepath.Join(m.dir, file))
		return string(b)
	}
	field := func(text, key string) int64 {
		for _, line := range strings.Split(text, "\n") {
			if k, v, ok := strings.Cut(line, " "); ok && k == key {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				return n
			}
		}
		return 0
	}
	if m.v2 {
		peak, _ = strconv.ParseInt(strings.TrimSpace(read("memory.peak")), 10, 64)
		return peak, field(read("memory.events"), "oom_kill")
	}
	peak, _ = strconv.ParseInt(strings.TrimSpace(read("memory.max_usage_in_bytes")), 10, 64)
	return peak, field(read("memory.oom_control"), "oom_kill")
}

// remove deletes the cgroup once its processes have ended.
func (m *memLimit) remove() { _ = os.Remove(m.dir) }
