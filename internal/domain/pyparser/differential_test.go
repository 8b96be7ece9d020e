package pyparser

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"studio/internal/testsupport/testenv"
)

// pyrefVersion is the biothings release the reference interpreter holds.
const pyrefVersion = testenv.PyrefVersion

// pyrefPython returns the reference interpreter (testenv.Pyref).
func pyrefPython(t *testing.T) string { return testenv.Pyref(t) }

// TestBiothingsDifferential runs testdata/differential/bt_differential.py
// with the reference interpreter: every public function of Studio's
// biothings.utils.dataload, .common (local helpers), .dotfield, .dotstring
// and .storage against biothings 1.2.2's on seeded inputs, each function's
// cases compared value for value (or exception type for exception type).
// STUDIO_DIFF_SEED and STUDIO_DIFF_CASES change the seed and the cases
// per function.
func TestBiothingsDifferential(t *testing.T) {
	py := pyrefPython(t)
	t.Parallel()
	dir, err := RunnerDir()
	if err != nil {
		t.Fatal(err)
	}
	seed := envOr("STUDIO_DIFF_SEED", "1")
	cases := envOr("STUDIO_DIFF_CASES", "150")
	cmd := exec.Command(py, filepath.Join("testdata", "differential", "bt_differential.py"), "--ours", dir, "--seed", seed, "--cases", cases)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUTF8=1", "PYTHONIOENCODING=utf-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	out := stdout.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "functions x") || strings.HasPrefix(line, "config:") {
			t.Log(line)
		}
	}
	if err != nil {
		t.Fatalf("the differential test (seed %s) failed: %v\n%s\nstderr:\n%s", seed, err, out, lastLines(stderr.String(), 30))
	}
	if !strings.Contains(out, "\nOK\n") {
		t.Fatalf("the differential test ended without OK:\n%s", out)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lineRecorder is a slog handler keeping the parser's output lines.
type lineRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *lineRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *lineRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *lineRecorder) WithGroup(string) slog.Handler            { return r }
func (r *lineRecorder) Handle(_ context.Context, rec slog.Record) error {
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == "line" {
			r.mu.Lock()
			r.lines = append(r.lines, a.Value.String())
			r.mu.Unlock()
		}
		return true
	})
	return nil
}

