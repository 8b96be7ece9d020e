package tableparse

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"
)

func gzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func xzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// runCase is one spec over some files and what it must give.
type runCase struct {
	name     string
	spec     string
	files    map[string]string
	want     string   // expected documents as a JSON list
	rejected int64    // expected rejected records
	reasons  []string // substrings of the reject samples, in order
	err      string   // substring of the run's error
}

func (c runCase) run(t *testing.T) {
	t.Helper()
	s := mustSpec(t, c.spec)
	docs, st, err := collect(t, s, writeFiles(t, c.files), Options{})
	if c.err != "" {
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Fatalf("error %v, want one containing %q", err, c.err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	sameDocs(t, docs, docsJSON(t, c.want))
	if st.Rejected != c.rejected {
		t.Errorf("rejected %d, want %d; samples %q", st.Rejected, c.rejected, st.RejectSamples)
	}
	for i, r := range c.reasons {
		if i >= len(st.RejectSamples) || !strings.Contains(st.RejectSamples[i], r) {
			t.Errorf("reject sample %d: got %q, want it to contain %q", i, st.RejectSamples, r)
		}
	}
}

func TestFormats(t *testing.T) {
	const tsv = "id\tname\tn\n1\talpha\t10\n2\tbeta\t20\n"
	const want = `[{"_id":"1","name":"alpha","n":10},{"_id":"2","name":"beta","n":20}]`
	const fields = `"id": "{id}", "fields": {"name": "name", "n": {"column": "n", "type": "int"}}`
	cases := []runCase{
		{name: "tsv", spec: `{"format":"tsv","file":"a.tsv",` + fields + `}`, files: map[string]string{"a.tsv": tsv}, want: want},
		{name: "tsv crlf", spec: `{"format":"tsv","file":"a.tsv",` + fields + `}`,
			files: map[string]string{"a.tsv": strings.ReplaceAll(tsv, "\n", "\r\n")}, want: want},
		{name: "tsv quotes kept by default", spec: `{"format":"tsv","file":"a.tsv",` + fields + `}`,
			files: map[string]string{"a.tsv": "id\tname\tn\n1\t\"alpha\"\t10\n"}, want: `[{"_id":"1","name":"\"alpha\"","n":10}]`},
		{name: "tsv with quote option", spec: `{"format":"tsv","file":"a.tsv","quote":"\"",` + fields + `}`,
			files: map[string]string{"a.tsv": "id\tname\tn\n1\t\"al\tpha\"\t10\n"}, want: `[{"_id":"1","name":"al\tpha","n":10}]`},
		{name: "csv with quotes", spec: `{"format":"csv","file":"a.csv",` + fields + `}`,
			files: map[string]string{"a.csv": "id,name,n\n1,\"al,pha \"\"x\"\"\",10\n\"2\",\"two\nlines\",20\n3,plain,30\n"},
			want:  `[{"_id":"1","name":"al,pha \"x\"","n":10},{"_id":"2","name":"two\nlines","n":20},{"_id":"3","name":"plain","n":30}]`},
		{name: "csv bad quote", spec: `{"format":"csv","file":"a.csv",` + fields + `}`,
			files:    map[string]string{"a.csv": "id,name,n\n1,\"al\"x,10\n2,b,20\n"},
			want:     `[{"_id":"2","name":"b","n":20}]`,
			rejected: 1, reasons: []string{`a.csv line 2: column 2: unexpected 'x' after a closing quote`}},
		{name: "csv unclosed quote", spec: `{"format":"csv","file":"a.csv",` + fields + `}`,
			files:    map[string]string{"a.csv": "id,name,n\n1,a,10\n2,\"b,20\n"},
			want:     `[{"_id":"1","name":"a","n":10}]`,
			rejected: 1, reasons: []string{`a.csv line 3: quoted field not closed`}},
		{name: "jsonl", spec: `{"format":"jsonl","file":"a.jsonl",` + fields + `}`,
			files: map[string]string{"a.jsonl": `{"id":"1","name":"alpha","n":10}` + "\n\n" + `{"id":2,"name":"beta","n":"20"}` + "\n[1]\n{bad\n"},
			want:  want, rejected: 2, reasons: []string{"a.jsonl line 4: not a JSON object", "a.jsonl line 5: invalid JSON"}},
		{name: "json array", spec: `{"format":"json","file":"a.json",` + fields + `}`,
			files: map[string]string{"a.json": `[{"id":"1","name":"alpha","n":10},` + "\n" + `3, {"id":2,"name":"beta","n":20.0}]`},
			want:  `[{"_id":"1","name":"alpha","n":10}]`, rejected: 2,
			reasons: []string{"a.json element 2 (byte", `a.json element 3 (byte 38): column "n": "20.0" is not an int`}},
		{name: "json nested columns", spec: `{"format":"json","file":"a.json","id":"{a.id}","fields":{"x":"a.x","y":"b"}}`,
			files: map[string]string{"a.json": `[{"a":{"id":"k","x":[1,2.5,"",{"z":""}]},"b":{"c":true,"d":null}}]`},
			want:  `[{"_id":"k","x":[1,2.5],"y":{"c":true}}]`},
		{name: "json every key", spec: `{"format":"json","file":"a.json","id":"{k}"}`,
			files: map[string]string{"a.json": `[{"k":"a","v":1,"e":""}, {"k":"b","w":{"x":null}}]`},
			want:  `[{"_id":"a","k":"a","v":1},{"_id":"b","k":"b"}]`},
		{name: "json truncated", spec: `{"format":"json","file":"a.json","id":"{k}"}`,
			files: map[string]string{"a.json": `[{"k":"a"}, {"k":`}, err: "a.json: the JSON array ends early"},
		{name: "json not an array", spec: `{"format":"json","file":"a.json","id":"{k}"}`,
			files: map[string]string{"a.json": `{"k":"a"}`}, err: "must hold a JSON array"},
		{name: "json invalid utf8", spec: `{"format":"json","file":"a.json","id":"{k}"}`,
			files: map[string]string{"a.json": "[{\"k\":\"a\xff\"}]"}, err: "a.json: invalid UTF-8 at byte 8"},
		{name: "gz", spec: `{"format":"tsv","file":"*.tsv.gz",` + fields + `}`, files: map[string]string{"a.tsv.gz": gzipped(t, tsv)}, want: want},
		{name: "xz", spec: `{"format":"tsv","file":"*.xz",` + fields + `}`, files: map[string]string{"a.tsv.xz": xzipped(t, tsv)}, want: want},
		{name: "several files in sorted order", spec: `{"format":"tsv","file":"part*.tsv*",` + fields + `}`,
			files: map[string]string{"part2.tsv": "id\tname\tn\n2\tbeta\t20\n", "part1.tsv.gz": gzipped(t, "id\tname\tn\n1\talpha\t10\n"), "other.tsv": "x\n"},
			want:  want},
		{name: "every column", spec: `{"format":"tsv","file":"a.tsv","id":"{id}"}`,
			files: map[string]string{"a.tsv": "id\tname\tn\n1\talpha\t\n"}, want: `[{"_id":"1","id":"1","name":"alpha"}]`},
		{name: "header list skip_lines comment", spec: `{"format":"tsv","file":"a.tsv","header":["id","name","n"],"skip_lines":1,"comment":"#",` + fields + `}`,
			files: map[string]string{"a.tsv": "some title\n# a comment\n1\talpha\t10\n#2\tbeta\t20\n2\tbeta\t20\n"}, want: want},
		{name: "no header", spec: `{"format":"csv","file":"a.csv","header":false,"id":"{1}","fields":{"name":"2"}}`,
			files: map[string]string{"a.csv": "\xef\xbb\xbf1,alpha\n2,beta\n"}, want: `[{"_id":"1","name":"alpha"},{"_id":"2","name":"beta"}]`},
		{name: "bom before header", spec: `{"format":"tsv","file":"a.tsv",` + fields + `}`,
			files: map[string]string{"a.tsv": "\xef\xbb\xbf" + tsv}, want: want},
		{name: "missing column", spec: `{"format":"tsv","file":"a.tsv","id":"{idx}"}`,
			files: map[string]string{"a.tsv": tsv}, err: `a.tsv: column "idx" is not in the header row (columns: id, name, n)`},
		{name: "no file", spec: `{"format":"tsv","file":"*.txt","id":"{id}"}`,
			files: map[string]string{"a.tsv": tsv}, err: `parser.file "*.txt" matched no file in the data folder`},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestTypesAndPaths(t *testing.T) {
	const head = "id\ta\tb\tc\n"
	cases := []runCase{
		{name: "types", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{
			"i":{"column":"a","type":"int"},"f":{"column":"b","type":"float"},"s":{"column":"c","type":"str"},
			"x.bool":{"column":"c","type":"bool"}}}`,
			files: map[string]string{"t.tsv": head + "1\t-7\t2.5\tyes\n2\t3\t1e3\tFALSE\n"},
			want:  `[{"_id":"1","i":-7,"f":2.5,"s":"yes","x":{"bool":true}},{"_id":"2","i":3,"f":1000.0,"s":"FALSE","x":{"bool":false}}]`},
		{name: "conversion errors", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{"i":{"column":"a","type":"int"},"f":{"column":"b","type":"float"},"b":{"column":"c","type":"bool"}}}`,
			files:    map[string]string{"t.tsv": head + "1\tabc\t1\ttrue\n2\t1\tnan\ttrue\n3\t1\t1\tmaybe\n4\t1.0\t1\t1\n5\t99999999999999999999\t1\t1\n"},
			rejected: 5,
			reasons: []string{`t.tsv line 2: column "a": "abc" is not an int`, `t.tsv line 3: column "b": "nan" is not a finite float`,
				`t.tsv line 4: column "c": "maybe" is not a bool`, `t.tsv line 5: column "a": "1.0" is not an int`, `line 6: column "a": "99999999999999999999" is out of the int range`}},
		{name: "lists strip null default", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{
			"drugs":{"column":"a","type":"list","strip":"[]"},
			"nums":{"column":"b","split":";","type":"int"},
			"c":{"column":"c","null":["NA","-"],"default":"none"}}}`,
			files: map[string]string{"t.tsv": head + "1\t[x, y,,z]\t1;2; 3\tNA\n2\t[]\t\tok\n"},
			want:  `[{"_id":"1","drugs":["x","y","z"],"nums":[1,2,3],"c":"none"},{"_id":"2","c":"ok"}]`},
		{name: "list item error", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{"nums":{"column":"b","split":";","type":"int"}}}`,
			files: map[string]string{"t.tsv": head + "1\tx\t1;b\tz\n"}, rejected: 1, reasons: []string{`t.tsv line 2: column "b": item "b" is not an int`}},
		{name: "keep_empty", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","keep_empty":true,"fields":{"a":"a","n":{"column":"b","type":"int"},"c":{"column":"c","null":["NA"]}}}`,
			files: map[string]string{"t.tsv": head + "1\t\t\tNA\n"}, want: `[{"_id":"1","a":"","n":null,"c":null}]`},
		{name: "empty values dropped and empty objects too", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{"x.a":"a","x.y.b":"b","c":"c"}}`,
			files: map[string]string{"t.tsv": head + "1\t\t\tz\n2\t\tq\t\n"}, want: `[{"_id":"1","c":"z"},{"_id":"2","x":{"y":{"b":"q"}}}]`},
		{name: "nested paths", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{"v.a":"a","v.sub.b":"b","v.sub.c":{"column":"c","trim":true},"top":"a"}}`,
			files: map[string]string{"t.tsv": head + "1\tA\tB\t C \n"}, want: `[{"_id":"1","v":{"a":"A","sub":{"b":"B","c":"C"}},"top":"A"}]`},
		{name: "field template", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","fields":{"hgvs":{"template":"{a}:g.{b}{{x}}"}}}`,
			files: map[string]string{"t.tsv": head + "1\tchr1\t5\t\n"}, want: `[{"_id":"1","hgvs":"chr1:g.5{x}"}]`},
		{name: "on_error fail", spec: `{"format":"tsv","file":"t.tsv","id":"{id}","on_error":"fail","fields":{"n":{"column":"a","type":"int"}}}`,
			files: map[string]string{"t.tsv": head + "1\t1\t\t\n2\tx\t\t\n"}, err: `t.tsv line 3: column "a": "x" is not an int (on_error is "fail"`},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestConditionsAndIDs(t *testing.T) {
	const data = "chrom\tpos\tref\talt\tkind\n1\t100\tA\tT\tSNV\n1\t200\tC\t\tdel\nX\t300\tG\tC\tSNV\n2\t400\tT\tA\tmnv\n"
	ids := func(spec string) runCase {
		return runCase{spec: `{"format":"tsv","file":"v.tsv","id":"{chrom}:g.{pos}{ref}>{alt}",` + spec + `}`, files: map[string]string{"v.tsv": data}}
	}
	cases := []struct {
		name string
		runCase
	}{}
	add := func(name, spec, want string, rejected int64, reasons ...string) {
		c := ids(spec)
		c.want, c.rejected, c.reasons = want, rejected, reasons
		cases = append(cases, struct {
			name string
			runCase
		}{name, c})
	}
	all := `"fields":{"k":"kind"}`
	add("template and empty id rejected", all,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"X:g.300G>C","k":"SNV"},{"_id":"2:g.400T>A","k":"mnv"}]`, 1,
		`v.tsv line 3: empty _id: column "alt" is empty`)
	add("where eq", all+`,"where":{"column":"kind","eq":"SNV"}`,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"X:g.300G>C","k":"SNV"}]`, 0)
	add("where ne and not empty", all+`,"where":[{"column":"kind","ne":"SNV"},{"column":"alt","empty":false}]`,
		`[{"_id":"2:g.400T>A","k":"mnv"}]`, 0)
	add("where in", all+`,"where":{"column":"pos","in":[100,400]}`,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"2:g.400T>A","k":"mnv"}]`, 0)
	add("skip not_in", all+`,"skip":{"column":"chrom","not_in":["1","2"]}`,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"2:g.400T>A","k":"mnv"}]`, 1)
	add("skip empty or regex", all+`,"skip":[{"column":"alt","empty":true},{"column":"chrom","regex":"^[XY]$"}]`,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"2:g.400T>A","k":"mnv"}]`, 0)
	add("where not_regex, several operators in one", all+`,"where":{"column":"kind","not_regex":"^m","ne":"del"}`,
		`[{"_id":"1:g.100A>T","k":"SNV"},{"_id":"X:g.300G>C","k":"SNV"}]`, 0)
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestGroup(t *testing.T) {
	const head = "id\tv\tw\n"
	spec := func(extra string) string {
		return `{"format":"tsv","file":"g.tsv","id":"{id}","fields":{"top":"w","x.v":"v","x.n":{"column":"w","type":"int"}},"group":{"path":"x"` + extra + `}}`
	}
	cases := []runCase{
		{name: "adjacent rows", spec: spec(""),
			files: map[string]string{"g.tsv": head + "a\t1\t1\na\t2\t2\na\t1\t1\nb\t3\t3\n"},
			want:  `[{"_id":"a","top":"1","x":[{"v":"1","n":1},{"v":"2","n":2}]},{"_id":"b","top":"3","x":{"v":"3","n":3}}]`},
		{name: "non-adjacent rows keep order of first appearance", spec: spec(""),
			files: map[string]string{"g.tsv": head + "b\t3\t3\na\t1\t1\nb\t4\t4\nc\t\t\na\t1\t1\nc\t5\t5\n"},
			want:  `[{"_id":"b","top":"3","x":[{"v":"3","n":3},{"v":"4","n":4}]},{"_id":"a","top":"1","x":{"v":"1","n":1}},{"_id":"c","top":"5","x":{"v":"5","n":5}}]`},
		{name: "adjacent mode streams", spec: spec(`,"adjacent":true`),
			files: map[string]string{"g.tsv": head + "a\t1\t1\na\t2\t2\nb\t3\t3\n"},
			want:  `[{"_id":"a","top":"1","x":[{"v":"1","n":1},{"v":"2","n":2}]},{"_id":"b","top":"3","x":{"v":"3","n":3}}]`},
		{name: "many duplicates", spec: spec(""),
			files: map[string]string{"g.tsv": head + strings.Repeat("a\t1\t1\na\t2\t2\na\t3\t3\na\t4\t4\na\t5\t5\na\t6\t6\na\t7\t7\na\t8\t8\na\t9\t9\n", 3)},
			want:  `[{"_id":"a","top":"1","x":[{"v":"1","n":1},{"v":"2","n":2},{"v":"3","n":3},{"v":"4","n":4},{"v":"5","n":5},{"v":"6","n":6},{"v":"7","n":7},{"v":"8","n":8},{"v":"9","n":9}]}]`},
		{name: "across files", spec: `{"format":"tsv","file":"*.tsv","id":"{id}","fields":{"x":"v"},"group":{"path":"x"}}`,
			files: map[string]string{"1.tsv": head + "a\t1\t\n", "2.tsv": head + "a\t2\t\n"},
			want:  `[{"_id":"a","x":["1","2"]}]`},
		{name: "memory limit", spec: spec(`,"max_memory_mb":1`),
			files: map[string]string{"g.tsv": head + bigRows(40000)},
			err:   `holds more than 1 MB of rows (`},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// bigRows is n rows with distinct ids.
func bigRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "id%07d\tvalue-%d\t%d\n", i, i, i)
	}
	return b.String()
}

func TestRowErrors(t *testing.T) {
	long := strings.Repeat("x", 3<<20)
	const spec = `{"format":"tsv","file":"e.tsv","id":"{id}","fields":{"v":"v"}%s}`
	cases := []runCase{
		{name: "wrong column count", spec: fmt.Sprintf(spec, ""),
			files: map[string]string{"e.tsv": "id\tv\n1\ta\n2\tb\textra\n3\n4\td\n"},
			want:  `[{"_id":"1","v":"a"},{"_id":"4","v":"d"}]`, rejected: 2,
			reasons: []string{"e.tsv line 3: 3 columns, expected 2", "e.tsv line 4: 1 columns, expected 2"}},
		{name: "invalid utf-8", spec: fmt.Sprintf(spec, ""),
			files: map[string]string{"e.tsv": "id\tv\n1\ta\xffb\n2\tb\n"},
			want:  `[{"_id":"2","v":"b"}]`, rejected: 1, reasons: []string{"e.tsv line 2: invalid UTF-8 at byte 3 of the line"}},
		{name: "long line accepted by default", spec: fmt.Sprintf(spec, ""),
			files: map[string]string{"e.tsv": "id\tv\n1\t" + long + "\n2\tb\n"},
			want:  `[{"_id":"1","v":"` + long + `"},{"_id":"2","v":"b"}]`},
		{name: "line over max_line_bytes", spec: fmt.Sprintf(spec, `,"max_line_bytes":1000000`),
			files: map[string]string{"e.tsv": "id\tv\n1\t" + long + "\n2\tb\n3\t" + long},
			want:  `[{"_id":"2","v":"b"}]`, rejected: 2,
			reasons: []string{"e.tsv line 2: line longer than 1000000 bytes", "e.tsv line 4: line longer than 1000000 bytes"}},
		{name: "fail on bad row", spec: fmt.Sprintf(spec, `,"on_error":"fail"`),
			files: map[string]string{"e.tsv": "id\tv\n1\ta\n2\n"}, err: "e.tsv line 3: 1 columns, expected 2"},
		{name: "bad header is fatal", spec: fmt.Sprintf(spec, ""),
			files: map[string]string{"e.tsv": "id\t\xffv\n1\ta\n"}, err: "e.tsv line 1: cannot read the header row: invalid UTF-8"},
		{name: "jsonl long line", spec: `{"format":"jsonl","file":"e.jsonl","id":"{id}","max_line_bytes":100}`,
			files: map[string]string{"e.jsonl": `{"id":"a","v":"` + strings.Repeat("y", 200) + "\"}\n{\"id\":\"b\"}\n{\"id\":\"c\xff\"}\n"},
			want:  `[{"_id":"b","id":"b"}]`, rejected: 2, reasons: []string{"e.jsonl line 1: line longer than 100 bytes", "e.jsonl line 3: invalid UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestSkipDocsResume(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.tsv": "id\tv\n" + "a\t1\nb\t2\na\t3\nc\t4\nd\t5\n"})
	for _, js := range []string{
		`{"format":"tsv","file":"r.tsv","id":"{id}","fields":{"v":"v"}}`,
		`{"format":"tsv","file":"r.tsv","id":"{id}","fields":{"v":"v"},"group":{"path":"v"}}`,
	} {
		s := mustSpec(t, js)
		all, full, err := collect(t, s, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for skip := int64(0); skip <= int64(len(all))+1; skip++ {
			tail, st, err := collect(t, s, dir, Options{SkipDocs: skip})
			if err != nil {
				t.Fatal(err)
			}
			want := all[min(int(skip), len(all)):]
			sameDocs(t, tail, want)
			if st.Docs != full.Docs || st.Rows != full.Rows {
				t.Errorf("skip %d: stats %+v, want the full run's counts %+v", skip, st, full)
			}
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	cases := []struct {
		name string
		spec string
		want []string
	}{
		{name: "several at once", spec: `{"format":"xls","file":"/abs/*.tsv","id":"gDNA","fields":{"cgi.drug":{"column":"Drug","type":"text"},"cgi.drug.name":"x","_id":"y"},"on_error":"ignore","extra":1}`,
			want: []string{
				`parser.format: "xls": want one of tsv, csv, jsonl, json`,
				`parser.file: "/abs/*.tsv": must be relative`,
				`parser.fields.cgi.drug.type: want one of str, int, float, bool, list`,
				`parser.fields._id: the _id comes from "id"`,
				`parser.on_error: "ignore": want one of reject, fail`,
				`parser.extra: unknown key`,
				`parser.id: "gDNA" names no column`,
				`parser.fields.cgi.drug.name: conflicts with another field at "cgi.drug"`,
			}},
		{name: "compile problems", spec: `{"format":"tsv","file":"a.tsv","id":"gDNA","fields":{"a":"x","a.b":"y"},"group":{"path":"z","mode":"merge"}}`,
			want: []string{
				`parser.id: "gDNA" names no column; write the column in braces, e.g. "{gDNA}"`,
				`parser.fields.a.b: conflicts with another field at "a"`,
				`parser.group.path: "z": no field is written there`,
				`parser.group.mode: "merge": want one of list`,
			}},
		{name: "mode", spec: `{"format":"tsv","file":"a.tsv","id":"{x}","group":{"path":"z","mode":"merge"}}`,
			want: []string{`parser.group.mode: "merge": want one of list`}},
		{name: "required keys", spec: `{}`,
			want: []string{"parser.format: required", "parser.file: required", "parser.id: required"}},
		{name: "conditions", spec: `{"format":"tsv","file":"a.tsv","id":"{x}","where":[{"column":"a"},{"column":"b","regex":"("},{"eq":1}],"skip":{"column":"c","in":"x"}}`,
			want: []string{"parser.where[0]: no test", "parser.where[1].regex: bad regular expression", "parser.where[2].column: required", "parser.skip.in: want a list"}},
		{name: "format-specific keys", spec: `{"format":"json","file":"a.json","id":"{x}","header":true,"quote":"'","skip_lines":1,"comment":"#"}`,
			want: []string{"parser.header: used with formats tsv and csv only", "parser.quote: used with formats tsv and csv only", "parser.skip_lines: not used with format json", "parser.comment: not used with format json"}},
		{name: "header list and templates", spec: `{"format":"tsv","file":"a.tsv","header":["a","a"],"id":"{a}{","fields":{"x":"nope","y":{"column":"a","template":"{a}"},"z":{"column":"a","type":"int","default":"abc"}}}`,
			want: []string{`parser.header[1]: column "a" named twice`, `parser.id: "{a}{": unclosed '{'`, `parser.fields.x: column "nope" is not in parser.header`,
				`parser.fields.y: give "column" or "template", not both`, `parser.fields.z.default: "abc" is not an int`}},
		{name: "numbered columns without header", spec: `{"format":"csv","file":"a.csv","header":false,"id":"{id}","fields":{"x":"0"}}`,
			want: []string{`parser.fields.x: column "0": with "header": false, name columns by number from 1`, `parser.id: column "id": with "header": false`}},
		{name: "bad values", spec: `{"format":"tsv","file":"a.tsv","id":"{a}","delimiter":"ab","skip_lines":-1,"max_line_bytes":0,"keep_empty":"yes","group":{"path":"a","max_memory_mb":0}}`,
			want: []string{`parser.delimiter: "ab": want one ASCII character`, "parser.skip_lines: -1: want 0 or more", "parser.max_line_bytes: 0: want 1", `parser.keep_empty: want true or false, got the string "yes"`, "parser.group.max_memory_mb: 0: want 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec(rawSpec(t, c.spec))
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SpecError", err)
			}
			for _, w := range c.want {
				found := false
				for _, p := range se.Problems {
					found = found || strings.Contains(p, w)
				}
				if !found {
					t.Errorf("no problem contains %q; got:\n%s", w, err)
				}
			}
			if len(se.Problems) != len(c.want) {
				t.Errorf("%d problems, want %d:\n%s", len(se.Problems), len(c.want), err)
			}
		})
	}
}

func TestParseSpecFromYAMLTypes(t *testing.T) {
	// YAML decoders give int and map[string]any; both must be accepted.
	raw := map[string]any{
		"format": "tsv", "file": "a.tsv", "id": "{a}", "skip_lines": 1,
		"fields": map[string]any{"n": map[string]any{"column": "b", "type": "int", "default": 3}},
		"where":  []any{map[string]any{"column": "a", "in": []any{1, "x"}}},
	}
	s, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.SkipLines != 1 || s.Fields[0].Default != int64(3) || s.Where[0].In[0] != "1" {
		t.Errorf("decoded %+v", s)
	}
}

func TestCancel(t *testing.T) {
	dir := writeFiles(t, map[string]string{"c.tsv": "id\tv\tw\n" + bigRows(10000)})
	s := mustSpec(t, `{"format":"tsv","file":"c.tsv","id":"{id}","fields":{"v":"v"}}`)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	st, err := Run(ctx, s, dir, Options{}, func(map[string]any) error {
		n++
		if n == 1500 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if st.Docs >= 10000 || n > 3000 {
		t.Errorf("the run went on after cancel: %d docs", st.Docs)
	}
}

func TestEmitErrorAndProgress(t *testing.T) {
	dir := writeFiles(t, map[string]string{"c.tsv": "id\tv\tw\n" + bigRows(100)})
	s := mustSpec(t, `{"format":"tsv","file":"c.tsv","id":"{id}","fields":{"v":"v"}}`)
	stop := errors.New("store is full")
	_, err := Run(context.Background(), s, dir, Options{}, func(map[string]any) error { return stop })
	if err != stop {
		t.Fatalf("got %v, want emit's error as is", err)
	}
	var last [3]int64
	st, err := Run(context.Background(), s, dir, Options{Progress: func(r, b, total int64) { last = [3]int64{r, b, total} }},
		func(map[string]any) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "c.tsv"))
	if last != [3]int64{100, fi.Size(), fi.Size()} || st.Bytes != fi.Size() || st.Files != 1 {
		t.Errorf("last progress %v, stats %+v; want 100 rows and %d bytes", last, st, fi.Size())
	}
}
