package buildconf

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"studio/internal/engine/search"
)

// IndexSettings are a configuration's extra_index_settings: Elasticsearch
// index settings, relative to "index" as BioThings writes them
// ({"analysis": {...}, "number_of_shards": 3}). They are read from a JSON
// object in any form Elasticsearch takes (nested, dotted keys, under
// "index" or not), or from a string holding one, and kept in nested form
// relative to "index" (search.IndexLevel), so that no key holds a dot.
type IndexSettings map[string]any

// UnmarshalJSON reads extra_index_settings, refusing what is not an object.
func (s *IndexSettings) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("extra_index_settings: %w", err)
	}
	if str, ok := v.(string); ok {
		if err := json.Unmarshal([]byte(str), &v); err != nil {
			return fmt.Errorf("extra_index_settings: the string is not valid JSON: %v", err)
		}
	}
	switch obj := v.(type) {
	case nil:
		*s = nil
	case map[string]any:
		*s = search.IndexLevel(obj)
	default:
		return fmt.Errorf(`extra_index_settings: want an object of index settings (e.g. {"analysis": {"analyzer": {...}}}), got %s`, describe(v))
	}
	return nil
}

// check reports the shapes Elasticsearch would refuse in the analysis
// settings, each naming its field; what each engine supports is checked by
// the engine (Config.CheckIndexSettings, and index creation).
func (s IndexSettings) check() []error {
	if len(s) == 0 {
		return nil
	}
	var errs []error
	fail := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("extra_index_settings.%s: %s", path, fmt.Sprintf(format, args...)))
	}
	settings := search.IndexLevel(s) // Go callers may give any form
	if v, ok := settings["index"]; ok {
		fail("index", "want an object, got %s", describe(v))
	}
	raw, ok := settings["analysis"]
	if !ok {
		return errs
	}
	sections := strings.Join(search.AnalysisSections, ", ")
	analysis, ok := raw.(map[string]any)
	if !ok {
		fail("analysis", "want an object of %s definitions, got %s", sections, describe(raw))
		return errs
	}
	for _, section := range slices.Sorted(maps.Keys(analysis)) {
		path := "analysis." + section
		if !slices.Contains(search.AnalysisSections, section) {
			fail(path, "unknown analysis section: want one of %s", sections)
			continue
		}
		what := strings.ReplaceAll(section, "_", " ")
		defs, ok := analysis[section].(map[string]any)
		if !ok {
			fail(path, "want an object of %s definitions by name, got %s", what, describe(analysis[section]))
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(defs)) {
			p := path + "." + name
			def, ok := defs[name].(map[string]any)
			if !ok {
				fail(p, "want an object (the %s's definition), got %s", what, describe(defs[name]))
				continue
			}
			typ, hasType := def["type"]
			if _, isString := typ.(string); hasType && !isString {
				fail(p+".type", "want a string, got %s", describe(typ))
			}
			switch section {
			case "tokenizer", "filter", "char_filter":
				if !hasType {
					fail(p+".type", "required: name the %s's type, e.g. %q", what, map[string]string{
						"tokenizer": "path_hierarchy", "filter": "lowercase", "char_filter": "html_strip"}[section])
				}
			case "analyzer", "normalizer":
				custom := !hasType || typ == "custom"
				tok, hasTok := def["tokenizer"]
				_, tokString := tok.(string)
				switch {
				case section == "normalizer" && hasTok:
					fail(p+".tokenizer", "a normalizer has no tokenizer (it keeps the value whole)")
				case section == "analyzer" && custom && !hasTok:
					fail(p+".tokenizer", `required for a custom analyzer: name its tokenizer, e.g. "standard"`)
				case hasTok && !tokString:
					fail(p+".tokenizer", "want the name of a tokenizer, got %s", describe(tok))
				}
				for _, k := range []string{"filter", "char_filter"} {
					if v, ok := def[k]; ok && !names(v) {
						fail(p+"."+k, "want a name or a list of names, got %s", describe(v))
					}
				}
			}
		}
	}
	return errs
}

// names tells whether v is a string or a list of strings.
func names(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// describe names a JSON value for a message: `string "x"`, `number 3`.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
