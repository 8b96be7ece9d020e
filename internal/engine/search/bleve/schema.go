package bleve

import (
	"path"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"

	"studio/internal/engine/search"
)

// Stored and internal field names of every document. Elasticsearch keeps
// the same information in its own metadata fields.
const (
	sourceField     = "_source"      // the document as indexed (JSON), stored only
	versionField    = "_version"     // stored only, when not 1
	fieldNamesField = "_field_names" // paths with a value, for exists queries
)

// schema is what the query and bulk layers need to know about an index's
// fields, read from its Elasticsearch definition and its Bleve mapping.
type schema struct {
	im *mapping.IndexMappingImpl
	// types maps the dotted path of each leaf field to its Elasticsearch
	// type ("keyword", "text", "long", "boolean", "date", ...).
	types map[string]string
	// indexed is false for fields with "index": false.
	indexed map[string]bool
	// objects are the paths of object fields (enabled or not).
	objects map[string]bool
	// existsPaths are the paths recorded in _field_names: the indexed
	// leaves and the objects holding them.
	existsPaths map[string]bool
	// copyTo is the Translation's copy_to, as a sorted list.
	copyTo []copyRule
	// copyPaths are the path elements of each copy_to target.
	copyPaths map[string][]string
	// defaultFields are the fields of a query without a field name.
	defaultFields []string
	// dynamic is true when the root mapping indexes unknown fields.
	dynamic bool
	// mapper maps documents without MapDocument; nil when it cannot
	// follow the mapping.
	mapper *mapper
}

type copyRule struct {
	from    []string // path elements
	targets []string
}

func newSchema(spec search.IndexSpec, tr *Translation) *schema {
	s := &schema{
		im:          tr.Mapping,
		types:       map[string]string{},
		indexed:     map[string]bool{},
		objects:     map[string]bool{},
		existsPaths: map[string]bool{},
		dynamic:     tr.Mapping.DefaultMapping.Dynamic,
	}
	props, _ := spec.Normalized().Mapping["properties"].(map[string]any)
	s.walk("", props)
	for _, src := range sortedKeys(tr.CopyTo) {
		s.copyTo = append(s.copyTo, copyRule{from: strings.Split(src, "."), targets: tr.CopyTo[src]})
		for _, target := range tr.CopyTo[src] {
			if s.copyPaths == nil {
				s.copyPaths = map[string][]string{}
			}
			s.copyPaths[target] = strings.Split(target, ".")
			if _, ok := s.types[target]; !ok {
				s.types[target] = "text"
				s.indexed[target] = true
				s.addExists(target)
			}
		}
	}
	s.mapper = newMapper(tr.Mapping, s.existsPaths)
	s.defaultFields = tr.DefaultFields
	if len(s.defaultFields) == 0 {
		s.defaultFields = []string{"_id", search.AllField}
	}
	return s
}

func (s *schema) walk(prefix string, props map[string]any) {
	for name, raw := range props {
		def, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		p := joinPath(prefix, name)
		typ, _ := fieldType(p, def)
		if typ == "object" || typ == "nested" {
			s.objects[p] = true
			if enabled, _ := parseBool(p, "enabled", def["enabled"], true); enabled {
				sub, _ := def["properties"].(map[string]any)
				s.walk(p, sub)
			}
			continue
		}
		s.types[p] = typ
		idx, _ := parseBool(p, "index", def["index"], true)
		s.indexed[p] = idx
		// Elasticsearch finds index:false fields through doc values, which
		// text fields do not have.
		if idx || typ != "text" {
			s.addExists(p)
		}
	}
}

func (s *schema) addExists(p string) {
	for {
		s.existsPaths[p] = true
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return
		}
		p = p[:i]
	}
}

// kind classifies a field for queries.
type kind int

const (
	kindUnmapped kind = iota
	kindText
	kindKeyword
	kindNumber
	kindInteger // an integer numeric type
	kindBool
	kindDate
	kindObject
	kindID
)

var integerTypes = map[string]bool{"long": true, "integer": true, "short": true, "byte": true, "unsigned_long": true}

func (s *schema) kind(field string) kind {
	if field == "_id" {
		return kindID
	}
	typ, ok := s.types[field]
	if !ok {
		if s.objects[field] {
			return kindObject
		}
		return kindUnmapped
	}
	switch {
	case typ == "text":
		return kindText
	case typ == "keyword":
		return kindKeyword
	case integerTypes[typ]:
		return kindInteger
	case typ == "boolean":
		return kindBool
	case typ == "date":
		return kindDate
	}
	return kindNumber
}

// analyzer returns the Bleve analyzer of a text or keyword field.
func (s *schema) analyzer(field string) analysis.Analyzer {
	name := s.im.AnalyzerNameForPath(field)
	if name == "" {
		name = s.im.DefaultAnalyzer
	}
	return s.im.AnalyzerNamed(name)
}

// normalize runs a keyword value through the field's normalizer.
func (s *schema) normalize(field, v string) string {
	a := s.analyzer(field)
	if a == nil {
		return v
	}
	tokens := a.Analyze([]byte(v))
	if len(tokens) != 1 {
		return v
	}
	return string(tokens[0].Term)
}

// expandFields resolves field name patterns ("go.*.id") to the mapped
// leaf fields they match, sorted; a name without "*" is returned as is.
func (s *schema) expandFields(field string) []string {
	if !strings.Contains(field, "*") {
		return []string{field}
	}
	var out []string
	for p := range s.types {
		if ok, _ := path.Match(strings.ReplaceAll(field, ".", "/"), strings.ReplaceAll(p, ".", "/")); ok {
			out = append(out, p)
		} else if strings.HasSuffix(field, ".*") && strings.HasPrefix(p, strings.TrimSuffix(field, "*")) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
