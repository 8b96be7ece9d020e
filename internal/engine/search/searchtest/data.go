package searchtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"studio/internal/engine/search"
	"studio/internal/testsupport/shareddata"
)

// Doc is one test document: its id and its source as decoded JSON, with
// integral numbers as int64 and the others as float64.
type Doc struct {
	ID  string
	Src map[string]any
}

// MyGeneDocs reads the 100 mygene documents of the shared test data (an
// Elasticsearch bulk file), or skips the test when it is absent.
func MyGeneDocs(t testing.TB) []Doc {
	t.Helper()
	p := shareddata.Path(t, "mygene", "test_data.ndjson")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var docs []Doc
	for sc.Scan() {
		var action struct {
			Index struct {
				ID string `json:"_id"`
			} `json:"index"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || action.Index.ID == "" {
			t.Fatalf("%s: want an index action line, got %.80s (%v)", p, sc.Text(), err)
		}
		if !sc.Scan() {
			t.Fatalf("%s: action without a document", p)
		}
		docs = append(docs, Doc{ID: action.Index.ID, Src: decodeJSON(t, sc.Bytes())})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return docs
}

// decodeJSON decodes a document the way the engines must return it: JSON
// numbers without fraction or exponent as int64, others as float64.
func decodeJSON(t testing.TB, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %.80s: %v", data, err)
	}
	return numbers(v).(map[string]any)
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

// values returns the leaf values under a dotted path, looking through
// lists.
func values(v any, p string) []any {
	var out []any
	var walk func(v any, parts []string)
	walk = func(v any, parts []string) {
		switch x := v.(type) {
		case nil:
		case []any:
			for _, e := range x {
				walk(e, parts)
			}
		case map[string]any:
			if len(parts) > 0 {
				walk(x[parts[0]], parts[1:])
			}
		default:
			if len(parts) == 0 {
				out = append(out, x)
			}
		}
	}
	walk(v, strings.Split(p, "."))
	return out
}

// has reports whether the document has a non-null value under p (a leaf
// or an object holding one).
func has(src map[string]any, p string) bool {
	var walk func(v any, parts []string) bool
	walk = func(v any, parts []string) bool {
		switch x := v.(type) {
		case nil:
			return false
		case []any:
			for _, e := range x {
				if walk(e, parts) {
					return true
				}
			}
			return false
		case map[string]any:
			if len(parts) == 0 {
				for _, e := range x {
					if walk(e, nil) {
						return true
					}
				}
				return false
			}
			return walk(x[parts[0]], parts[1:])
		}
		return len(parts) == 0
	}
	return walk(src, strings.Split(p, "."))
}

// lowerStrings returns the string values under p, lower-cased (what a
// keyword field with the keyword_lowercase_normalizer indexes).
func lowerStrings(src map[string]any, p string) []string {
	var out []string
	for _, v := range values(src, p) {
		out = append(out, strings.ToLower(str(v)))
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// tokens splits text as the standard analyzer does for plain words:
// lower-cased runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// textHas reports whether a text value under p holds all the words of
// phrase, one after the other.
func textHas(src map[string]any, p, phrase string) bool {
	want := tokens(phrase)
	for _, v := range values(src, p) {
		got := tokens(str(v))
		for i := 0; i+len(want) <= len(got); i++ {
			if slices.Equal(got[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

// numbersAt returns the numeric values under p.
func numbersAt(src map[string]any, p string) []float64 {
	var out []float64
	for _, v := range values(src, p) {
		switch x := v.(type) {
		case int64:
			out = append(out, float64(x))
		case float64:
			out = append(out, x)
		}
	}
	return out
}

func anyNumber(src map[string]any, p string, f func(float64) bool) bool {
	return slices.ContainsFunc(numbersAt(src, p), f)
}

// globLower matches a keyword field's values against a wildcard pattern,
// case-insensitively.
func globLower(src map[string]any, p, pattern string) bool {
	for _, v := range lowerStrings(src, p) {
		if ok, _ := path.Match(strings.ToLower(pattern), v); ok && !strings.Contains(v, "/") {
			return true
		}
	}
	return false
}

// copyToAll lists the fields of a mapping that copy_to "all".
func copyToAll(spec search.IndexSpec) []string {
	var out []string
	var walk func(prefix string, props map[string]any)
	walk = func(prefix string, props map[string]any) {
		for name, raw := range props {
			def, _ := raw.(map[string]any)
			p := name
			if prefix != "" {
				p = prefix + "." + name
			}
			if sub, ok := def["properties"].(map[string]any); ok {
				walk(p, sub)
			}
			switch c := def["copy_to"].(type) {
			case string:
				if c == search.AllField {
					out = append(out, p)
				}
			case []any:
				if slices.Contains(c, any(search.AllField)) {
					out = append(out, p)
				}
			}
		}
	}
	props, _ := spec.Normalized().Mapping["properties"].(map[string]any)
	walk("", props)
	slices.Sort(out)
	return out
}

// filterExpected is the source filter the suite expects, written
// independently of the engines: each path keeps its subtree; lists keep
// the objects holding one of the paths.
func filterExpected(src map[string]any, fields []string) map[string]any {
	var paths [][]string
	for _, f := range fields {
		paths = append(paths, strings.Split(f, "."))
	}
	out, _ := keepPaths(src, paths)
	if out == nil {
		return map[string]any{}
	}
	return out.(map[string]any)
}

func keepPaths(v any, paths [][]string) (any, bool) {
	for _, p := range paths {
		if len(p) == 0 {
			return v, v != nil
		}
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			var sub [][]string
			for _, p := range paths {
				if p[0] == k {
					sub = append(sub, p[1:])
				}
			}
			if len(sub) == 0 {
				continue
			}
			if kept, ok := keepPaths(e, sub); ok {
				out[k] = kept
			}
		}
		return out, len(out) > 0
	case []any:
		var out []any
		for _, e := range x {
			if kept, ok := keepPaths(e, paths); ok {
				out = append(out, kept)
			}
		}
		return out, out != nil
	}
	return nil, false
}

// CGIDocs is a small set of documents for CGISpec.
func CGIDocs() []Doc {
	mk := func(id, gene, drug, assoc, status, tumor string, info string) Doc {
		return Doc{ID: id, Src: map[string]any{"cgi": map[string]any{
			"gene": gene, "drug": drug, "association": assoc, "drug_status": status,
			"primary_tumor_type": tumor, "biomarker": gene + " V600E", "info": info,
			"evidence_level": "FDA guidelines", "source": "PMID:" + id,
		}}}
	}
	return []Doc{
		mk("chr7:g.140453136A>T", "BRAF", "Vemurafenib", "Responsive", "Approved", "Melanoma", "first"),
		mk("chr7:g.140453136A>G", "BRAF", "Dabrafenib", "Responsive", "Approved", "Colorectal adenocarcinoma", "second"),
		mk("chr12:g.25398284C>T", "KRAS", "Cetuximab", "Resistant", "Approved", "Colorectal adenocarcinoma", "third"),
		mk("chr17:g.7577120C>T", "TP53", "Nutlin", "Resistant", "Early trials", "Any cancer type", "fourth"),
		mk("chr7:g.55259515T>G", "EGFR", "Gefitinib", "Responsive", "Approved", "Lung adenocarcinoma", "fifth"),
		{ID: "chr7:g.55249071C>T", Src: map[string]any{"cgi": []any{
			map[string]any{"gene": "EGFR", "drug": "Erlotinib", "association": "Resistant", "drug_status": "Approved"},
			map[string]any{"gene": "EGFR", "drug": "Osimertinib", "association": "Responsive", "drug_status": "Approved", "count": int64(3), "score": 0.5},
		}}},
	}
}
