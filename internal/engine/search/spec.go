package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// MaxIndexNameLen is the longest index name accepted, in bytes (the
// Elasticsearch limit).
const MaxIndexNameLen = 255

var indexNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.\-]*$`)

// ValidateIndexName checks an index name against the rules every backend
// shares: lower-case letters, digits, "_", "." and "-", starting with a
// letter or digit, at most MaxIndexNameLen bytes. The error wraps
// ErrInvalidName and names the index.
func ValidateIndexName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrInvalidName)
	case len(name) > MaxIndexNameLen:
		return fmt.Errorf("%w %q: longer than %d bytes", ErrInvalidName, name, MaxIndexNameLen)
	case !indexNameRE.MatchString(name):
		return fmt.Errorf("%w %q: use lower-case letters, digits, '_', '.' and '-', starting with a letter or digit",
			ErrInvalidName, name)
	}
	return nil
}

// EngineError is an error reported by the search engine itself, such as a
// rejected mapping. Reason is the engine's own text, shown to users as is.
// A 400 status means the request was wrong: it matches ErrInvalidSpec.
type EngineError struct {
	Backend string // "elasticsearch"
	Status  int    // HTTP status, 0 when not known
	Type    string // the engine's error type, e.g. mapper_parsing_exception
	Reason  string
}

func (e *EngineError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("%s (status %d): %s", e.Backend, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %s", e.Backend, e.Type, e.Reason)
}

// Is makes a 400 answer match ErrInvalidSpec.
func (e *EngineError) Is(target error) bool {
	return target == ErrInvalidSpec && e.Status == 400
}

// Normalized returns the spec with _meta in one place: Meta. A "_meta" key of
// the mapping is moved to Meta when Meta is nil and dropped otherwise (Meta
// wins). The maps are copied at the top level only.
func (s IndexSpec) Normalized() IndexSpec {
	out := IndexSpec{Settings: s.Settings, Meta: s.Meta}
	if s.Mapping != nil {
		out.Mapping = maps.Clone(s.Mapping)
		if m, ok := out.Mapping["_meta"].(map[string]any); ok && out.Meta == nil {
			out.Meta = m
		}
		delete(out.Mapping, "_meta")
	}
	return out
}

// MappingWithMeta returns the mapping with Meta inside it as "_meta", the
// form Elasticsearch stores.
func (s IndexSpec) MappingWithMeta() map[string]any {
	n := s.Normalized()
	m := n.Mapping
	if m == nil {
		m = map[string]any{}
	}
	if n.Meta != nil {
		m["_meta"] = n.Meta
	}
	return m
}

// DecodeSpec reads an index definition in Elasticsearch's JSON form: a
// create-index body {"settings", "mappings"} or the answer of GET /<index>
// ({"aliases", "mappings", "settings"}, aliases ignored). "_meta" inside
// "mappings" becomes Meta. Numbers are decoded as float64, as
// encoding/json does.
func DecodeSpec(data []byte) (IndexSpec, error) {
	var body struct {
		Settings map[string]any `json:"settings"`
		Mappings map[string]any `json:"mappings"`
		Aliases  map[string]any `json:"aliases"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return IndexSpec{}, fmt.Errorf("%w: decode index definition (want {\"settings\": {...}, \"mappings\": {...}}): %v",
			ErrInvalidSpec, err)
	}
	return IndexSpec{Settings: body.Settings, Mapping: body.Mappings}.Normalized(), nil
}

// Setting looks a setting up by its dotted path without the "index." prefix
// (e.g. "analysis" or "query.default_field"), whatever form the settings are
// written in: nested ({"index": {"query": ...}}), flat
// ({"index.query.default_field": ...}) or a mix, with or without "index".
// Maps in the answer are in nested form.
func Setting(settings map[string]any, path string) (any, bool) {
	nested := ExpandSettings(settings)
	if index, ok := nested["index"].(map[string]any); ok {
		if v, ok := lookup(index, path); ok {
			return v, true
		}
	}
	return lookup(nested, path)
}

// ExpandSettings returns settings in nested form: every dotted key
// ("index.query.default_field") becomes nested maps, merged with the ones
// already there. settings is not modified.
func ExpandSettings(settings map[string]any) map[string]any {
	out := map[string]any{}
	keys := slices.Sorted(maps.Keys(settings))
	for _, k := range keys {
		v := settings[k]
		if sub, ok := v.(map[string]any); ok {
			v = ExpandSettings(sub)
		}
		parts := strings.Split(k, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		last := parts[len(parts)-1]
		if have, ok := m[last].(map[string]any); ok {
			if add, ok := v.(map[string]any); ok {
				mergeInto(have, add)
				continue
			}
		}
		m[last] = v
	}
	return out
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if have, ok := dst[k].(map[string]any); ok {
			if add, ok := v.(map[string]any); ok {
				mergeInto(have, add)
				continue
			}
		}
		dst[k] = v
	}
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = cm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// KeywordLowercaseNormalizer is the name of the normalizer BioThings puts
// on keyword fields: case-insensitive exact match.
const KeywordLowercaseNormalizer = "keyword_lowercase_normalizer"

// AllField is the field that copy_to ["all"] fills; searched by default.
const AllField = "all"

// DefaultSettings returns the index settings BioThings gives a released
// index: the keyword_lowercase_normalizer, _id and all as the default
// search fields, and the shard and replica counts (left to the engine
// when zero or less).
func DefaultSettings(shards, replicas int) map[string]any {
	index := map[string]any{
		"analysis": map[string]any{
			"normalizer": map[string]any{
				KeywordLowercaseNormalizer: map[string]any{
					"type":        "custom",
					"filter":      []any{"lowercase"},
					"char_filter": []any{},
				},
			},
		},
		"query": map[string]any{"default_field": []any{"_id", AllField}},
	}
	if shards > 0 {
		index["number_of_shards"] = shards
	}
	if replicas > 0 {
		index["number_of_replicas"] = replicas
	}
	return map[string]any{"index": index}
}

// ReleaseSpec returns the definition of a released index: DefaultSettings,
// and a mapping that is "dynamic": "false" with the given properties plus
// the "all" text field, and meta as its _meta. properties is not modified.
func ReleaseSpec(properties, meta map[string]any, shards, replicas int) IndexSpec {
	props := maps.Clone(properties)
	if props == nil {
		props = map[string]any{}
	}
	props[AllField] = map[string]any{"type": "text"}
	return IndexSpec{
		Settings: DefaultSettings(shards, replicas),
		Mapping:  map[string]any{"dynamic": "false", "properties": props},
		Meta:     meta,
	}
}

// SpecError reports a part of an index definition that an engine cannot
// take, at a path such as "cgi.drug" or "settings.analysis.analyzer.x".
// It matches ErrInvalidSpec.
type SpecError struct {
	Path   string
	Reason string
}

func (e *SpecError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// Is makes a SpecError match ErrInvalidSpec.
func (e *SpecError) Is(target error) bool { return target == ErrInvalidSpec }
