package escluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"studio/internal/testsupport/shareddata"
)

func TestMain(m *testing.M) { Main(m) }

// call sends one request with a JSON body (nil for none) and decodes the
// JSON answer.
func call(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, url, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, out
}

// tokens is the token texts of an _analyze answer, in order.
func tokens(t *testing.T, answer map[string]any) []string {
	t.Helper()
	list, ok := answer["tokens"].([]any)
	if !ok {
		t.Fatalf("no tokens in %v", answer)
	}
	out := []string{}
	for _, tok := range list {
		out = append(out, tok.(map[string]any)["token"].(string))
	}
	return out
}

// reason is the error reason of an Elasticsearch answer.
func reason(answer map[string]any) string {
	e, _ := answer["error"].(map[string]any)
	s, _ := e["reason"].(string)
	return s
}

// analysisCase is one analysis setting, checked on a fresh index: its
// custom analyzer "a" (or normalizer "n") turns text into want, as
// Elasticsearch's documentation says; or, with refused, the index is
// refused with that in the reason.
type analysisCase struct {
	name     string
	analysis string // the index's "analysis" settings, JSON
	text     string
	want     []string
	refused  string
	unsorted bool // compare want and the tokens as sets (the order is Lucene's, not documented)
}

const quickFox = "The 2 QUICK Brown-Foxes jumped over the lazy dog's bone."

