package pyparser

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"studio/internal/encoding/jsonenc"
	"studio/internal/engine/docstore"
)

// textSink collects what RunTo gives it: documents as JSON text are
// decoded as the document store reads them.
type textSink struct {
	docs  []map[string]any
	texts int
	check jsonenc.Verbatim
	fail  func(n int) error // called for each document, from 1
}

func (s *textSink) Add(_ context.Context, doc map[string]any) error {
	s.docs = append(s.docs, doc)
	return s.failAt()
}

func (s *textSink) AddJSON(_ context.Context, id string, raw []byte) error {
	if got, ok := s.check.Check(raw); !ok || got != id {
		return fmt.Errorf("AddJSON(%q, %s): Verbatim gives %q, %v", id, raw, got, ok)
	}
	v, err := docstore.DecodeJSON(raw)
	if err != nil {
		return err
	}
	s.texts++
	s.docs = append(s.docs, v.(map[string]any))
	return s.failAt()
}

func (s *textSink) failAt() error {
	if s.fail != nil {
		return s.fail(len(s.docs))
	}
	return nil
}

// TestRunToMatchesRun runs parsers through Run and RunTo: the documents
// (the store's reading of the text RunTo passes on), the statistics and
// the errors are the same.
func TestRunToMatchesRun(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		fn        string
		kwargs    map[string]any
		minTexts  int // documents RunTo must pass on as text
		maxTexts  int
		wantError bool
	}{
		{fn: "gen", minTexts: 5, maxTexts: 5},
		{fn: "as_list", minTexts: 3, maxTexts: 3},
		{fn: "kwargs_echo", kwargs: map[string]any{"species": "human", "limit": 3, "flags": []any{"a"}}, minTexts: 1, maxTexts: 1},
		{fn: "noisy", minTexts: 3, maxTexts: 3},
		{fn: "odd_ids", maxTexts: 0},
		{fn: "nan", minTexts: 2, maxTexts: 2},
		{fn: "conversions", maxTexts: 0}, // 2**70
		{fn: "bad_bytes", minTexts: 1, maxTexts: 1},
		{fn: "not_dict", minTexts: 1, maxTexts: 1},
		{fn: "many", kwargs: map[string]any{"n": 5000}, minTexts: 5000, maxTexts: 5000},
		{fn: "raise_at_12", minTexts: 1, maxTexts: 20, wantError: true},
		{fn: "text_forms", minTexts: 4, maxTexts: 4},
		{fn: "", minTexts: 1, maxTexts: 1}, // relative imports
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			t.Parallel()
			spec := casesSpec(tt.fn, tt.kwargs)
			if tt.fn == "" {
				spec = Spec{PluginDir: filepath.Join("testdata", "plugins", "relpkg"), Func: "parser:load_data"}
			}
			spec.Env = []string{"PYTHONHASHSEED=0"} // the same set order in both runs
			data := t.TempDir()
			var want []map[string]any
			wantSt, wantErr := Run(context.Background(), spec, data, Limits{}, func(d map[string]any) error {
				want = append(want, d)
				return nil
			})
			var sink textSink
			st, err := RunTo(context.Background(), spec, data, Limits{}, &sink)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || (err != nil) != tt.wantError {
				t.Fatalf("RunTo: %v; Run: %v", err, wantErr)
			}
			address := regexp.MustCompile(` at 0x[0-9a-f]+>`)
			for i := range st.RejectSamples {
				st.RejectSamples[i] = address.ReplaceAllString(st.RejectSamples[i], "")
				wantSt.RejectSamples[i] = address.ReplaceAllString(wantSt.RejectSamples[i], "")
			}
			if !reflect.DeepEqual(st, wantSt) {
				t.Errorf("RunTo stats %+v; Run %+v", st, wantSt)
			}
			if len(sink.docs) != len(want) {
				t.Fatalf("RunTo gave %d documents, Run %d", len(sink.docs), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(sink.docs[i], want[i]) {
					t.Errorf("document %d: RunTo gave\n%#v\nRun\n%#v", i+1, sink.docs[i], want[i])
				}
			}
			if sink.texts < tt.minTexts || sink.texts > tt.maxTexts {
				t.Errorf("%d documents came as text, want %d to %d", sink.texts, tt.minTexts, tt.maxTexts)
			}
		})
	}
}

