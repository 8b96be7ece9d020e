package bleve

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"studio/internal/engine/search"
	"studio/internal/engine/search/searchtest"
)

// segmentField is what Bleve's segment builder makes of the fields of one
// name in a document: the options, the summed length, the token
// frequencies merged as it merges them, and the stored values.
type segmentField struct {
	options bleveindex.FieldIndexingOptions
	typ     byte
	length  int
	terms   map[string]segmentTerm
	stored  []string
}

type segmentTerm struct {
	freq int
	locs []string // position, offsets and array positions, sorted
}

// segmentView analyzes the fields of doc and merges them per name as the
// segment builder does (zapx invertedIndexOpaque.process).
func segmentView(t *testing.T, doc *document.Document) map[string]*segmentField {
	t.Helper()
	out := map[string]*segmentField{}
	merged := map[string]bleveindex.TokenFrequencies{}
	for _, f := range doc.Fields {
		sf := out[f.Name()]
		if sf == nil {
			sf = &segmentField{options: f.Options(), typ: f.EncodedFieldType(), terms: map[string]segmentTerm{}}
			out[f.Name()] = sf
		}
		if sf.options != f.Options() || sf.typ != f.EncodedFieldType() {
			t.Fatalf("field %s: options %v type %c beside %v %c", f.Name(), f.Options(), f.EncodedFieldType(), sf.options, sf.typ)
		}
		if f.Options().IsStored() {
			sf.stored = append(sf.stored, fmt.Sprintf("%q@%v", f.Value(), f.ArrayPositions()))
		}
		if !f.Options().IsIndexed() {
			continue
		}
		f.Analyze()
		sf.length += f.AnalyzedLength()
		if have := merged[f.Name()]; have != nil {
			have.MergeAll(f.Name(), f.AnalyzedTokenFrequencies())
		} else {
			merged[f.Name()] = f.AnalyzedTokenFrequencies()
		}
	}
	for name, tfs := range merged {
		for term, tf := range tfs {
			st := segmentTerm{freq: tf.Frequency()}
			for _, l := range tf.Locations {
				field := l.Field
				if field == "" {
					field = name
				}
				st.locs = append(st.locs, fmt.Sprintf("%s %d %d-%d %v", field, l.Position, l.Start, l.End, append([]uint64{}, l.ArrayPositions...)))
			}
			slices.Sort(st.locs)
			out[name].terms[term] = st
		}
	}
	for _, sf := range out {
		slices.Sort(sf.stored)
	}
	return out
}

// checkMapper maps each document with the mapper and with MapDocument
// (copies added by withCopies) and wants the same segment.
func checkMapper(t *testing.T, spec search.IndexSpec, docs []searchtest.Doc) {
	t.Helper()
	tr, err := Translate(spec)
	if err != nil {
		t.Fatal(err)
	}
	s := newSchema(spec.Normalized(), tr)
	if s.mapper == nil {
		t.Fatal("newMapper refuses the translated mapping")
	}
	mapped := 0
	for i, d := range docs {
		data, _, err := search.MarshalDoc(d.Src)
		if err != nil {
			t.Fatal(err)
		}
		version := int64(1 + i%3)
		// What the bulk indexer made before the mapper: MapDocument of the
		// document with its copies, and the paths one per line.
		want := document.NewDocument(d.ID)
		if err := s.im.MapDocument(want, s.withCopies(d.Src)); err != nil {
			t.Fatal(err)
		}
		addStored(want, data, version)
		if names := s.fieldNames(d.Src); len(names) > 0 {
			want.AddField(document.NewTextFieldCustom(fieldNamesField, nil, []byte(strings.Join(names, "\n")), bleveindex.IndexField, lineAnalyzer{}))
		}
		if _, ok := s.mapDoc(document.NewDocument(d.ID), d.Src); !ok {
			continue
		}
		got, err := s.document(d.ID, d.Src, data, version)
		if err != nil {
			t.Fatal(err)
		}
		mapped++
		if !got.Indexed() {
			t.Errorf("%s: the document is not marked indexed", d.ID)
		}
		gv, wv := segmentView(t, got), segmentView(t, want)
		if !reflect.DeepEqual(gv, wv) {
			for name, w := range wv {
				if g := gv[name]; !reflect.DeepEqual(g, w) {
					t.Fatalf("%s: field %s:\n got %+v\nwant %+v", d.ID, name, g, w)
				}
			}
			for name := range gv {
				if wv[name] == nil {
					t.Fatalf("%s: field %s made by the mapper only", d.ID, name)
				}
			}
		}
	}
	if mapped < len(docs)/2 {
		t.Errorf("the mapper took %d of %d documents", mapped, len(docs))
	}
}

