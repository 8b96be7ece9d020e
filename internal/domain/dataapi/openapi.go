package dataapi

import (
	"strings"

	"studio/internal/domain/dataapi/apiopts"
)

// openAPI describes the routes as an OpenAPI 3 document, served at
// <prefix>/spec (a Studio extra; BioThings has none).
func openAPI(prefix, docType, index string) map[string]any {
	str := map[string]any{"type": "string"}
	integer := func(def, max int) map[string]any {
		return map[string]any{"type": "integer", "minimum": 0, "maximum": max, "default": def}
	}
	boolean := map[string]any{"type": "boolean", "default": false}
	param := func(name, desc string, schema map[string]any, aliases ...string) map[string]any {
		if len(aliases) > 0 {
			desc += " Aliases: " + strings.Join(aliases, ", ") + "."
		}
		return map[string]any{"name": name, "in": "query", "description": desc, "schema": schema}
	}
	formats := make([]any, len(apiopts.Formats))
	for i, f := range apiopts.Formats {
		formats[i] = f
	}
	format := param("format", "Output format.", map[string]any{"type": "string", "enum": formats, "default": "json"}, "out_format")
	fields := param("fields", "Comma-separated fields to return (dotted paths); all means every field.", str, "field", "_source")
	shapeParams := []any{
		fields,
		param("dotfield", "Flatten the documents' keys to dotted paths.", boolean),
		param("always_list", "Comma-separated fields always returned as lists.", str),
		param("allow_null", "Comma-separated fields returned as null when missing.", str),
		param("jmespath", "path|expression: replace the value at path (empty: the whole hit) with the JMESPath expression's result.", str),
		param("jmespath_exclude_empty", "Drop the hits whose jmespath result is empty.", boolean),
		format,
	}
	with := func(ps ...any) []any { return append(ps, shapeParams...) }
	jsonOK := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	}
	listOK := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}}}
	}
	errResp := map[string]any{"$ref": "#/components/responses/Error"}
	body := func(props map[string]any, required ...any) map[string]any {
		schema := map[string]any{"type": "object", "properties": props, "required": required}
		return map[string]any{"content": map[string]any{
			"application/json":                  map[string]any{"schema": schema},
			"application/x-www-form-urlencoded": map[string]any{"schema": schema},
		}}
	}
	listOrText := map[string]any{"oneOf": []any{str, map[string]any{"type": "array", "items": str}}}
	filterParam := param("filter", "Query string narrowing hits and facets (default operator OR).", str)
	postFilterParam := param("post_filter", "Query string narrowing the hits only, after facets are counted.", str)
	q := param("q", "Lucene query string (field:value, AND/OR/NOT, quotes, wildcards, ranges), AND between terms, searched in _id and all. Absent or __all__: every document; empty: none; __any__: a random order.", str)
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "BioThings data API: " + index,
			"version":     strings.TrimPrefix(prefix, "/"),
			"description": "A BioThings-compatible API on the index " + index + ". Every route also answers without the prefix and with a trailing slash. Errors: {\"code\", \"success\": false, \"error\", ...details}.",
		},
		"servers": []any{map[string]any{"url": prefix}},
		"paths": map[string]any{
			"/status": map[string]any{
				"get":  map[string]any{"summary": "200 when the index answers.", "responses": map[string]any{"200": jsonOK("The index answers."), "503": errResp}},
				"head": map[string]any{"summary": "200 when the index answers.", "responses": map[string]any{"200": map[string]any{"description": "The index answers."}, "503": map[string]any{"description": "It does not."}}},
			},
			"/metadata": map[string]any{"get": map[string]any{
				"summary":    "The build's metadata: build_date, build_version, biothing_type, src, stats.",
				"parameters": []any{param("dev", "Keep the _ keys and the sources' fields; add software information.", boolean), format},
				"responses":  map[string]any{"200": jsonOK("The index _meta.")},
			}},
			"/metadata/fields": map[string]any{"get": map[string]any{
				"summary": "The fields, flat: {\"a.b\": {type, index, searched_by_default}}.",
				"parameters": []any{
					param("search", "Keep the fields whose name holds this text.", str),
					param("prefix", "Keep the fields whose name starts with this text.", str),
					format,
				},
				"responses": map[string]any{"200": jsonOK("The fields.")},
			}},
			"/query": map[string]any{
				"get": map[string]any{
					"summary": "Search: {took, total, max_score, hits: [{_id, _score, ...}], facets}.",
					"parameters": with(q,
						param("size", "Hits to return.", integer(apiopts.DefaultSize, apiopts.MaxSize), "limit"),
						param("from", "Hits to skip.", integer(0, apiopts.MaxFrom), "skip"),
						param("sort", "Comma-separated fields, - in front for descending (at most 10).", str),
						param("facets", "Comma-separated fields to count values of; a(b) nests b under each value of a when the API allows it.", str, "aggs"),
						param("facet_size", "Values per facet.", integer(apiopts.DefaultFacetSize, apiopts.MaxFacetSize)),
						param("fetch_all", "Return every hit, in pages of up to 1000 with _scroll_id.", boolean),
						param("scroll_id", "Continue a fetch_all; after the last page: {\"success\": false, \"error\": \"No more results to return.\"}.", str),
						filterParam, postFilterParam,
					),
					"responses": map[string]any{"200": jsonOK("The hits."), "400": errResp},
				},
				"post": map[string]any{
					"summary": "Look many terms up: a list in input order, each hit with query; {query, notfound: true} for a term with no hit.",
					"parameters": with(
						param("size", "Hits per term.", integer(apiopts.DefaultSize, apiopts.MaxSize), "limit"),
						param("fetch_all", "Every hit of every term (at most 100000 in all).", boolean),
						param("with_total", "Answer {max_total, hits, msg}.", boolean),
						param("analyzer", "Elasticsearch analyzer of the terms (Elasticsearch only).", str),
						filterParam, postFilterParam,
					),
					"requestBody": body(map[string]any{
						"q":      map[string]any{"description": "The terms: a list, or text split on comma, space, | and +, double quotes keeping a part together. A list item that is a list gives one value per scope group.", "oneOf": listOrText["oneOf"]},
						"scopes": map[string]any{"description": "Fields to match the terms in (default _id); a list item may be a list of fields (a scope group).", "oneOf": listOrText["oneOf"]},
					}, "q"),
					"responses": map[string]any{"200": listOK("One or more entries per term."), "400": errResp},
				},
			},
			"/" + docType + "/{id}": map[string]any{"get": map[string]any{
				"summary":    "One document, with _id and _version.",
				"parameters": with(map[string]any{"name": "id", "in": "path", "required": true, "schema": str}),
				"responses": map[string]any{"200": jsonOK("The document."), "404": map[string]any{
					"description": "{\"code\":404,\"success\":false,\"error\":\"Not Found.\"}",
				}},
			}},
			"/" + docType: map[string]any{"post": map[string]any{
				"summary":     "Many documents by id (at most 1000): a list in input order with query; {query, notfound: true} for a missing id.",
				"parameters":  with(),
				"requestBody": body(map[string]any{"ids": map[string]any{"description": "The ids: a list, or text split on comma, space, | and +.", "oneOf": listOrText["oneOf"]}}, "ids"),
				"responses":   map[string]any{"200": listOK("The documents."), "400": errResp},
			}},
			"/spec": map[string]any{"get": map[string]any{"summary": "This description.", "responses": map[string]any{"200": jsonOK("OpenAPI 3 document.")}}},
		},
		"components": map[string]any{"responses": map[string]any{"Error": map[string]any{
			"description": "{\"code\": N, \"success\": false, \"error\": \"...\", \"keyword\", \"max\", \"num\", ...}",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"code": map[string]any{"type": "integer"}, "success": map[string]any{"type": "boolean"},
					"error": str, "keyword": str, "max": map[string]any{"type": "integer"}, "num": map[string]any{"type": "integer"},
				},
			}}},
		}}},
	}
}
