package pyparser

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found on PATH: the Python parser tests need it")
	}
}

func casesSpec(fn string, kwargs map[string]any) Spec {
	return Spec{PluginDir: filepath.Join("testdata", "plugins", "cases"), Func: "cases:" + fn, Kwargs: kwargs}
}

// collect runs a parser and returns every document it emitted.
func collect(t *testing.T, ctx context.Context, spec Spec, lim Limits) ([]map[string]any, Stats, error) {
	t.Helper()
	var docs []map[string]any
	st, err := Run(ctx, spec, t.TempDir(), lim, func(d map[string]any) error {
		docs = append(docs, d)
		return nil
	})
	return docs, st, err
}

func ids(docs []map[string]any) []any {
	out := make([]any, len(docs))
	for i, d := range docs {
		out[i] = d["_id"]
	}
	return out
}

func TestRunDocuments(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		name    string
		fn      string
		kwargs  map[string]any
		wantIDs []any
		check   func(t *testing.T, docs []map[string]any)
	}{
		{name: "generator", fn: "gen", wantIDs: []any{"g0", "g1", "g2", "g3", "g4"},
			check: func(t *testing.T, docs []map[string]any) {
				if docs[3]["i"] != int64(3) || docs[3]["f"] != 3.5 {
					t.Errorf("doc g3 = %#v, want i int64 3 and f float64 3.5", docs[3])
				}
			}},
		{name: "list", fn: "as_list", wantIDs: []any{"a", "b", "c"},
			check: func(t *testing.T, docs []map[string]any) {
				want := map[string]any{"_id": "c", "v": map[string]any{"x": nil, "y": true}}
				if !reflect.DeepEqual(docs[2], want) {
					t.Errorf("doc c = %#v, want %#v", docs[2], want)
				}
				if !reflect.DeepEqual(docs[1]["v"], []any{int64(1), int64(2), int64(3)}) {
					t.Errorf("doc b v = %#v", docs[1]["v"])
				}
			}},
		{name: "parser_kwargs", fn: "kwargs_echo", kwargs: map[string]any{"species": "human", "limit": 3, "flags": []any{"a"}},
			wantIDs: []any{"k"},
			check: func(t *testing.T, docs []map[string]any) {
				want := map[string]any{"species": "human", "limit": int64(3), "flags": []any{"a"}}
				if !reflect.DeepEqual(docs[0]["kwargs"], want) {
					t.Errorf("kwargs = %#v, want %#v", docs[0]["kwargs"], want)
				}
				if df, _ := docs[0]["data_folder"].(string); !filepath.IsAbs(df) {
					t.Errorf("data_folder = %q, want an absolute path", df)
				}
			}},
		{name: "kwargs override defaults", fn: "gen", kwargs: map[string]any{"n": 2, "prefix": "p"}, wantIDs: []any{"p0", "p1"}},
		{name: "print does not corrupt the stream", fn: "noisy", wantIDs: []any{"n0", "n1", "n2"}},
		{name: "odd _id arrive intact", fn: "odd_ids", wantIDs: []any{nil, int64(5), []any{"a", "b"}, nil},
			check: func(t *testing.T, docs []map[string]any) {
				if _, ok := docs[0]["_id"]; ok || docs[0]["x"] != int64(1) {
					t.Errorf("doc without _id = %#v", docs[0])
				}
				if v, ok := docs[3]["_id"]; !ok || v != nil {
					t.Errorf("doc with _id None = %#v, want _id present and nil", docs[3])
				}
			}},
		{name: "relative imports", fn: "", wantIDs: []any{"rel1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec := casesSpec(tt.fn, tt.kwargs)
			if tt.fn == "" {
				spec = Spec{PluginDir: filepath.Join("testdata", "plugins", "relpkg"), Func: "parser:load_data"}
			}
			docs, st, err := collect(t, context.Background(), spec, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(docs); !reflect.DeepEqual(got, tt.wantIDs) {
				t.Fatalf("ids = %#v, want %#v", got, tt.wantIDs)
			}
			if st.Docs != int64(len(docs)) || st.Rejected != 0 {
				t.Errorf("stats = %+v", st)
			}
			if tt.check != nil {
				tt.check(t, docs)
			}
		})
	}
}

