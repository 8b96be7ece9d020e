package bleve

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"studio/internal/engine/search"
)

// Translation is an Elasticsearch index definition translated for Bleve.
type Translation struct {
	// Mapping is the Bleve index mapping.
	Mapping *mapping.IndexMappingImpl
	// CopyTo maps the dotted path of each field that has copy_to to the
	// fields its values go to, e.g. "symbol" -> ["all"]. Bleve has no
	// copy_to: the bulk indexer adds the values of the source fields to the
	// target fields of the document it hands to Bleve (keeping the original
	// document as _source), so that "all" is indexed as in Elasticsearch.
	// Every target is mapped as a field (text, standard analyzer, when the
	// mapping does not declare it).
	CopyTo map[string][]string
	// DefaultFields are the fields a query without a field name searches
	// (settings index.query.default_field, e.g. ["_id", "all"]); nil when
	// not set.
	DefaultFields []string
}

// Translate turns an Elasticsearch index definition into a Bleve mapping.
// What Bleve cannot do is rejected with a *search.SpecError naming the
// field path, e.g. `cgi.drug: type "geo_shape" is not supported by the
// bleve backend`.
func Translate(spec search.IndexSpec) (*Translation, error) {
	spec = spec.Normalized()
	t := newTranslator(spec.Settings)
	if err := t.root(spec.Mapping); err != nil {
		return nil, err
	}
	if err := t.defaultFields(); err != nil {
		return nil, err
	}
	if err := t.copyTargets(); err != nil {
		return nil, err
	}
	if err := t.im.Validate(); err != nil {
		return nil, &search.SpecError{Path: "mapping", Reason: fmt.Sprintf("bleve rejects the translated mapping: %v", err)}
	}
	return &Translation{Mapping: t.im, CopyTo: t.copyTo, DefaultFields: t.defaults}, nil
}

// translator holds the state of one translation.
type translator struct {
	im       *mapping.IndexMappingImpl
	settings map[string]any
	analysis *analysisSet
	copyTo   map[string][]string
	defaults []string
}

func newTranslator(settings map[string]any) *translator {
	im := mapping.NewIndexMapping()
	im.StoreDynamic = false
	im.IndexDynamic = true
	im.DocValuesDynamic = true
	t := &translator{im: im, settings: settings, copyTo: map[string][]string{}}
	t.analysis = newAnalysisSet(im, settings)
	return t
}

// rootKeys are the top-level mapping keys; true means translated, false
// means accepted without effect.
var rootKeys = map[string]bool{
	"properties":        true,
	"dynamic":           true,
	"_source":           false, // the bulk indexer always keeps _source
	"date_detection":    false, // only matters for dynamic fields
	"numeric_detection": false,
}

func (t *translator) root(m map[string]any) error {
	for _, k := range sortedKeys(m) {
		if _, ok := rootKeys[k]; !ok {
			return &search.SpecError{Path: "mapping", Reason: fmt.Sprintf("%q is not supported by the bleve backend", k)}
		}
	}
	defAnalyzer, err := t.analysis.defaultAnalyzer()
	if err != nil {
		return err
	}
	t.im.DefaultAnalyzer = defAnalyzer
	dynamic, err := parseDynamic("mapping", m["dynamic"], true)
	if err != nil {
		return err
	}
	dm := mapping.NewDocumentMapping()
	dm.Dynamic = dynamic
	// Bleve's "_all" composite field is not used (copy_to targets replace
	// it); disabling it saves indexing every term twice.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	t.im.DefaultMapping = dm
	props, ok := m["properties"]
	if !ok {
		return nil
	}
	return t.properties(dm, "", props, dynamic)
}

// properties translates a "properties" object into dm; prefix is the dotted
// path of dm ("" at the root).
func (t *translator) properties(dm *mapping.DocumentMapping, prefix string, props any, dynamic bool) error {
	if l, ok := props.([]any); ok && len(l) == 0 {
		return nil // Elasticsearch takes an empty list for no properties
	}
	obj, ok := props.(map[string]any)
	if !ok {
		where := prefix
		if where == "" {
			where = "mapping"
		}
		return &search.SpecError{Path: where, Reason: fmt.Sprintf(`"properties" must be an object, got %s`, jsonKind(props))}
	}
	for _, name := range sortedKeys(obj) {
		path := joinPath(prefix, name)
		if err := t.property(dm, name, path, obj[name], dynamic); err != nil {
			return err
		}
	}
	return nil
}

