// Command gen writes requests.gen.go of package hubapi: a Go type for every
// request body of the hub API's OpenAPI document (openapi.json), and for
// the schemas those bodies name, so that clients build bodies the document
// describes instead of maps. `go generate ./internal/app/hubapi` runs it;
// a test fails when the committed file is not what it writes.
//
// It reads the small part of JSON Schema the document uses for bodies:
// objects with properties (required or not), strings, integers, numbers,
// booleans, arrays, maps (additionalProperties), free-form objects and
// values, oneOf/anyOf (any), $ref, and "x-go-type" to name a Go type.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"slices"
	"sort"
	"strings"
)

func main() {
	in := flag.String("in", "openapi.json", "the OpenAPI document")
	out := flag.String("out", "requests.gen.go", "the Go file to write")
	flag.Parse()
	doc, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	src, err := generate(doc)
	if err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// schema is the part of a JSON Schema the generator reads.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Description          string             `json:"description"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	Items                *schema            `json:"items"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	OneOf                []*schema          `json:"oneOf"`
	AnyOf                []*schema          `json:"anyOf"`
	AllOf                []*schema          `json:"allOf"`
	Enum                 []any              `json:"enum"`
	Default              any                `json:"default"`
	GoType               string             `json:"x-go-type"`

	order []string // the properties in the document's order
}

func (s *schema) UnmarshalJSON(b []byte) error {
	type plain schema
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	var raw struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	order, err := objectKeys(raw.Properties)
	s.order = order
	return err
}

// objectKeys lists the keys of a JSON object in the order they are written.
func objectKeys(obj json.RawMessage) ([]string, error) {
	if len(obj) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

type operation struct {
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
}

type document struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

const refPrefix = "#/components/schemas/"

// generator holds the document and what it has to write.
type generator struct {
	doc   document
	users map[string][]string // schema name -> "PUT /inspect", ...
	want  map[string]bool     // schemas to write
}

func generate(raw []byte) ([]byte, error) {
	g := &generator{users: map[string][]string{}, want: map[string]bool{}}
	if err := json.Unmarshal(raw, &g.doc); err != nil {
		return nil, fmt.Errorf("read the document: %w", err)
	}
	paths := make([]string, 0, len(g.doc.Paths))
	for p := range g.doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, m := range methods {
			rawOp, ok := g.doc.Paths[p][m]
			if !ok {
				continue
			}
			var op operation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				return nil, fmt.Errorf("paths.%s.%s: %w", p, m, err)
			}
			if op.RequestBody == nil {
				continue
			}
			body, ok := op.RequestBody.Content["application/json"]
			if !ok || body.Schema == nil {
				return nil, fmt.Errorf("paths.%s.%s.requestBody: no application/json schema", p, m)
			}
			name, ok := strings.CutPrefix(body.Schema.Ref, refPrefix)
			if !ok {
				return nil, fmt.Errorf("paths.%s.%s.requestBody: the schema must be a $ref to %s<Name>, so that its type has a name", p, m, refPrefix)
			}
			g.users[name] = append(g.users[name], strings.ToUpper(m)+" "+p)
			if err := g.need(name); err != nil {
				return nil, fmt.Errorf("paths.%s.%s.requestBody: %w", p, m, err)
			}
		}
	}
	names := make([]string, 0, len(g.want))
	for n := range g.want {
		names = append(names, n)
	}
	sort.Strings(names)

	var b bytes.Buffer
	b.WriteString("// Code generated by internal/app/hubapi/gen from openapi.json; DO NOT EDIT.\n\n")
	b.WriteString("package hubapi\n\n")
	if strings.Contains(g.bodyOf(names), "json.") {
		b.WriteString("import \"encoding/json\"\n\n")
	}
	b.WriteString(g.bodyOf(names))
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format the generated code: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

// need marks a schema, and those it names, to be written.
func (g *generator) need(name string) error {
	if g.want[name] {
		return nil
	}
	s, ok := g.doc.Components.Schemas[name]
	if !ok {
		return fmt.Errorf("no schema %s%s", refPrefix, name)
	}
	g.want[name] = true
	return g.needIn(s)
}

