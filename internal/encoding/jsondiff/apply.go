package jsondiff

import (
	"errors"
	"fmt"
	"strconv"
)

// ApplyError reports the operation of a patch that could not be applied.
// Index counts from 0.
type ApplyError struct {
	Index  int
	Op     Op
	Reason string
}

func (e *ApplyError) Error() string {
	where := pointerText(e.Op.Path)
	if hasFrom(e.Op.Op) {
		where += " from " + pointerText(e.Op.From)
	}
	return fmt.Sprintf("op %d (%s %s): %s", e.Index, e.Op.Op, where, e.Reason)
}

// pointerText shows the empty pointer (the whole document) as "".
func pointerText(p string) string {
	if p == "" {
		return `""`
	}
	return p
}

// errMissing is the reason given when a pointer leads nowhere.
var errMissing = errors.New("path does not exist")

// Apply returns a new document with ops applied in order, following
// RFC 6902. a is not modified and the result shares nothing with a or
// with ops. Any failing operation fails the whole patch with an
// *ApplyError: a patch that no longer fits the document is never applied
// in part.
func Apply(a map[string]any, ops []Op) (map[string]any, error) {
	var doc any = Clone(a)
	for i, op := range ops {
		next, err := applyOp(doc, op)
		if err != nil {
			return nil, &ApplyError{Index: i, Op: op, Reason: err.Error()}
		}
		doc = next
	}
	m, _ := doc.(map[string]any)
	return m, nil
}

// applyOp applies one operation to doc, which it may modify, and returns
// the document.
func applyOp(doc any, op Op) (any, error) {
	path, err := parsePointer(op.Path)
	if err != nil {
		return nil, err
	}
	switch op.Op {
	case OpAdd:
		return add(doc, path, Clone(op.Value))
	case OpRemove:
		if len(path) == 0 {
			return nil, errors.New("cannot remove the whole document")
		}
		return edit(doc, path, remove)
	case OpReplace:
		if len(path) == 0 {
			return rootValue(Clone(op.Value))
		}
		v := Clone(op.Value)
		return edit(doc, path, func(parent any, tok string) (any, error) { return replace(parent, tok, v) })
	case OpTest:
		v, err := get(doc, path)
		if err != nil {
			return nil, err
		}
		if !Equal(v, op.Value) {
			return nil, errors.New("test failed: the value differs")
		}
		return doc, nil
	case OpMove, OpCopy:
		return moveOrCopy(doc, op, path)
	}
	return nil, errors.New("unknown operation (want add, remove, replace, move, copy or test)")
}

func moveOrCopy(doc any, op Op, path []string) (any, error) {
	from, err := parsePointer(op.From)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	v, err := get(doc, from)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if op.Op == OpCopy {
		return add(doc, path, Clone(v))
	}
	if op.From == op.Path {
		return doc, nil
	}
	if isPrefix(from, path) {
		return nil, errors.New("cannot move a value into itself")
	}
	doc, err = edit(doc, from, remove)
	if err != nil {
		return nil, err
	}
	return add(doc, path, v)
}

func isPrefix(p, of []string) bool {
	if len(p) > len(of) {
		return false
	}
	for i := range p {
		if p[i] != of[i] {
			return false
		}
	}
	return true
}

// add sets or inserts v at path; its parent must exist.
func add(doc any, path []string, v any) (any, error) {
	if len(path) == 0 {
		return rootValue(v)
	}
	return edit(doc, path, func(parent any, tok string) (any, error) {
		switch p := parent.(type) {
		case map[string]any:
			p[tok] = v
			return p, nil
		case []any:
			i := len(p)
			if tok != "-" {
				var err error
				if i, err = index(tok, len(p), true); err != nil {
					return nil, err
				}
			}
			return insertAt(p, i, v), nil
		}
		return nil, notContainer(parent)
	})
}

// rootValue checks a value that replaces the whole document.
func rootValue(v any) (any, error) {
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("the document must stay an object, not become %s", kind(v))
	}
	return v, nil
}

func remove(parent any, tok string) (any, error) {
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[tok]; !ok {
			return nil, errMissing
		}
		delete(p, tok)
		return p, nil
	case []any:
		i, err := index(tok, len(p), false)
		if err != nil {
			return nil, err
		}
		return append(p[:i:i], p[i+1:]...), nil
	}
	return nil, notContainer(parent)
}

func replace(parent any, tok string, v any) (any, error) {
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[tok]; !ok {
			return nil, errMissing
		}
		p[tok] = v
		return p, nil
	case []any:
		i, err := index(tok, len(p), false)
		if err != nil {
			return nil, err
		}
		p[i] = v
		return p, nil
	}
	return nil, notContainer(parent)
}

// edit walks to the parent of path's last token and lets f change it. f
// returns the new parent because inserting into a list makes a new slice,
// which edit stores back into the grandparent on its way out.
func edit(node any, path []string, f func(parent any, tok string) (any, error)) (any, error) {
	if len(path) == 1 {
		return f(node, path[0])
	}
	switch n := node.(type) {
	case map[string]any:
		child, ok := n[path[0]]
		if !ok {
			return nil, errMissing
		}
		c, err := edit(child, path[1:], f)
		if err != nil {
			return nil, err
		}
		n[path[0]] = c
		return n, nil
	case []any:
		i, err := index(path[0], len(n), false)
		if err != nil {
			return nil, err
		}
		c, err := edit(n[i], path[1:], f)
		if err != nil {
			return nil, err
		}
		n[i] = c
		return n, nil
	}
	return nil, notContainer(node)
}

// get returns the value at path.
func get(node any, path []string) (any, error) {
	for _, tok := range path {
		switch n := node.(type) {
		case map[string]any:
			v, ok := n[tok]
			if !ok {
				return nil, errMissing
			}
			node = v
		case []any:
			i, err := index(tok, len(n), false)
			if err != nil {
				return nil, err
			}
			node = n[i]
		default:
			return nil, notContainer(node)
		}
	}
	return node, nil
}

// index parses a list index token for a list of n items; add may also
// name the position just past the end. RFC 6901 forbids leading zeros and
// signs.
func index(tok string, n int, forAdd bool) (int, error) {
	if tok == "-" {
		return 0, errors.New(`"-" (the end of a list) is only valid for add`)
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') || tok[0] < '0' || tok[0] > '9' {
		return 0, fmt.Errorf("%q is not a list index", tok)
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i > n || (i == n && !forAdd) {
		return 0, fmt.Errorf("%w: index %s is out of range (the list has %d items)", errMissing, tok, n)
	}
	return i, nil
}

func insertAt(l []any, i int, v any) []any {
	out := make([]any, 0, len(l)+1)
	out = append(out, l[:i]...)
	out = append(out, v)
	return append(out, l[i:]...)
}

func notContainer(v any) error {
	return fmt.Errorf("%w: the parent is %s, not an object or a list", errMissing, kind(v))
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
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
