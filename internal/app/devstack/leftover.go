package devstack

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A Studio killed with SIGKILL cannot stop its Temporal dev server in
// order: the server gets SIGTERM from the kernel (the parent-death signal)
// and takes a second or more to shut down, holding its SQLite database;
// a server that missed the signal would hold it for good. A Studio started
// again at once on the same data folder would see its own dev server fail
// with "database is locked". So the dev server's process id is kept beside
// its database, and a start first ends a server left by an earlier one.

// leftoverWait bounds the wait for a leftover dev server to exit after
// SIGTERM before it is killed.
const leftoverWait = 15 * time.Second

// pidFile is where the process id of the dev server using dbFile is kept.
func pidFile(dbFile string) string { return dbFile + ".pid" }

// writePID records the dev server process using dbFile.
func writePID(dbFile string, pid int) error {
	if err := os.WriteFile(pidFile(dbFile), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("temporal dev server pid file: %w", err)
	}
	return nil
}

// removePID forgets the dev server of dbFile once it has exited.
func removePID(dbFile string) {
	_ = os.Remove(pidFile(dbFile))
}

// stopLeftover ends the dev server that an earlier Studio started on
// dbFile if it still runs: SIGTERM, then SIGKILL after leftoverWait. A pid
// file naming a process that is gone, or that is not a dev server on
// dbFile (the id was reused), is removed and otherwise ignored.
func stopLeftover(dbFile string, log *slog.Logger) error {
	b, err := os.ReadFile(pidFile(dbFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("temporal dev server pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 || !isDevServer(pid, dbFile) {
		removePID(dbFile)
		return nil
	}
	log.Warn("a temporal dev server from an earlier start still uses the data folder; stopping it", "pid", pid, "db", dbFile)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if !waitGone(pid, dbFile, leftoverWait) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if !waitGone(pid, dbFile, 5*time.Second) {
			return fmt.Errorf("temporal dev server (pid %d) from an earlier start still uses %s and does not stop: end it, then start again", pid, dbFile)
		}
	}
	removePID(dbFile)
	return nil
}

// waitGone waits until pid is no longer a dev server on dbFile.
func waitGone(pid int, dbFile string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for isDevServer(pid, dbFile) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// isDevServer tells whether pid is a running `temporal server start-dev`
// on dbFile. An exited process (a zombie included) has no command line.
func isDevServer(pid int, dbFile string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	args := strings.Split(string(b), "\x00")
	return slices.Contains(args, "start-dev") && slices.Contains(args, dbFile)
}