func (g *generator) needIn(s *schema) error {
	if s == nil {
		return nil
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, refPrefix)
		if !ok {
			return fmt.Errorf("$ref %q: only %s<Name> is read", s.Ref, refPrefix)
		}
		return g.need(name)
	}
	for _, p := range s.Properties {
		if err := g.needIn(p); err != nil {
			return err
		}
	}
	if err := g.needIn(s.Items); err != nil {
		return err
	}
	if ap := additional(s); ap != nil {
		if err := g.needIn(ap); err != nil {
			return err
		}
	}
	for _, sub := range s.AllOf {
		if err := g.needIn(sub); err != nil {
			return err
		}
	}
	return nil
}

// additional is the schema of an object's other properties, nil when it
// has none or any.
func additional(s *schema) *schema {
	if len(s.AdditionalProperties) == 0 || string(s.AdditionalProperties) == "true" || string(s.AdditionalProperties) == "false" {
		return nil
	}
	var ap schema
	if err := json.Unmarshal(s.AdditionalProperties, &ap); err != nil {
		return nil
	}
	return &ap
}

func (g *generator) bodyOf(names []string) string {
	var b strings.Builder
	for _, name := range names {
		s := g.doc.Components.Schemas[name]
		var doc []string
		if users := g.users[name]; len(users) > 0 {
			doc = append(doc, fmt.Sprintf("%s is the body of %s.", name, strings.Join(users, " and ")))
		}
		if len(doc) == 0 {
			doc = append(doc, fmt.Sprintf("%s is a part of a request body.", name))
		}
		if s.Description != "" {
			doc = append(doc, sentence(s.Description))
		}
		writeComment(&b, "", strings.Join(doc, " "))
		if s.Type == "object" && len(s.Properties) > 0 {
			fmt.Fprintf(&b, "type %s struct {\n", name)
			for _, prop := range s.order {
				p := s.Properties[prop]
				required := slices.Contains(s.Required, prop)
				typ := g.goType(p, required)
				tag := prop
				if !required {
					tag += ",omitempty"
				}
				if p.Description != "" {
					writeComment(&b, "\t", fieldName(prop)+": "+sentence(p.Description))
				}
				fmt.Fprintf(&b, "\t%s %s `json:%q`\n", fieldName(prop), typ, tag)
			}
			b.WriteString("}\n\n")
			continue
		}
		fmt.Fprintf(&b, "type %s %s\n\n", name, g.goType(s, true))
	}
	return b.String()
}

// goType is the Go type of a value of schema s; an optional boolean
// without a default is a pointer (missing differs from false), and so is
// an optional object of a named type.
func (g *generator) goType(s *schema, required bool) string {
	if s.GoType != "" {
		return s.GoType
	}
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, refPrefix)
		if t := g.doc.Components.Schemas[name]; !required && t != nil && t.Type == "object" && len(t.Properties) > 0 {
			return "*" + name
		}
		return name
	}
	if len(s.AllOf) == 1 {
		return g.goType(s.AllOf[0], required)
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return "any"
	}
	switch s.Type {
	case "string":
		return "string"
	case "integer":
		if s.Format == "int64" {
			return "int64"
		}
		return "int"
	case "number":
		return "float64"
	case "boolean":
		if !required && s.Default == nil {
			return "*bool"
		}
		return "bool"
	case "array":
		if s.Items == nil {
			return "[]any"
		}
		return "[]" + g.goType(s.Items, true)
	case "object":
		if ap := additional(s); ap != nil {
			return "map[string]" + g.goType(ap, true)
		}
		return "map[string]any"
	}
	return "any"
}

// fieldName is the Go name of a JSON property: data_provider is
// DataProvider, api_id APIID, _meta Meta.
func fieldName(prop string) string {
	var b strings.Builder
	for _, part := range strings.Split(prop, "_") {
		if part == "" {
			continue
		}
		if up := strings.ToUpper(part); initialisms[up] {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

var initialisms = map[string]bool{"ID": true, "URL": true, "API": true, "JSON": true, "HTTP": true, "URI": true}

// sentence makes a description a sentence: a capital is not forced (it may
// name a field), a final period is.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// writeComment writes text as // lines of at most about 76 columns.
func writeComment(b *strings.Builder, indent, text string) {
	line := indent + "//"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > 78 && line != indent+"//" {
			b.WriteString(line + "\n")
			line = indent + "//"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}
