package inspect

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/testsupport/shareddata"
)

// cgiFields maps the tutorial's document fields to the TSV's columns.
var cgiFields = map[string]string{
	"association":        "Association",
	"cdna":               "cDNA",
	"drug":               "Drug full name",
	"evidence_level":     "Evidence level",
	"gene":               "Gene",
	"primary_tumor_type": "Primary Tumor type",
	"protein_change":     "individual_mutation",
	"region":             "region",
	"source":             "Source",
	"transcript":         "transcript",
}

// cgiDocs builds the tutorial's documents from the CGI file: MUT rows with
// a gDNA, grouped by gDNA, empty values dropped, duplicates removed, one
// record as a dict and several as a list.
func cgiDocs(t testing.TB) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(shareddata.Path(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	var ids []string
	groups := map[string][]map[string]any{}
	for _, line := range lines[1:] {
		row := strings.Split(line, "\t")
		gdna := row[col["gDNA"]]
		if row[col["Alteration type"]] != "MUT" || gdna == "" {
			continue
		}
		rec := map[string]any{}
		for field, h := range cgiFields {
			if v := row[col[h]]; v != "" {
				rec[field] = v
			}
		}
		if _, seen := groups[gdna]; !seen {
			ids = append(ids, gdna)
		}
		if !slices.ContainsFunc(groups[gdna], func(r map[string]any) bool { return reflect.DeepEqual(r, rec) }) {
			groups[gdna] = append(groups[gdna], rec)
		}
	}
	var out []map[string]any
	for _, id := range ids {
		recs := groups[id]
		var cgi any = recs[0]
		if len(recs) > 1 {
			list := make([]any, len(recs))
			for i, r := range recs {
				list[i] = r
			}
			cgi = list
		}
		out = append(out, map[string]any{"_id": id, "cgi": cgi})
	}
	return out
}

func TestCGIMapping(t *testing.T) {
	ds := cgiDocs(t)
	if len(ds) != 323 {
		t.Errorf("built %d documents, the tutorial has 323", len(ds))
	}
	// The expectation, from the data: a field is text when one of its
	// values holds whitespace-separated words.
	multi := map[string]bool{}
	seen := map[string]bool{}
	for _, d := range ds {
		recs, ok := d["cgi"].([]any)
		if !ok {
			recs = []any{d["cgi"]}
		}
		for _, r := range recs {
			for k, v := range r.(map[string]any) {
				seen[k] = true
				multi[k] = multi[k] || len(strings.Fields(v.(string))) > 1
			}
		}
	}
	for _, f := range []string{"drug", "evidence_level", "primary_tumor_type"} {
		if !multi[f] {
			t.Errorf("cgi.%s has no multi-word value; the tutorial's data has", f)
		}
	}

	r := inspectAll(ds)
	if len(r.Errors) > 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
	if r.Count != int64(len(ds)) {
		t.Errorf("count = %d, want %d", r.Count, len(ds))
	}
	if len(r.Mapping) != 1 {
		t.Errorf("top-level fields = %v, want only cgi", keys(r.Mapping))
	}
	props := r.Mapping["cgi"].(map[string]any)["properties"].(map[string]any)
	if !reflect.DeepEqual(keys(props), keys(seen)) {
		t.Errorf("cgi fields = %v, want %v", keys(props), keys(seen))
	}
	for f := range seen {
		want := keyword
		if multi[f] {
			want = text
		}
		if !reflect.DeepEqual(props[f], want) {
			t.Errorf("cgi.%s = %v, want %v", f, props[f], want)
		}
	}
	if ty := r.Types["cgi"].(map[string]any)["_type"]; !reflect.DeepEqual(ty, []any{"dict", "list"}) {
		t.Errorf("cgi type = %v, want dict and list", ty)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
