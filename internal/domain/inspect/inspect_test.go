package inspect

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

const kw = "keyword_lowercase_normalizer"

var (
	keyword = map[string]any{"type": "keyword", "normalizer": kw}
	text    = map[string]any{"type": "text"}
)

func typ(t string) map[string]any { return map[string]any{"type": t} }

func docs(ds ...map[string]any) []map[string]any { return ds }

func inspectAll(ds []map[string]any, modes ...Mode) Result {
	in := New(modes...)
	for _, d := range ds {
		in.Add(d)
	}
	return in.Result()
}

// wantIssue is what a test expects of an Issue: its path and sample id
// exactly, and a piece of its problem text.
type wantIssue struct{ path, sample, problem string }

func checkIssues(t *testing.T, got []Issue, want []wantIssue) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors = %+v, want %d: %+v", got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Path != w.path || g.SampleID != w.sample || !strings.Contains(g.Problem, w.problem) {
			t.Errorf("error %d = %+v, want path %q, sample %q, problem containing %q", i, g, w.path, w.sample, w.problem)
		}
	}
}

func TestMappingRules(t *testing.T) {
	tests := []struct {
		name    string
		docs    []map[string]any
		mapping map[string]any
		errors  []wantIssue
	}{
		{"int", docs(map[string]any{"_id": "a", "x": int64(3)}), map[string]any{"x": typ("integer")}, nil},
		{"int and float gives float",
			docs(map[string]any{"_id": "a", "x": int64(3)}, map[string]any{"_id": "b", "x": 2.5}),
			map[string]any{"x": typ("float")}, nil},
		{"float beyond float32 gives double",
			docs(map[string]any{"_id": "a", "x": 1e300}, map[string]any{"_id": "b", "x": int64(1)}),
			map[string]any{"x": typ("double")}, nil},
		{"2^40 gives long",
			docs(map[string]any{"_id": "a", "x": int64(1)}, map[string]any{"_id": "b", "x": int64(1) << 40}),
			map[string]any{"x": typ("long")}, nil},
		{"below -2^31 gives long",
			docs(map[string]any{"_id": "a", "x": int64(math.MinInt32) - 1}),
			map[string]any{"x": typ("long")}, nil},
		{"int32 bounds stay integer",
			docs(map[string]any{"_id": "a", "x": int64(math.MinInt32)}, map[string]any{"_id": "b", "x": int64(math.MaxInt32)}),
			map[string]any{"x": typ("integer")}, nil},
		{"bool", docs(map[string]any{"_id": "a", "x": true}), map[string]any{"x": typ("boolean")}, nil},
		{"one word gives keyword", docs(map[string]any{"_id": "a", "x": " ABL1 "}), map[string]any{"x": keyword}, nil},
		{"keyword and text give text",
			docs(map[string]any{"_id": "a", "x": "ABL1"}, map[string]any{"_id": "b", "x": "two words"}),
			map[string]any{"x": text}, nil},
		{"words split on any whitespace",
			docs(map[string]any{"_id": "a", "x": "one\u00a0two"}, map[string]any{"_id": "b", "y": "one\ttwo"}),
			map[string]any{"x": text, "y": text}, nil},
		{"dict gives properties",
			docs(map[string]any{"_id": "a", "cgi": map[string]any{"gene": "ABL1", "n": int64(1)}}),
			map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": keyword, "n": typ("integer")}}}, nil},
		{"list of ints maps like an int",
			docs(map[string]any{"_id": "a", "x": []any{int64(1), int64(2)}}),
			map[string]any{"x": typ("integer")}, nil},
		{"lists are transparent at any depth and mix with scalars",
			docs(map[string]any{"_id": "a", "x": []any{[]any{int64(1)}, int64(2)}}, map[string]any{"_id": "b", "x": 1.5}),
			map[string]any{"x": typ("float")}, nil},
		{"dict and list of dicts merge",
			docs(map[string]any{"_id": "a", "cgi": map[string]any{"gene": "ABL1"}},
				map[string]any{"_id": "b", "cgi": []any{map[string]any{"gene": "KIT"}, map[string]any{"drug": "a b"}}}),
			map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": keyword, "drug": text}}}, nil},
		{"nulls are ignored",
			docs(map[string]any{"_id": "a", "x": nil, "y": nil}, map[string]any{"_id": "b", "x": "v", "z": []any{nil}}),
			map[string]any{"x": keyword}, nil},
		{"empty list is ignored", docs(map[string]any{"_id": "a", "x": []any{}}), map[string]any{}, nil},
		{"_id is not mapped", docs(map[string]any{"_id": "a"}), map[string]any{}, nil},
		{"string and int is an error",
			docs(map[string]any{"_id": "a", "x": "s", "ok": true}, map[string]any{"_id": "c", "x": "t"},
				map[string]any{"_id": "b", "x": int64(1)}, map[string]any{"_id": "d", "x": int64(1)},
				map[string]any{"_id": "e", "x": "s"}),
			map[string]any{"ok": typ("boolean")},
			[]wantIssue{{"x", "b", `mixed types int (2, e.g. _id "b"), str (3, e.g. _id "a")`}}},
		{"dict and scalar is an error, nested path",
			docs(map[string]any{"_id": "a", "cgi": map[string]any{"drug": map[string]any{"name": "x"}, "gene": "G"}},
				map[string]any{"_id": "b", "cgi": []any{map[string]any{"drug": "Imatinib"}}}),
			map[string]any{"cgi": map[string]any{"properties": map[string]any{"gene": keyword}}},
			[]wantIssue{{"cgi.drug", "b", "mixed types str (1, e.g. _id \"b\"), dict (1, e.g. _id \"a\")"}}},
		{"list of scalars and dict is an error",
			docs(map[string]any{"_id": "a", "x": []any{"s"}}, map[string]any{"_id": "b", "x": map[string]any{"y": "s"}}),
			map[string]any{}, []wantIssue{{"x", "a", "mixed types"}}},
		{"bool and int is an error",
			docs(map[string]any{"_id": "a", "x": true}, map[string]any{"_id": "b", "x": int64(1)}),
			map[string]any{}, []wantIssue{{"x", "a", "mixed types bool"}}},
		{"NaN and infinities are errors, the field keeps its type",
			docs(map[string]any{"_id": "b", "x": math.NaN()}, map[string]any{"_id": "a", "x": []any{math.Inf(1), 1.5}},
				map[string]any{"_id": "c", "y": map[string]any{"z": math.Inf(-1)}}),
			map[string]any{"x": typ("float"), "y": map[string]any{"properties": map[string]any{"z": typ("float")}}},
			[]wantIssue{{"x", "a", "+Inf is not a valid JSON number"}, {"x", "b", "NaN is not"}, {"y.z", "c", "-Inf is not"}}},
		{"missing _id",
			docs(map[string]any{"x": "v"}),
			map[string]any{"x": keyword}, []wantIssue{{"_id", "", "missing _id"}}},
		{"non-string _id",
			docs(map[string]any{"_id": int64(12), "x": "v"}),
			map[string]any{"x": keyword}, []wantIssue{{"_id", "12", "_id is not a string (int)"}}},
		{"string and int _id is one error, not a conflict",
			docs(map[string]any{"_id": "a"}, map[string]any{"_id": int64(7)}, map[string]any{"_id": map[string]any{}}),
			map[string]any{}, []wantIssue{{"_id", "{}", "_id is not a string (dict)"}, {"_id", "7", "_id is not a string (int)"}}},
		{"empty _id",
			docs(map[string]any{"_id": "", "x": "v"}),
			map[string]any{"x": keyword}, []wantIssue{{"_id", "", "empty _id"}}},
		{"unsupported Go type",
			docs(map[string]any{"_id": "a", "x": struct{}{}}),
			map[string]any{}, []wantIssue{{"x", "a", "unsupported value of Go type struct {}"}}},
		{"other Go numbers are accepted",
			docs(map[string]any{"_id": "a", "x": 3, "y": float32(1.5), "z": json.Number("7")}),
			map[string]any{"x": typ("integer"), "y": typ("float"), "z": typ("integer")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inspectAll(tt.docs, ModeMapping)
			if !reflect.DeepEqual(r.Mapping, tt.mapping) {
				t.Errorf("mapping = %s\nwant      %s", js(t, r.Mapping), js(t, tt.mapping))
			}
			checkIssues(t, r.Errors, tt.errors)
			if r.Count != int64(len(tt.docs)) {
				t.Errorf("count = %d, want %d", r.Count, len(tt.docs))
			}
		})
	}
}

func js(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTypeTree(t *testing.T) {
	r := inspectAll(docs(
		map[string]any{"_id": "a", "cgi": map[string]any{"drug": "x", "n": int64(1)}, "_type": true, "__x": nil},
		map[string]any{"_id": "b", "cgi": []any{map[string]any{"drug": "y", "n": 2.5}, []any{}}, "tags": []any{}},
	), ModeType)
	wantTree := map[string]any{
		"__type": map[string]any{"_type": "bool"},
		"___x":   map[string]any{"_type": "null"},
		"_id":    map[string]any{"_type": "str"},
		"cgi": map[string]any{
			"_type": []any{"dict", "list"},
			"drug":  map[string]any{"_type": "str"},
			"n":     map[string]any{"_type": "int"},
			"_items": map[string]any{
				"_type": []any{"dict", "list"},
				"drug":  map[string]any{"_type": "str"},
				"n":     map[string]any{"_type": "float"},
			},
		},
		"tags": map[string]any{"_type": "list"},
	}
	if !reflect.DeepEqual(r.Types, wantTree) {
		t.Errorf("types = %s\nwant    %s", js(t, r.Types), js(t, wantTree))
	}
	if r.Stats != nil || r.Mapping != nil {
		t.Errorf("only the type mode was asked for: %s", js(t, r))
	}
}

func TestStats(t *testing.T) {
	r := inspectAll(docs(
		map[string]any{"_id": "a", "x": int64(3), "s": "héllo", "l": []any{"ab", nil, []any{"abcd"}}},
		map[string]any{"_id": "bb", "x": int64(-2), "s": nil, "l": "x"},
		map[string]any{"_id": "c", "y": []any{int64(4), 1.5}, "d": map[string]any{"e": false}},
	), ModeStats)
	want := map[string]any{
		"_id": map[string]any{"_count": int64(3), "_none": int64(0), "_min_len": int64(1), "_max_len": int64(2)},
		"x":   map[string]any{"_count": int64(2), "_none": int64(0), "_min": int64(-2), "_max": int64(3)},
		"s":   map[string]any{"_count": int64(1), "_none": int64(1), "_min_len": int64(5), "_max_len": int64(5)},
		"l": map[string]any{"_count": int64(3), "_none": int64(1), "_min_len": int64(1), "_max_len": int64(4),
			"_list_count": int64(2), "_min_list_len": int64(1), "_max_list_len": int64(3)},
		"y": map[string]any{"_count": int64(2), "_none": int64(0), "_min": 1.5, "_max": 4.0,
			"_list_count": int64(1), "_min_list_len": int64(2), "_max_list_len": int64(2)},
		"d":   map[string]any{"_count": int64(1), "_none": int64(0)},
		"d.e": map[string]any{"_count": int64(1), "_none": int64(0)},
	}
	if !reflect.DeepEqual(r.Stats, want) {
		t.Errorf("stats = %s\nwant    %s", js(t, r.Stats), js(t, want))
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"type", " Stats", "MAPPING"} {
		if _, err := ParseMode(s); err != nil {
			t.Errorf("ParseMode(%q): %v", s, err)
		}
	}
	if _, err := ParseMode("types"); err == nil || !strings.Contains(err.Error(), "type, stats, mapping") {
		t.Errorf("ParseMode(types) = %v, want an error naming the modes", err)
	}
}

func TestResultDoesNotChangeInspector(t *testing.T) {
	in := New()
	in.Add(map[string]any{"_id": "a", "x": []any{int64(1)}, "y": "a"})
	first := js(t, in.Result())
	if second := js(t, in.Result()); first != second {
		t.Errorf("Result changed the inspector:\n%s\n%s", first, second)
	}
	in.Merge(in)
	if in.Result().Count != 2 {
		t.Errorf("self-merge count = %d, want 2", in.Result().Count)
	}
}
