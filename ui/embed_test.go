package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
)

func builtApp() fstest.MapFS {
	return fstest.MapFS{
		"index.html":            {Data: []byte(`<!doctype html><title>Studio</title><div id="app"></div>`)},
		"assets/index-abc12.js": {Data: []byte(`console.log("app")`)},
		"favicon.svg":           {Data: []byte(`<svg/>`)},
		".gitkeep":              {Data: nil},
	}
}

// serve answers one GET through handlers mounted the way the server mounts
// them: middlewares first, then an API route sharing a path with the app
// (GET /sources), then the web app for everything else.
func serve(t *testing.T, middlewares []fiber.Handler, app fiber.Handler, path string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	f := fiber.New()
	for _, m := range middlewares {
		f.Use(m)
	}
	f.Get("/sources", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok", "result": []any{}}) })
	f.Use("/", app)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name      string
		fs        fstest.MapFS
		path      string
		code      int
		body      string // a part of the body
		cache     string
		mediaType string
	}{
		{"index at the root", builtApp(), "/", 200, `<div id="app">`, cacheRevalidate, "text/html"},
		{"a client-side route gets index.html", builtApp(), "/builds/default_20261127_abc", 200, `<div id="app">`, cacheRevalidate, "text/html"},
		{"a hashed asset is cached for long", builtApp(), "/assets/index-abc12.js", 200, `console.log`, cacheImmutable, "text/javascript"},
		{"another file is revalidated", builtApp(), "/favicon.svg", 200, `<svg/>`, cacheRevalidate, "image/svg+xml"},
		{"a missing asset is a 404", builtApp(), "/assets/index-old.js", 404, "no such asset", "", ""},
		{"path tricks stay inside dist", builtApp(), "/../../embed.go", 200, `<div id="app">`, cacheRevalidate, "text/html"},
		{"an unbuilt app says so", fstest.MapFS{".gitkeep": {}}, "/sources/cgi", 200, "make build", cacheRevalidate, "text/html"},
		{"the page of an unbuilt app keeps the title", fstest.MapFS{".gitkeep": {}}, "/", 200, "<title>Studio</title>", cacheRevalidate, "text/html"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := serve(t, nil, newHandler(tc.fs), tc.path, nil)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Fatalf("GET %s = %d %q, want %d with %q", tc.path, code, body, tc.code, tc.body)
			}
			if got := h.Get("Cache-Control"); got != tc.cache {
				t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
			}
			if tc.mediaType != "" && !strings.HasPrefix(h.Get("Content-Type"), tc.mediaType) {
				t.Errorf("GET %s: Content-Type %q, want %s", tc.path, h.Get("Content-Type"), tc.mediaType)
			}
		})
	}
}

func TestNavigation(t *testing.T) {
	const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name   string
		path   string
		header map[string]string
		app    bool // the web app answers, not the API
	}{
		{"a browser reloading /sources gets the app", "/sources", map[string]string{"Accept": browserAccept}, true},
		{"a navigation by fetch metadata gets the app", "/sources", map[string]string{"Sec-Fetch-Mode": "navigate", "Accept": "*/*"}, true},
		{"the app's fetch gets the API", "/sources", map[string]string{"Sec-Fetch-Mode": "cors", "Accept": "application/json"}, false},
		{"a client without Accept gets the API", "/sources", nil, false},
		{"curl gets the API", "/sources", map[string]string{"Accept": "*/*"}, false},
		{"a source page", "/sources/cgi", map[string]string{"Accept": browserAccept}, true},
		{"not an app route", "/source/cgi", map[string]string{"Accept": browserAccept}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := serve(t, []fiber.Handler{newNavigation(builtApp())}, func(c *fiber.Ctx) error {
				return c.Status(404).SendString("fallback")
			}, tc.path, tc.header)
			gotApp := strings.Contains(body, `<div id="app">`)
			if gotApp != tc.app {
				t.Fatalf("GET %s %v = %d %s %q; want the app: %v", tc.path, tc.header, code, h.Get("Content-Type"), body, tc.app)
			}
		})
	}
}

func TestAppRoute(t *testing.T) {
	for path, want := range map[string]bool{
		"/": true, "/sources": true, "/sources/": true, "/sources/cgi": true, "/builds": true, "/builds/b_1": true,
		"/apis": true, "/commands": true, "/plugins/new": true, "/plugins": false, "/status": false, "/source/cgi": false, "/sources/cgi/mapping": false,
		"/build/b_1": false, "/api/list": false, "/ws": false,
		"/explorer": true, "/explorer/index/cgi": true, "/explorer/build/b_1": true, "/charts/compare/b_1/b_2": true,
		"/explore/indexes": false, "/explore/index/cgi/v1/query": false, "/explore/fields/build/b_1": false,
		"/explorer/other/x": false, "/charts/compare/b_1": false, "/charts/source/cgi": true, "/openapi.json": false,
	} {
		if got := AppRoute(path); got != want {
			t.Errorf("AppRoute(%q) = %v, want %v", path, got, want)
		}
	}
}

// The embedded tree must be usable whether or not the app was built.
func TestEmbeddedTree(t *testing.T) {
	code, _, body := serve(t, nil, Handler(), "/", nil)
	if code != 200 || !strings.Contains(body, "<title>Studio</title>") {
		t.Fatalf("GET / = %d %q", code, body)
	}
}
