package bleve

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/simple"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/char/html"
	"github.com/blevesearch/bleve/v2/analysis/token/hierarchy"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/reverse"
	"github.com/blevesearch/bleve/v2/analysis/token/unique"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/letter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"

	"studio/internal/engine/search"
)

// analysisSet translates the analyzers and normalizers of Elasticsearch
// settings (settings.index.analysis) into custom Bleve analyzers, on demand:
// only those a field uses are translated, so an unused exotic one does no
// harm. Translated names are prefixed ("es.analyzer.x") so they never
// collide with Bleve's own.
type analysisSet struct {
	im   *mapping.IndexMappingImpl
	defs map[string]any    // the "analysis" settings, or nil
	done map[string]string // "analyzer/x" or "normalizer/x" -> Bleve analyzer name
}

func newAnalysisSet(im *mapping.IndexMappingImpl, settings map[string]any) *analysisSet {
	a := &analysisSet{im: im, done: map[string]string{}}
	if raw, ok := search.Setting(settings, "analysis"); ok {
		a.defs, _ = raw.(map[string]any)
	}
	return a
}

// chain is an analysis chain being assembled.
type chain struct {
	chars     []string
	tokenizer string
	filters   []string
}

func (c chain) config() map[string]any {
	return map[string]any{
		"type":          custom.Name,
		"char_filters":  append([]string{}, c.chars...),
		"tokenizer":     c.tokenizer,
		"token_filters": append([]string{}, c.filters...),
	}
}

// builtinAnalyzers are the Elasticsearch built-in analyzers we translate.
// Elasticsearch's standard analyzer keeps stop words; Bleve's "standard"
// drops English ones, so it is rebuilt here without them.
var builtinAnalyzers = map[string]chain{
	"standard":   {tokenizer: unicode.Name, filters: []string{lowercase.Name}},
	"simple":     {tokenizer: letter.Name, filters: []string{lowercase.Name}},
	"whitespace": {tokenizer: whitespace.Name},
	"keyword":    {tokenizer: single.Name},
}

var builtinTokenizers = map[string]string{
	"standard": unicode.Name, "keyword": single.Name,
	"whitespace": whitespace.Name, "letter": letter.Name,
}

// builtinTokenFilters maps Elasticsearch token filters to Bleve's.
var builtinTokenFilters = map[string]string{
	"lowercase": lowercase.Name, "unique": unique.Name,
	"reverse": reverse.Name, "porter_stem": porter.Name,
}

// builtinCharFilters maps Elasticsearch char filters to Bleve's.
// asciifolding is a token filter in Elasticsearch and a char filter in
// Bleve; folding before tokenizing gives the same terms.
var builtinCharFilters = map[string]string{"html_strip": html.Name, "asciifolding": asciifolding.Name}

// defaultAnalyzer defines the index's default analyzer: the custom
// "default" analyzer of the settings if there is one, else standard.
func (a *analysisSet) defaultAnalyzer() (string, error) {
	if _, ok := a.def("analyzer", "default"); ok {
		return a.analyzer("settings.analysis.analyzer.default", "default")
	}
	return a.builtin("analyzer", "standard")
}

// analyzer resolves the "analyzer" of a text field; nil means the default.
func (a *analysisSet) analyzer(path string, raw any) (string, error) {
	if raw == nil {
		return a.im.DefaultAnalyzer, nil
	}
	name, ok := raw.(string)
	if !ok {
		return "", &search.SpecError{Path: path, Reason: fmt.Sprintf(`"analyzer" must be a string, got %s`, jsonKind(raw))}
	}
	if def, ok := a.def("analyzer", name); ok {
		return a.custom(path, "analyzer", name, def)
	}
	if _, ok := builtinAnalyzers[name]; ok {
		return a.builtin("analyzer", name)
	}
	return "", &search.SpecError{Path: path, Reason: fmt.Sprintf("analyzer %q is not defined in settings.analysis.analyzer and is not a built-in analyzer the bleve backend knows (standard, simple, whitespace, keyword)", name)}
}

// normalizer resolves the "normalizer" of a keyword field.
func (a *analysisSet) normalizer(path string, raw any) (string, error) {
	name, ok := raw.(string)
	if !ok {
		return "", &search.SpecError{Path: path, Reason: fmt.Sprintf(`"normalizer" must be a string, got %s`, jsonKind(raw))}
	}
	if def, ok := a.def("normalizer", name); ok {
		return a.custom(path, "normalizer", name, def)
	}
	if name == "lowercase" {
		return a.define("normalizer/lowercase", "es.normalizer.lowercase",
			chain{tokenizer: single.Name, filters: []string{lowercase.Name}})
	}
	return "", &search.SpecError{Path: path, Reason: fmt.Sprintf("normalizer %q is not defined in settings.analysis.normalizer", name)}
}

func (a *analysisSet) def(section, name string) (map[string]any, bool) {
	sec, _ := a.defs[section].(map[string]any)
	def, ok := sec[name].(map[string]any)
	return def, ok
}

func (a *analysisSet) builtin(section, name string) (string, error) {
	c := builtinAnalyzers[name]
	if name == "keyword" {
		return keyword.Name, nil
	}
	if name == "simple" {
		return simple.Name, nil
	}
	return a.define(section+"/builtin/"+name, "es.builtin."+name, c)
}

// define registers a chain as a custom analyzer once.
func (a *analysisSet) define(key, bleveName string, c chain) (string, error) {
	if n, ok := a.done[key]; ok {
		return n, nil
	}
	if err := a.im.AddCustomAnalyzer(bleveName, c.config()); err != nil {
		return "", fmt.Errorf("define analyzer %s: %w", bleveName, err)
	}
	a.done[key] = bleveName
	return bleveName, nil
}

