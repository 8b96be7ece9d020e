package bleve

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"

	"studio/internal/engine/search"
)

var _ search.SettingsChecker = (*Engine)(nil)

// CheckSettings implements search.SettingsChecker: see CheckAnalysis.
func (e *Engine) CheckSettings(settings map[string]any) error { return CheckAnalysis(settings) }

// CheckAnalysis checks every component that the "analysis" settings of
// settings define, whether a mapping uses it or not (index creation
// translates only those a field uses): each must be one the translation
// supports (see docs/search-backends.md). Each problem is a
// *search.SpecError naming the setting, e.g.
// `settings.analysis.tokenizer.x.type: "ngram" is not supported by the
// bleve backend`; all of them are returned, joined, in the order of their
// paths.
func CheckAnalysis(settings map[string]any) error {
	raw, ok := search.Setting(settings, "analysis")
	if !ok {
		return nil
	}
	c := &analysisCheck{}
	defs, ok := raw.(map[string]any)
	if !ok {
		c.fail("settings.analysis", "want an object, got %s", jsonKind(raw))
		return c.err()
	}
	c.defs = defs
	for _, section := range slices.Sorted(maps.Keys(defs)) {
		path := "settings.analysis." + section
		if !slices.Contains(search.AnalysisSections, section) {
			c.fail(path, "is not an analysis section the bleve backend knows (%s)", strings.Join(search.AnalysisSections, ", "))
			continue
		}
		sec, ok := defs[section].(map[string]any)
		if !ok {
			c.fail(path, "want an object of definitions by name, got %s", jsonKind(defs[section]))
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(sec)) {
			p := path + "." + name
			def, ok := sec[name].(map[string]any)
			if !ok {
				c.fail(p, "want an object (the definition), got %s", jsonKind(sec[name]))
				continue
			}
			c.component(p, section, def)
		}
	}
	if len(c.errs) == 0 {
		c.translate()
	}
	return c.err()
}

// translate translates each analyzer and normalizer as index creation
// would. The checks mirror the translation; this makes sure nothing slips
// between the two.
func (c *analysisCheck) translate() {
	a := newAnalysisSet(mapping.NewIndexMapping(), map[string]any{"analysis": c.defs})
	for _, section := range []string{"analyzer", "normalizer"} {
		sec, _ := c.defs[section].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(sec)) {
			path := "settings.analysis." + section + "." + name
			var err error
			if section == "analyzer" {
				_, err = a.analyzer(path, name)
			} else {
				_, err = a.normalizer(path, name)
			}
			var se *search.SpecError
			switch {
			case errors.As(err, &se):
				c.fail(path, "%s", se.Reason)
			case err != nil:
				c.fail(path, "%v", err)
			}
		}
	}
}

// analysisCheck collects the problems of one analysis section.
type analysisCheck struct {
	defs map[string]any
	errs []error
}

func (c *analysisCheck) fail(path, format string, args ...any) {
	c.errs = append(c.errs, &search.SpecError{Path: path, Reason: fmt.Sprintf(format, args...)})
}

func (c *analysisCheck) err() error {
	slices.SortStableFunc(c.errs, func(a, b error) int {
		var sa, sb *search.SpecError
		errors.As(a, &sa)
		errors.As(b, &sb)
		switch {
		case sa.Path < sb.Path:
			return -1
		case sa.Path > sb.Path:
			return 1
		}
		return 0
	})
	return errors.Join(c.errs...)
}

func (c *analysisCheck) defined(section, name string) bool {
	sec, _ := c.defs[section].(map[string]any)
	_, ok := sec[name]
	return ok
}

// notSupported reports a setting's value the bleve backend cannot apply.
func (c *analysisCheck) notSupported(path string, v any) {
	c.fail(path, "%s is not supported by the bleve backend", jsonValue(v))
}

// options reports the keys of def other than allowed.
func (c *analysisCheck) options(path, what string, def map[string]any, allowed ...string) {
	for _, k := range slices.Sorted(maps.Keys(def)) {
		if !slices.Contains(allowed, k) {
			c.fail(path+"."+k, "option of %s is not supported by the bleve backend", what)
		}
	}
}

