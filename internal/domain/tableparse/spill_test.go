package tableparse

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// groupRows is n rows over ids/n-th as many ids, scattered through the
// file (id k comes back every ids rows), with values that repeat so that
// duplicates are dropped across spilled runs too.
func groupRows(n, ids int) string {
	var b strings.Builder
	b.WriteString("id\tv\tw\textra\n")
	for i := range n {
		k := (i * 7919) % ids
		extra := ""
		if i%3 == 1 {
			extra = fmt.Sprintf("e%d", i) // a field outside the group, from the first row that has it
		}
		fmt.Fprintf(&b, "k%06d\tv%d\t%d\t%s\n", k, (i/ids)%4, k%10, extra)
	}
	return b.String()
}

const groupSpec = `{"format":"tsv","file":"g.tsv","id":"{id}","fields":{"top":"extra","x.v":"v","x.n":{"column":"w","type":"int"}},"group":{"path":"x","max_memory_mb":%d}}`

// TestGroupSpillSameDocuments groups a file whose groups outgrow the memory
// bound many times over: the documents are those of grouping in memory,
// in _id order, whatever the number of merge levels.
func TestGroupSpillSameDocuments(t *testing.T) {
	dir := writeFiles(t, map[string]string{"g.tsv": groupRows(60000, 7000)})
	want, st, err := collect(t, mustSpec(t, fmt.Sprintf(groupSpec, 1024)), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.GroupSpills != 0 || len(want) != 7000 {
		t.Fatalf("in memory: %d documents, %d spills; want 7000 and none", len(want), st.GroupSpills)
	}
	slices.SortFunc(want, func(a, b map[string]any) int { return strings.Compare(a["_id"].(string), b["_id"].(string)) })

	for _, fanIn := range []int{maxFanIn, 3} {
		t.Run(fmt.Sprintf("fan-in %d", fanIn), func(t *testing.T) {
			defer func(old int) { maxFanIn = old }(maxFanIn)
			maxFanIn = fanIn
			tmp := t.TempDir()
			got, st, err := collect(t, mustSpec(t, fmt.Sprintf(groupSpec, 1)), dir, Options{TempDir: tmp})
			if err != nil {
				t.Fatal(err)
			}
			if st.GroupSpills < 5 {
				t.Fatalf("%d spills: the test needs several", st.GroupSpills)
			}
			if st.Docs != 7000 || st.Rows != 60000 {
				t.Errorf("stats %+v: want 60000 rows, 7000 documents", st)
			}
			sameDocs(t, got, want)
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("the temporary folder keeps %d entries after the run", len(left))
			}
		})
	}
}

// TestGroupSpillResume skips the first documents of a spilled grouping, as
// a resumed upload does: the rest are the same as a whole run's.
func TestGroupSpillResume(t *testing.T) {
	dir := writeFiles(t, map[string]string{"g.tsv": groupRows(20000, 3000)})
	spec := mustSpec(t, fmt.Sprintf(groupSpec, 1))
	all, _, err := collect(t, spec, dir, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rest, st, err := collect(t, spec, dir, Options{TempDir: t.TempDir(), SkipDocs: 1234})
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != 3000 || st.GroupSpills == 0 {
		t.Fatalf("stats %+v: want 3000 documents, spilled", st)
	}
	sameDocs(t, rest, all[1234:])
}

// TestGroupMemoryBound groups 200,000 distinct ids, about 300 MB of
// documents held in memory, with max_memory_mb 8: what grouping holds
// stays under the bound, and so does the live heap (after a collection)
// while reading and while merging.
func TestGroupMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 20 MB file")
	}
	const rows = 200000
	var b strings.Builder
	b.WriteString("id\tv\tw\textra\n")
	for i := range rows {
		fmt.Fprintf(&b, "id%08d\tsome value %d of the row\t%d\tan extra field of row %d\n", (i*48271)%rows, i, i, i)
	}
	dir := writeFiles(t, map[string]string{"g.tsv": b.String()})
	spec := mustSpec(t, fmt.Sprintf(groupSpec, 8))
	var peak uint64
	measure := func() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	measure()
	base := peak
	var docs int
	st, err := Run(context.Background(), spec, dir, Options{
		TempDir:  t.TempDir(),
		Progress: func(rows, _, _ int64) { measure() },
	}, func(map[string]any) error {
		if docs++; docs%20000 == 0 {
			measure()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != rows || st.GroupSpills < 10 {
		t.Fatalf("stats %+v: want %d documents and many spills", st, rows)
	}
	const bound = 8 << 20
	// One row may pass the bound before the spill.
	if st.GroupHeld > bound+4<<10 {
		t.Errorf("grouping held %d bytes at most, over its bound of %d", st.GroupHeld, bound)
	}
	if grew := int64(peak) - int64(base); grew > 48<<20 {
		t.Errorf("the live heap grew by %d MB while grouping; want under 48 MB (max_memory_mb 8, read buffers, batches in flight)", grew>>20)
	}
	t.Logf("live heap grew by at most %.1f MB; %d spills, %.1f MB spilled", float64(int64(peak)-int64(base))/(1<<20), st.GroupSpills, float64(st.GroupSpillBytes)/(1<<20))
}

// TestRemoveStaleSpills removes the spill folder of a process that is gone
// and keeps this process's own.
func TestRemoveStaleSpills(t *testing.T) {
	tmp := t.TempDir()
	gone := filepath.Join(tmp, spillPrefix+"999999999-123")
	mine := filepath.Join(tmp, fmt.Sprintf("%s%d-456", spillPrefix, os.Getpid()))
	other := filepath.Join(tmp, "unrelated")
	for _, d := range []string{gone, mine, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	removeStale(tmp)
	for d, want := range map[string]bool{gone: false, mine: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
