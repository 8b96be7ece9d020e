package apiopts

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"unicode"
)

// FromForm returns the parameters of a form-encoded body (or of a URL
// query) as the map ParseQuery reads.
func FromForm(form url.Values) map[string][]string {
	out := make(map[string][]string, len(form))
	for k, vs := range form {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// FromJSON returns the parameters of a JSON body, which must be an object.
// Strings, numbers and booleans become one value; a list becomes one value
// holding the list as JSON text, which list parameters read item by item;
// null is as if the parameter were absent; a number or boolean given for
// q or ids becomes a one-item JSON list, so that its type is kept; an object is kept as JSON text,
// which only a parameter that expects it would read.
func FromJSON(body []byte) (map[string][]string, *Error) {
	invalid := func(reason string) *Error {
		return &Error{Code: 400, Message: "Invalid JSON body.", Reason: reason}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid("The body is empty; send a JSON object such as {\"q\": \"cdk2\"}, or a form-encoded body.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		if json.Valid(body) {
			return nil, invalid("The body must be a JSON object of parameters, such as {\"q\": \"cdk2\"}.")
		}
		return nil, invalid(err.Error())
	}
	if dec.Decode(&json.RawMessage{}) != io.EOF || obj == nil {
		return nil, invalid("The body must be one JSON object of parameters, such as {\"q\": \"cdk2\"}.")
	}
	out := make(map[string][]string, len(obj))
	for k, raw := range obj {
		t := strings.TrimSpace(string(raw))
		switch {
		case t == "null":
		case strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{"):
			out[k] = []string{t}
		case typedTerms[k] && !strings.HasPrefix(t, `"`):
			// A number or boolean term keeps its type for the echo.
			out[k] = []string{"[" + t + "]"}
		default:
			s, _, err := scalarText(raw)
			if err != nil {
				return nil, invalid(err.Error())
			}
			out[k] = []string{s}
		}
	}
	return out, nil
}

// typedTerms are the parameters whose items the answer echoes with the
// JSON type they were sent with (Options.Terms).
var typedTerms = map[string]bool{"q": true, "ids": true, "id": true}

// Merge combines a URL query with a body's parameters. As in BioThings, the
// URL wins: a parameter named in the URL under its keyword or any alias
// hides the body's value under every one of those names.
func Merge(query, body map[string][]string) map[string][]string {
	out := make(map[string][]string, len(query)+len(body))
	for k, vs := range body {
		out[k] = vs
	}
	for k := range query {
		for _, n := range group(k) {
			delete(out, n)
		}
	}
	for k, vs := range query {
		out[k] = vs
	}
	return out
}

// group returns the keyword and aliases that name the same parameter as
// name, or just name when it is not a known parameter.
func group(name string) []string {
	for kw := range paramsByKeyword {
		for _, n := range names(kw) {
			if n == name {
				return names(kw)
			}
		}
	}
	return []string{name}
}

// SplitTerms splits q or ids text the BioThings way: on commas, whitespace,
// '|' and '+'; a double-quoted part is kept together with its quotes
// removed (an unclosed quote runs to the end); parts are trimmed and empty
// ones dropped. Backslashes and single quotes are ordinary characters,
// unlike in BioThings' shlex, because identifiers such as 5'UTR use them.
func SplitTerms(s string) []string {
	terms := []string{}
	var cur strings.Builder
	inQuote, started := false, false
	flush := func() {
		if t := strings.TrimSpace(cur.String()); started && t != "" {
			terms = append(terms, t)
		}
		cur.Reset()
		started = false
	}
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			started = true
		case !inQuote && (unicode.IsSpace(r) || r == ',' || r == '|' || r == '+'):
			flush()
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	flush()
	return terms
}
