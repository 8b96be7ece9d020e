package procstat

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func TestSampleReadsThisProcess(t *testing.T) {
	s := Sample("worker")
	if s.PID != os.Getpid() || s.Role != "worker" || s.Identity != Identity() {
		t.Fatalf("sample = %+v", s)
	}
	if s.RSSBytes <= 0 || s.HeapBytes <= 0 || s.Goroutines <= 0 {
		t.Fatalf("sample has empty counts: %+v", s)
	}
	if runtime.GOOS == "linux" && residentBytes() <= 0 {
		t.Fatal("VmRSS not read from /proc/self/status")
	}
	// Memory held by this test shows in the heap.
	hold := make([]byte, 64<<20)
	for i := range hold {
		hold[i] = byte(i)
	}
	if after := Sample("worker"); after.HeapBytes < s.HeapBytes+32<<20 {
		t.Fatalf("heap %d did not grow by 64 MiB from %d", after.HeapBytes, s.HeapBytes)
	}
	runtime.KeepAlive(hold)
}

func TestReporterRecordsListsAndRemoves(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	coll := st.C("processes")
	ctx := context.Background()
	// A record from a process that stopped reporting long ago.
	old := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	if err := coll.Upsert(ctx, []docstore.Doc{{"_id": "1@gone", "role": "worker", "pid": int64(1), "host": "gone", "updated_at": old}}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		Reporter{Coll: coll, Role: "server", Interval: 20 * time.Millisecond}.Run(runCtx)
	}()

	var list []Stats
	for deadline := time.Now().Add(10 * time.Second); ; {
		if list, err = List(ctx, coll, time.Minute); err != nil {
			t.Fatal(err)
		}
		if len(list) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(list) != 2 {
		t.Fatalf("want 2 processes, got %+v", list)
	}
	if list[0].Identity != Identity() || list[0].Stale || list[0].Role != "server" || list[0].RSSBytes <= 0 || list[0].PID != os.Getpid() {
		t.Fatalf("live process = %+v", list[0])
	}
	if list[1].Identity != "1@gone" || !list[1].Stale {
		t.Fatalf("old process = %+v, want stale", list[1])
	}
	stop()
	<-done
	if _, err := coll.Get(ctx, Identity()); err == nil {
		t.Fatal("the record stays after a clean stop")
	}
}