func (t *translator) property(dm *mapping.DocumentMapping, name, path string, raw any, dynamic bool) error {
	if name == "" || strings.Contains(name, ".") {
		return &search.SpecError{Path: path, Reason: "dotted or empty field names are not supported by the bleve backend; nest the field under the \"properties\" of its parent"}
	}
	def, ok := raw.(map[string]any)
	if !ok {
		return &search.SpecError{Path: path, Reason: fmt.Sprintf("the field definition must be an object, got %s", jsonKind(raw))}
	}
	typ, err := fieldType(path, def)
	if err != nil {
		return err
	}
	if typ == "object" || typ == "nested" {
		sub, err := t.object(path, typ, def, dynamic)
		if err != nil {
			return err
		}
		dm.AddSubDocumentMapping(name, sub)
		return nil
	}
	fm, err := t.leaf(path, typ, def)
	if err != nil {
		return err
	}
	dm.AddFieldMappingsAt(name, fm)
	return nil
}

// fieldType returns the field's type: "object" for a definition with
// properties and no type, or with neither (as Elasticsearch does).
func fieldType(path string, def map[string]any) (string, error) {
	raw, ok := def["type"]
	if !ok {
		return "object", nil
	}
	typ, ok := raw.(string)
	if !ok {
		return "", &search.SpecError{Path: path, Reason: fmt.Sprintf(`"type" must be a string, got %s`, jsonKind(raw))}
	}
	return typ, nil
}

// objectParams are the parameters of object and nested fields; true means
// translated, false means accepted without effect.
var objectParams = map[string]bool{
	"type": true, "properties": true, "dynamic": true, "enabled": true,
	"include_in_parent": false, "include_in_root": false, // nested: Bleve searches nested fields from the root anyway
}

