package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"

	"studio/internal/app/hubapi"
	"studio/internal/testsupport/apicheck"
	"studio/server"
)

// apiDoc is the hub API's OpenAPI document, validated as OpenAPI 3.
func apiDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := apicheck.Doc()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkAnswer checks one answer of the hub against the OpenAPI document.
func checkAnswer(t *testing.T, method, rawURL string, status int, header http.Header, body []byte) {
	t.Helper()
	apicheck.Answer(t, method, rawURL, status, header, body)
}

func TestOpenAPIDocument(t *testing.T) {
	doc := apiDoc(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc.OpenAPI)
	}
	// Operation ids name the operations in generated code: each is unique.
	seen := map[string]string{}
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			where := m + " " + p
			switch {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", where)
			case seen[op.OperationID] != "":
				t.Errorf("%s and %s share the operationId %q", where, seen[op.OperationID], op.OperationID)
			}
			seen[op.OperationID] = where
		}
	}

	// The server serves the document as it is, without a token.
	srv := server.New(server.Deps{TokenHash: strings.Repeat("0", 64)})
	res, err := srv.App().Test(httptest.NewRequest("GET", "/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, hubapi.Document) {
		t.Fatalf("GET /openapi.json = %d, %d bytes; want 200 and the %d bytes of the document", res.StatusCode, len(body), len(hubapi.Document))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /openapi.json: Content-Type %q", ct)
	}
}

// Every route the server registers is described in the document, and every
// operation of the document is a route of the server.
func TestRoutesMatchTheDocument(t *testing.T) {
	doc := apiDoc(t)
	described := map[string]bool{}
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			described[m+" "+apicheck.FiberPath(p, item, op)] = true
		}
	}
	srv := server.New(server.Deps{})
	registered := map[string]bool{}
	for _, r := range srv.App().GetRoutes(true) {
		registered[r.Method+" "+r.Path] = true
	}
	var undescribed, unregistered []string
	for r := range registered {
		method, path, _ := strings.Cut(r, " ")
		// fiber answers HEAD wherever it answers GET; the document lists
		// HEAD only where it is a route of its own.
		if method == fiber.MethodHead && registered[fiber.MethodGet+" "+path] && !described[r] {
			continue
		}
		if !described[r] {
			undescribed = append(undescribed, r)
		}
	}
	for d := range described {
		if !registered[d] {
			unregistered = append(unregistered, d)
		}
	}
	sort.Strings(undescribed)
	sort.Strings(unregistered)
	if len(undescribed) > 0 {
		t.Errorf("routes of server/routes.go missing from internal/app/hubapi/openapi.json (describe them there, then go generate ./internal/app/hubapi and cd ui && npm run gen:api):\n  %s", strings.Join(undescribed, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("operations of internal/app/hubapi/openapi.json the server does not register:\n  %s", strings.Join(unregistered, "\n  "))
	}
	if len(described) < 40 {
		t.Errorf("the document describes %d operations; the hub has more than 40", len(described))
	}
}
