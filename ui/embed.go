// Package ui is the Studio web app (TypeScript, built by Vite into dist/),
// embedded in the binary and served at /. A binary built before the app
// was built serves a page saying so.
package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed all:dist
var files embed.FS

// notBuilt is served when dist/ holds no index.html.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Studio</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem; max-width: 40rem">
<h1>Studio</h1>
<p>The web app is not built into this binary. Run <code>make build</code>
(it builds the app in <code>ui/</code> with npm, then the binary), or use the
hub REST API, e.g. <a href="/status">/status</a>.</p>
</body></html>
`

// Cache headers: Vite names assets after their content hash, so they never
// change; index.html names the current assets, so it is always revalidated.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// Handler serves the web app's files; unknown paths get index.html so that
// the app's own routes work on reload.
func Handler() fiber.Handler {
	return newHandler(distFS())
}

// Navigation serves index.html to a browser navigating to one of the web
// app's own routes (a reload of /sources, /builds/<id>, ...), some of which
// share their path with a hub API route (GET /sources, /builds, /commands
// answer JSON to API clients). It passes every other request on. Mounted
// before the API routes, it makes every app route reloadable.
func Navigation() fiber.Handler {
	return newNavigation(distFS())
}

func distFS() fs.FS {
	sub, err := fs.Sub(files, "dist")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// routesJSON lists the web app's pages, the list its client-side router
// (src/lib/routes.ts) reads too.
//
//go:embed routes.json
var routesJSON []byte

// pages are the patterns of routes.json, split in segments.
var pages = mustPages(routesJSON)

func mustPages(data []byte) [][]string {
	var list []struct {
		Path string `json:"path"`
		Page string `json:"page"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		panic(fmt.Sprintf("ui/routes.json: %v", err)) // fixed at build time; a test reads it
	}
	out := make([][]string, 0, len(list))
	for _, r := range list {
		out = append(out, segments(r.Path))
	}
	return out
}

func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// AppRoute says whether p is a page of the web app (ui/routes.json): a
// pattern's segment is a literal, {param} (any one segment) or {param:a|b}
// (one of the words).
func AppRoute(p string) bool {
	parts := segments(p)
	for _, pattern := range pages {
		if matchPattern(pattern, parts) {
			return true
		}
	}
	return false
}

func matchPattern(pattern, parts []string) bool {
	if len(pattern) != len(parts) {
		return false
	}
	for i, seg := range pattern {
		param, isParam := strings.CutPrefix(seg, "{")
		if !isParam {
			if seg != parts[i] {
				return false
			}
			continue
		}
		param = strings.TrimSuffix(param, "}")
		if _, words, ok := strings.Cut(param, ":"); ok && !slices.Contains(strings.Split(words, "|"), parts[i]) {
			return false
		}
	}
	return true
}

// isNavigation says whether the request is a browser loading a page, as
// opposed to a script or a client asking for data.
func isNavigation(c *fiber.Ctx) bool {
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		return false
	}
	if mode := c.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

func newNavigation(fsys fs.FS) fiber.Handler {
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		index = []byte(notBuilt)
	}
	return func(c *fiber.Ctx) error {
		if !isNavigation(c) || !AppRoute(c.Path()) {
			return c.Next()
		}
		return sendIndex(c, index)
	}
}

func newHandler(fsys fs.FS) fiber.Handler {
	index, err := fs.ReadFile(fsys, "index.html")
	built := err == nil
	return func(c *fiber.Ctx) error {
		if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
			return c.Next()
		}
		if !built {
			return sendIndex(c, []byte(notBuilt))
		}
		name := strings.TrimPrefix(path.Clean("/"+c.Path()), "/")
		if name != "" && name != "index.html" {
			if data, err := fs.ReadFile(fsys, name); err == nil {
				if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
					c.Set(fiber.HeaderContentType, ct)
				}
				if strings.HasPrefix(name, "assets/") {
					c.Set(fiber.HeaderCacheControl, cacheImmutable)
				} else {
					c.Set(fiber.HeaderCacheControl, cacheRevalidate)
				}
				return c.Send(data)
			}
			// A missing asset is a 404, not the app: a stale page asking
			// for an old bundle should fail visibly.
			if strings.HasPrefix(name, "assets/") {
				return c.Status(fiber.StatusNotFound).SendString("no such asset: " + name)
			}
		}
		return sendIndex(c, index)
	}
}

func sendIndex(c *fiber.Ctx, page []byte) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, cacheRevalidate)
	return c.Send(page)
}
