package releaseplan_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/domain/releaseplan"
	"studio/internal/engine/docstore"
	"studio/internal/engine/docstore/sqlite"
)

func openHub(t *testing.T) docstore.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "hub.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// build is a src_build record of configuration conf.
func build(id, conf, status, started string, extra map[string]any) docstore.Doc {
	d := docstore.Doc{"_id": id, "build_config": map[string]any{"name": conf}, "status": status, "started_at": started}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

func keyword() map[string]any { return map[string]any{"type": "keyword"} }

func TestFor(t *testing.T) {
	mapA := map[string]any{"a": keyword()}
	mapAB := map[string]any{"a": keyword(), "b": keyword()}
	mapAInt := map[string]any{"a": map[string]any{"type": "integer"}}
	diff := func(prev string, add, update, del int) map[string]any {
		return map[string]any{prev: map[string]any{"stats": map[string]any{"add": add, "update": update, "delete": del}}}
	}
	tests := []struct {
		name      string
		builds    []docstore.Doc
		id        string
		threshold int
		want      string
	}{{
		name:   "first build",
		builds: []docstore.Doc{build("c_1", "c", hub.Success, "2026-01-01", nil)},
		id:     "c_1",
		want:   `{"full":{"possible":true},"incremental":{"possible":false,"reason":"no earlier successful build of configuration \"c\" to diff against"}}`,
	}, {
		name: "failed build, earlier ones failed or of another configuration",
		builds: []docstore.Doc{
			build("c_1", "c", "failed", "2026-01-01", nil),
			build("d_1", "d", hub.Success, "2026-01-01", nil),
			build("c_2", "c", "failed", "2026-01-02", nil),
		},
		id:   "c_2",
		want: `{"full":{"possible":false},"incremental":{"possible":false,"reason":"no earlier successful build of configuration \"c\" to diff against"}}`,
	}, {
		name: "later builds are not previous",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", nil),
			build("c_2", "c", hub.Success, "2026-01-02", nil),
		},
		id:   "c_1",
		want: `{"full":{"possible":true},"incremental":{"possible":false,"reason":"no earlier successful build of configuration \"c\" to diff against"}}`,
	}, {
		name: "mapping gained a field, no diff yet, default threshold",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", map[string]any{"mapping": mapA}),
			build("c_2", "c", hub.Success, "2026-01-02", map[string]any{"mapping": mapA}),
			build("c_3", "c", hub.Success, "2026-01-03", map[string]any{"mapping": mapAB}),
		},
		id:   "c_3",
		want: `{"full":{"possible":true},"incremental":{"possible":true,"previous":"c_2","threshold_percent":50}}`,
	}, {
		name: "mapping changed a type",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", map[string]any{"mapping": mapA}),
			build("c_2", "c", hub.Success, "2026-01-02", map[string]any{"mapping": mapAInt}),
		},
		id:   "c_2",
		want: `{"full":{"possible":true},"incremental":{"possible":false,"previous":"c_1","reason":"the mapping changed incompatibly since c_1 (a): release in full"}}`,
	}, {
		name: "small diff under the configured threshold",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", nil),
			build("c_2", "c", hub.Success, "2026-01-02", map[string]any{"count": 200, "diff": diff("c_1", 10, 5, 5)}),
		},
		id:        "c_2",
		threshold: 20,
		want:      `{"full":{"possible":true},"incremental":{"changed_percent":10,"possible":true,"previous":"c_1","recommend_full":false,"threshold_percent":20}}`,
	}, {
		name: "big diff over the threshold",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", nil),
			build("c_2", "c", hub.Success, "2026-01-02", map[string]any{"count": 100, "diff": diff("c_1", 60, 0, 1)}),
		},
		id:   "c_2",
		want: `{"full":{"possible":true},"incremental":{"changed_percent":61,"possible":true,"previous":"c_1","recommend_full":true,"threshold_percent":50}}`,
	}, {
		name: "empty diff still says so",
		builds: []docstore.Doc{
			build("c_1", "c", hub.Success, "2026-01-01", nil),
			build("c_2", "c", hub.Success, "2026-01-02", map[string]any{"diff": diff("c_1", 0, 0, 0)}),
		},
		id:   "c_2",
		want: `{"full":{"possible":true},"incremental":{"changed_percent":0,"possible":true,"previous":"c_1","recommend_full":false,"threshold_percent":50}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st := openHub(t)
			if err := st.C(hub.SrcBuild).Insert(ctx, tt.builds); err != nil {
				t.Fatal(err)
			}
			got, err := releaseplan.For(ctx, st, tt.id, tt.threshold)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestForMissingBuild(t *testing.T) {
	_, err := releaseplan.For(context.Background(), openHub(t), "nope", 0)
	if !errors.Is(err, docstore.ErrNotFound) {
		t.Fatalf("missing build: %v, want docstore.ErrNotFound", err)
	}
}
