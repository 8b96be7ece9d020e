package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"studio/internal/engine/docstore"
)

// Keep is what a record holds besides its Go fields, so that encoding it
// gives back the document it was read from: the fields of the document
// that the record has no Go field for (BioThings and older versions of
// Studio put more into hub records than Studio reads), and which of the
// named fields the document had, and which of them were null.
//
// Encoding writes a named field when it holds a value other than Go's zero
// value, or when the document it was read from had it (as null when it was
// null there and is still zero). Keys come out sorted at every level, as
// they do for the maps the document store hands out, so a record read and
// written back is the same JSON byte for byte.
type Keep struct {
	// Extra holds the document's fields that the record has no Go field
	// for; they are written back with the named fields (a named field wins
	// over an Extra key of the same name).
	Extra map[string]any
	// present holds the named fields the document had: true when null.
	present map[string]bool
}

// Record is a hub record: a struct type of this package embedding Keep
// (a pointer to one, which decodes).
type Record interface{ keep() *Keep }

func (k *Keep) keep() *Keep { return k }

// Has says whether the document the record was read from had the named
// (JSON) field, not null.
func (k Keep) Has(field string) bool {
	null, ok := k.present[field]
	return ok && !null
}

// field is one named (JSON) field of a record type.
type field struct {
	name  string
	index []int
}

// recordType is what the codec knows of a record struct type.
type recordType struct {
	fields []field
	named  map[string]bool
}

var typeCache sync.Map // reflect.Type -> *recordType

// typeOf lists the JSON fields of a record struct type: its exported
// fields with a json tag, Keep excepted.
func typeOf(t reflect.Type) *recordType {
	if rt, ok := typeCache.Load(t); ok {
		return rt.(*recordType)
	}
	rt := &recordType{named: map[string]bool{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous || !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		rt.fields = append(rt.fields, field{name: name, index: sf.Index})
		rt.named[name] = true
	}
	typeCache.Store(t, rt)
	return rt
}

var recordIface = reflect.TypeFor[Record]()

// isRecord says whether values of t are records (t is a struct type whose
// pointer is a Record).
func isRecord(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(recordIface)
}

// marshalRecord encodes the record r points to (see Keep).
func marshalRecord(r Record) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeRecord(&buf, reflect.ValueOf(r).Elem()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeRecord writes the record v (a struct) to buf. Records inside it
// are written by the codec directly, so that encoding/json does not scan
// their output again at each level.
func encodeRecord(buf *bytes.Buffer, v reflect.Value) error {
	rt := typeOf(v.Type())
	var k *Keep
	if v.CanAddr() {
		k = v.Addr().Interface().(Record).keep()
	} else {
		c := reflect.New(v.Type())
		c.Elem().Set(v)
		k = c.Interface().(Record).keep()
	}
	type item struct {
		key   string
		field reflect.Value // valid for a named field
		null  bool
		extra any
	}
	items := make([]item, 0, len(rt.fields)+len(k.Extra))
	for _, f := range rt.fields {
		fv := v.FieldByIndex(f.index)
		null, had := k.present[f.name]
		if fv.IsZero() {
			if !had {
				continue
			}
			if null {
				items = append(items, item{key: f.name, null: true})
				continue
			}
		}
		items = append(items, item{key: f.name, field: fv})
	}
	for key, val := range k.Extra {
		if !rt.named[key] {
			items = append(items, item{key: key, extra: val})
		}
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.key, b.key) })
	buf.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeKey(buf, it.key)
		var err error
		switch {
		case it.null:
			buf.WriteString("null")
		case it.field.IsValid():
			err = encodeValue(buf, it.field)
		default:
			err = encodeJSON(buf, it.extra)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", it.key, err)
		}
	}
	buf.WriteByte('}')
	return nil
}

// encodeValue writes one field's value: records, and maps and lists of
// them, by the codec; anything else by encoding/json.
func encodeValue(buf *bytes.Buffer, fv reflect.Value) error {
	t := fv.Type()
	switch {
	case isRecord(t):
		return encodeRecord(buf, fv)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && isRecord(t.Elem()):
		if fv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		keys := make([]string, 0, fv.Len())
		for _, k := range fv.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, key := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeKey(buf, key)
			if err := encodeRecord(buf, fv.MapIndex(reflect.ValueOf(key).Convert(t.Key()))); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		buf.WriteByte('}')
		return nil
	case t.Kind() == reflect.Slice && isRecord(t.Elem()):
		if fv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('[')
		for i := range fv.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeRecord(buf, fv.Index(i)); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		buf.WriteByte(']')
		return nil
	}
	return encodeJSON(buf, fv.Interface())
}

