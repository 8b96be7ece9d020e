// Package jsondiff computes and applies RFC 6902 JSON Patches between
// documents made of the document store's normalised values (string, bool,
// nil, int64, float64, []any, map[string]any).
//
// Diff follows BioThings' rule for incremental releases: objects are
// compared key by key, lists are replaced whole.
package jsondiff

import (
	"encoding/json"
	"fmt"

	"studio/internal/engine/docstore"
)

// Operation names of RFC 6902.
const (
	OpAdd     = "add"
	OpRemove  = "remove"
	OpReplace = "replace"
	OpMove    = "move"
	OpCopy    = "copy"
	OpTest    = "test"
)

// Op is one RFC 6902 operation. Path and From are JSON Pointers (RFC 6901).
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
	From  string `json:"from,omitempty"`
}

// hasValue and hasFrom tell which members an operation carries.
func hasValue(op string) bool { return op == OpAdd || op == OpReplace || op == OpTest }
func hasFrom(op string) bool  { return op == OpMove || op == OpCopy }

// MarshalJSON writes exactly the members the operation needs, so that
// "value": null survives for add, replace and test.
func (o Op) MarshalJSON() ([]byte, error) {
	type member struct {
		key string
		val any
	}
	ms := []member{{"op", o.Op}, {"path", o.Path}}
	if hasFrom(o.Op) || (!hasValue(o.Op) && o.From != "") {
		ms = append(ms, member{"from", o.From})
	}
	if hasValue(o.Op) || (!hasFrom(o.Op) && o.Value != nil) {
		ms = append(ms, member{"value", o.Value})
	}
	b := []byte{'{'}
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, fmt.Errorf("patch op %q at %q: %s: %w", o.Op, o.Path, m.key, err)
		}
		b = append(b, '"')
		b = append(b, m.key...)
		b = append(b, '"', ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an operation, normalising its value like the
// document store does (integral numbers become int64), and rejects an
// operation that lacks a member RFC 6902 requires.
func (o *Op) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("patch op: %w", err)
	}
	var out Op
	if err := unmarshalString(m, "op", &out.Op); err != nil {
		return err
	}
	if err := unmarshalString(m, "path", &out.Path); err != nil {
		return fmt.Errorf("patch op %q: %w", out.Op, err)
	}
	switch {
	case hasValue(out.Op):
		raw, ok := m["value"]
		if !ok {
			return fmt.Errorf("patch op %q at %q: missing \"value\"", out.Op, out.Path)
		}
		v, err := docstore.DecodeJSON(raw)
		if err != nil {
			return fmt.Errorf("patch op %q at %q: value: %w", out.Op, out.Path, err)
		}
		out.Value = v
	case hasFrom(out.Op):
		if err := unmarshalString(m, "from", &out.From); err != nil {
			return fmt.Errorf("patch op %q at %q: %w", out.Op, out.Path, err)
		}
	case out.Op != OpRemove:
		return fmt.Errorf("patch op %q at %q: unknown operation (want add, remove, replace, move, copy or test)", out.Op, out.Path)
	}
	*o = out
	return nil
}

func unmarshalString(m map[string]json.RawMessage, key string, dst *string) error {
	raw, ok := m[key]
	if !ok {
		return fmt.Errorf("missing %q", key)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%q is not a string", key)
	}
	return nil
}
