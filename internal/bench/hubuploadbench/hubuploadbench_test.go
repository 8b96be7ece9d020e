package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"studio/internal/engine/docstore/mongo/ferrettest"
	"studio/internal/testsupport/testenv"
)

// TestWriteCGI checks the generated file against what the tutorial's
// parser makes of it, read here in Go: a document per MUT variant with a
// gDNA, exact duplicate lines counted, the same bytes every time.
func TestWriteCGI(t *testing.T) {
	dir := t.TempDir()
	for _, rows := range []int{1, 39, 40, 41, 1000, 5003} {
		a, b := filepath.Join(dir, "a.tsv"), filepath.Join(dir, "b.tsv")
		st, err := writeCGI(a, rows)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := writeCGI(b, rows); err != nil {
			t.Fatal(err)
		}
		ba, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		if !bytes.Equal(ba, bb) {
			t.Fatalf("rows %d: two runs wrote different files", rows)
		}
		if int64(len(ba)) != st.Bytes {
			t.Errorf("rows %d: Bytes %d, file has %d", rows, st.Bytes, len(ba))
		}
		sc := bufio.NewScanner(bytes.NewReader(ba))
		sc.Buffer(nil, 1<<20)
		sc.Scan()
		if got := strings.Split(sc.Text(), "\t"); len(got) != 24 || got[16] != "gDNA" {
			t.Fatalf("rows %d: header %q", rows, got)
		}
		lines, dups, prev := 0, 0, ""
		ids := map[string]bool{}
		for sc.Scan() {
			line := sc.Text()
			lines++
			if line == prev {
				dups++
			}
			prev = line
			cells := strings.Split(line, "\t")
			if len(cells) != 24 {
				t.Fatalf("rows %d, line %d: %d cells", rows, lines, len(cells))
			}
			if cells[1] == "MUT" && cells[16] != "" {
				ids[cells[16]] = true
			}
		}
		if lines != rows || st.Rows != rows {
			t.Errorf("rows %d: %d data lines, Rows %d", rows, lines, st.Rows)
		}
		if dups != st.Duplicates {
			t.Errorf("rows %d: %d duplicate lines, Duplicates %d", rows, dups, st.Duplicates)
		}
		if len(ids) != st.Docs {
			t.Errorf("rows %d: %d distinct MUT gDNAs, Docs %d", rows, len(ids), st.Docs)
		}
	}
}

func TestHubConfig(t *testing.T) {
	for _, tc := range []struct {
		uri  string
		want []string // lines of config.py
		err  string
	}{
		{uri: "mongodb://127.0.0.1:4000/", want: []string{`DATA_SRC_SERVER = "127.0.0.1"`, `DATA_SRC_PORT = 4000`, `HUB_DB_BACKEND = {"module": "biothings.utils.mongo", "uri": "mongodb://127.0.0.1:4000/"}`}},
		{uri: "mongodb://db.example.org", want: []string{`DATA_SRC_SERVER = "db.example.org"`, `DATA_SRC_PORT = 27017`}},
		{uri: "mongodb://u:p%40ss@h:1", want: []string{`DATA_SRC_SERVER_USERNAME = "u"`, `DATA_SRC_SERVER_PASSWORD = "p@ss"`}},
		{uri: "mongodb://h:1/?authSource=admin", err: "drops the options"},
		{uri: "mongodb://a:1,b:2/", err: "one host"},
		{uri: "mongodb+srv://cluster.example.org/", err: "one host"},
	} {
		d, err := newHubDirs(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		err = hubConfig(tc.uri, hubDatabases{Src: "s", Target: "t", HubDB: "h"}, d)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one saying %q", tc.uri, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.uri, err)
		}
		b, _ := os.ReadFile(filepath.Join(d.App, "config.py"))
		for _, w := range append(tc.want, `DATA_SRC_DATABASE = "s"`, `DATA_HUB_DB_DATABASE = "h"`, `LOG_FOLDER = "`+d.Logs+`"`) {
			if !strings.Contains(string(b), w+"\n") {
				t.Errorf("%s: config.py lacks %q:\n%s", tc.uri, w, b)
			}
		}
	}
}

