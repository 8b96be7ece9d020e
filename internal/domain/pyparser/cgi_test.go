package pyparser

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"studio/internal/testsupport/shareddata"
)

// sharedData is the shared test data folder (see package shareddata).
func sharedData(t testing.TB) string { return shareddata.Path(t) }

// cgiFields maps document fields to TSV columns, as the tutorial's parser does.
var cgiFields = [][2]string{
	{"association", "Association"},
	{"cdna", "cDNA"},
	{"drug", "Drug full name"},
	{"evidence_level", "Evidence level"},
	{"gene", "Gene"},
	{"primary_tumor_type", "Primary Tumor type"},
	{"protein_change", "individual_mutation"},
	{"region", "region"},
	{"source", "Source"},
	{"transcript", "transcript"},
}

// expectedCGI computes the tutorial parser's documents from the TSV, in Go,
// following the definition: MUT rows with a gDNA, empty fields dropped,
// grouped by gDNA in file order; exact duplicates removed, one remaining
// row gives a dict, several a list.
func expectedCGI(t *testing.T, path string) (order []string, rowsPerID map[string]int, docs map[string]map[string]any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	groups := map[string][]map[string]any{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		id := row[col["gDNA"]]
		if row[col["Alteration type"]] != "MUT" || id == "" {
			continue
		}
		entry := map[string]any{}
		for _, fc := range cgiFields {
			if v := row[col[fc[1]]]; v != "" {
				entry[fc[0]] = v
			}
		}
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		groups[id] = append(groups[id], entry)
	}
	rowsPerID = map[string]int{}
	docs = map[string]map[string]any{}
	for _, id := range order {
		g := groups[id]
		rowsPerID[id] = len(g)
		var unique []any
	next:
		for _, e := range g {
			for _, u := range unique {
				if reflect.DeepEqual(u, e) {
					continue next
				}
			}
			unique = append(unique, e)
		}
		if len(unique) == 1 {
			docs[id] = map[string]any{"_id": id, "cgi": unique[0]}
			continue
		}
		docs[id] = map[string]any{"_id": id, "cgi": unique}
	}
	return order, rowsPerID, docs
}

func TestCGIParser(t *testing.T) {
	needPython(t)
	t.Parallel()
	data := sharedData(t)
	tsv := filepath.Join(data, "cgi", "cgi_biomarkers_per_variant.tsv")
	if _, err := os.Stat(tsv); err != nil {
		t.Skipf("CGI data not found at %s (set STUDIO_SHARED_DATA to the shared data folder): %v", tsv, err)
	}
	order, rows, want := expectedCGI(t, tsv)

	spec := Spec{PluginDir: filepath.Join("testdata", "plugins", "cgi"), Func: "parser:load_data"}
	var got []map[string]any
	st, err := Run(context.Background(), spec, filepath.Dir(tsv), Limits{}, func(d map[string]any) error {
		got = append(got, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(order) || st.Docs != int64(len(order)) || st.Rejected != 0 {
		t.Fatalf("got %d documents (stats %+v), want %d", len(got), st, len(order))
	}
	if len(order) != 323 {
		t.Errorf("the TSV gives %d variants; the tutorial uploads 323", len(order))
	}

	// Three documents checked field by field: the first single-row one, the
	// first grouped one, and one whose rows are all identical.
	pick := map[string]string{}
	for _, id := range order {
		switch {
		case rows[id] == 1 && pick["single"] == "":
			pick["single"] = id
		case rows[id] > 1 && !isDict(want[id]["cgi"]) && pick["grouped"] == "":
			pick["grouped"] = id
		case rows[id] > 1 && isDict(want[id]["cgi"]) && pick["all duplicates"] == "":
			pick["all duplicates"] = id
		}
	}
	byID := map[any]map[string]any{}
	for i, d := range got {
		if d["_id"] != order[i] {
			t.Fatalf("document %d has _id %v, want %s (file order)", i, d["_id"], order[i])
		}
		byID[d["_id"]] = d
	}
	for kind, id := range pick {
		t.Run(kind, func(t *testing.T) {
			d, w := byID[id], want[id]
			if len(d) != 2 {
				t.Errorf("%s: keys %v, want _id and cgi", id, reflect.ValueOf(d).MapKeys())
			}
			switch wc := w["cgi"].(type) {
			case map[string]any:
				compareEntry(t, id, d["cgi"], wc)
			case []any:
				gl, ok := d["cgi"].([]any)
				if !ok || len(gl) != len(wc) {
					t.Fatalf("%s: cgi = %#v, want a list of %d", id, d["cgi"], len(wc))
				}
				for i := range wc {
					compareEntry(t, id, gl[i], wc[i].(map[string]any))
				}
			}
		})
	}
	for _, id := range order {
		if !reflect.DeepEqual(byID[id], want[id]) {
			t.Errorf("%s:\n got %#v\nwant %#v", id, byID[id], want[id])
		}
	}
}

func compareEntry(t *testing.T, id string, got any, want map[string]any) {
	t.Helper()
	g, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("%s: cgi entry is %T, want a dict", id, got)
	}
	for _, fc := range cgiFields {
		if g[fc[0]] != want[fc[0]] {
			t.Errorf("%s: cgi.%s = %#v, want %#v", id, fc[0], g[fc[0]], want[fc[0]])
		}
	}
	if len(g) != len(want) {
		t.Errorf("%s: cgi has %d fields, want %d", id, len(g), len(want))
	}
}

func isDict(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
