// Package hubapi is the contract of the hub REST API: one OpenAPI 3
// document (openapi.json) describing every route of the server, with its
// parameters, request bodies and answers. The server serves it at
// /openapi.json and a test checks its routes against it; the web app's
// TypeScript types (ui/src/lib/api.gen.ts) and the request bodies the
// command line sends (requests.gen.go, this package) are generated from it.
package hubapi

import _ "embed"

//go:generate go run ./gen

// Document is the OpenAPI 3 document of the hub REST API, as JSON.
//
//go:embed openapi.json
var Document []byte
