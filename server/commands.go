package server

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"studio/internal/commands"
	"studio/internal/docstore"
)

// listCommands is GET /commands?running=1&type=SelfCheck&limit=50.
func (s *Server) listCommands(c *fiber.Ctx) error {
	opts := commands.ListOptions{
		Running: c.QueryBool("running", false),
		Type:    c.Query("type"),
		Limit:   c.QueryInt("limit", 100),
	}
	if opts.Limit < 1 || opts.Limit > 1000 {
		return fail(fiber.StatusBadRequest, "parameter limit: want 1..1000")
	}
	list, err := s.cmds.List(c.UserContext(), opts)
	if err != nil {
		return err
	}
	return ok(c, list)
}

// getCommand is GET /command/<id>; ids may contain slashes (dump/<source>).
func (s *Server) getCommand(c *fiber.Ctx) error {
	id, err := url.PathUnescape(c.Params("*"))
	if err != nil || id == "" {
		return fail(fiber.StatusBadRequest, "command id missing or badly escaped")
	}
	cmd, err := s.cmds.Get(c.UserContext(), id)
	if errors.Is(err, commands.ErrNotFound) {
		return fail(fiber.StatusNotFound, err.Error())
	}
	if err != nil {
		return err
	}
	return ok(c, cmd)
}

// stores names the document stores, for /status.
func (s *Server) stores() map[string]docstore.Store {
	out := map[string]docstore.Store{}
	for name, st := range map[string]docstore.Store{"hub": s.deps.Hub, "src": s.deps.Src, "target": s.deps.Target} {
		if st != nil {
			out[name] = st
		}
	}
	return out
}
