package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"studio/activities"
	"studio/internal/app/config"
	"studio/internal/app/hubclient"
	"studio/internal/engine/search"
	"studio/internal/testsupport/testenv"
	"studio/internal/testsupport/testenv/escluster"
)

// mygeneJSONL turns the mygene.info bulk file (an index action, then the
// document) into JSON lines holding their _id, for a declarative parser.
func mygeneJSONL(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(testenv.SharedData(t, "mygene", "test_data.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	id := ""
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if id == "" {
			var action struct {
				Index struct {
					ID string `json:"_id"`
				} `json:"index"`
			}
			if err := json.Unmarshal(line, &action); err != nil || action.Index.ID == "" {
				t.Fatalf("test_data.ndjson: want an index action, got %.80s", line)
			}
			id = action.Index.ID
			continue
		}
		idJSON, _ := json.Marshal(id)
		out.WriteString(`{"_id":` + string(idJSON) + "," + string(line[1:]) + "\n")
		id = ""
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestMygeneReleaseWithExtraIndexSettings runs the mygene.info test data
// through the real pipeline on each search backend (embedded Bleve, and
// the Elasticsearch cluster): plugin, dump, upload, the mapping committed
// unmodified, a build configuration whose extra_index_settings define the
// mapping's refseq_analyzer (refused first in bad forms, with messages
// naming the field), build, full release; then an accession without its
// version finds the document holding it.
func TestMygeneReleaseWithExtraIndexSettings(t *testing.T) {
	raw, err := os.ReadFile(testenv.SharedData(t, "mygene", "test_mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Settings map[string]any `json:"settings"`
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	analyzer, _ := search.Setting(file.Settings, "analysis.analyzer.refseq_analyzer")
	tokenizer, _ := search.Setting(file.Settings, "analysis.tokenizer.refseq_tokenizer")
	if analyzer == nil || tokenizer == nil {
		t.Fatal("test_mapping.json: no refseq_analyzer or refseq_tokenizer in its settings")
	}
	extra := map[string]any{"analysis": map[string]any{
		"analyzer":  map[string]any{"refseq_analyzer": analyzer},
		"tokenizer": map[string]any{"refseq_tokenizer": tokenizer},
	}}
	jsonl := mygeneJSONL(t)

	for _, backend := range []string{"bleve", "elasticsearch"} {
		t.Run(backend, func(t *testing.T) {
			var configure []func(*config.Config)
			if backend == "elasticsearch" {
				url := os.Getenv("ES_URL")
				if url == "" {
					url = escluster.Shared(t).URL()
				}
				configure = append(configure, func(c *config.Config) { c.ESURL = url })
			}
			s := newStack(t, true, configure...)
			ctx := context.Background()

			srv := serveFile(t, "mygene.jsonl", jsonl, 0)
			repo := testenv.GitRepo(t, "mygene", map[string]string{"manifest.json": `{"version": "1",
  "dumper": {"data_url": "` + srv.URL + `/mygene.jsonl"},
  "uploader": {"parser": {"format": "jsonl", "file": "mygene.jsonl", "id": "{_id}"}}}`})
			s.do("POST", "/dataplugin/register_url", map[string]string{"url": repo}, nil)
			var started struct {
				ID      string
				BuildID string `json:"build_id"`
			}
			s.do("PUT", "/source/mygene/dump", nil, &started)
			result(t, s.wait(started.ID, time.Minute), &activities.DumpResult{})
			s.waitStarted("upload/mygene")
			result(t, s.wait("upload/mygene", 2*time.Minute), &[]activities.UploadResult{})
			s.do("PUT", "/source/mygene/mapping", map[string]any{"mapping": file.Mappings.Properties, "dest": "master"}, nil)

			// Bad forms are refused, naming the field.
			var he *hubclient.Error
			conf := func(extra any) map[string]any {
				return map[string]any{"name": "mygene", "doc_type": "gene", "sources": []string{"mygene"}, "extra_index_settings": extra}
			}
			bad := []struct {
				extra any
				want  string
			}{
				{[]any{1}, `invalid JSON body: extra_index_settings: want an object of index settings (e.g. {"analysis": {"analyzer": {...}}}), got a list`},
				{`{"analysis": `, `invalid JSON body: extra_index_settings: the string is not valid JSON: unexpected end of JSON input`},
				{map[string]any{"analysis": map[string]any{"tokenizer": map[string]any{"refseq_tokenizer": "path_hierarchy"}}},
					`build configuration: extra_index_settings.analysis.tokenizer.refseq_tokenizer: want an object (the tokenizer's definition), got string "path_hierarchy"`},
			}
			for _, b := range bad {
				if err := s.doErr("POST", "/buildconf", conf(b.extra), nil); !errors.As(err, &he) || he.Code != 400 || he.Message != b.want {
					t.Errorf("POST /buildconf with extra_index_settings %v: %v, want a 400 %q", b.extra, err, b.want)
				}
			}
			// A tokenizer the bleve backend cannot translate: refused
			// there, naming the setting; Elasticsearch takes it.
			grams := map[string]any{"analysis": map[string]any{"tokenizer": map[string]any{"grams": map[string]any{"type": "edge_ngram"}}}}
			err := s.doErr("POST", "/buildconf", map[string]any{"name": "grams", "doc_type": "gene", "sources": []string{"mygene"}, "extra_index_settings": grams}, nil)
			if backend == "bleve" {
				want := `build configuration: extra_index_settings: settings.analysis.tokenizer.grams.type: "edge_ngram" is not supported by the bleve backend`
				if !errors.As(err, &he) || he.Code != 400 || he.Message != want {
					t.Errorf("POST /buildconf with an edge_ngram tokenizer: %v, want a 400 %q", err, want)
				}
			} else if err != nil {
				t.Errorf("POST /buildconf with an edge_ngram tokenizer: %v, want it accepted", err)
			}

			// Created without, then updated with the settings; kept in the
			// hub record as BioThings keeps them.
			s.do("POST", "/buildconf", map[string]any{"name": "mygene", "doc_type": "gene", "sources": []string{"mygene"}}, nil)
			s.do("PUT", "/buildconf/mygene", conf(extra), nil)
			rec, err := s.eng.Hub.C("src_build_config").Get(ctx, "mygene")
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(rec["extra_index_settings"], extra) {
				t.Fatalf("src_build_config.mygene.extra_index_settings = %v, want %v", rec["extra_index_settings"], extra)
			}

			s.do("PUT", "/build/mygene/new", nil, &started)
			var build activities.BuildResult
			result(t, s.wait(started.ID, 2*time.Minute), &build)
			if build.Total != 100 {
				t.Fatalf("build = %+v, want 100 documents", build)
			}
			var idx struct{ ID, Index string }
			s.do("PUT", "/index", map[string]any{"build": build.BuildID}, &idx)
			t.Cleanup(func() { _ = s.eng.Search.DeleteIndex(context.Background(), build.BuildID) })
			var res activities.IndexResult
			result(t, s.wait(idx.ID, 2*time.Minute), &res)
			if res.Count != 100 || res.Stats.Rejected != 0 {
				t.Fatalf("release = %+v", res)
			}
			found := func(q string) []string {
				t.Helper()
				r, err := s.eng.Search.Search(ctx, res.Index, search.SearchRequest{Query: search.QueryString{Query: q}, Size: 200})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				var ids []string
				for _, h := range r.Hits {
					ids = append(ids, h.ID)
				}
				return ids
			}
			for q, want := range map[string][]string{
				"refseq.rna:NM_001798":     {"1017"}, // the document holds NM_001798.5
				"refseq.protein:NP_001789": {"1017"}, // NP_001789.2
				"refseq.rna:XM_030244853":  {"12566"},
			} {
				if got := found(q); !reflect.DeepEqual(got, want) {
					t.Errorf("%s found %v, want %v", q, got, want)
				}
			}
			spec, err := s.eng.Search.GetIndex(ctx, res.Index)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := search.Setting(spec.Settings, "analysis.normalizer.keyword_lowercase_normalizer"); !ok {
				t.Errorf("Studio's keyword_lowercase_normalizer is gone from the index settings: %v", spec.Settings)
			}
			if n, err := s.eng.Search.Count(ctx, res.Index, search.QueryString{Query: "symbol:cdk2"}); err != nil || n != 100 {
				t.Errorf("symbol:cdk2 counts %d, %v; want 100", n, err)
			}

			// The release reads the settings the build recorded: a build
			// whose recorded settings an engine refuses fails its release,
			// naming them.
			if err := s.eng.Hub.C("src_build").Update(ctx, build.BuildID, map[string]any{
				"build_config.extra_index_settings": map[string]any{"analysis": map[string]any{"tokenizer": map[string]any{"x": map[string]any{"type": "no_such_type"}}}},
			}); err != nil {
				t.Fatal(err)
			}
			s.do("PUT", "/index", map[string]any{"build": build.BuildID, "index": "mygene_again"}, &idx)
			t.Cleanup(func() { _ = s.eng.Search.DeleteIndex(context.Background(), "mygene_again") })
			cmd := s.wait(idx.ID, 2*time.Minute)
			want := map[string]string{
				"bleve":         `extra_index_settings of build configuration mygene: settings.analysis.tokenizer.x.type: "no_such_type" is not supported by the bleve backend`,
				"elasticsearch": `no_such_type`,
			}[backend]
			if cmd.Status != "failed" || !strings.Contains(cmd.Failure, want) {
				t.Fatalf("release with a refused setting: %s %q, want a failure naming %q", cmd.Status, cmd.Failure, want)
			}
		})
	}
}

// jsonEqual compares two values as JSON.
func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	return reflect.DeepEqual(va, vb)
}
