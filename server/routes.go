package server

import (
	"path"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"studio/internal/app/hubapi"
	"studio/internal/app/hubauth"
	"studio/ui"
)

// routes registers the hub API. Every route is described in the OpenAPI
// document of package hubapi, served at /openapi.json; a test fails when a
// route and the document disagree.
func (s *Server) routes() {
	app := s.app
	// A browser opening or reloading one of the web app's pages (/sources,
	// /builds, /commands share their paths with the API) gets the app; the
	// page holds no data, so this comes before the token check.
	app.Use(ui.Navigation())
	app.Use(s.requireToken)
	app.Get("/status", s.status)
	app.Head("/status", func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusOK) })
	app.Get("/commands", s.listCommands)
	app.Get("/command/*", s.getCommand)
	app.Delete("/command/*", s.cancelCommand)
	app.Post("/selfcheck", s.startSelfCheck)
	app.Get("/job_manager", s.jobManager)

	app.Post("/dataplugin/register_url", s.registerPlugin)
	app.Delete("/dataplugin/unregister_url", s.unregisterPlugin)
	app.Put("/dataplugin/:name/dump", s.dumpSource)
	app.Post("/dataplugin/new/preview", s.previewPlugin)
	app.Post("/dataplugin/new", s.savePlugin)
	app.Get("/dataplugin/:name/archive", s.archivePlugin)
	app.Post("/dataplugin/:name/push", s.pushPlugin)
	app.Get("/sources", s.listSources)
	app.Get("/source/:name", s.getSource)
	app.Put("/source/:name/dump", s.dumpSource)
	app.Put("/source/:name/upload", s.uploadSource)
	app.Put("/source/:name/schedule", s.setSchedule)

	app.Put("/inspect", s.startInspect)
	app.Get("/source/:name/mapping", s.getMapping)
	app.Put("/source/:name/mapping", s.saveMapping)
	app.Put("/source/:name/mapping/field", s.editField)
	app.Post("/mapping/validate", s.validateMapping)

	app.Post("/buildconf", s.saveBuildConf)
	app.Put("/buildconf/:name", s.saveBuildConf)
	app.Delete("/buildconf/:name", s.deleteBuildConf)
	app.Get("/buildconfs", s.listBuildConfs)
	app.Put("/build/:conf/new", s.newBuild)
	app.Get("/builds", s.listBuilds)
	app.Get("/build/:id", s.getBuild)
	app.Get("/build/:id/release_options", s.releaseOptions)
	app.Delete("/build/:id", s.deleteBuild)
	app.Put("/index", s.newIndex)
	app.Put("/diff", s.newDiff)
	app.Post("/sync", s.newSync)
	app.Put("/release_note/create", s.createReleaseNote)
	app.Get("/release_note", s.getReleaseNote)

	app.Post("/api", s.createAPI)
	app.Put("/api/:name/start", s.startAPI)
	app.Put("/api/:name/stop", s.stopAPI)
	app.Delete("/api/:name", s.deleteAPI)
	app.Delete("/api", s.deleteAPI)
	app.Get("/api/list", s.listAPIs)
	s.exploreRoutes()
	app.Use("/ws", func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(c) {
			return fail(fiber.StatusUpgradeRequired, "/ws is a websocket: connect with a websocket client")
		}
		return c.Next()
	})
	app.Get("/ws", websocket.New(s.live.serve))
	app.Get("/openapi.json", openAPI)
	app.Use("/", ui.Handler())
}

// requireToken closes the hub API to requests without the hub token when
// one is set. The web app's static files stay public: they hold no data.
func (s *Server) requireToken(c *fiber.Ctx) error {
	if s.deps.TokenHash == "" {
		return c.Next()
	}
	p := c.Path()
	if (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) && (p == "/" || path.Ext(p) != "") {
		return c.Next()
	}
	tok := hubauth.FromRequest(func(k string) string { return c.Get(k) }, func(k string) string { return c.Query(k) })
	if !hubauth.Check(s.deps.TokenHash, tok) {
		return fail(fiber.StatusUnauthorized, "the hub API needs its token: send \"Authorization: Bearer <token>\" (the token is printed on the Studio's first start; STUDIO_HUB_TOKEN sets one)")
	}
	return c.Next()
}

// openAPI is GET /openapi.json: the hub API described as OpenAPI 3. It
// holds no data, so it needs no token (like the web app's files).
func openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(hubapi.Document)
}