func (r *lineRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// TestBiothingsImports loads, under the runner and Studio's package, a
// parser holding every biothings import statement public plugins and hub
// source modules use, and checks a few of the names work.
func TestBiothingsImports(t *testing.T) {
	needPython(t)
	t.Parallel()
	data := filepath.Join(t.TempDir(), "datasources", "gene", "2024-01-05")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "genes.tsv"), []byte("id\tsym\ttaxid\n1\tA\t9606\n2\tB\t10090\n1\tC\t9606\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &lineRecorder{}
	spec := Spec{PluginDir: filepath.Join("testdata", "plugins", "imports"), Func: "parser:load_data", Logger: slog.New(rec)}
	var docs []map[string]any
	_, err := Run(context.Background(), spec, data, Limits{}, func(d map[string]any) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Fatalf("got %d documents, want 1", len(docs))
	}
	root := filepath.Dir(filepath.Dir(data))
	want := map[string]any{
		"_id":          "imports",
		"studio":       true,
		"archive_root": root,
		"src_root":     filepath.Join(root, "gene"),
		"tab2list":     []any{[]any{"1", "9606"}, []any{"2", "10090"}, []any{"1", "9606"}},
		"tab2dict":     map[string]any{"1": []any{[]any{"A", "9606"}, []any{"C", "9606"}}, "2": []any{"B", "10090"}},
		"merged":       map[string]any{"db": map[string]any{"id": "1", "sym": []any{"A", "B"}, "x": "y"}},
		"to_boolean":   []any{true, false, nil},
		"dotfield":     map[string]any{"a": map[string]any{"b": int64(1), "c": int64(2)}},
		"storage":      "biothings.utils.storage.MergerStorage",
		"is_int":       []any{true, true, false},
	}
	if !reflect.DeepEqual(docs[0], want) {
		t.Errorf("document = %#v\nwant       %#v", docs[0], want)
	}
	if got := rec.all(); !containsLine(got, "INFO hub: imports parser reading 2024-01-05") {
		t.Errorf("config.logger's line did not reach the log: %q", got)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestParseBiothings(t *testing.T) {
	tests := []struct {
		in      string
		want    Biothings
		wantErr string
	}{
		{in: "", want: BiothingsStudio},
		{in: "studio", want: BiothingsStudio},
		{in: "installed", want: BiothingsInstalled},
		{in: "auto", want: BiothingsAuto},
		{in: "real", wantErr: `biothings package "real": want studio, installed or auto`},
	}
	for _, tt := range tests {
		got, err := ParseBiothings(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseBiothings(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseBiothings(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := Run(context.Background(), casesSpec("gen", nil), t.TempDir(), Limits{Biothings: "real"}, func(map[string]any) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `biothings package "real"`) {
		t.Errorf("Run with Biothings %q: %v, want the choice refused", "real", err)
	}
}

// TestBiothingsChoice runs a parser that reports which biothings package
// it imported, with python3 and with the reference interpreter (which has
// biothings 1.2.2 installed), under each Limits.Biothings.
func TestBiothingsChoice(t *testing.T) {
	needPython(t)
	t.Parallel()
	// Whether python3 itself has a biothings package decides what auto and installed give there.
	sysHas := exec.Command("python3", "-c", "import biothings").Run() == nil
	type want struct {
		studio  bool   // Studio's package
		errPart string // the run fails with this
	}
	sysInstalled := want{errPart: "cannot import it"}
	sysAuto := want{studio: true}
	if sysHas {
		sysInstalled, sysAuto = want{}, want{}
	}
	tests := []struct {
		name   string
		pyref  bool
		choice Biothings
		want   want
	}{
		{name: "python3 default", choice: "", want: want{studio: true}},
		{name: "python3 studio", choice: BiothingsStudio, want: want{studio: true}},
		{name: "python3 auto", choice: BiothingsAuto, want: sysAuto},
		{name: "python3 installed", choice: BiothingsInstalled, want: sysInstalled},
		{name: "pyref studio", pyref: true, choice: BiothingsStudio, want: want{studio: true}},
		{name: "pyref auto", pyref: true, choice: BiothingsAuto, want: want{}},
		{name: "pyref installed", pyref: true, choice: BiothingsInstalled, want: want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := Spec{PluginDir: filepath.Join("testdata", "plugins", "which"), Func: "parser:load_data"}
			if tt.pyref {
				spec.Python = pyrefPython(t)
			}
			t.Parallel()
			docs, _, err := collect(t, context.Background(), spec, Limits{Biothings: tt.choice})
			if tt.want.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want.errPart) || !IsParserError(err) {
					t.Fatalf("err = %v, want a parser error containing %q", err, tt.want.errPart)
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			doc := docs[0]
			if doc["studio"] != tt.want.studio {
				t.Fatalf("studio = %v, want %v (biothings from %v)", doc["studio"], tt.want.studio, doc["file"])
			}
			file, _ := doc["file"].(string)
			runner, _ := RunnerDir()
			if tt.want.studio != strings.HasPrefix(file, runner) {
				t.Errorf("biothings imported from %s; the runner's folder is %s", file, runner)
			}
			if tt.pyref && !tt.want.studio {
				if doc["version"] != pyrefVersion || !strings.Contains(file, filepath.Join("bin", "pyref")) {
					t.Errorf("biothings %v from %s, want %s from bin/pyref", doc["version"], file, pyrefVersion)
				}
				if dl, _ := doc["dataload"].(string); !strings.Contains(dl, filepath.Join("bin", "pyref")) {
					t.Errorf("biothings.utils.dataload from %s, want the installed one", dl)
				}
			}
		})
	}
}