func TestRunRejects(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		fn          string
		wantIDs     []any
		wantReasons []string // substrings, in order
	}{
		{fn: "nan", wantIDs: []any{"ok1", "ok2"}, wantReasons: []string{
			`document 2 (_id 'nan'): float NaN at cgi.score`,
			`document 3 (_id 'inf'): float -Infinity at a[1].b`,
			`document 4 (_id 'dec'): float NaN at d`,
		}},
		{fn: "bad_bytes", wantIDs: []any{"b2"}, wantReasons: []string{
			`(_id 'b1'): bytes value is not valid UTF-8`, "at raw",
			`(_id 's1'): string is not valid UTF-8 (lone surrogate) at v`,
		}},
		{fn: "not_dict", wantIDs: []any{"dict"}, wantReasons: []string{
			"document 1: document is a str, not a dict",
			"document 2: document is a list, not a dict",
			"document 3: document is a NoneType, not a dict",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			t.Parallel()
			docs, st, err := collect(t, context.Background(), casesSpec(tt.fn, nil), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(docs); !reflect.DeepEqual(got, tt.wantIDs) {
				t.Fatalf("ids = %#v, want %#v", got, tt.wantIDs)
			}
			all := strings.Join(st.RejectSamples, "\n")
			for _, want := range tt.wantReasons {
				if !strings.Contains(all, want) {
					t.Errorf("reject reasons:\n%s\nwant one containing %q", all, want)
				}
			}
			if st.Rejected != int64(len(st.RejectSamples)) || st.Docs != int64(len(docs)) {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestRunConversions(t *testing.T) {
	needPython(t)
	t.Parallel()
	docs, st, err := collect(t, context.Background(), casesSpec("conversions", nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || st.Rejected != 1 || !strings.Contains(st.RejectSamples[0], "value of type Unknown at u cannot be converted") {
		t.Fatalf("docs = %v, stats = %+v", docs, st)
	}
	got := docs[0]
	want := map[string]any{
		"_id":       "conv",
		"set":       []any{int64(1), int64(2), int64(3)},
		"frozen":    []any{"a", "b"},
		"tuple":     []any{int64(1), "x", []any{int64(2), int64(3)}},
		"dt":        "2024-01-02T03:04:05",
		"date":      "2024-01-02",
		"time":      "03:04:05",
		"dec":       1.25,
		"bytes":     "héllo",
		"np":        int64(7),
		"npf":       2.5,
		"keys":      map[string]any{"1": "int", "2.5": "float", "null": "none"},
		"bool_keys": map[string]any{"true": "yes", "false": "no"},
		"tuple_key": map[string]any{"(1, 2)": "t"},
		"big":       float64(1 << 70),
		"neg":       int64(-3),
		"float_int": 2.0,
		"unicode":   "αβγ \u2603",
		"mixed_set": got["mixed_set"], // checked below: order is Python's
	}
	if !reflect.DeepEqual(got, want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%s = %#v (%T), want %#v (%T)", k, got[k], got[k], want[k], want[k])
			}
		}
		t.Fatalf("document = %#v", got)
	}
	if m, ok := got["mixed_set"].([]any); !ok || len(m) != 2 {
		t.Errorf("mixed_set = %#v, want a list of 2", got["mixed_set"])
	}
}

func TestRunParserRaises(t *testing.T) {
	needPython(t)
	t.Parallel()
	docs, _, err := collect(t, context.Background(), casesSpec("raise_at_12", nil), Limits{})
	if len(docs) != 11 {
		t.Errorf("got %d documents before the error, want 11", len(docs))
	}
	var pe *ParserError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *ParserError", err, err)
	}
	if pe.Message != "ValueError: bad row 12" {
		t.Errorf("Message = %q", pe.Message)
	}
	if !strings.Contains(pe.Traceback, "cases.py\", line 27, in raise_at_12") || strings.Contains(pe.Traceback, "studio_runner.py") {
		t.Errorf("Traceback =\n%s\nwant the plugin frame and no runner frame", pe.Traceback)
	}
	if n := strings.Count(pe.Traceback, "\n") + 1; n > maxTraceback {
		t.Errorf("traceback has %d lines", n)
	}
	if !strings.Contains(err.Error(), "cases.py:27") {
		t.Errorf("error %q should name the file and line", err)
	}
}

func TestRunOtherFailures(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"returns None", casesSpec("returns_none", nil), []string{"returned None"}},
		{"missing function", casesSpec("no_such_function", nil), []string{"has no function 'no_such_function'"}},
		{"missing module", Spec{PluginDir: "testdata/plugins/cases", Func: "nomodule:load"}, []string{"ModuleNotFoundError", "nomodule"}},
		{"bad func", Spec{PluginDir: "testdata/plugins/cases", Func: "cases"}, []string{`expected "module:function"`}},
		{"missing plugin dir", Spec{PluginDir: "testdata/plugins/nope", Func: "a:b"}, []string{"does not exist"}},
		{"missing python", Spec{PluginDir: "testdata/plugins/cases", Func: "cases:gen", Python: "python-does-not-exist"}, []string{"not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := collect(t, context.Background(), tt.spec, Limits{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q should contain %q", err, w)
				}
			}
		})
	}
}

