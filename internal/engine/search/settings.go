package search

import (
	"maps"
	"slices"

	"studio/internal/encoding/jsondiff"
)

// AnalysisSections are the kinds of component an index's "analysis"
// settings define, each an object of definitions by name.
var AnalysisSections = []string{"analyzer", "normalizer", "tokenizer", "filter", "char_filter"}

// IndexLevel returns settings in nested form relative to "index": dotted
// keys expanded (see ExpandSettings), the content of an "index" key lifted
// up, and other top-level keys kept, as Elasticsearch reads
// {"analysis": ...} as {"index": {"analysis": ...}}. settings is not
// modified; the maps of the result are new.
func IndexLevel(settings map[string]any) map[string]any {
	nested := ExpandSettings(settings)
	out := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(nested)) {
		if k != "index" {
			out[k] = jsondiff.Clone(nested[k])
		}
	}
	if index, ok := nested["index"].(map[string]any); ok {
		mergeSettings(out, index, nil)
	} else if v, ok := nested["index"]; ok {
		out["index"] = jsondiff.Clone(v)
	}
	return out
}

// MergeSettings returns base with extra merged in (BioThings'
// extra_index_settings), both in any form Setting reads; the result is
// nested under "index". Objects merge key by key, so that extra adds to
// base: an analyzer of extra joins base's analyzers. The definition of one
// analysis component (analysis.analyzer.<name>, .tokenizer.<name>, ...) is
// replaced whole by one of the same name in extra, and any other value of
// extra replaces base's. Neither argument is modified.
func MergeSettings(base, extra map[string]any) map[string]any {
	out := IndexLevel(base)
	mergeSettings(out, IndexLevel(extra), nil)
	return map[string]any{"index": out}
}

// mergeSettings merges src into dst; path is where dst sits under "index".
func mergeSettings(dst, src map[string]any, path []string) {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		v := src[k]
		at := append(slices.Clone(path), k)
		have, okDst := dst[k].(map[string]any)
		add, okSrc := v.(map[string]any)
		component := len(at) == 3 && at[0] == "analysis" && slices.Contains(AnalysisSections, at[1])
		if okDst && okSrc && !component {
			mergeSettings(have, add, at)
			continue
		}
		dst[k] = jsondiff.Clone(v)
	}
}

// SettingsChecker is implemented by engines that cannot take every index
// setting Elasticsearch takes (the bleve backend). CheckSettings checks
// settings given on their own, such as a build configuration's
// extra_index_settings, all of them, whether an index's mapping uses them
// or not; what the engine cannot apply is refused with an error matching
// ErrInvalidSpec that names the setting.
type SettingsChecker interface {
	CheckSettings(settings map[string]any) error
}

// CheckSettings checks settings against eng when it is a SettingsChecker;
// other engines (Elasticsearch) check settings when an index is created.
func CheckSettings(eng Engine, settings map[string]any) error {
	if c, ok := eng.(SettingsChecker); ok && len(settings) > 0 {
		return c.CheckSettings(settings)
	}
	return nil
}
