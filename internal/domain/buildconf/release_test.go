package buildconf_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"studio/internal/domain/buildconf"
	"studio/internal/engine/search"
	"studio/internal/engine/search/bleve"
	"studio/internal/engine/search/elasticsearch"
	"studio/internal/testsupport/shareddata"
	"studio/internal/testsupport/testenv/escluster"
)

func TestMain(m *testing.M) { escluster.Main(m) }

// backends open each search engine a release goes to: the embedded Bleve,
// and a real Elasticsearch cluster (ES_URL, else the one package escluster
// starts), where index names are made unique and the indexes deleted at
// the end.
var backends = []struct {
	name string
	open func(t *testing.T) (eng search.Engine, index func(string) string)
}{
	{"bleve", func(t *testing.T) (search.Engine, func(string) string) {
		eng, err := bleve.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eng.Close() })
		return eng, func(s string) string { return s }
	}},
	{"elasticsearch", func(t *testing.T) (search.Engine, func(string) string) {
		url := os.Getenv("ES_URL")
		if url == "" {
			url = escluster.Shared(t).URL()
		}
		eng, err := elasticsearch.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		prefix := "buildconf-" + hex.EncodeToString(b) + "-"
		var made []string
		t.Cleanup(func() {
			for _, n := range made {
				if err := eng.DeleteIndex(context.Background(), n); err != nil && !errors.Is(err, search.ErrIndexNotFound) {
					t.Errorf("delete %s: %v", n, err)
				}
			}
			eng.Close()
		})
		return eng, func(s string) string { made = append(made, prefix+s); return prefix + s }
	}},
}

// mygeneFile is the mygene.info test mapping: its settings, whose analysis
// BioThings gives through a build configuration's extra_index_settings,
// and its mapping, released as it is.
type mygeneFile struct {
	Settings map[string]any `json:"settings"`
	Mappings struct {
		Properties map[string]any `json:"properties"`
	} `json:"mappings"`
}

