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

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the JSON fields of a record struct type: its exported
// fields with a json tag, Keep excepted.
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous || !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, field{name: name, index: sf.Index})
	}
	fieldCache.Store(t, out)
	return out
}

// marshalRecord encodes the record r points to (see Keep).
func marshalRecord(r Record) ([]byte, error) {
	v := reflect.ValueOf(r).Elem()
	k := r.keep()
	out := map[string]json.RawMessage{}
	named := map[string]bool{}
	for _, f := range fieldsOf(v.Type()) {
		named[f.name] = true
		fv := v.FieldByIndex(f.index)
		null, had := k.present[f.name]
		if fv.IsZero() {
			if !had {
				continue
			}
			if null {
				out[f.name] = json.RawMessage("null")
				continue
			}
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		out[f.name] = b
	}
	for key, val := range k.Extra {
		if named[key] {
			continue
		}
		b, err := json.Marshal(val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out[key] = b
	}
	keys := make([]string, 0, len(out))
	for key := range out {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, key := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(key)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(out[key])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
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
	named := map[string]bool{}
	for _, f := range fieldsOf(v.Type()) {
		named[f.name] = true
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
		if named[key] {
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

// Decode reads a record from a stored document.
func Decode[R any, P interface {
	*R
	Record
}](d docstore.Doc) (R, error) {
	var r R
	b, err := json.Marshal(d)
	if err != nil {
		return r, err
	}
	err = unmarshalRecord(b, P(&r))
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