func TestFindCGIPlugin(t *testing.T) {
	parser := "def load_data(folder):\n    open(folder + '/cgi_biomarkers_per_variant.tsv')\n    yield {'_id': 'x'}\n"
	withPlugin := testenv.GitRepo(t, "mvcgi", map[string]string{"manifest.json": `{"uploader": {"parser": "parser:load_data"}}`, "parser.py": parser})
	without := testenv.GitRepo(t, "tutorials", map[string]string{"README": "PharmGKB only", "parser.py": "def load_data(f):\n    yield {}\n"})
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "manifest.yaml"), []byte("uploader:\n  parser: parser:load_data\n"), 0o644)
	os.WriteFile(filepath.Join(folder, "parser.py"), []byte(parser), 0o644)

	src, err := findCGIPlugin([]string{"", without, withPlugin})
	if err != nil {
		t.Fatal(err)
	}
	if src.Where != withPlugin || src.Ref != "" || len(src.Commit) != 40 {
		t.Errorf("found %+v, want the work tree %s with its commit", src, withPlugin)
	}
	dst := filepath.Join(t.TempDir(), "mvcgi")
	if err := src.materialize(dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "parser.py")); err != nil || string(b) != parser {
		t.Errorf("materialized parser.py: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dst, ".git")); err != nil {
		t.Errorf("a work tree is copied with its .git, so the hub finds its git information: %v", err)
	}

	// A repository without a work tree (a bare clone, as a mirror is) is
	// searched branch by branch, and the plugin cloned from it.
	bare := filepath.Join(t.TempDir(), "mvcgi.git")
	if _, err := git("", "clone", "-q", "--bare", withPlugin, bare); err != nil {
		t.Fatal(err)
	}
	src, err = findCGIPlugin([]string{bare})
	if err != nil || src.Ref != "main" || src.Sub != "" || len(src.Commit) != 40 {
		t.Fatalf("bare clone: %+v, %v; want branch main at its root", src, err)
	}
	dst = filepath.Join(t.TempDir(), "mvcgi")
	if err := src.materialize(dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "parser.py")); err != nil || string(b) != parser {
		t.Errorf("cloned parser.py: %q, %v", b, err)
	}

	// A plugin in a sub-folder of another branch is found there and
	// extracted.
	nested := filepath.Join(t.TempDir(), "plugins")
	os.MkdirAll(filepath.Join(nested, "hub", "cgi"), 0o755)
	os.WriteFile(filepath.Join(nested, "README"), []byte("main holds no plugin\n"), 0o644)
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "readme"},
		{"checkout", "-q", "-b", "cgi_v1"},
	} {
		if _, err := git(nested, args...); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(nested, "hub", "cgi", "manifest.json"), []byte(`{"uploader": {"parser": "parser:load_data"}}`), 0o644)
	os.WriteFile(filepath.Join(nested, "hub", "cgi", "parser.py"), []byte(parser), 0o644)
	for _, args := range [][]string{{"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "plugin"}, {"checkout", "-q", "main"}} {
		if _, err := git(nested, args...); err != nil {
			t.Fatal(err)
		}
	}
	src, err = findCGIPlugin([]string{nested})
	if err != nil || src.Ref != "cgi_v1" || src.Sub != "hub/cgi" {
		t.Fatalf("nested: %+v, %v; want branch cgi_v1, folder hub/cgi", src, err)
	}
	dst = filepath.Join(t.TempDir(), "mvcgi")
	if err := src.materialize(dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "parser.py")); err != nil || string(b) != parser {
		t.Errorf("extracted parser.py: %q, %v", b, err)
	}

	if src, err := findCGIPlugin([]string{folder}); err != nil || src.Where != folder || src.Ref != "" {
		t.Errorf("plain folder: %+v, %v", src, err)
	}
	_, err = findCGIPlugin([]string{without, filepath.Join(folder, "absent")})
	if !errors.Is(err, errNoPlugin) || !strings.Contains(err.Error(), "no branch holds a manifest") || !strings.Contains(err.Error(), "absent") {
		t.Errorf("no plugin: %v, want errNoPlugin naming each miss", err)
	}
}