func TestRunBigDocument(t *testing.T) {
	needPython(t)
	t.Parallel()
	var sizes []int
	st, err := Run(context.Background(), casesSpec("big", nil), t.TempDir(), Limits{}, func(d map[string]any) error {
		s, _ := d["blob"].(string)
		sizes = append(sizes, len(s))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sizes, []int{50_000_000, 0}) || st.Docs != 2 {
		t.Fatalf("blob sizes = %v, stats %+v", sizes, st)
	}

	// Over the line limit: the runner rejects the document and goes on.
	docs, st, err := collect(t, context.Background(), casesSpec("big", map[string]any{"size": 2 << 20}), Limits{MaxLine: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || st.Rejected != 1 || !strings.Contains(st.RejectSamples[0], "over the 1048576-byte line limit") {
		t.Fatalf("docs %v, stats %+v", ids(docs), st)
	}
}

func TestRunEmitError(t *testing.T) {
	needPython(t)
	t.Parallel()
	stop := errors.New("store is full")
	n := 0
	_, err := Run(context.Background(), casesSpec("forever_with_child", nil), t.TempDir(), Limits{}, func(map[string]any) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("err = %v after %d documents, want %v after 3", err, n, stop)
	}
}

func TestRunLimits(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		name string
		fn   string
		lim  Limits
		want []string
	}{
		{"memory", "hog", Limits{MaxMemory: 512 << 20}, []string{"MemoryError", "memory limit of 512 MiB"}},
		{"signal", "suicide", Limits{}, []string{"killed by signal SIGKILL"}},
		{"signal with memory limit", "suicide", Limits{MaxMemory: 1 << 30}, []string{"killed by signal SIGKILL", "memory limit is 1 GiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			docs, _, err := collect(t, context.Background(), casesSpec(tt.fn, nil), tt.lim)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q should contain %q", err, w)
				}
			}
			if len(docs) != 1 || docs[0]["_id"] != "first" {
				t.Errorf("docs = %v, want the first one", ids(docs))
			}
		})
	}
}

// TestRunNoProgress is not parallel: under load, the interpreter's start
// alone could pass the limit.
func TestRunNoProgress(t *testing.T) {
	needPython(t)
	// The limit leaves room for python3 to start on a loaded machine: the
	// clock runs from the start of the process.
	docs, _, err := collect(t, context.Background(), casesSpec("hang", nil), Limits{NoProgress: 8 * time.Second})
	want := "parser cases:hang emitted nothing for 8s: killed"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if len(docs) != 1 || docs[0]["_id"] != "first" {
		t.Errorf("docs = %v, want the first one", ids(docs))
	}

	// Time spent in emit (a slow store) is not the parser's.
	n := 0
	_, err = Run(context.Background(), casesSpec("gen", map[string]any{"n": 3}), t.TempDir(), Limits{NoProgress: 8 * time.Second},
		func(map[string]any) error {
			if n++; n == 1 {
				time.Sleep(10 * time.Second)
			}
			return nil
		})
	if err != nil || n != 3 {
		t.Fatalf("slow emit: %v after %d documents", err, n)
	}
}