// mygeneDocs reads the 100 documents of the bulk file beside the mapping.
func mygeneDocs(t *testing.T) []search.BulkOp {
	data, err := os.ReadFile(shareddata.Path(t, "mygene", "test_data.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	var ops []search.BulkOp
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	id := ""
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if id == "" {
			var action struct {
				Index struct {
					ID string `json:"_id"`
				} `json:"index"`
			}
			if err := json.Unmarshal(line, &action); err != nil || action.Index.ID == "" {
				t.Fatalf("test_data.ndjson: want an index action, got %.80s (%v)", line, err)
			}
			id = action.Index.ID
			continue
		}
		doc, err := search.DecodeDoc(line)
		if err != nil {
			t.Fatalf("test_data.ndjson: document %s: %v", id, err)
		}
		ops = append(ops, search.BulkOp{Kind: search.BulkIndex, ID: id, Doc: doc})
		id = ""
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ops
}

// confWith reads a build configuration from the JSON body the hub API
// takes, with these extra_index_settings (none when empty), and validates
// it as the API does.
func confWith(t *testing.T, extra string) buildconf.Config {
	t.Helper()
	body := `{"name": "mygene", "doc_type": "gene", "sources": ["mygene"]`
	if extra != "" {
		body += `, "extra_index_settings": ` + extra
	}
	var c buildconf.Config
	if err := json.Unmarshal([]byte(body+"}"), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(map[string]bool{"mygene": true}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMygeneReleasesWithExtraIndexSettings releases the mygene.info
// mapping unmodified, with its refseq_analyzer (a path_hierarchy tokenizer
// splitting at ".") given by the build configuration's
// extra_index_settings, as BioThings does, and indexes its 100 documents:
// on both backends, an accession without its version finds the document
// holding it with one.
func TestMygeneReleasesWithExtraIndexSettings(t *testing.T) {
	raw, err := os.ReadFile(shareddata.Path(t, "mygene", "test_mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file mygeneFile
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	pick := func(path string) any {
		v, ok := search.Setting(file.Settings, path)
		if !ok {
			t.Fatalf("test_mapping.json: no settings.index.%s", path)
		}
		return v
	}
	// Only what the mapping needs beyond Studio's own settings: the
	// analyzer and its tokenizer (keyword_lowercase_normalizer is Studio's).
	extra, _ := json.Marshal(map[string]any{"analysis": map[string]any{
		"analyzer":  map[string]any{"refseq_analyzer": pick("analysis.analyzer.refseq_analyzer")},
		"tokenizer": map[string]any{"refseq_tokenizer": pick("analysis.tokenizer.refseq_tokenizer")},
	}})
	conf := confWith(t, string(extra))
	// The same analyzer on the keyword tokenizer: accessions stay whole.
	whole := confWith(t, `{"analysis": {"analyzer": {"refseq_analyzer": {"tokenizer": "keyword", "filter": ["lowercase"]}}}}`)
	bare := confWith(t, "")

	props := file.Mappings.Properties
	before, _ := json.Marshal(props)
	ops := mygeneDocs(t)
	if len(ops) != 100 {
		t.Fatalf("%d documents in test_data.ndjson, want 100", len(ops))
	}
	meta := map[string]any{"build_version": "20260101", "biothing_type": "gene"}
	ctx := context.Background()

	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			eng, name := b.open(t)
			release := func(t *testing.T, c buildconf.Config, index string) {
				t.Helper()
				if err := c.CheckIndexSettings(eng); err != nil {
					t.Fatalf("CheckIndexSettings: %v", err)
				}
				if err := eng.CreateIndex(ctx, index, c.ReleaseSpec(props, meta)); err != nil {
					t.Fatalf("create %s: %v", index, err)
				}
				res, err := eng.Bulk(ctx, index, ops)
				if err != nil {
					t.Fatal(err)
				}
				if res.Indexed != len(ops) || len(res.Failed) > 0 {
					t.Fatalf("bulk: %d indexed, failed %+v", res.Indexed, res.Failed)
				}
				if err := eng.Refresh(ctx, index); err != nil {
					t.Fatal(err)
				}
			}
			ids := func(t *testing.T, index, q string) []string {
				t.Helper()
				r, err := eng.Search(ctx, index, search.SearchRequest{Query: search.QueryString{Query: q}, Size: 200})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				var out []string
				for _, h := range r.Hits {
					out = append(out, h.ID)
				}
				slices.Sort(out)
				return out
			}

			index := name("mygene")
			release(t, conf, index)
			if n, err := eng.Count(ctx, index, search.MatchAll{}); err != nil || n != 100 {
				t.Fatalf("count = %d, %v; want 100", n, err)
			}
			for q, want := range map[string][]string{
				"refseq.rna:NM_001798":       {"1017"}, // the document holds NM_001798.5
				"refseq.rna:NM_001798.5":     {"1017"},
				"refseq.rna:nm_001798":       {"1017"},
				"refseq.protein:NP_001789":   {"1017"}, // NP_001789.2
				"refseq.rna:NM_001798.9":     {"1017"}, // the prefix matches, as on Elasticsearch
				"refseq.rna:NM_00179":        nil,
				"refseq.rna:XM_030244853":    {"12566"},
				"_id:1017 AND symbol:cdk2":   {"1017"},
				"symbol:Cdk2 AND _id:362817": {"362817"}, // Studio's keyword_lowercase_normalizer
			} {
				if got := ids(t, index, q); !reflect.DeepEqual(got, want) {
					t.Errorf("%s found %v, want %v", q, got, want)
				}
			}
			if n, err := eng.Count(ctx, index, search.QueryString{Query: "symbol:cdk2"}); err != nil || n != 100 {
				t.Errorf("symbol:cdk2 counts %d, %v; want all 100 (CDK2, Cdk2 and cdk2 alike)", n, err)
			}
			got, err := eng.GetIndex(ctx, index)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"analysis.analyzer.refseq_analyzer.tokenizer", "analysis.tokenizer.refseq_tokenizer.type",
				"analysis.normalizer.keyword_lowercase_normalizer.type"} {
				if _, ok := search.Setting(got.Settings, path); !ok {
					t.Errorf("the index's settings lack %s: %v", path, got.Settings)
				}
			}

			// Control: the analyzer really comes from the configuration.
			wholeIndex := name("mygene-whole")
			release(t, whole, wholeIndex)
			if got := ids(t, wholeIndex, "refseq.rna:NM_001798"); got != nil {
				t.Errorf("with accessions kept whole, refseq.rna:NM_001798 found %v, want nothing", got)
			}
			if got := ids(t, wholeIndex, "refseq.rna:NM_001798.5"); !reflect.DeepEqual(got, []string{"1017"}) {
				t.Errorf("with accessions kept whole, refseq.rna:NM_001798.5 found %v, want [1017]", got)
			}
			// Without extra_index_settings the mapping names an analyzer
			// nothing defines: the release is refused.
			err = eng.CreateIndex(ctx, name("mygene-bare"), bare.ReleaseSpec(props, meta))
			if !errors.Is(err, search.ErrInvalidSpec) || !strings.Contains(err.Error(), "refseq_analyzer") {
				t.Errorf("release without extra_index_settings = %v, want ErrInvalidSpec naming refseq_analyzer", err)
			}
		})
	}
	if after, _ := json.Marshal(props); !bytes.Equal(after, before) {
		t.Error("the release modified the mapping")
	}
}

// TestUnsupportedSettingsRefusedByBleveOnly checks settings the bleve
// backend cannot apply: it refuses them naming the setting, while
// Elasticsearch takes them as they are.
func TestUnsupportedSettingsRefusedByBleveOnly(t *testing.T) {
	conf := confWith(t, `{"analysis": {"tokenizer": {"grams": {"type": "edge_ngram", "min_gram": 2, "max_gram": 5}},
		"analyzer": {"prefixes": {"tokenizer": "grams", "filter": ["lowercase"]}}}}`)
	props := map[string]any{"name": map[string]any{"type": "text", "analyzer": "prefixes"}}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			eng, name := b.open(t)
			err := conf.CheckIndexSettings(eng)
			if b.name == "bleve" {
				want := `settings.analysis.tokenizer.grams.type: "edge_ngram" is not supported by the bleve backend`
				if err == nil || err.Error() != want || !errors.Is(err, search.ErrInvalidSpec) {
					t.Fatalf("CheckIndexSettings = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckIndexSettings = %v, want nil (Elasticsearch checks at creation)", err)
			}
			index := name("grams")
			if err := eng.CreateIndex(context.Background(), index, conf.ReleaseSpec(props, nil)); err != nil {
				t.Fatal(err)
			}
			ops := []search.BulkOp{{Kind: search.BulkIndex, ID: "1", Doc: map[string]any{"name": "Kinase"}}}
			if _, err := eng.Bulk(context.Background(), index, ops); err != nil {
				t.Fatal(err)
			}
			if err := eng.Refresh(context.Background(), index); err != nil {
				t.Fatal(err)
			}
			if n, err := eng.Count(context.Background(), index, search.QueryString{Query: "name:kin"}); err != nil || n != 1 {
				t.Fatalf("name:kin counts %d, %v; want 1 through the edge_ngram tokenizer", n, err)
			}
		})
	}
}