// TestCompareCollections writes documents with the Go driver into two
// databases of a real FerretDB and checks what the comparison tells apart.
func TestCompareCollections(t *testing.T) {
	ctx := context.Background()
	uri := ferrettest.StartT(t)
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	d := func(kv ...any) bson.D {
		var out bson.D
		for i := 0; i < len(kv); i += 2 {
			out = append(out, bson.E{Key: kv[i].(string), Value: kv[i+1]})
		}
		return out
	}
	base := []any{
		d("_id", "a", "x", "1", "y", bson.A{"p", "q"}),
		d("_id", "b", "n", int32(7), "o", d("k", "v", "l", "w")),
		d("_id", "c", "x", "é"),
	}
	for i, tc := range []struct {
		name   string
		other  []any
		ok     bool
		check  func(c comparison) bool
		expect string
	}{
		{"identical", base, true, func(c comparison) bool { return c.RawSame == 3 && c.Same == 3 }, "3 byte-identical"},
		{"key order", []any{base[0], d("_id", "b", "o", d("l", "w", "k", "v"), "n", int32(7)), base[2]}, true,
			func(c comparison) bool { return c.Same == 3 && c.KeyOrder == 1 && c.RawSame == 2 }, "one in key order only"},
		{"number type", []any{base[0], d("_id", "b", "n", int64(7), "o", d("k", "v", "l", "w")), base[2]}, true,
			func(c comparison) bool { return c.Same == 3 && c.NumberTypes == 1 && c.KeyOrder == 0 }, "one in number type only"},
		{"content", []any{base[0], base[1], d("_id", "c", "x", "e\u0301")}, false,
			func(c comparison) bool { return c.Differ == 1 && strings.Contains(c.FirstDiffer, `"_id":"c"`) }, "one differing document"},
		{"missing and extra", []any{base[0], base[1], d("_id", "d")}, false,
			func(c comparison) bool { return c.OnlyA == 1 && c.OnlyB == 1 && c.OnlyASample[0] == "c" }, "c only in A, d only in B"},
	} {
		dbA, dbB := "cmp"+string(rune('a'+i))+"_a", "cmp"+string(rune('a'+i))+"_b"
		if _, err := client.Database(dbA).Collection("mvcgi").InsertMany(ctx, base); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Database(dbB).Collection("mvcgi").InsertMany(ctx, tc.other); err != nil {
			t.Fatal(err)
		}
		c, err := compareCollections(ctx, uri, dbA, dbB, "mvcgi")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !tc.check(c) {
			t.Errorf("%s: %+v, want %s", tc.name, c, tc.expect)
		}
		sameSum := sumHex(c.A.Canonical) == sumHex(c.B.Canonical)
		if sameSum != tc.ok {
			t.Errorf("%s: canonical checksums equal = %v, want %v", tc.name, sameSum, tc.ok)
		}
	}
}

// TestRun runs the whole benchmark on a small file when the tutorial's
// CGI plugin (STUDIO_MVCGI_PLUGIN) and the reference interpreter are
// there: both uploads finish and the collections hold the same documents.
func TestRun(t *testing.T) {
	plugin := os.Getenv("STUDIO_MVCGI_PLUGIN")
	if plugin == "" {
		t.Skip("STUDIO_MVCGI_PLUGIN is not set: point it at a clone of the tutorial's CGI plugin (sirloon/mvcgi) to run BioThings' hub beside Studio")
	}
	python := testenv.Pyref(t)
	err := run(context.Background(), config{
		rows: 400, batch: 100, mongoBatch: 99, rounds: 1, python: python, dir: t.TempDir(),
		plugins: []string{plugin}, hashSeed: "0", diagnose: true,
	})
	var skip skipError
	if errors.As(err, &skip) && os.Getenv("STUDIO_REQUIRE_PYREF") == "" {
		t.Skip(skip.why)
	}
	if err != nil {
		t.Fatal(err)
	}
}
