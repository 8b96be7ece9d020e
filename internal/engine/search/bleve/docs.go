package bleve

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/util"

	"studio/internal/engine/search"
)

// withCopies returns the document with the values of copy_to fields
// added to their targets (Bleve has no copy_to). src is not modified.
func (s *schema) withCopies(src map[string]any) map[string]any {
	var out map[string]any
	for _, rule := range s.copyTo {
		vals := collect(src, rule.from, nil)
		if len(vals) == 0 {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(src)+1)
			for k, v := range src {
				out[k] = v
			}
		}
		for _, t := range rule.targets {
			appendAt(out, strings.Split(t, "."), vals)
		}
	}
	if out == nil {
		return src
	}
	return out
}

// collect appends the leaf values under path in v, as strings.
func collect(v any, path []string, out []any) []any {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = collect(e, path, out)
		}
	case map[string]any:
		if len(path) > 0 {
			out = collect(x[path[0]], path[1:], out)
		}
	case nil:
	default:
		if len(path) == 0 {
			out = append(out, leafString(x))
		}
	}
	return out
}

func leafString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// appendAt appends vals to the list at path in m, copying the maps on the
// way so that the source document is not modified.
func appendAt(m map[string]any, path []string, vals []any) {
	if len(path) == 1 {
		var list []any
		switch have := m[path[0]].(type) {
		case nil:
		case []any:
			list = append(list, have...)
		default:
			list = append(list, have)
		}
		m[path[0]] = append(list, vals...)
		return
	}
	sub := map[string]any{}
	if have, ok := m[path[0]].(map[string]any); ok {
		for k, v := range have {
			sub[k] = v
		}
	}
	m[path[0]] = sub
	appendAt(sub, path[1:], vals)
}

// fieldNames lists the paths of doc that exists queries find: the mapped
// fields with a value and the objects holding them (every path when the
// index maps fields dynamically).
func (s *schema) fieldNames(doc map[string]any) []string {
	w := namesWalker{s: s, seen: map[string]bool{}}
	w.walk("", doc)
	return w.out
}

type namesWalker struct {
	s    *schema
	seen map[string]bool
	out  []string
}

// walk records the paths with a value at or under p and reports whether
// there was one.
func (w *namesWalker) walk(p string, v any) bool {
	found := false
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range x {
			if w.walk(p, e) {
				found = true
			}
		}
		return found
	case map[string]any:
		for k, e := range x {
			if w.walk(joinPath(p, k), e) {
				found = true
			}
		}
		if !found || p == "" {
			return found
		}
	}
	if w.seen[p] {
		return true
	}
	if !w.s.existsPaths[p] && !w.s.dynamic {
		return false
	}
	w.seen[p] = true
	w.out = append(w.out, p)
	return true
}

// hitOf builds a hit from the stored fields of a document.
func hitOf(id string, score float64, fields map[string]any, keep []string) (search.Hit, error) {
	h := search.Hit{ID: id, Score: score, Found: true}
	h.Version = 1 // not stored when 1
	if v, ok := fields[versionField].(float64); ok {
		h.Version = int64(v)
	}
	if src, ok := fields[sourceField].(string); ok {
		doc, err := search.DecodeDoc([]byte(src))
		if err != nil {
			return h, fmt.Errorf("decode the stored source: %w", err)
		}
		h.Source = search.FilterSource(doc, keep)
	}
	return h, nil
}

// Get returns one document with its _version.
func (e *Engine) Get(ctx context.Context, name, id string) (search.Hit, error) {
	hits, err := e.MGet(ctx, name, []string{id})
	if err != nil {
		return search.Hit{}, err
	}
	if !hits[0].Found {
		return hits[0], fmt.Errorf("bleve: index %q: document %q: %w", name, id, search.ErrNotFound)
	}
	return hits[0], nil
}

// MGet returns documents in the order of ids, read as GetRaw reads them.
func (e *Engine) MGet(ctx context.Context, name string, ids []string) ([]search.Hit, error) {
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return nil, err
	}
	defer release()
	raw, err := ix.rawDocs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("bleve: index %q: get documents: %w", ix.name, err)
	}
	out := make([]search.Hit, len(ids))
	for i, r := range raw {
		out[i] = search.Hit{ID: r.ID}
		if !r.Found {
			continue
		}
		doc, err := search.DecodeDoc(r.Source)
		if err != nil {
			return nil, fmt.Errorf("bleve: index %q: document %q: decode the stored source: %w", ix.name, r.ID, err)
		}
		out[i] = search.Hit{ID: r.ID, Version: r.Version, Source: doc, Found: true}
	}
	return out, nil
}