// TestRunToSinkError checks that the sink's error stops the parser, as
// emit's does in Run, whichever way the document came.
func TestRunToSinkError(t *testing.T) {
	needPython(t)
	t.Parallel()
	stop := errors.New("store is full")
	for _, fn := range []string{"forever_with_child", "many"} {
		sink := textSink{fail: func(n int) error {
			if n == 3 {
				return stop
			}
			return nil
		}}
		_, err := RunTo(context.Background(), casesSpec(fn, map[string]any{"n": 100000}), t.TempDir(), Limits{}, &sink)
		if fn == "forever_with_child" {
			_, err = RunTo(context.Background(), casesSpec(fn, nil), t.TempDir(), Limits{}, &sink)
		}
		if !errors.Is(err, stop) {
			t.Fatalf("%s: err = %v, want %v", fn, err, stop)
		}
	}
}

// TestRunToSlowSink checks that a sink slower than the parser holds it
// back (the read-ahead is bounded) without the no-progress limit killing
// it, and that every document arrives in order.
func TestRunToSlowSink(t *testing.T) {
	needPython(t)
	t.Parallel()
	const n = 200000
	var sink textSink
	sink.fail = func(k int) error {
		if k == 50000 {
			time.Sleep(10 * time.Second) // longer than NoProgress
		}
		return nil
	}
	// NoProgress leaves room for python3 to start on a loaded machine.
	st, err := RunTo(context.Background(), casesSpec("many", map[string]any{"n": n}), t.TempDir(), Limits{NoProgress: 8 * time.Second}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != n || len(sink.docs) != n {
		t.Fatalf("stats %+v, %d documents; want %d", st, len(sink.docs), n)
	}
	for i, d := range sink.docs {
		if d["_id"] != fmt.Sprintf("m%d", i) {
			t.Fatalf("document %d is %v", i, d["_id"])
		}
	}
}

// TestChildEnvBytecode checks where the child's bytecode goes: to the
// cache folder, never into the plugin's folder; and nowhere (no prefix, so
// the standard library's own bytecode is used) when bytecode is not
// written at all.
func TestChildEnvBytecode(t *testing.T) {
	prefix := "PYTHONPYCACHEPREFIX=" + pycachePrefix()
	tests := []struct {
		name       string
		inherited  string // PYTHONDONTWRITEBYTECODE in Studio's environment
		extra      []string
		wantPrefix string // "" = none
	}{
		{name: "default", wantPrefix: prefix},
		{name: "no bytecode", inherited: "1"},
		{name: "no bytecode, from the spec", extra: []string{"PYTHONDONTWRITEBYTECODE=1"}},
		{name: "the spec writes bytecode again", inherited: "1", extra: []string{"PYTHONDONTWRITEBYTECODE="}, wantPrefix: prefix},
		{name: "the spec's own prefix", extra: []string{"PYTHONPYCACHEPREFIX=/elsewhere"}, wantPrefix: "PYTHONPYCACHEPREFIX=/elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PYTHONDONTWRITEBYTECODE", tt.inherited)
			env := childEnv(tt.extra, "/runner", "/plugin")
			got := lastValue(env, "PYTHONPYCACHEPREFIX")
			want, _ := strings.CutPrefix(tt.wantPrefix, "PYTHONPYCACHEPREFIX=")
			if got != want {
				t.Errorf("PYTHONPYCACHEPREFIX = %q, want %q", got, want)
			}
		})
	}
}
