package tableparse

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRun feeds arbitrary bytes to every format; Run may reject rows or
// fail, but must never panic, and its counts must add up.
func FuzzRun(f *testing.F) {
	f.Add([]byte("id\tv\tn\n1\ta\t2\n1\tb\tx\n\t\t\n"))
	f.Add([]byte("id,v,n\n\"1\",\"a,\"\"b\",3\n2,\"open\n"))
	f.Add([]byte(`[{"id":"1","v":[1,"",{"a":null}],"n":2.5},{"id":2}]`))
	f.Add([]byte("{\"id\":\"1\",\"v\":\"x\"}\n{\"id\":\"\xff\"}\n"))
	specs := []*Spec{
		mustSpec(f, `{"format":"tsv","file":"in","id":"{id}:{v}","fields":{"a.v":"v","a.n":{"column":"n","type":"int","split":";"}},"group":{"path":"a"}}`),
		mustSpec(f, `{"format":"csv","file":"in","id":"{id}","fields":{"v":{"column":"v","strip":"\"","type":"list"},"n":{"column":"n","type":"float"}},"skip":{"column":"v","regex":"^z"}}`),
		mustSpec(f, `{"format":"tsv","file":"in","header":false,"quote":"'","id":"{1}","max_line_bytes":64,"group":{"path":"2","adjacent":true}}`),
		mustSpec(f, `{"format":"jsonl","file":"in","id":"{id}","fields":{"v":"v","n":{"column":"n","type":"bool"}},"keep_empty":true}`),
		mustSpec(f, `{"format":"json","file":"in","id":"{id}","group":{"path":"v"}}`),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "in"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, s := range specs {
			var n int64
			st, err := Run(t.Context(), s, dir, Options{}, func(d map[string]any) error {
				if id, ok := d["_id"].(string); !ok || id == "" {
					t.Fatalf("document without an _id: %v", d)
				}
				n++
				return nil
			})
			if err == nil && (st.Docs != n || st.Rejected+st.Skipped > st.Rows || int64(len(st.RejectSamples)) > min(st.Rejected, maxSamples)) {
				t.Fatalf("stats %+v do not add up with %d documents", st, n)
			}
		}
	})
}