// component checks one definition; section is one of
// search.AnalysisSections.
func (c *analysisCheck) component(path, section string, def map[string]any) {
	typ, hasType := def["type"]
	typName, isString := typ.(string)
	if hasType && !isString {
		c.fail(path+".type", "want a string, got %s", jsonKind(typ))
		return
	}
	switch section {
	case "tokenizer":
		c.tokenizer(path, typName, hasType, def)
	case "filter":
		c.typeOnly(path, "filter", typName, hasType, def, func(t string) bool {
			_, ok := builtinTokenFilters[t]
			return ok || t == "asciifolding"
		})
	case "char_filter":
		c.typeOnly(path, "char filter", typName, hasType, def, func(t string) bool {
			_, ok := builtinCharFilters[t]
			return ok && t != "asciifolding" // a token filter in Elasticsearch
		})
	case "analyzer", "normalizer":
		c.chain(path, section, typName, def)
	}
}

func (c *analysisCheck) tokenizer(path, typ string, hasType bool, def map[string]any) {
	switch {
	case !hasType:
		c.fail(path, `"type" is missing: name the tokenizer's type, e.g. "path_hierarchy"`)
	case builtinTokenizers[typ] != "":
		c.options(path, fmt.Sprintf("tokenizer type %q", typ), def, "type")
	case typ == "path_hierarchy":
		for _, k := range slices.Sorted(maps.Keys(def)) {
			v := def[k]
			switch {
			case !pathHierarchyKeys[k]:
				c.fail(path+"."+k, `option of tokenizer type "path_hierarchy" is not supported by the bleve backend`)
			case k == "reverse" && v != false && v != "false":
				c.notSupported(path+"."+k, v)
			case k == "skip" && v != 0.0 && v != "0":
				c.notSupported(path+"."+k, v)
			case k == "replacement" && v != def["delimiter"]:
				c.fail(path+"."+k, "a replacement other than the delimiter is not supported by the bleve backend")
			case k == "delimiter":
				if s, ok := v.(string); !ok || s == "" {
					c.fail(path+"."+k, "want a non-empty string, got %s", jsonValue(v))
				}
			}
		}
	default:
		c.notSupported(path+".type", typ)
	}
}

// typeOnly checks a token filter or char filter definition: a supported
// type and no options.
func (c *analysisCheck) typeOnly(path, what, typ string, hasType bool, def map[string]any, supported func(string) bool) {
	switch {
	case !hasType:
		c.fail(path, `"type" is missing: name the %s's type, e.g. "lowercase"`, what)
	case !supported(typ):
		c.notSupported(path+".type", typ)
	default:
		c.options(path, fmt.Sprintf("%s type %q", what, typ), def, "type")
	}
}

// chain checks an analyzer or normalizer definition.
func (c *analysisCheck) chain(path, section, typ string, def map[string]any) {
	if typ != "" && typ != "custom" {
		if _, ok := builtinAnalyzers[typ]; ok && section == "analyzer" {
			c.options(path, fmt.Sprintf("analyzer type %q", typ), def, "type")
			return
		}
		c.notSupported(path+".type", typ)
		return
	}
	keys := []string{"type", "filter", "char_filter", "position_increment_gap"}
	if section == "analyzer" {
		keys = append(keys, "tokenizer")
	}
	c.options(path, "a custom "+section, def, keys...)
	if section == "analyzer" {
		switch tok, ok := def["tokenizer"].(string); {
		case !ok:
			c.fail(path+".tokenizer", "want the name of a tokenizer, got %s", jsonValue(def["tokenizer"]))
		case builtinTokenizers[tok] == "" && tok != "path_hierarchy" && !c.defined("tokenizer", tok):
			c.fail(path+".tokenizer", "tokenizer %q is not supported by the bleve backend", tok)
		}
	}
	c.refs(path+".filter", "token filter", "filter", def["filter"], func(f string) bool {
		_, ok := builtinTokenFilters[f]
		return ok || f == "asciifolding"
	})
	c.refs(path+".char_filter", "char filter", "char_filter", def["char_filter"], func(f string) bool {
		_, ok := builtinCharFilters[f]
		return ok && f != "asciifolding"
	})
}

// refs checks the filters an analyzer or normalizer names: built-in ones
// the translation supports, or ones the settings define (checked on their
// own).
func (c *analysisCheck) refs(path, what, section string, raw any, builtin func(string) bool) {
	names, err := optionalList(raw)
	if err != nil {
		c.fail(path, "%v", err)
		return
	}
	for _, n := range names {
		if !c.defined(section, n) && !builtin(n) {
			c.fail(path, "%s %q is not supported by the bleve backend", what, n)
		}
	}
}

// jsonValue writes a setting's value for a message: strings quoted.
func jsonValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case nil:
		return "null"
	case bool, float64, int, int64:
		return fmt.Sprint(x)
	}
	return jsonKind(v)
}
