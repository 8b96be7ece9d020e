package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The committed requests.gen.go must be what the generator writes from the
// committed openapi.json.
func TestGeneratedFileIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../requests.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/app/hubapi/requests.gen.go is not what openapi.json gives: run go generate ./internal/app/hubapi and commit the result")
	}
}

func TestGoTypes(t *testing.T) {
	doc := `{"paths": {"/x": {"put": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/XRequest"}}}}}}},
	"components": {"schemas": {
		"XRequest": {"type": "object", "required": ["name_id", "inner"], "properties": {
			"name_id": {"type": "string"},
			"flag": {"type": "boolean"},
			"force": {"type": "boolean", "default": false},
			"count": {"type": "integer", "format": "int64"},
			"inner": {"$ref": "#/components/schemas/Inner"},
			"opt": {"$ref": "#/components/schemas/Inner"},
			"tags": {"type": "array", "items": {"type": "string"}},
			"by": {"type": "object", "additionalProperties": {"type": "number"}},
			"either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
			"_meta": {"type": "object", "additionalProperties": true},
			"raw": {"type": "object", "x-go-type": "json.RawMessage"}
		}},
		"Inner": {"type": "object", "properties": {"api_url": {"type": "string"}}},
		"Unused": {"type": "object", "properties": {"a": {"type": "string"}}}
	}}}`
	src, err := generate([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := string(src)
	for _, want := range []string{
		"XRequest is the body of PUT /x.",
		"NameID string `json:\"name_id\"`",
		"Flag *bool `json:\"flag,omitempty\"`",
		"Force bool `json:\"force,omitempty\"`",
		"Count int64 `json:\"count,omitempty\"`",
		"Inner Inner `json:\"inner\"`",
		"Opt *Inner `json:\"opt,omitempty\"`",
		"Tags []string `json:\"tags,omitempty\"`",
		"By map[string]float64 `json:\"by,omitempty\"`",
		"Either any `json:\"either,omitempty\"`",
		"Meta map[string]any `json:\"_meta,omitempty\"`",
		"Raw json.RawMessage `json:\"raw,omitempty\"`",
		"APIURL string `json:\"api_url,omitempty\"`",
		`import "encoding/json"`,
	} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("generated code lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Unused") {
		t.Errorf("a schema no body names was generated:\n%s", got)
	}
	// Properties keep the document's order.
	if i, j := strings.Index(got, "NameID"), strings.Index(got, "Raw "); i < 0 || j < i {
		t.Errorf("properties out of the document's order:\n%s", got)
	}
}

func TestBodyWithoutNamedSchema(t *testing.T) {
	doc := `{"paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}}}`
	if _, err := generate([]byte(doc)); err == nil || !strings.Contains(err.Error(), "paths./x.post.requestBody") {
		t.Fatalf("err = %v, want one naming paths./x.post.requestBody", err)
	}
}