// customKeys are the keys of a custom analyzer or normalizer definition.
var customKeys = map[string]bool{"type": true, "tokenizer": true, "filter": true, "char_filter": true, "position_increment_gap": true}

// custom translates an analyzer or normalizer defined in the settings.
func (a *analysisSet) custom(path, section, name string, def map[string]any) (string, error) {
	key := section + "/" + name
	if n, ok := a.done[key]; ok {
		return n, nil
	}
	fail := func(format string, args ...any) error {
		return &search.SpecError{Path: path, Reason: fmt.Sprintf("%s %q: ", section, name) + fmt.Sprintf(format, args...)}
	}
	typ, _ := def["type"].(string)
	if typ != "" && typ != "custom" {
		if _, ok := builtinAnalyzers[typ]; ok && section == "analyzer" && len(def) == 1 {
			return a.builtin("analyzer", typ)
		}
		return "", fail("type %q is not supported by the bleve backend", typ)
	}
	for k := range def {
		if !customKeys[k] || (section == "normalizer" && k == "tokenizer") {
			return "", fail("%q is not supported by the bleve backend", k)
		}
	}
	c := chain{tokenizer: single.Name}
	if section == "analyzer" {
		tok, ok := def["tokenizer"].(string)
		if !ok {
			return "", fail(`"tokenizer" must be the name of a tokenizer`)
		}
		var err error
		if c, err = a.tokenizer(tok); err != nil {
			return "", fail("%v", err)
		}
	}
	if err := a.filters(&c, def); err != nil {
		return "", fail("%v", err)
	}
	return a.define(key, "es."+section+"."+name, c)
}

// pathHierarchyKeys are the path_hierarchy tokenizer options.
var pathHierarchyKeys = map[string]bool{"type": true, "delimiter": true, "replacement": true, "reverse": true, "skip": true, "buffer_size": true}

// maxPathLevels is the most prefixes a path_hierarchy tokenizer emits.
const maxPathLevels = 128

// tokenizer starts a chain from a tokenizer name. Elasticsearch's
// path_hierarchy tokenizer becomes Bleve's single-token tokenizer followed by
// its hierarchy filter ("a.b.c" -> "a", "a.b", "a.b.c").
func (a *analysisSet) tokenizer(name string) (chain, error) {
	if b, ok := builtinTokenizers[name]; ok {
		return chain{tokenizer: b}, nil
	}
	def, ok := a.def("tokenizer", name)
	if !ok {
		if name == "path_hierarchy" {
			def = map[string]any{"type": "path_hierarchy"}
		} else {
			return chain{}, fmt.Errorf("tokenizer %q is not defined in settings.analysis.tokenizer", name)
		}
	}
	typ, _ := def["type"].(string)
	if b, ok := builtinTokenizers[typ]; ok && len(def) == 1 {
		return chain{tokenizer: b}, nil
	}
	if typ != "path_hierarchy" {
		return chain{}, fmt.Errorf("tokenizer %q of type %q is not supported by the bleve backend", name, typ)
	}
	for k, v := range def {
		bad := !pathHierarchyKeys[k] ||
			(k == "reverse" && v != false && v != "false") ||
			(k == "skip" && v != 0.0 && v != "0") ||
			(k == "replacement" && v != def["delimiter"])
		if bad {
			return chain{}, fmt.Errorf("tokenizer %q: path_hierarchy option %q = %v is not supported by the bleve backend", name, k, v)
		}
	}
	delim := "/"
	if d, ok := def["delimiter"].(string); ok && d != "" {
		delim = d
	}
	filter := "es.path_hierarchy." + name
	// Bleve's filter preallocates "max" levels and panics without it.
	cfg := map[string]any{"type": hierarchy.Name, "delimiter": delim, "split_input": true, "max": float64(maxPathLevels)}
	if err := a.im.AddCustomTokenFilter(filter, cfg); err != nil {
		return chain{}, fmt.Errorf("tokenizer %q: %w", name, err)
	}
	return chain{tokenizer: single.Name, filters: []string{filter}}, nil
}

// filters appends the char filters and token filters of def to c.
func (a *analysisSet) filters(c *chain, def map[string]any) error {
	chars, err := optionalList(def["char_filter"])
	if err != nil {
		return fmt.Errorf(`"char_filter": %w`, err)
	}
	for _, f := range chars {
		f = a.typeOnly("char_filter", f)
		b, ok := builtinCharFilters[f]
		if !ok || f == "asciifolding" {
			return fmt.Errorf("char filter %q is not supported by the bleve backend", f)
		}
		c.chars = append(c.chars, b)
	}
	filters, err := optionalList(def["filter"])
	if err != nil {
		return fmt.Errorf(`"filter": %w`, err)
	}
	for _, f := range filters {
		f = a.filterType(f)
		if f == "asciifolding" {
			c.chars = append(c.chars, builtinCharFilters[f])
			continue
		}
		b, ok := builtinTokenFilters[f]
		if !ok {
			return fmt.Errorf("token filter %q is not supported by the bleve backend", f)
		}
		c.filters = append(c.filters, b)
	}
	return nil
}

// filterType resolves a filter defined in settings.analysis.filter with
// nothing but a type (e.g. {"type": "lowercase"}) to that type.
func (a *analysisSet) filterType(name string) string { return a.typeOnly("filter", name) }

// typeOnly resolves a component defined in settings.analysis.<section>
// with nothing but a type to that type; other names are returned as they
// are.
func (a *analysisSet) typeOnly(section, name string) string {
	if def, ok := a.def(section, name); ok && len(def) == 1 {
		if typ, ok := def["type"].(string); ok {
			return typ
		}
	}
	return name
}

func optionalList(raw any) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	return stringList(raw)
}