func TestMapperMatchesMapDocument(t *testing.T) {
	t.Run("cgi", func(t *testing.T) {
		checkMapper(t, searchtest.CGISpec(), searchtest.CGIDocs())
	})
	t.Run("mygene", func(t *testing.T) {
		spec := searchtest.MyGeneSpec(t)
		spec.Mapping["dynamic"] = "false"
		checkMapper(t, spec, searchtest.MyGeneDocs(t))
	})
	t.Run("generated", func(t *testing.T) {
		kw := func(kv ...any) map[string]any {
			m := map[string]any{"type": "keyword", "normalizer": search.KeywordLowercaseNormalizer}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		props := map[string]any{
			"k":    kw("copy_to", []any{search.AllField}),
			"t":    map[string]any{"type": "text", "copy_to": []any{search.AllField, "o.copied"}},
			"n":    map[string]any{"type": "long"},
			"f":    map[string]any{"type": "float"},
			"b":    map[string]any{"type": "boolean"},
			"d":    map[string]any{"type": "date"},
			"kept": kw("index", false),
			"note": map[string]any{"type": "text", "index": false},
			"off":  map[string]any{"type": "object", "enabled": false},
			"o": map[string]any{"properties": map[string]any{
				"k":      kw("copy_to", []any{search.AllField}),
				"t":      map[string]any{"type": "text", "analyzer": "whitespace"},
				"n":      map[string]any{"type": "integer"},
				"copied": map[string]any{"type": "text"},
				"deep":   map[string]any{"properties": map[string]any{"k": kw(), "b": map[string]any{"type": "boolean"}}},
			}},
		}
		spec := search.ReleaseSpec(props, nil, 1, 0)
		r := rand.New(rand.NewPCG(1, 16))
		var docs []searchtest.Doc
		for i := range 400 {
			docs = append(docs, searchtest.Doc{ID: fmt.Sprint(i), Src: randomObject(r, props, 0)})
		}
		checkMapper(t, spec, docs)
	})
}

var mapperWords = strings.Fields("BRAF V600E kinase Inhibitor the a-b c.d 2024-01-02 2024-01-02T03:04:05Z true 12 -3.5 é漢字 x/y")

// randomObject makes an object with members of the mapped names (and
// unmapped ones) holding values of any JSON type: scalars, lists, lists of
// lists, objects.
func randomObject(r *rand.Rand, props map[string]any, depth int) map[string]any {
	names := slices.SortedFunc(func(yield func(string) bool) {
		for k := range props {
			if !yield(k) {
				return
			}
		}
	}, cmp.Compare)
	names = append(names, "unmapped", "all")
	obj := map[string]any{}
	for _, name := range names {
		target := name == "all" || name == "copied" // copy_to targets
		if r.IntN(3) == 0 || target && r.IntN(20) > 0 {
			continue
		}
		sub, _ := props[name].(map[string]any)
		subProps, _ := sub["properties"].(map[string]any)
		obj[name] = randomValue(r, subProps, depth)
	}
	return obj
}

func randomValue(r *rand.Rand, props map[string]any, depth int) any {
	k := r.IntN(20)
	if props == nil && k == 4 && r.IntN(5) > 0 {
		k = 5
	}
	switch {
	case k < 4 && depth < 3:
		list := make([]any, r.IntN(4))
		for i := range list {
			list[i] = randomValue(r, props, depth+1)
		}
		return list
	case (props != nil && k < 15 || k == 4) && depth < 3:
		// Mostly objects where the mapping has them; now and then one
		// under a leaf, which Bleve maps dynamically.
		return randomObject(r, props, depth+1)
	case k < 9:
		return mapperWords[r.IntN(len(mapperWords))] + " " + mapperWords[r.IntN(len(mapperWords))]
	case k < 11:
		return int64(r.IntN(2000) - 1000)
	case k < 13:
		return r.Float64() * 100
	case k < 15:
		return r.IntN(2) == 0
	case k < 16:
		return nil
	}
	return mapperWords[r.IntN(len(mapperWords))]
}

// lineAnalyzer makes one token of each line.
type lineAnalyzer struct{}

func (lineAnalyzer) Analyze(in []byte) analysis.TokenStream {
	var out analysis.TokenStream
	start := 0
	for i := 0; i <= len(in); i++ {
		if i < len(in) && in[i] != '\n' {
			continue
		}
		if i > start {
			out = append(out, &analysis.Token{Term: in[start:i], Start: start, End: i, Position: len(out) + 1, Type: analysis.AlphaNumeric})
		}
		start = i + 1
	}
	return out
}