var analysisCases = []analysisCase{
	// Tokenizers.
	{name: "whitespace tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace"}}}`, text: quickFox,
		want: []string{"The", "2", "QUICK", "Brown-Foxes", "jumped", "over", "the", "lazy", "dog's", "bone."}},
	{name: "whitespace max_token_length", analysis: `{"tokenizer":{"t":{"type":"whitespace","max_token_length":5}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: quickFox,
		want: []string{"The", "2", "QUICK", "Brown", "-Foxe", "s", "jumpe", "d", "over", "the", "lazy", "dog's", "bone."}},
	{name: "letter tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"letter"}}}`, text: quickFox,
		want: []string{"The", "QUICK", "Brown", "Foxes", "jumped", "over", "the", "lazy", "dog", "s", "bone"}},
	{name: "lowercase tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"lowercase"}}}`, text: quickFox,
		want: []string{"the", "quick", "brown", "foxes", "jumped", "over", "the", "lazy", "dog", "s", "bone"}},
	{name: "keyword tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"keyword"}}}`, text: "New York",
		want: []string{"New York"}},
	{name: "path_hierarchy tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"path_hierarchy"}}}`, text: "/one/two/three",
		want: []string{"/one", "/one/two", "/one/two/three"}},
	{name: "path_hierarchy delimiter", analysis: `{"tokenizer":{"t":{"type":"path_hierarchy","delimiter":"."}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "NM_000014.4",
		want: []string{"NM_000014", "NM_000014.4"}},
	{name: "path_hierarchy replacement skip", analysis: `{"tokenizer":{"t":{"type":"path_hierarchy","delimiter":"-","replacement":"/","skip":2}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "one-two-three-four-five",
		want: []string{"/three", "/three/four", "/three/four/five"}},
	{name: "path_hierarchy reverse", analysis: `{"tokenizer":{"t":{"type":"path_hierarchy","delimiter":"-","replacement":"/","skip":2,"reverse":true}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "one-two-three-four-five",
		want: []string{"one/two/three/", "two/three/", "three/"}},
	{name: "path_hierarchy delimiter of two chars", analysis: `{"tokenizer":{"t":{"type":"path_hierarchy","delimiter":"::"}},"analyzer":{"a":{"tokenizer":"t"}}}`,
		refused: "delimiter must be a one char value"},
	{name: "pattern tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"pattern"}}}`, text: "The foo_bar_size's default is 5.",
		want: []string{"The", "foo_bar_size", "s", "default", "is", "5"}},
	{name: "pattern tokenizer pattern", analysis: `{"tokenizer":{"t":{"type":"pattern","pattern":","}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "comma,separated,values",
		want: []string{"comma", "separated", "values"}},
	{name: "pattern tokenizer group", analysis: `{"tokenizer":{"t":{"type":"pattern","pattern":"\\[(\\w+)\\]","group":1}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "[a] b [cd]",
		want: []string{"a", "cd"}},
	{name: "pattern tokenizer flags", analysis: `{"tokenizer":{"t":{"type":"pattern","pattern":"x","flags":"CASE_INSENSITIVE"}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "aXbxc",
		want: []string{"a", "b", "c"}},
	{name: "char_group tokenizer", analysis: `{"tokenizer":{"t":{"type":"char_group","tokenize_on_chars":["whitespace","-","\\n"]}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "The QUICK brown-fox\njumps",
		want: []string{"The", "QUICK", "brown", "fox", "jumps"}},
	{name: "ngram tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"ngram"}}}`, text: "Quick Fox",
		want: []string{"Q", "Qu", "u", "ui", "i", "ic", "c", "ck", "k", "k ", " ", " F", "F", "Fo", "o", "ox", "x"}},
	{name: "ngram tokenizer token_chars", analysis: `{"tokenizer":{"t":{"type":"ngram","min_gram":3,"max_gram":3,"token_chars":["letter","digit"]}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "2 Quick Foxes.",
		want: []string{"Qui", "uic", "ick", "Fox", "oxe", "xes"}},
	{name: "ngram tokenizer beyond max_ngram_diff", analysis: `{"tokenizer":{"t":{"type":"ngram","min_gram":1,"max_gram":5}},"analyzer":{"a":{"tokenizer":"t"}}}`,
		refused: "index.max_ngram_diff"},
	{name: "edge_ngram tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"edge_ngram"}}}`, text: "Quick Brown Fox!",
		want: []string{"Q", "Qu"}},
	{name: "edge_ngram tokenizer token_chars", analysis: `{"tokenizer":{"t":{"type":"edge_ngram","min_gram":2,"max_gram":10,"token_chars":["letter","digit"]}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "2 Quick Foxes.",
		want: []string{"Qu", "Qui", "Quic", "Quick", "Fo", "Fox", "Foxe", "Foxes"}},
	{name: "classic tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"classic"}}}`, text: quickFox,
		want: []string{"The", "2", "QUICK", "Brown", "Foxes", "jumped", "over", "the", "lazy", "dog's", "bone"}},
	{name: "uax_url_email tokenizer", analysis: `{"analyzer":{"a":{"tokenizer":"uax_url_email"}}}`, text: "Email me at john.smith@global-international.com",
		want: []string{"Email", "me", "at", "john.smith@global-international.com"}},
	{name: "simple_pattern tokenizer", analysis: `{"tokenizer":{"t":{"type":"simple_pattern","pattern":"[0123456789]{3}"}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "fd-786-335-514-x",
		want: []string{"786", "335", "514"}},
	{name: "simple_pattern_split tokenizer", analysis: `{"tokenizer":{"t":{"type":"simple_pattern_split","pattern":"_"}},"analyzer":{"a":{"tokenizer":"t"}}}`, text: "an_underscored_phrase",
		want: []string{"an", "underscored", "phrase"}},

	// Token filters.
	{name: "lowercase filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["lowercase"]}}}`, text: "THE Quick FoX JUMPs",
		want: []string{"the", "quick", "fox", "jumps"}},
	{name: "lowercase filter turkish", analysis: `{"filter":{"f":{"type":"lowercase","language":"turkish"}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "İSTANBUL IĞDIR",
		want: []string{"istanbul", "ığdır"}},
	{name: "uppercase filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["uppercase"]}}}`, text: "the Quick FoX JUMPs",
		want: []string{"THE", "QUICK", "FOX", "JUMPS"}},
	{name: "asciifolding filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["asciifolding"]}}}`, text: "açaí à la carte",
		want: []string{"acai", "a", "la", "carte"}},
	{name: "asciifolding preserve_original", analysis: `{"filter":{"f":{"type":"asciifolding","preserve_original":true}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "açaí à la carte",
		want: []string{"acai", "açaí", "a", "à", "la", "carte"}},
	{name: "trim filter", analysis: `{"analyzer":{"a":{"tokenizer":"keyword","filter":["trim"]}}}`, text: " fox ",
		want: []string{"fox"}},
	{name: "truncate filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["truncate"]}}}`, text: "the quinquennial extravaganza carried on",
		want: []string{"the", "quinquenni", "extravagan", "carried", "on"}},
	{name: "truncate length", analysis: `{"filter":{"f":{"type":"truncate","length":3}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the quinquennial extravaganza",
		want: []string{"the", "qui", "ext"}},
	{name: "unique filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["unique"]}}}`, text: "the quick fox jumps the lazy fox",
		want: []string{"the", "quick", "fox", "jumps", "lazy"}},
	{name: "unique only_on_same_position", analysis: `{"filter":{"f":{"type":"unique","only_on_same_position":true}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["keyword_repeat","stemmer","f"]}}}`, text: "jumping dog dog",
		want: []string{"jumping", "jump", "dog", "dog"}},
	{name: "reverse filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["reverse"]}}}`, text: "quick fox jumps",
		want: []string{"kciuq", "xof", "spmuj"}},
	{name: "porter_stem filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["porter_stem"]}}}`, text: "the foxes jumping quickly",
		want: []string{"the", "fox", "jump", "quickli"}},
	{name: "stemmer filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["stemmer"]}}}`, text: "fox running and jumping",
		want: []string{"fox", "run", "and", "jump"}},
	{name: "stemmer light_english", analysis: `{"filter":{"f":{"type":"stemmer","language":"light_english"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the foxes jumping quickly",
		want: []string{"the", "fox", "jump", "quick"}},
	{name: "stemmer minimal_english", analysis: `{"filter":{"f":{"type":"stemmer","language":"minimal_english"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "dogs ponies",
		want: []string{"dog", "pony"}},
	{name: "stemmer possessive_english by name", analysis: `{"filter":{"f":{"type":"stemmer","name":"possessive_english"}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "the dog's bone",
		want: []string{"the", "dog", "bone"}},
	{name: "stemmer unknown language", analysis: `{"filter":{"f":{"type":"stemmer","language":"klingon"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`,
		refused: "klingon"},
	{name: "kstem filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["kstem"]}}}`, text: "the foxes jumping quickly",
		want: []string{"the", "fox", "jump", "quick"}},
	{name: "snowball filter", analysis: `{"filter":{"f":{"type":"snowball","language":"English"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the foxes jumping quickly",
		want: []string{"the", "fox", "jump", "quick"}},
	{name: "length filter", analysis: `{"filter":{"f":{"type":"length","min":0,"max":4}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the quick brown fox jumps over the lazy dog",
		want: []string{"the", "fox", "over", "the", "lazy", "dog"}},
	{name: "word_delimiter_graph filter", analysis: `{"analyzer":{"a":{"tokenizer":"keyword","filter":["word_delimiter_graph"]}}}`, text: "Neil's-Super-Duper-XL500--42+AutoCoder",
		want: []string{"Neil", "Super", "Duper", "XL", "500", "42", "Auto", "Coder"}},
	{name: "word_delimiter filter", analysis: `{"analyzer":{"a":{"tokenizer":"keyword","filter":["word_delimiter"]}}}`, text: "Neil's-Super-Duper-XL500--42+AutoCoder",
		want: []string{"Neil", "Super", "Duper", "XL", "500", "42", "Auto", "Coder"}},
	{name: "word_delimiter_graph catenate_words", analysis: `{"filter":{"f":{"type":"word_delimiter_graph","catenate_words":true}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the wi-fi is enabled",
		want: []string{"the", "wifi", "wi", "fi", "is", "enabled"}},
	{name: "word_delimiter_graph protected_words", analysis: `{"filter":{"f":{"type":"word_delimiter_graph","protected_words":["wi-fi"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "wi-fi PowerShot",
		want: []string{"wi-fi", "Power", "Shot"}},
	{name: "word_delimiter type_table", analysis: `{"filter":{"f":{"type":"word_delimiter","type_table":["- => ALPHA"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "wi-fi PowerShot",
		want: []string{"wi-fi", "Power", "Shot"}},
	{name: "word_delimiter_graph preserve_original split_on_case_change", analysis: `{"filter":{"f":{"type":"word_delimiter_graph","preserve_original":true,"split_on_case_change":false}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "PowerShot-500",
		want: []string{"PowerShot-500", "PowerShot", "500"}},
	{name: "edge_ngram filter", analysis: `{"filter":{"f":{"type":"edge_ngram","min_gram":1,"max_gram":2}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "the quick brown fox jumps",
		want: []string{"t", "th", "q", "qu", "b", "br", "f", "fo", "j", "ju"}},
	{name: "edge_ngram filter preserve_original", analysis: `{"filter":{"f":{"type":"edge_ngram","min_gram":2,"max_gram":3,"preserve_original":true}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "quick",
		want: []string{"qu", "qui", "quick"}},
	{name: "ngram filter", analysis: `{"filter":{"f":{"type":"ngram"}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "Quick fox",
		want: []string{"Q", "Qu", "u", "ui", "i", "ic", "c", "ck", "k", "f", "fo", "o", "ox", "x"}},
	{name: "ngram filter beyond max_ngram_diff", analysis: `{"filter":{"f":{"type":"ngram","min_gram":3,"max_gram":5}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`,
		refused: "index.max_ngram_diff"},
	{name: "pattern_replace filter", analysis: `{"filter":{"f":{"type":"pattern_replace","pattern":"(dog)","replacement":"watch$1"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "foxes jump lazy dogs",
		want: []string{"foxes", "jump", "lazy", "watchdogs"}},
	{name: "elision filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["elision"]}}}`, text: "j’examine près du wharf",
		want: []string{"examine", "près", "du", "wharf"}},
	{name: "elision articles", analysis: `{"filter":{"f":{"type":"elision","articles":["l"],"articles_case":true}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "l'avion L'avion j'examine",
		want: []string{"avion", "avion", "j'examine"}},
	{name: "decimal_digit filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["decimal_digit"]}}}`, text: "١٢٣ ४५६",
		want: []string{"123", "456"}},
	{name: "apostrophe filter", analysis: `{"analyzer":{"a":{"tokenizer":"standard","filter":["apostrophe"]}}}`, text: "Istanbul'a veya Istanbul'dan",
		want: []string{"Istanbul", "veya", "Istanbul"}},
	{name: "classic filter", analysis: `{"analyzer":{"a":{"tokenizer":"classic","filter":["classic"]}}}`, text: "The 2 Q.U.I.C.K. Brown-Foxes jumped over the lazy dog's bone.",
		want: []string{"The", "2", "QUICK", "Brown", "Foxes", "jumped", "over", "the", "lazy", "dog", "bone"}},
	{name: "cjk_width filter", analysis: `{"analyzer":{"a":{"tokenizer":"keyword","filter":["cjk_width"]}}}`, text: "ｼｰｻｲﾄﾞﾗｲﾅｰ",
		want: []string{"シーサイドライナー"}},
	{name: "keyword_marker filter", analysis: `{"filter":{"f":{"type":"keyword_marker","keywords":["jumping"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f","stemmer"]}}}`, text: "fox running and jumping",
		want: []string{"fox", "run", "and", "jumping"}},
	{name: "keyword_marker keywords_pattern", analysis: `{"filter":{"f":{"type":"keyword_marker","keywords_pattern":"^run.*"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f","stemmer"]}}}`, text: "fox running and jumping",
		want: []string{"fox", "running", "and", "jump"}},
	{name: "keyword_repeat and remove_duplicates", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["keyword_repeat","stemmer","remove_duplicates"]}}}`, text: "jumping dog",
		want: []string{"jumping", "jump", "dog"}},
	{name: "limit filter", analysis: `{"filter":{"f":{"type":"limit","max_token_count":2}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "quick fox jumps over lazy dog",
		want: []string{"quick", "fox"}},
	{name: "fingerprint filter", analysis: `{"analyzer":{"a":{"tokenizer":"whitespace","filter":["fingerprint"]}}}`, text: "zebra jumps over resting resting dog",
		want: []string{"dog jumps over resting zebra"}},
	{name: "fingerprint filter separator", analysis: `{"filter":{"f":{"type":"fingerprint","separator":"+"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "zebra jumps over resting resting dog",
		want: []string{"dog+jumps+over+resting+zebra"}},
	{name: "keep filter", analysis: `{"filter":{"f":{"type":"keep","keep_words":["dog","elephant","fox"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "the quick fox jumps over the lazy dog",
		want: []string{"fox", "dog"}},
	{name: "keep_types filter", analysis: `{"filter":{"f":{"type":"keep_types","types":["<NUM>"]}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "1 quick fox 2 lazy dogs",
		want: []string{"1", "2"}},
	{name: "keep_types exclude", analysis: `{"filter":{"f":{"type":"keep_types","types":["<NUM>"],"mode":"exclude"}},"analyzer":{"a":{"tokenizer":"standard","filter":["f"]}}}`, text: "1 quick fox 2 lazy dogs",
		want: []string{"quick", "fox", "lazy", "dogs"}},
	{name: "synonym filter", analysis: `{"filter":{"f":{"type":"synonym","synonyms":["fast => quick","jumps, leaps"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "fast fox jumps",
		want: []string{"quick", "fox", "jumps", "leaps"}, unsorted: true},
	{name: "synonym_graph filter", analysis: `{"filter":{"f":{"type":"synonym_graph","synonyms":["ny => new york"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f","flatten_graph"]}}}`, text: "ny city",
		want: []string{"new", "york", "city"}},
	{name: "synonym rules through the filters before", analysis: `{"filter":{"f":{"type":"synonym_graph","synonyms":["NY => New York"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["lowercase","f"]}}}`, text: "Ny City",
		want: []string{"new", "york", "city"}},
	{name: "synonym expand false", analysis: `{"filter":{"f":{"type":"synonym","expand":false,"synonyms":["quick, fast"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`, text: "fast fox",
		want: []string{"quick", "fox"}},
	{name: "synonym rule of a stop word", analysis: `{"filter":{"f":{"type":"synonym","synonyms":["the => a","fast => quick"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["stop","f"]}}}`,
		refused: "synonym"},
	{name: "synonym lenient", analysis: `{"filter":{"f":{"type":"synonym","lenient":true,"synonyms":["the => a","fast => quick"]}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["stop","f"]}}}`, text: "the fast fox",
		want: []string{"quick", "fox"}},
	{name: "synonym without rules", analysis: `{"filter":{"f":{"type":"synonym"}},"analyzer":{"a":{"tokenizer":"whitespace","filter":["f"]}}}`,
		refused: "synonym requires"},

	// Char filters.
	{name: "html_strip char filter", analysis: `{"analyzer":{"a":{"tokenizer":"keyword","char_filter":["html_strip"]}}}`, text: "<p>I&apos;m so <b>happy</b>!</p>",
		want: []string{"\nI'm so happy!\n"}},
	{name: "html_strip escaped_tags", analysis: `{"char_filter":{"c":{"type":"html_strip","escaped_tags":["b"]}},"analyzer":{"a":{"tokenizer":"keyword","char_filter":["c"]}}}`, text: "<p>I&apos;m so <b>happy</b>!</p>",
		want: []string{"\nI'm so <b>happy</b>!\n"}},
	{name: "mapping char filter", analysis: `{"char_filter":{"c":{"type":"mapping","mappings":["٠ => 0","١ => 1","٢ => 2","٣ => 3","٤ => 4","٥ => 5","٦ => 6","٧ => 7","٨ => 8","٩ => 9"]}},"analyzer":{"a":{"tokenizer":"keyword","char_filter":["c"]}}}`, text: "My license plate is ٢٥٠١٥",
		want: []string{"My license plate is 25015"}},
	{name: "mapping char filter escapes", analysis: `{"char_filter":{"c":{"type":"mapping","mappings":[":) => _happy_",":( => _sad_","\\u0020 => _"]}},"analyzer":{"a":{"tokenizer":"keyword","char_filter":["c"]}}}`, text: "I'm delighted about it :(",
		want: []string{"I'm_delighted_about_it__sad_"}},
	{name: "pattern_replace char filter", analysis: `{"char_filter":{"c":{"type":"pattern_replace","pattern":"(\\d+)-(?=\\d)","replacement":"$1_"}},"analyzer":{"a":{"tokenizer":"standard","char_filter":["c"]}}}`, text: "My credit card is 123-456-789",
		want: []string{"My", "credit", "card", "is", "123_456_789"}},

	// Analyzers.
	{name: "whitespace analyzer", analysis: `{"analyzer":{"a":{"type":"whitespace"}}}`, text: quickFox,
		want: []string{"The", "2", "QUICK", "Brown-Foxes", "jumped", "over", "the", "lazy", "dog's", "bone."}},
	{name: "simple analyzer", analysis: `{"analyzer":{"a":{"type":"simple"}}}`, text: quickFox,
		want: []string{"the", "quick", "brown", "foxes", "jumped", "over", "the", "lazy", "dog", "s", "bone"}},
	{name: "stop analyzer", analysis: `{"analyzer":{"a":{"type":"stop"}}}`, text: quickFox,
		want: []string{"quick", "brown", "foxes", "jumped", "over", "lazy", "dog", "s", "bone"}},
	{name: "stop analyzer stopwords", analysis: `{"analyzer":{"a":{"type":"stop","stopwords":["the","over"]}}}`, text: quickFox,
		want: []string{"quick", "brown", "foxes", "jumped", "lazy", "dog", "s", "bone"}},
	{name: "keyword analyzer", analysis: `{"analyzer":{"a":{"type":"keyword"}}}`, text: quickFox,
		want: []string{quickFox}},
	{name: "pattern analyzer", analysis: `{"analyzer":{"a":{"type":"pattern"}}}`, text: quickFox,
		want: []string{"the", "2", "quick", "brown", "foxes", "jumped", "over", "the", "lazy", "dog", "s", "bone"}},
	{name: "pattern analyzer pattern", analysis: `{"analyzer":{"a":{"type":"pattern","pattern":"\\W|_","lowercase":true}}}`, text: "John_Smith@foo-bar.com",
		want: []string{"john", "smith", "foo", "bar", "com"}},
	{name: "english analyzer", analysis: `{"analyzer":{"a":{"type":"english"}}}`, text: quickFox,
		want: []string{"2", "quick", "brown", "fox", "jump", "over", "lazi", "dog", "bone"}},
	{name: "fingerprint analyzer", analysis: `{"analyzer":{"a":{"type":"fingerprint"}}}`, text: "Yes yes, Gödel said this sentence is consistent and.",
		want: []string{"and consistent godel is said sentence this yes"}},

	// Normalizers take only the filters that work one character at a time.
	{name: "normalizer", analysis: `{"char_filter":{"c":{"type":"mapping","mappings":["- => "]}},"normalizer":{"n":{"type":"custom","char_filter":["c"],"filter":["lowercase","asciifolding","trim"]}}}`, text: " Açaí-Bowl",
		want: []string{"acaibowl"}},
	{name: "normalizer uppercase and pattern_replace", analysis: `{"filter":{"f":{"type":"pattern_replace","pattern":"\\s+","replacement":"_"}},"normalizer":{"n":{"type":"custom","filter":["uppercase","f"]}}}`, text: "new york",
		want: []string{"NEW_YORK"}},
	{name: "normalizer refuses a stemmer", analysis: `{"normalizer":{"n":{"type":"custom","filter":["porter_stem"]}}}`,
		refused: "may not use filter [porter_stem]"},
}

func TestAnalysisComponents(t *testing.T) {
	c := Shared(t)
	base := c.URLs[0]
	for i, tc := range analysisCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var analysis map[string]any
			if err := json.Unmarshal([]byte(tc.analysis), &analysis); err != nil {
				t.Fatalf("case's analysis: %v", err)
			}
			index := fmt.Sprintf("analysis-%03d", i)
			status, answer := call(t, http.MethodPut, base+"/"+index, map[string]any{
				"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0, "analysis": analysis},
			})
			if status == http.StatusOK {
				t.Cleanup(func() { call(t, http.MethodDelete, base+"/"+index, nil) })
			}
			if tc.refused != "" {
				if status != http.StatusBadRequest || !strings.Contains(reason(answer), tc.refused) {
					t.Fatalf("want the index refused with %q, got %d %v", tc.refused, status, answer)
				}
				return
			}
			if status != http.StatusOK {
				t.Fatalf("create index: %d %v", status, answer)
			}
			req := map[string]any{"text": tc.text}
			if _, ok := analysis["normalizer"]; ok {
				req["normalizer"] = "n"
			} else {
				req["analyzer"] = "a"
			}
			status, answer = call(t, http.MethodPost, base+"/"+index+"/_analyze", req)
			if status != http.StatusOK {
				t.Fatalf("_analyze: %d %v", status, answer)
			}
			got := tokens(t, answer)
			want := tc.want
			if tc.unsorted {
				got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q: got tokens %q, want %q", tc.text, got, want)
			}
		})
	}
}

// The mygene.info index (its real mapping) is accepted, with its
// refseq_analyzer (path_hierarchy on ".") and its lowercase normalizer.
func TestMyGeneMappingAnalysis(t *testing.T) {
	raw, err := os.ReadFile(shareddata.Path(t, "mygene", "test_mapping.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	base := Shared(t).URLs[0]
	status, answer := call(t, http.MethodPut, base+"/mygene-analysis", map[string]any{
		"settings": spec["settings"], "mappings": spec["mappings"],
	})
	if status != http.StatusOK {
		t.Fatalf("create the mygene index: %d %v", status, answer)
	}
	t.Cleanup(func() { call(t, http.MethodDelete, base+"/mygene-analysis", nil) })

	for _, tc := range []struct {
		req  map[string]any
		want []string
	}{
		{map[string]any{"analyzer": "refseq_analyzer", "text": "NM_000014.4"}, []string{"nm_000014", "nm_000014.4"}},
		{map[string]any{"analyzer": "whitespace_lowercase", "text": "CDK2 Cyclin"}, []string{"cdk2", "cyclin"}},
		{map[string]any{"analyzer": "string_lowercase", "text": "CDK2 Cyclin"}, []string{"cdk2 cyclin"}},
		{map[string]any{"normalizer": "keyword_lowercase_normalizer", "text": "CDK2"}, []string{"cdk2"}},
	} {
		status, answer := call(t, http.MethodPost, base+"/mygene-analysis/_analyze", tc.req)
		if status != http.StatusOK {
			t.Fatalf("_analyze %v: %d %v", tc.req, status, answer)
		}
		if got := tokens(t, answer); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("_analyze %v: got %q, want %q", tc.req, got, tc.want)
		}
	}

	// A field analyzed by refseq_analyzer finds a document by the accession
	// without its version.
	if status, answer := call(t, http.MethodPut, base+"/mygene-analysis/_doc/1017?refresh=true", map[string]any{
		"refseq": map[string]any{"rna": []string{"NM_001798.5"}},
	}); status != http.StatusCreated {
		t.Fatalf("index a document: %d %v", status, answer)
	}
	status, answer = call(t, http.MethodPost, base+"/mygene-analysis/_search", map[string]any{
		"query": map[string]any{"match": map[string]any{"refseq.rna": "NM_001798"}},
	})
	hits, _ := answer["hits"].(map[string]any)
	total, _ := hits["total"].(map[string]any)
	if status != http.StatusOK || total["value"] != float64(1) {
		t.Errorf("search refseq.rna NM_001798: %d %v", status, answer)
	}
}

// GET / answers as an Elasticsearch node does: clients read the version
// from it.
func TestRoot(t *testing.T) {
	c := Shared(t)
	for i, u := range c.URLs {
		status, answer := call(t, http.MethodGet, u+"/", nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s/: %d %v", u, status, answer)
		}
		version, _ := answer["version"].(map[string]any)
		if answer["name"] != fmt.Sprintf("node-%d", i) || answer["cluster_name"] != "studio-test" ||
			version["number"] != "8.19.21" || answer["tagline"] != "You Know, for Search" {
			t.Errorf("GET %s/: %v", u, answer)
		}
	}
}

// A node stops and starts again; the cluster answers meanwhile on the
// others, and is whole (green, three nodes) once it is back.
func TestStopStartNode(t *testing.T) {
	root := shareddata.RepoRoot(t)
	if _, _, err := Launcher(root); err != nil {
		if os.Getenv("STUDIO_REQUIRE_ES") != "" {
			t.Fatal(err)
		}
		t.Skip(err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c, err := Start(ctx, root, "", Nodes)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()

	nodes := func() float64 {
		status, answer := call(t, http.MethodGet, c.URLs[0]+"/_cluster/health", nil)
		if status != http.StatusOK {
			t.Fatalf("health: %d %v", status, answer)
		}
		n, _ := answer["number_of_nodes"].(float64)
		return n
	}
	if err := c.StopNode(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(c.URLs[1] + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("node 1 still answers after StopNode")
	}
	deadline := time.Now().Add(time.Minute)
	for nodes() != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the cluster does not see node 1 gone: %v nodes", nodes())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := c.StartNode(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitGreen(ctx, Nodes); err != nil {
		t.Fatal(err)
	}
	if status, answer := call(t, http.MethodGet, c.URLs[1]+"/", nil); status != http.StatusOK || answer["name"] != "node-1" {
		t.Errorf("node 1 after StartNode: %d %v", status, answer)
	}
}
