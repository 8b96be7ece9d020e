package pyparser

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// decodeDocument is the reference the fast decoder is checked against:
// encoding/json with UseNumber, then the document store's number rule.
func decodeDocument(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errors.New("document is null")
	}
	if err := fixNumbers(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// fixNumbers replaces json.Number values in place, recursively.
func fixNumbers(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch e := e.(type) {
			case json.Number:
				n, err := numberValue(e)
				if err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
				x[k] = n
			case map[string]any, []any:
				if err := fixNumbers(e); err != nil {
					return fmt.Errorf("%s.%w", k, err)
				}
			}
		}
	case []any:
		for i, e := range x {
			switch e := e.(type) {
			case json.Number:
				n, err := numberValue(e)
				if err != nil {
					return fmt.Errorf("[%d]: %w", i, err)
				}
				x[i] = n
			case map[string]any, []any:
				if err := fixNumbers(e); err != nil {
					return fmt.Errorf("[%d].%w", i, err)
				}
			}
		}
	}
	return nil
}

// numberValue follows the document store's rule: an integer literal that
// fits is int64, anything else float64.
func numberValue(n json.Number) (any, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %q: %w", s, err)
	}
	return f, nil
}