func encodeJSON(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

func writeKey(buf *bytes.Buffer, key string) {
	kb, _ := json.Marshal(key)
	buf.Write(kb)
	buf.WriteByte(':')
}

// decodeDoc reads the stored document d into the record v (a struct)
// without going through JSON: values of type any (and maps and lists of
// them) are the document's own, as the store handed them out.
func decodeDoc(d map[string]any, v reflect.Value) error {
	v.SetZero()
	rt := typeOf(v.Type())
	k := v.Addr().Interface().(Record).keep()
	k.present = make(map[string]bool, len(d))
	for _, f := range rt.fields {
		val, ok := d[f.name]
		if !ok {
			continue
		}
		k.present[f.name] = val == nil
		if val == nil {
			continue
		}
		if err := setValue(v.FieldByIndex(f.index), val); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for key, val := range d {
		if rt.named[key] {
			continue
		}
		if k.Extra == nil {
			k.Extra = map[string]any{}
		}
		k.Extra[key] = val
	}
	return nil
}

// setValue sets fv from a document value (string, bool, int64, float64,
// []any, map[string]any), as encoding/json would from its JSON.
func setValue(fv reflect.Value, val any) error {
	t := fv.Type()
	if val == nil {
		fv.SetZero()
		return nil
	}
	if isRecord(t) {
		m, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("want an object, got %s", kindOf(val))
		}
		return decodeDoc(m, fv)
	}
	switch t.Kind() {
	case reflect.Interface:
		fv.Set(reflect.ValueOf(val))
		return nil
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s", kindOf(val))
		}
		fv.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := val.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %s", kindOf(val))
		}
		fv.SetBool(b)
		return nil
	case reflect.Int, reflect.Int64:
		switch n := val.(type) {
		case int64:
			fv.SetInt(n)
			return nil
		case float64:
			if n == float64(int64(n)) {
				fv.SetInt(int64(n))
				return nil
			}
		}
		return fmt.Errorf("want a whole number, got %s", kindOf(val))
	case reflect.Float64:
		switch n := val.(type) {
		case float64:
			fv.SetFloat(n)
			return nil
		case int64:
			fv.SetFloat(float64(n))
			return nil
		}
		return fmt.Errorf("want a number, got %s", kindOf(val))
	case reflect.Map:
		m, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("want an object, got %s", kindOf(val))
		}
		if t.Elem().Kind() == reflect.Interface {
			fv.Set(reflect.ValueOf(m).Convert(t))
			return nil
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for key, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := setValue(ev, e); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			out.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), ev)
		}
		fv.Set(out)
		return nil
	case reflect.Slice:
		l, ok := val.([]any)
		if !ok {
			return fmt.Errorf("want a list, got %s", kindOf(val))
		}
		if t.Elem().Kind() == reflect.Interface {
			fv.Set(reflect.ValueOf(l).Convert(t))
			return nil
		}
		out := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := setValue(out.Index(i), e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		fv.Set(out)
		return nil
	}
	return fmt.Errorf("a field of type %s cannot be read from a document", t)
}

// kindOf names the JSON kind of a document value, for errors.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// unmarshalRecord decodes a JSON object into the record r points to,
// remembering what Keep needs to encode it back. Numbers in fields of
// type any (and maps and lists of them) come out as the document store
// hands them out: int64 when integral, float64 otherwise.
func unmarshalRecord(b []byte, r Record) error {
	v := reflect.ValueOf(r).Elem()
	v.SetZero()
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	k := r.keep()
	k.present = make(map[string]bool, len(raw))
	rt := typeOf(v.Type())
	for _, f := range rt.fields {
		rb, ok := raw[f.name]
		if !ok {
			continue
		}
		null := bytes.Equal(bytes.TrimSpace(rb), []byte("null"))
		k.present[f.name] = null
		if null {
			continue
		}
		fv := v.FieldByIndex(f.index)
		if err := decodeValue(rb, fv.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := normalizeAny(fv); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for key, rb := range raw {
		if rt.named[key] {
			continue
		}
		var val any
		if err := decodeValue(rb, &val); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		n, err := docstore.Normalize(val)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if k.Extra == nil {
			k.Extra = map[string]any{}
		}
		k.Extra[key] = n
	}
	return nil
}

// decodeValue decodes JSON into p keeping numbers as json.Number where p
// holds values of type any.
func decodeValue(b []byte, p any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(p)
}

// normalizeAny turns the json.Numbers decodeValue left in a field of type
// any, map[string]any or []any into int64 or float64.
func normalizeAny(fv reflect.Value) error {
	switch fv.Kind() {
	case reflect.Interface:
	case reflect.Map, reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.Interface {
			return nil
		}
	default:
		return nil
	}
	if fv.IsNil() {
		return nil
	}
	n, err := docstore.Normalize(fv.Interface())
	if err != nil {
		return err
	}
	fv.Set(reflect.ValueOf(n).Convert(fv.Type()))
	return nil
}

// Decode reads a record from a stored document. The record's values of
// type any (mappings, results, metadata, Extra) are the document's own.
func Decode[R any, P interface {
	*R
	Record
}](d docstore.Doc) (R, error) {
	var r R
	err := decodeDoc(d, reflect.ValueOf(P(&r)).Elem())
	return r, err
}

// Doc is a record as a stored document (the JSON the hub API answers).
func Doc(r Record) (docstore.Doc, error) {
	b, err := marshalRecord(r)
	if err != nil {
		return nil, err
	}
	var d docstore.Doc
	if err := decodeValue(b, &d); err != nil {
		return nil, err
	}
	return docstore.NormalizeDoc(d)
}
