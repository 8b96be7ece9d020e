package tableparse

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// cgiExpected builds the worked example's documents straight from the TSV
// with encoding/csv, the way the BioThings Python parser does, without
// tableparse: rows with "Alteration type" MUT and a gDNA, empty values
// removed, grouped by _id in order of first appearance, duplicates removed.
func cgiExpected(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	out := map[string]string{
		"association": "Association", "cdna": "cDNA", "drug": "Drug full name",
		"evidence_level": "Evidence level", "gene": "Gene", "primary_tumor_type": "Primary Tumor type",
		"protein_change": "individual_mutation", "region": "region", "source": "Source",
		"transcript": "transcript",
	}
	var order []string
	groups := map[string][]any{}
	for _, row := range rows[1:] {
		if row[col["Alteration type"]] != "MUT" || row[col["gDNA"]] == "" {
			continue
		}
		id := row[col["gDNA"]]
		v := map[string]any{}
		for k, c := range out {
			if s := row[col[c]]; s != "" {
				v[k] = s
			}
		}
		if _, seen := groups[id]; !seen {
			order = append(order, id)
		}
		dup := false
		for _, w := range groups[id] {
			dup = dup || reflect.DeepEqual(v, w)
		}
		if !dup {
			groups[id] = append(groups[id], v)
		}
	}
	var docs []map[string]any
	for _, id := range order {
		var cgi any = groups[id]
		if len(groups[id]) == 1 {
			cgi = groups[id][0]
		}
		docs = append(docs, map[string]any{"_id": id, "cgi": cgi})
	}
	return docs
}

func TestCGIExample(t *testing.T) {
	dir := filepath.Join(sharedData(t), "cgi")
	file := filepath.Join(dir, "cgi_biomarkers_per_variant.tsv")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("CGI test file absent (%v)", err)
	}
	b, err := os.ReadFile("testdata/cgi_parser.json")
	if err != nil {
		t.Fatal(err)
	}
	spec := mustSpec(t, string(b))
	got, st, err := collect(t, spec, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := cgiExpected(t, file)
	if len(want) != 323 {
		t.Fatalf("the CGI file changed: %d documents expected from it, the test knows 323", len(want))
	}
	if len(got) != len(want) || st.Docs != int64(len(want)) {
		t.Fatalf("got %d documents (stats %d), want %d", len(got), st.Docs, len(want))
	}
	if st.Rejected != 0 || st.Rows != 1442 {
		t.Errorf("stats %+v: want 1442 rows and none rejected", st)
	}

	byID := map[string]map[string]any{}
	for _, d := range got {
		byID[d["_id"].(string)] = d
	}
	// Three documents field by field: the first, a grouped one and a single one.
	cases := []struct {
		id      string
		grouped int
	}{
		{id: want[0]["_id"].(string)},
		{id: "chr7:g.140453136A>T", grouped: 2},
		{id: "chr10:g.123247514C>G", grouped: -1},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var w map[string]any
			for _, d := range want {
				if d["_id"] == c.id {
					w = d
				}
			}
			g := byID[c.id]
			if w == nil || g == nil {
				t.Fatalf("document %q: got %v, expected %v", c.id, g != nil, w != nil)
			}
			wl, wIsList := w["cgi"].([]any)
			gl, gIsList := g["cgi"].([]any)
			if wIsList != gIsList {
				t.Fatalf("cgi is a list: got %v, want %v", gIsList, wIsList)
			}
			if c.grouped > 0 && (!wIsList || len(wl) < c.grouped) {
				t.Fatalf("test expects %q to group several rows, expected %v", c.id, w["cgi"])
			}
			if c.grouped < 0 && wIsList {
				t.Fatalf("test expects %q to come from one row, expected %v", c.id, w["cgi"])
			}
			if !wIsList {
				wl, gl = []any{w["cgi"]}, []any{g["cgi"]}
			}
			if len(gl) != len(wl) {
				t.Fatalf("cgi has %d entries, want %d", len(gl), len(wl))
			}
			for i := range wl {
				wm, gm := wl[i].(map[string]any), gl[i].(map[string]any)
				for k, v := range wm {
					if gm[k] != v {
						t.Errorf("cgi[%d].%s = %q, want %q", i, k, gm[k], v)
					}
				}
				if len(gm) != len(wm) {
					t.Errorf("cgi[%d] has %d fields, want %d: %v", i, len(gm), len(wm), gm)
				}
			}
		})
	}
	// And all of them, in order of first appearance.
	if !reflect.DeepEqual(got, want) {
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				g, _ := json.Marshal(got[i])
				w, _ := json.Marshal(want[i])
				t.Fatalf("document %d differs\n got: %s\nwant: %s", i, g, w)
			}
		}
	}
}
