package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"studio/internal/testsupport/shareddata"
)

// myGeneDocs reads the Elasticsearch bulk file: action lines alternate with
// documents; the _id comes from the action.
func myGeneDocs(t testing.TB) []map[string]any {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, "mygene", "test_data.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	var out []map[string]any
	var id any
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		v, err := decodeNumbers(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("line %d: not an object", line)
		}
		if action, ok := m["index"].(map[string]any); ok && len(m) == 1 {
			id = action["_id"]
			continue
		}
		m["_id"] = id
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeNumbers decodes JSON with integral numbers as int64 and the others
// (a fraction or an exponent) as float64.
func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v)
}

func convertNumbers(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return i, nil
			}
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range: ±Inf, which inspection reports
			return nil, err
		}
		return f, nil
	case []any:
		for i, e := range v {
			c, err := convertNumbers(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
	case map[string]any:
		for k, e := range v {
			c, err := convertNumbers(e)
			if err != nil {
				return nil, err
			}
			v[k] = c
		}
	}
	return v, nil
}

// typeFamily groups Elasticsearch types that hold the same kind of value.
func typeFamily(field map[string]any) string {
	t, _ := field["type"].(string)
	switch t {
	case "", "object", "nested":
		return "object"
	case "byte", "short", "integer", "long":
		return "integer"
	case "half_float", "float", "double", "scaled_float":
		return "float"
	case "keyword", "text":
		return t
	}
	return t
}

// mappingDiffs walks the fields both mappings hold and describes where
// their types disagree, as "path: ours X, reference Y". A keyword of ours
// where the reference has text with an analyzer is not a difference: the
// reference's custom analyzers are curated by hand (refseq_analyzer splits
// accessions at dots), which inspection cannot guess.
func mappingDiffs(ours, ref map[string]any, prefix string, compared *int) []string {
	var diffs []string
	for name, rv := range ref {
		ov, ok := ours[name].(map[string]any)
		if !ok {
			continue
		}
		r := rv.(map[string]any)
		path := prefix + name
		of, rf := typeFamily(ov), typeFamily(r)
		*compared++
		switch {
		case of == "keyword" && rf == "text" && r["analyzer"] != nil:
		case of != rf:
			diffs = append(diffs, fmt.Sprintf("%s: ours %s, reference %s", path, describe(ov), describe(r)))
		case of == "object":
			// An object the reference does not index ("enabled": false)
			// has no properties to compare.
			rp, _ := r["properties"].(map[string]any)
			op, _ := ov["properties"].(map[string]any)
			diffs = append(diffs, mappingDiffs(op, rp, path+".", compared)...)
		}
	}
	slices.Sort(diffs)
	return diffs
}

func describe(f map[string]any) string {
	t, _ := f["type"].(string)
	if t == "" {
		t = "object"
	}
	for _, k := range []string{"index", "enabled", "analyzer"} {
		if v, ok := f[k]; ok {
			t += fmt.Sprintf(" %s=%v", k, v)
		}
	}
	return t
}

// myGeneDifferences are the known differences between the inspected
// mapping of the 100 test documents and MyGene.info's curated mapping, each
// with its reason. A new difference, or one listed here that went away,
// fails the test.
var myGeneDifferences = func() map[string]string {
	const (
		notIndexed = "curated as text with index=false: not searchable, so its type does not matter; the values are single tokens (IEA, MF, NC_000012.12, is), which the rules make a keyword"
		pathwayID  = "curated as plain text; the values are single tokens (hsa04110, WP150, Pathway_BCR, EGFR1), which the rules make a keyword"
	)
	d := map[string]string{
		"accession.genomic: ours keyword, reference text index=false":   notIndexed,
		"go.BP.evidence: ours keyword, reference text index=false":      notIndexed,
		"go.CC.evidence: ours keyword, reference text index=false":      notIndexed,
		"go.MF.category: ours keyword, reference text index=false":      notIndexed,
		"go.MF.evidence: ours keyword, reference text index=false":      notIndexed,
		"interpro.short_desc: ours keyword, reference text index=false": notIndexed,
		"refseq.genomic: ours keyword, reference text index=false":      notIndexed,
		"pathway.biocarta.id: ours keyword, reference text":             pathwayID,
		"pathway.kegg.id: ours keyword, reference text":                 pathwayID,
		"pathway.netpath.id: ours keyword, reference text":              pathwayID,
		"pathway.netpath.name: ours keyword, reference text":            pathwayID,
		"pathway.pid.id: ours keyword, reference text":                  pathwayID,
		"pathway.reactome.id: ours keyword, reference text":             pathwayID,
		"pathway.wikipathways.id: ours keyword, reference text":         pathwayID,
	}
	// reagent.<library>.relationship is "is" in every library.
	for _, lib := range []string{
		"GNF_Qia_hs-genome_v1_siRNA", "GNF_hs-ORFeome1_1_reads", "GNF_hs-druggable_lenti-shRNA",
		"GNF_hs-druggable_plasmid-shRNA", "GNF_hs-druggable_siRNA", "GNF_hs-pkinase_IDT-siRNA",
		"GNF_hs_LentiORF-HA-MYC", "GNF_hs_LentiORF-Jred", "GNF_mm+hs-MGC", "GNF_mm+hs_RetroCDNA",
		"GNF_mm-GIPZ_shRNA", "GNF_mm-kinase_lenti-shRNA", "GNF_mm-kinase_plasmid-shRNA",
		"Invitrogen_IVTHSSIPKv2", "NIBRI_hs-Secretome_pDEST", "NOVART_hs-genome_siRNA",
	} {
		d["reagent."+lib+".relationship: ours keyword, reference text index=false"] = notIndexed
	}
	return d
}()

func TestMyGeneMapping(t *testing.T) {
	ds := myGeneDocs(t)
	if len(ds) != 100 {
		t.Fatalf("read %d documents, want 100", len(ds))
	}
	b, err := os.ReadFile(shareddata.Path(t, "mygene", "test_mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	r := inspectAll(ds, ModeMapping)
	if len(r.Errors) > 0 {
		t.Errorf("errors: %+v", r.Errors)
	}
	compared := 0
	diffs := mappingDiffs(r.Mapping, ref.Mappings.Properties, "", &compared)
	if compared < 200 {
		t.Errorf("compared only %d fields; the walk lost its way", compared)
	}
	for _, d := range diffs {
		if _, known := myGeneDifferences[d]; !known {
			t.Errorf("new difference: %s", d)
		}
	}
	for d := range myGeneDifferences {
		if !slices.Contains(diffs, d) {
			t.Errorf("listed difference no longer seen: %s", d)
		}
	}
	t.Logf("%d fields compared, %d known differences", compared, len(diffs))
}