// Refresh does nothing but check the index: what Bulk writes is visible
// when it returns.
func (e *Engine) Refresh(ctx context.Context, name string) error {
	_, release, err := e.use(ctx, name)
	if err != nil {
		return err
	}
	release()
	return nil
}

// Stats counts the documents and the bytes of the index folder.
func (e *Engine) Stats(ctx context.Context, name string) (search.IndexStats, error) {
	ix, release, err := e.use(ctx, name)
	if err != nil {
		return search.IndexStats{}, err
	}
	defer release()
	n, err := ix.bi.DocCount()
	if err != nil {
		return search.IndexStats{}, fmt.Errorf("bleve: index %q: count documents: %w", ix.name, err)
	}
	var size int64
	err = filepath.WalkDir(ix.path, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a segment merged away meanwhile
		}
		if info, ierr := d.Info(); ierr == nil && !d.IsDir() {
			size += info.Size()
		}
		return nil
	})
	if err != nil {
		return search.IndexStats{}, err
	}
	return search.IndexStats{Docs: int64(n), SizeBytes: size}, nil
}

// PutMapping adds fields to the index's mapping and replaces its _meta.
// Bleve cannot change a mapping in place: the new mapping is stored in the
// index and the index is reopened. Documents indexed before are not
// re-indexed (as in Elasticsearch).
func (e *Engine) PutMapping(ctx context.Context, name string, properties, meta map[string]any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ix, err := e.resolve(name)
	if err != nil {
		return err
	}
	if err := ix.open(); err != nil {
		return err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	spec, err := ix.decodeSpec()
	if err != nil {
		return err
	}
	if spec.Mapping == nil {
		spec.Mapping = map[string]any{}
	}
	props, _ := spec.Mapping["properties"].(map[string]any)
	merged, err := mergeProperties("", props, properties)
	if err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: %w", ix.name, err)
	}
	spec.Mapping["properties"] = merged
	if meta != nil {
		spec.Meta = meta
	}
	tr, err := Translate(spec)
	if err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: %w", ix.name, err)
	}
	mappingJSON, err := json.Marshal(tr.Mapping)
	if err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: %w", ix.name, err)
	}
	specJSON, err := json.MarshalIndent(specFile{Format: 1, IndexSpec: spec}, "", "  ")
	if err != nil {
		return err
	}
	if err := ix.bi.SetInternal(util.MappingInternalKey, mappingJSON); err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: %w", ix.name, err)
	}
	if err := writeFileAtomic(filepath.Join(ix.path, SpecFile), specJSON); err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: %w", ix.name, err)
	}
	ix.spec = specJSON
	if err := ix.closeLocked(); err != nil {
		return fmt.Errorf("bleve: put mapping of index %q: close: %w", ix.name, err)
	}
	e.scrolls.dropIndex(ix.name)
	if err := ix.open(); err != nil {
		return err
	}
	e.log.InfoContext(ctx, "mapping updated", "index", ix.name, "fields", len(properties))
	return nil
}

// mergeProperties adds the new properties to the existing ones; a field
// that exists must be given as it is (objects may gain fields).
func mergeProperties(prefix string, have, add map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(have)+len(add))
	for k, v := range have {
		out[k] = v
	}
	for _, k := range sortedKeys(add) {
		p := joinPath(prefix, k)
		old, ok := out[k]
		if !ok {
			out[k] = add[k]
			continue
		}
		oldDef, _ := old.(map[string]any)
		newDef, ok := add[k].(map[string]any)
		if !ok {
			return nil, &search.SpecError{Path: p, Reason: "the field definition must be an object"}
		}
		oldType, _ := fieldType(p, oldDef)
		newType, _ := fieldType(p, newDef)
		if oldType != newType {
			return nil, &search.SpecError{Path: p, Reason: fmt.Sprintf("mapper [%s] cannot be changed from type [%s] to [%s]", p, oldType, newType)}
		}
		if oldType != "object" && oldType != "nested" {
			if !jsonEqual(oldDef, newDef) {
				return nil, &search.SpecError{Path: p, Reason: fmt.Sprintf("mapper [%s] cannot be changed (the bleve backend only adds fields)", p)}
			}
			continue
		}
		oldProps, _ := oldDef["properties"].(map[string]any)
		newProps, _ := newDef["properties"].(map[string]any)
		sub, err := mergeProperties(p, oldProps, newProps)
		if err != nil {
			return nil, err
		}
		def := make(map[string]any, len(oldDef))
		for dk, dv := range oldDef {
			def[dk] = dv
		}
		def["properties"] = sub
		out[k] = def
	}
	return out, nil
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp-" + randomSuffix()
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
