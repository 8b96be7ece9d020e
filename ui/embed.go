// Package ui is the Studio web app (TypeScript, built by Vite into dist/),
// embedded in the binary and served at /. A binary built before the app
// was built serves a page saying so.
package ui

import (
	"embed"
	"io/fs"
	"mime"
	"path"
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

// AppRoute says whether p is a route of the web app.
func AppRoute(p string) bool {
	p = strings.TrimSuffix(p, "/")
	switch p {
	case "", "/sources", "/builds", "/apis", "/commands", "/plugins/new", "/explorer":
		return true
	}
	// The explorer's and the charts' pages (their data is under /explore/).
	for _, prefix := range []string{"/explorer/", "/charts/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			return true
		}
	}
	for _, prefix := range []string{"/sources/", "/builds/"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
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