func (t *translator) object(path, typ string, def map[string]any, dynamic bool) (*mapping.DocumentMapping, error) {
	if err := checkParams(path, typ, def, objectParams); err != nil {
		return nil, err
	}
	sub := mapping.NewDocumentMapping()
	// Bleve's nested documents would change how the whole document is
	// indexed and searched; nested fields are mapped as objects instead.
	sub.Nested = false
	var err error
	if sub.Dynamic, err = parseDynamic(path, def["dynamic"], dynamic); err != nil {
		return nil, err
	}
	if sub.Enabled, err = parseBool(path, "enabled", def["enabled"], true); err != nil {
		return nil, err
	}
	if !sub.Enabled {
		// Elasticsearch keeps a disabled object in _source only.
		sub.Dynamic = false
		return sub, nil
	}
	if props, ok := def["properties"]; ok {
		if err := t.properties(sub, path, props, sub.Dynamic); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// leafKind says how an Elasticsearch leaf type maps to Bleve.
type leafKind struct {
	new    func() *mapping.FieldMapping
	params map[string]bool // type-specific parameters: true translated, false accepted without effect
}

var numericParams = map[string]bool{"coerce": false, "ignore_malformed": false, "scaling_factor": false}

var leafKinds = map[string]leafKind{
	"text": {mapping.NewTextFieldMapping, map[string]bool{
		"analyzer": true, "search_analyzer": false, "search_quote_analyzer": false,
		"position_increment_gap": false, "index_phrases": false, "index_prefixes": false,
		"fielddata": false, "norms": false, "term_vector": false, "index_options": false, "similarity": false,
	}},
	"keyword": {mapping.NewKeywordFieldMapping, map[string]bool{
		"normalizer": true, "ignore_above": false, "split_queries_on_whitespace": false,
		"eager_global_ordinals": false, "norms": false, "index_options": false, "similarity": false,
	}},
	"long":          {mapping.NewNumericFieldMapping, numericParams},
	"integer":       {mapping.NewNumericFieldMapping, numericParams},
	"short":         {mapping.NewNumericFieldMapping, numericParams},
	"byte":          {mapping.NewNumericFieldMapping, numericParams},
	"double":        {mapping.NewNumericFieldMapping, numericParams},
	"float":         {mapping.NewNumericFieldMapping, numericParams},
	"half_float":    {mapping.NewNumericFieldMapping, numericParams},
	"scaled_float":  {mapping.NewNumericFieldMapping, numericParams},
	"unsigned_long": {mapping.NewNumericFieldMapping, numericParams},
	"boolean":       {mapping.NewBooleanFieldMapping, nil},
	"date":          {mapping.NewDateTimeFieldMapping, map[string]bool{"format": true, "ignore_malformed": false, "locale": false}},
}

// leafParams apply to every leaf type.
var leafParams = map[string]bool{
	"type": true, "index": true, "store": true, "doc_values": true, "copy_to": true,
	"boost": false, "meta": false,
}

func (t *translator) leaf(path, typ string, def map[string]any) (*mapping.FieldMapping, error) {
	kind, ok := leafKinds[typ]
	if !ok {
		return nil, &search.SpecError{Path: path, Reason: fmt.Sprintf("type %q is not supported by the bleve backend", typ)}
	}
	if err := checkParams(path, typ, def, leafParams, kind.params); err != nil {
		return nil, err
	}
	fm := kind.new()
	// Every field is searched through its own name or through copy_to
	// targets; Bleve's "_all" composite is not used.
	fm.IncludeInAll = false
	fm.Store = false
	if typ == "text" {
		fm.DocValues = false // Elasticsearch text fields have no doc values either
	}
	if err := t.leafOptions(path, typ, def, fm); err != nil {
		return nil, err
	}
	return fm, nil
}

func (t *translator) leafOptions(path, typ string, def map[string]any, fm *mapping.FieldMapping) error {
	var err error
	switch typ {
	case "text":
		fm.Analyzer, err = t.analysis.analyzer(path, def["analyzer"])
	case "keyword":
		fm.Analyzer = keyword.Name
		if n, ok := def["normalizer"]; ok {
			fm.Analyzer, err = t.analysis.normalizer(path, n)
		}
	case "date":
		err = checkDateFormat(path, def["format"])
	}
	if err != nil {
		return err
	}
	if fm.Index, err = parseBool(path, "index", def["index"], true); err != nil {
		return err
	}
	if !fm.Index {
		// Not searchable, but kept so the value can be returned.
		fm.Store, fm.IncludeTermVectors, fm.DocValues = true, false, false
	}
	if fm.Store, err = parseBool(path, "store", def["store"], fm.Store); err != nil {
		return err
	}
	if fm.DocValues, err = parseBool(path, "doc_values", def["doc_values"], fm.DocValues); err != nil {
		return err
	}
	return t.recordCopyTo(path, def["copy_to"])
}

// dateFormats are the Elasticsearch date formats Bleve's default parser
// (RFC 3339 with optional time) matches well enough.
var dateFormats = []string{
	"strict_date_optional_time", "date_optional_time",
	"strict_date_optional_time||epoch_millis", "date_optional_time||epoch_millis",
	"strict_date_time", "date_time", "strict_date", "date", "yyyy-MM-dd",
}

func checkDateFormat(path string, raw any) error {
	if raw == nil {
		return nil
	}
	f, ok := raw.(string)
	if !ok || !slices.Contains(dateFormats, f) {
		return &search.SpecError{Path: path, Reason: fmt.Sprintf("date format %v is not supported by the bleve backend (dates are read as RFC 3339 / ISO 8601)", raw)}
	}
	return nil
}

func (t *translator) recordCopyTo(path string, raw any) error {
	if raw == nil {
		return nil
	}
	targets, err := stringList(raw)
	if err != nil || len(targets) == 0 {
		return &search.SpecError{Path: path, Reason: fmt.Sprintf(`"copy_to" must be a field name or a list of field names, got %s`, jsonKind(raw))}
	}
	t.copyTo[path] = targets
	return nil
}

// copyTargets maps each copy_to target the mapping does not declare as a
// text field with the default analyzer, so that the copied values are
// searchable.
func (t *translator) copyTargets() error {
	for _, src := range sortedKeys(t.copyTo) {
		for _, target := range t.copyTo[src] {
			if t.im.FieldMappingForPath(target).Type != "" {
				continue
			}
			if err := t.declareText(target); err != nil {
				return &search.SpecError{Path: src, Reason: fmt.Sprintf("copy_to %q: %v", target, err)}
			}
		}
	}
	return nil
}

func (t *translator) declareText(path string) error {
	parts := strings.Split(path, ".")
	dm := t.im.DefaultMapping
	for _, p := range parts[:len(parts)-1] {
		sub, ok := dm.Properties[p]
		if !ok {
			sub = mapping.NewDocumentMapping()
			sub.Dynamic = dm.Dynamic
			dm.AddSubDocumentMapping(p, sub)
		}
		if !sub.Enabled {
			return fmt.Errorf("the target is inside the disabled object %q", p)
		}
		dm = sub
	}
	last := parts[len(parts)-1]
	if last == "" {
		return fmt.Errorf("empty field name")
	}
	if sub, ok := dm.Properties[last]; ok && len(sub.Properties) > 0 {
		return fmt.Errorf("the target is an object")
	}
	fm := mapping.NewTextFieldMapping()
	fm.Store, fm.IncludeInAll, fm.DocValues = false, false, false
	fm.Analyzer = t.im.DefaultAnalyzer
	dm.AddFieldMappingsAt(last, fm)
	return nil
}

func (t *translator) defaultFields() error {
	raw, ok := search.Setting(t.settings, "query.default_field")
	if !ok {
		return nil
	}
	fields, err := stringList(raw)
	if err != nil {
		return &search.SpecError{Path: "settings.index.query.default_field", Reason: err.Error()}
	}
	t.defaults = fields
	// Bleve has one default field; when _id aside there is just one, use it.
	var rest []string
	for _, f := range fields {
		if f != "_id" {
			rest = append(rest, f)
		}
	}
	if len(rest) == 1 && rest[0] != "*" {
		t.im.DefaultField = rest[0]
	}
	return nil
}

// checkParams rejects the parameters of def no table lists.
func checkParams(path, typ string, def map[string]any, tables ...map[string]bool) error {
	for _, k := range sortedKeys(def) {
		known := false
		for _, tab := range tables {
			if _, ok := tab[k]; ok {
				known = true
				break
			}
		}
		if !known {
			return &search.SpecError{Path: path, Reason: fmt.Sprintf("parameter %q of type %q is not supported by the bleve backend", k, typ)}
		}
	}
	return nil
}

// parseDynamic reads "dynamic": true, false, "true", "false" or "strict"
// (Bleve cannot refuse unknown fields, so strict works as false).
func parseDynamic(path string, raw any, inherited bool) (bool, error) {
	switch raw {
	case nil:
		return inherited, nil
	case true, "true":
		return true, nil
	case false, "false", "strict":
		return false, nil
	}
	return false, &search.SpecError{Path: path, Reason: fmt.Sprintf(`"dynamic": %v is not supported by the bleve backend (use true, false or "strict")`, raw)}
}

// parseBool reads a boolean parameter, written as a JSON boolean or as the
// string "true" or "false" (Elasticsearch accepts both).
func parseBool(path, param string, raw any, def bool) (bool, error) {
	switch raw {
	case nil:
		return def, nil
	case true, "true":
		return true, nil
	case false, "false":
		return false, nil
	}
	return false, &search.SpecError{Path: path, Reason: fmt.Sprintf("%q must be true or false, got %v", param, raw)}
}

// stringList reads a string or a list of strings.
func stringList(raw any) ([]string, error) {
	switch v := raw.(type) {
	case string:
		return []string{v}, nil
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, found %s in it", jsonKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or a list of strings, got %s", jsonKind(raw))
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonKind names the JSON kind of a decoded value, for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, int64, float32, int32:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
