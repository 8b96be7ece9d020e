package plugingen

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"studio/internal/testsupport/testenv"
)

// fileURL writes data to a file named name and returns its file:// URL.
func fileURL(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipped(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const genesTSV = "gene\tchrom\tpos\tscore\tok\tnote\nBRCA1\t17\t43044295\t0.5\ttrue\tNA\nTP53\t17\t7661779\t1\tfalse\tx\nABL1\t9\t130713946\tNA\tyes\t\n"

func sampleOf(t *testing.T, name string, data []byte, lim Limits) *Sample {
	t.Helper()
	s, err := FetchSample(context.Background(), fileURL(t, name, data), lim)
	if err != nil {
		t.Fatalf("FetchSample(%s): %v", name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestInfer(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		format     string
		delim      string
		columns    string // name:type,...
		id         string
		group      bool
		dataFile   string
	}{
		{"tsv", "genes.tsv", []byte(genesTSV), "tsv", "", "gene:str,chrom:int,pos:int,score:float,ok:bool,note:str", "{gene}", false, "genes.tsv"},
		{"tsv gzipped", "genes.tsv.gz", gz(t, []byte(genesTSV)), "tsv", "", "gene:str,chrom:int,pos:int,score:float,ok:bool,note:str", "{gene}", false, "genes.tsv.gz"},
		{"tsv zipped", "genes.zip", zipped(t, "genes.txt", []byte(genesTSV)), "tsv", "", "gene:str,chrom:int,pos:int,score:float,ok:bool,note:str", "{gene}", false, "genes.txt"},
		{"csv quoted", "v.csv", []byte("variant_id,label,n\nv1,\"a, b\",1\nv2,\"c \"\"d\"\"\",2\n"), "csv", ",", "variant_id:str,label:str,n:int", "{variant_id}", false, "v.csv"},
		{"leading zeros are codes", "z.csv", []byte("zip,n\n02134,0\n10001,0.5\n"), "csv", ",", "zip:str,n:float", "{zip}", false, "z.csv"},
		{"semicolons", "v.txt", []byte("name;n\nx;1\ny;2\n"), "csv", ";", "name:str,n:int", "{name}", false, "v.txt"},
		{"id named id first", "v.tsv", []byte("name\tid\nx\t1\ny\t2\n"), "tsv", "", "name:str,id:int", "{id}", false, "v.tsv"},
		{"no unique column groups", "v.tsv", []byte("g\tv\nA\t1\nA\t2\nB\t1\n"), "tsv", "", "g:str,v:int", "{g}", true, "v.tsv"},
		{"jsonl", "d.jsonl", []byte("{\"_id\": \"a\", \"n\": 1, \"info\": {\"x\": 1}}\n{\"_id\": \"b\", \"n\": 2.5}\n"), "jsonl", "", "_id:str,n:float,info:", "{_id}", false, "d.jsonl"},
		{"json array", "d.json", []byte("[{\"k\": \"a\", \"b\": true}, {\"k\": \"b\", \"b\": false}]"), "json", "", "k:str,b:bool", "{k}", false, "d.json"},
		{"json gzipped", "d.json.gz", gz(t, []byte("[{\"k\": \"a\"}, {\"k\": \"b\"}]")), "json", "", "k:str", "{k}", false, "d.json.gz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleOf(t, tc.file, tc.data, Limits{})
			in, err := Infer(s, Hints{})
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, c := range in.Columns {
				cols = append(cols, c.Name+":"+c.Type)
			}
			got := fmt.Sprintf("%s %q %s %s %v %s", in.Format, in.Delimiter, strings.Join(cols, ","), in.Proposed.ID, in.Proposed.Group, s.DataFile)
			want := fmt.Sprintf("%s %q %s %s %v %s", tc.format, tc.delim, tc.columns, tc.id, tc.group, tc.dataFile)
			if tc.format == "tsv" {
				want = fmt.Sprintf("%s %q %s %s %v %s", tc.format, "", tc.columns, tc.id, tc.group, tc.dataFile)
			}
			if got != want {
				t.Errorf("inferred\n%s\nwant\n%s", got, want)
			}
			if s.Truncated {
				t.Errorf("a small file is a truncated sample: %s", s.Limit)
			}
			// The preview of the proposal parses every row.
			plan, err := MakePlan(context.Background(), s, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Preview.Stats.Rejected != 0 || plan.Preview.Stats.Docs == 0 {
				t.Errorf("preview stats %+v", plan.Preview.Stats)
			}
		})
	}
}

func TestInferErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		hints            Hints
		want             string
	}{
		{"empty", "e.tsv", "", Hints{}, "e.tsv: the sample is empty"},
		{"blank header name", "h.tsv", "a\t\tc\n1\t2\t3\n", Hints{}, "line 1: column 2 of the header row has no name"},
		{"duplicate header", "h.csv", "a,b,a\n1,2,3\n", Hints{}, `line 1: the header row names column "a" twice (columns 1 and 3)`},
		{"skipped header line", "h.csv", "# made today\na,b,a\n1,2,3\n", Hints{SkipLines: 1}, `line 2: the header row names column "a" twice`},
		{"no json object", "d.jsonl", "{\"a\": \n[1]\n", Hints{}, "line 1 is not one JSON object"},
		{"json not an array of objects", "d.json", "[{\"a\": 1}, 3]", Hints{}, "element 2 is not a JSON object"},
		{"json object", "d.json", "  \"a\"", Hints{}, "d.json: a JSON file must hold an array of objects"},
		{"bad format", "d.tsv", "a\n1\n", Hints{Format: "xml"}, `format: "xml" is not one of`},
		{"bad delimiter", "d.tsv", "a\n1\n", Hints{Format: "csv", Delimiter: "::"}, `delimiter: "::" is not one character`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleOf(t, tc.file, []byte(tc.data), Limits{})
			_, err := Infer(s, tc.hints)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Infer = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestFetchSampleErrors(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"not gzip", "a.tsv.gz", []byte("plain"), "reading a.tsv.gz: not gzip data"},
		{"not zip", "a.zip", []byte("plain"), "reading a.zip: not a zip archive"},
		{"empty zip", "a.zip", func() []byte { var b bytes.Buffer; zip.NewWriter(&b).Close(); return b.Bytes() }(), "the zip archive holds no file"},
		{"tar", "a.tar.gz", []byte("x"), "only plain, .gz and .zip files can be previewed"},
		{"bad json array", "a.json", []byte("[{\"a\": 1}, {\"a\": ]"), "element 2 (byte 9): invalid JSON"},
		{"html page", "a.tsv", []byte("<!DOCTYPE html>\n<html><body>Not found</body></html>\n"), "a.tsv looks like an HTML page, not data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FetchSample(context.Background(), fileURL(t, tc.file, tc.data), Limits{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("FetchSample = %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := FetchSample(context.Background(), "file:///nonexistent/x.tsv", Limits{}); err == nil || !strings.Contains(err.Error(), "fetching a sample") {
		t.Fatalf("FetchSample of a missing file = %v", err)
	}
}

func TestSampleLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("id\tv\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "r%d\t%d\n", i, i)
	}
	for _, tc := range []struct {
		name  string
		lim   Limits
		lines int
	}{
		{"rows", Limits{MaxRows: 10}, 10},
		{"bytes", Limits{MaxBytes: 100}, 17}, // the header and 16 rows make 97 bytes
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleOf(t, "big.tsv", []byte(b.String()), tc.lim)
			if !s.Truncated || s.Lines != tc.lines || !strings.HasPrefix(s.Limit, fmt.Sprintf("the first %d lines", tc.lines)) {
				t.Fatalf("sample: truncated %v, %d lines, %q", s.Truncated, s.Lines, s.Limit)
			}
			if !bytes.HasSuffix(s.Text(), []byte("\n")) {
				t.Fatalf("the sample ends inside a line: %q", s.Text())
			}
			plan, err := MakePlan(context.Background(), s, nil, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Preview.Docs) != 5 || plan.Preview.Stats.Docs != int64(tc.lines-1) {
				t.Fatalf("preview: %d docs shown, stats %+v", len(plan.Preview.Docs), plan.Preview.Stats)
			}
			if w := strings.Join(plan.Preview.Warnings, "\n"); !strings.Contains(w, "the preview reads the first") {
				t.Fatalf("no warning about the sample's limit: %q", w)
			}
		})
	}
}

// TestPreviewRejects shows values that do not fit the chosen type as
// rejected rows naming the file, line, column and value.
func TestPreviewRejects(t *testing.T) {
	s := sampleOf(t, "genes.tsv", []byte(genesTSV), Limits{})
	plan, err := MakePlan(context.Background(), s, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	o := plan.Options
	for i := range o.Fields {
		if o.Fields[i].Column == "gene" {
			o.Fields[i].Type = "int"
		}
	}
	plan, err = MakePlan(context.Background(), s, &o, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := plan.Preview.Stats
	if st.Rejected != 3 || st.Docs != 0 || len(st.RejectSamples) != 3 || !strings.Contains(st.RejectSamples[0], `genes.tsv line 2: column "gene": "BRCA1" is not an int`) {
		t.Fatalf("stats %+v", st)
	}
	if w := strings.Join(plan.Preview.Warnings, "\n"); !strings.Contains(w, "3 of 3 rows of the sample are rejected: the upload would count them and leave them out") {
		t.Fatalf("warnings %q", w)
	}
}

// TestPreviewBadJSONLine: a bad line of JSON lines is a rejected row of
// the preview, as of the upload, not an error of the whole sample.
func TestPreviewBadJSONLine(t *testing.T) {
	s := sampleOf(t, "d.jsonl", []byte("{\"k\": \"a\"}\n{\"k\": \n{\"k\": \"b\"}\n"), Limits{})
	plan, err := MakePlan(context.Background(), s, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st := plan.Preview.Stats; st.Docs != 2 || st.Rejected != 1 || !strings.Contains(st.RejectSamples[0], "line 2") {
		t.Fatalf("stats %+v", st)
	}
}

func TestOptionsCheck(t *testing.T) {
	base := Options{Name: "genes", Format: "tsv", ID: "{gene}", Root: "genes", Fields: []Field{{Column: "gene", Path: "gene", Keep: true}}}
	tests := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"bad name", func(o *Options) { o.Name = "9x" }, `name: "9x" must be`},
		{"id names nothing", func(o *Options) { o.ID = "gene" }, `id: "gene" names no column: write it as {column}, e.g. {gene}`},
		{"id unknown column", func(o *Options) { o.ID = "{nope}" }, `id: column "nope" is not in the file (columns: gene, pos)`},
		{"bad type", func(o *Options) { o.Fields[0].Type = "date" }, `fields[0].type: "date" is not one of`},
		{"same path", func(o *Options) { o.Fields = append(o.Fields, Field{Column: "pos", Path: "gene", Keep: true}) }, `fields[1].path: "gene" is also the path of fields[0]`},
		{"nothing kept", func(o *Options) { o.Fields[0].Keep = false }, "fields: every field is left out"},
		{"group without root", func(o *Options) { o.Group, o.Root = true, "" }, "root: grouping rows needs a root path"},
		{"skip op", func(o *Options) { o.Skip = []Condition{{Column: "pos", Op: "like"}} }, `skip[0].op: "like" is not one of`},
		{"skip regex", func(o *Options) { o.Skip = []Condition{{Column: "pos", Op: "regex", Value: "("}} }, "skip[0].value: error parsing regexp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Fields = append([]Field(nil), base.Fields...)
			tc.edit(&o)
			err := o.Check([]string{"gene", "pos"})
			var oe *OptionsError
			if !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check = %v, want %q", err, tc.want)
			}
		})
	}
	if err := base.Check([]string{"gene", "pos"}); err != nil {
		t.Fatalf("valid options: %v", err)
	}
}

func TestParserGroupAdjacent(t *testing.T) {
	o := Options{Name: "g", Format: "tsv", ID: "{g}", Root: "g", Group: true, Adjacent: true, SkipEmptyID: true,
		Fields: []Field{{Column: "g", Path: "g", Keep: true}, {Column: "v", Path: "v", Type: "int", Keep: true, Null: []string{"NA"}}},
		Skip:   []Condition{{Column: "v", Op: "eq", Value: "0"}}}
	got := fmt.Sprint(o.Parser("f.tsv"))
	want := "map[fields:map[g.g:g g.v:map[column:v null:[NA] type:int]] file:f.tsv format:tsv group:map[adjacent:true mode:list path:g] id:{g} skip:[map[column:g empty:true] map[column:v eq:0]]]"
	if got != want {
		t.Fatalf("Parser =\n%s\nwant\n%s", got, want)
	}
}

func TestPathAndName(t *testing.T) {
	for in, want := range map[string]string{"Primary Tumor type": "primary_tumor_type", "gDNA": "gdna", "info.gene": "info.gene", "  ": "col", "p-value (x)": "p_value_x"} {
		if got := PathOf(in); got != want {
			t.Errorf("PathOf(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"cgi_biomarkers_per_variant.tsv": "cgi_biomarkers_per_variant", "dir/My File.csv.gz": "my_file", "2024.tsv": "data_2024"} {
		if got := NameFromFile(in); got != want {
			t.Errorf("NameFromFile(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCGIPlan makes the tutorial's plugin from the CGI file: one document
// per variant (_id gDNA, rows of a variant grouped), rows without gDNA
// skipped: 323 documents, as the tutorial's parser makes.
func TestCGIPlan(t *testing.T) {
	data, err := os.ReadFile(testenv.SharedData(t, "cgi", "cgi_biomarkers_per_variant.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	s := sampleOf(t, "cgi_biomarkers_per_variant.zip", zipped(t, "cgi_biomarkers_per_variant.tsv", data), Limits{})
	plan, err := MakePlan(context.Background(), s, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	o := plan.Options
	o.Name, o.Root, o.ID, o.Group = "cgi", "cgi", "{gDNA}", true
	plan, err = MakePlan(context.Background(), s, &o, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := plan.Preview.Stats
	if st.Docs != 323 || st.Rejected != 0 || st.Skipped != 1442-613 {
		t.Fatalf("stats %+v, want 323 documents from 613 rows with a gDNA", st)
	}
	up := plan.Manifest["uploader"].(map[string]any)["parser"].(map[string]any)
	if up["file"] != "cgi_biomarkers_per_variant.tsv" || plan.Manifest["dumper"].(map[string]any)["uncompress"] != true {
		t.Fatalf("manifest %v", plan.Manifest)
	}
	var abl1 int
	for _, row := range plan.Preview.Rows {
		if strings.Contains(fmt.Sprint(row), "ABL1") {
			abl1++
		}
	}
	if len(plan.Preview.Rows) != DefaultPreviewDocs {
		t.Fatalf("%d rows shown", len(plan.Preview.Rows))
	}
}

func TestWriteArchivePush(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	ctx := context.Background()
	o := Options{Name: "genes", Format: "tsv", ID: "{gene}", Root: "genes", Fields: []Field{{Column: "gene", Path: "gene", Keep: true}}}
	dir := filepath.Join(t.TempDir(), "genes")
	w1, err := Write(ctx, dir, o.Manifest("https://example.org/genes.tsv", "genes.tsv", false), Readme(o, "https://example.org/genes.tsv"))
	if err != nil || !w1.Changed || len(w1.Commit) != 40 {
		t.Fatalf("Write = %+v, %v", w1, err)
	}
	w2, err := Write(ctx, dir, o.Manifest("https://example.org/genes.tsv", "genes.tsv", false), Readme(o, "https://example.org/genes.tsv"))
	if err != nil || w2.Changed || w2.Commit != w1.Commit {
		t.Fatalf("writing the same plugin again = %+v, %v; want no new commit", w2, err)
	}
	o.ID = "{gene}-x"
	w3, err := Write(ctx, dir, o.Manifest("https://example.org/genes.tsv", "genes.tsv", false), Readme(o, ""))
	if err != nil || !w3.Changed || w3.Commit == w1.Commit {
		t.Fatalf("writing a changed plugin = %+v, %v; want a new commit", w3, err)
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "x"), nil, 0o644)
	if _, err := Write(ctx, other, nil, ""); err == nil || !strings.Contains(err.Error(), "is not a git repository") {
		t.Fatalf("Write into a non-empty folder = %v", err)
	}

	for _, format := range []string{"zip", "tar.gz"} {
		var b bytes.Buffer
		if err := Archive(ctx, dir, format, &b); err != nil || b.Len() == 0 {
			t.Fatalf("Archive %s: %d bytes, %v", format, b.Len(), err)
		}
		if format == "zip" {
			zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			if got := strings.Join(names, ","); !strings.Contains(got, "genes/manifest.json") || !strings.Contains(got, "genes/README.md") {
				t.Fatalf("zip holds %s", got)
			}
		}
	}
	if err := Archive(ctx, dir, "rar", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), `format: "rar"`) {
		t.Fatalf("Archive rar = %v", err)
	}

	bare := filepath.Join(t.TempDir(), "shared.git")
	if out, err := exec.Command("git", "init", "--bare", "--quiet", bare).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v %s", err, out)
	}
	if err := Push(ctx, dir, bare, ""); err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "-C", bare, "rev-parse", "refs/heads/main").Output()
	if err != nil || strings.TrimSpace(string(head)) != w3.Commit {
		t.Fatalf("the bare repository's main is %q (%v), want %s", head, err, w3.Commit)
	}
	if err := Push(ctx, dir, filepath.Join(t.TempDir(), "missing.git"), ""); err == nil || !strings.Contains(err.Error(), "pushing to") {
		t.Fatalf("Push to a missing repository = %v", err)
	}
}
