package tableparse

import (
	"fmt"
	"math"
	"strconv"
)

// grouper combines documents that share an _id (group.mode "list").
//
// With group.adjacent the input is trusted to keep rows of one _id
// together, and only the current run is held: memory is constant. Otherwise
// groups are held in memory in order of first appearance and emitted at the
// end of the run, up to group.max_memory_mb of input rows; past that the
// run fails with a message that says to sort the input and set
// group.adjacent.
type grouper struct {
	path     []string
	adjacent bool
	maxBytes int64
	out      func(map[string]any) error

	cur   *group            // adjacent mode
	byID  map[string]*group // held mode
	order []*group
	held  int64
}

type group struct {
	id   string
	doc  map[string]any // the first row's document, without the grouped value
	vals []any          // grouped values in file order, duplicates removed
	keys map[string]struct{}
}

func newGrouper(g *Group, out func(map[string]any) error) *grouper {
	return &grouper{
		path:     splitPath(g.Path),
		adjacent: g.Adjacent,
		maxBytes: int64(g.MaxMemoryMB) << 20,
		out:      out,
		byID:     map[string]*group{},
	}
}

// add takes one row's document; size is the row's size in the input.
func (gr *grouper) add(id string, doc map[string]any, size int, name string, rec *record) error {
	where := func() string { return name + " " + rec.where() }
	v, has := takePath(doc, gr.path)
	if gr.adjacent {
		if gr.cur != nil && gr.cur.id != id {
			if err := gr.emit(gr.cur); err != nil {
				return err
			}
			gr.cur = nil
		}
		if gr.cur == nil {
			gr.cur, gr.held = &group{id: id, doc: doc}, 0
		} else {
			gr.cur.fill(doc)
		}
		gr.held += int64(size) + 64
		if has {
			gr.cur.addValue(v)
		}
		if gr.held > gr.maxBytes {
			return fmt.Errorf("%s: more than %d MB of rows share the _id %q; raise group.max_memory_mb", where(), gr.maxBytes>>20, id)
		}
		return nil
	}
	g := gr.byID[id]
	if g == nil {
		g = &group{id: id, doc: doc}
		gr.byID[id] = g
		gr.order = append(gr.order, g)
	} else {
		g.fill(doc)
	}
	if has {
		g.addValue(v)
	}
	gr.held += int64(size) + 64
	if gr.held > gr.maxBytes {
		return fmt.Errorf("%s: grouping by _id holds more than %d MB of rows (%d distinct ids so far) because rows with the same _id are not next to each other; sort the input by the id columns and set \"group\": {\"adjacent\": true}, or raise group.max_memory_mb",
			where(), gr.maxBytes>>20, len(gr.order))
	}
	return nil
}

// finish emits what is still held.
func (gr *grouper) finish() error {
	if gr.cur != nil {
		g := gr.cur
		gr.cur = nil
		return gr.emit(g)
	}
	for i, g := range gr.order {
		gr.order[i] = nil
		if err := gr.emit(g); err != nil {
			return err
		}
	}
	gr.order, gr.byID = nil, nil
	return nil
}

func (gr *grouper) emit(g *group) error {
	switch len(g.vals) {
	case 0:
	case 1:
		setPath(g.doc, gr.path, g.vals[0])
	default:
		setPath(g.doc, gr.path, g.vals)
	}
	return gr.out(g.doc)
}

// fill takes the top-level fields outside the grouped path that the first
// rows lacked from a later row.
func (g *group) fill(doc map[string]any) {
	if len(doc) <= len(g.doc) && len(doc) == 1 {
		return
	}
	for k, v := range doc {
		if _, ok := g.doc[k]; !ok {
			g.doc[k] = v
		}
	}
}

// addValue appends v unless an equal value is already there. Small groups
// compare directly; big ones keep a set of canonical keys.
func (g *group) addValue(v any) {
	const direct = 8
	if len(g.vals) < direct {
		for _, w := range g.vals {
			if equal(v, w) {
				return
			}
		}
		g.vals = append(g.vals, v)
		return
	}
	if g.keys == nil {
		g.keys = make(map[string]struct{}, len(g.vals)*2)
		for _, w := range g.vals {
			g.keys[string(canonical(nil, w))] = struct{}{}
		}
	}
	k := string(canonical(nil, v))
	if _, dup := g.keys[k]; dup {
		return
	}
	g.keys[k] = struct{}{}
	g.vals = append(g.vals, v)
}

func splitPath(p string) []string {
	var out []string
	for len(p) > 0 {
		i := 0
		for i < len(p) && p[i] != '.' {
			i++
		}
		out = append(out, p[:i])
		if i == len(p) {
			break
		}
		p = p[i+1:]
	}
	return out
}

// takePath removes and returns the value at a dotted path; objects left
// empty on the way are removed too.
func takePath(m map[string]any, path []string) (any, bool) {
	v, ok := m[path[0]]
	if !ok {
		return nil, false
	}
	if len(path) == 1 {
		delete(m, path[0])
		return v, true
	}
	sub, isObj := v.(map[string]any)
	if !isObj {
		return nil, false
	}
	v, ok = takePath(sub, path[1:])
	if len(sub) == 0 {
		delete(m, path[0])
	}
	return v, ok
}

// setPath sets a dotted path, creating objects on the way.
func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		sub, ok := m[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[k] = sub
		}
		m = sub
	}
	m[path[len(path)-1]] = v
}

// equal compares document values exactly (int64 1 and float64 1 differ).
func equal(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// canonical appends an encoding of v that is equal for equal values: typed,
// with object keys sorted.
func canonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	case int64:
		b = append(b, 'i')
		return strconv.AppendInt(b, x, 10)
	case float64:
		b = append(b, 'f')
		return strconv.AppendUint(b, math.Float64bits(x), 16)
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'F')
	case nil:
		return append(b, 'n')
	case []any:
		b = append(b, '[')
		for _, it := range x {
			b = canonical(b, it)
			b = append(b, ',')
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for _, k := range sortedKeys(x) {
			b = canonical(b, k)
			b = canonical(b, x[k])
			b = append(b, ',')
		}
		return append(b, '}')
	}
	return fmt.Appendf(b, "?%v", v)
}