func TestRunCancel(t *testing.T) {
	needPython(t)
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var childPID int
	var canceledAt time.Time
	_, err := Run(ctx, casesSpec("forever_with_child", nil), t.TempDir(), Limits{}, func(d map[string]any) error {
		if childPID == 0 {
			childPID = int(d["child"].(int64))
			canceledAt = time.Now()
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// A generous bound: it catches a Run that ignores cancellation, not a
	// slow machine.
	if d := time.Since(canceledAt); d > 30*time.Second {
		t.Errorf("Run returned %s after cancel", d)
	}
	// The parser's own subprocess went with it (process group kill).
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(childPID, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("subprocess %d of the parser survived the cancel", childPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCheckRequires(t *testing.T) {
	needPython(t)
	t.Parallel()
	spec := Spec{PluginDir: "testdata/plugins/cases", Func: "cases:gen"}
	spec.Requires = []string{"json", "csv>=1.0", "no_such_pkg_studio", "other-missing-thing[extra]==2"}
	err := CheckRequires(context.Background(), spec)
	if err == nil {
		t.Fatal("no error for missing packages")
	}
	for _, w := range []string{"no_such_pkg_studio", "other-missing-thing[extra]==2", "pip install"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q should name %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "csv") {
		t.Errorf("error %q names an installed package", err)
	}
	spec.Requires = []string{"json", "os", "setuptools"}
	if _, err := exec.Command("python3", "-c", "import setuptools").CombinedOutput(); err != nil {
		spec.Requires = spec.Requires[:2]
	}
	if err := CheckRequires(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
}

func TestCallString(t *testing.T) {
	needPython(t)
	t.Parallel()
	tests := []struct {
		fn      string
		kwargs  map[string]any
		want    string
		wantErr string
	}{
		{fn: "release", want: "2024-03-01"},
		{fn: "release_method", kwargs: map[string]any{"version": 3, "src": "cgi"}, want: "v3-cgi"},
		{fn: "release_int", wantErr: "returned int 5; it must return a string"},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			t.Parallel()
			got, err := CallString(context.Background(), casesSpec(tt.fn, tt.kwargs))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBiothingsHelpers(t *testing.T) {
	needPython(t)
	t.Parallel()
	dir, err := RunnerDir()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-m", "unittest", "-v", "test_biothings_helpers")
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python unit tests of the biothings helpers failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func TestCallMapping(t *testing.T) {
	needPython(t)
	t.Parallel()
	got, err := CallMapping(context.Background(), casesSpec("get_mapping", nil))
	want := map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": map[string]any{"type": "keyword", "normalizer": "keyword_lowercase_normalizer"}}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CallMapping = %v, %v", got, err)
	}
	if _, err := CallMapping(context.Background(), casesSpec("get_mapping_list", nil)); err == nil || !strings.Contains(err.Error(), "must return a dict") {
		t.Fatalf("a list mapping: %v", err)
	}
}

func TestCallJobs(t *testing.T) {
	needPython(t)
	t.Parallel()
	data := t.TempDir()
	for _, f := range []string{"b.txt", "a.txt", "skip.csv"} {
		if err := os.WriteFile(filepath.Join(data, f), []byte("x1\nx2\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	up := UploaderInfo{Name: "cases_sub", MainSource: "cases", Fullname: "cases.cases_sub"}
	tests := []struct {
		fn      string
		want    []string
		wantErr string
	}{
		{fn: "parallel_files", want: []string{`["` + filepath.Join(data, "a.txt") + `"]`, `["` + filepath.Join(data, "b.txt") + `"]`}},
		{fn: "parallel_static", want: []string{`["a"]`, `["b"]`, `[1]`, `[{"k":[1,2]}]`}},
		{fn: "parallel_not_json", wantErr: "parallelizer cases:parallel_not_json: job 2 (datetime.date(2024, 1, 2),) cannot be passed to the parser"},
		{fn: "parallel_two_args", wantErr: "parallelizer cases:parallel_two_args: job 1 has 2 arguments ('a', 1); the parser takes one"},
		{fn: "parallel_bare", wantErr: "parallelizer cases:parallel_bare: job 1 is str 'a.txt'; each job must be a tuple"},
		{fn: "parallel_none", wantErr: "parallelizer cases:parallel_none returned NoneType None; it must return a list of jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			t.Parallel()
			jobs, err := CallJobs(context.Background(), casesSpec(tt.fn, nil), data, up)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !IsParserError(err) {
					t.Fatalf("err = %v, want a parser error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(jobs))
			for i, j := range jobs {
				got[i] = strings.ReplaceAll(string(j), " ", "")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("jobs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunJob(t *testing.T) {
	needPython(t)
	t.Parallel()
	data := t.TempDir()
	file := filepath.Join(data, "a.txt")
	if err := os.WriteFile(file, []byte("x1\nx2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	jobs, err := CallJobs(context.Background(), casesSpec("parallel_files", nil), data, UploaderInfo{})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("CallJobs = %q, %v", jobs, err)
	}
	spec := casesSpec("parse_job", map[string]any{"suffix": "!"})
	spec.Job = jobs[0]
	docs, _, err := collect(t, context.Background(), spec, Limits{})
	want := []map[string]any{{"_id": "x1!", "file": "a.txt"}, {"_id": "x2!", "file": "a.txt"}}
	if err != nil || !reflect.DeepEqual(docs, want) {
		t.Fatalf("Run of job %s = %v, %v; want %v", jobs[0], docs, err, want)
	}
}
