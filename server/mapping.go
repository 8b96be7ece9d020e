package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"studio/internal/domain/hub"
	"studio/internal/domain/mappingedit"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
)

// startInspect is PUT /inspect {"data_provider": ["src", name] | build id,
// "mode": [...], "limit": N, "sample": x}.
func (s *Server) startInspect(c *fiber.Ctx) error {
	var in contract.InspectInput
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	target, err := contract.ParseTarget(in.DataProvider)
	if err != nil {
		return fail(fiber.StatusBadRequest, err.Error())
	}
	if _, err := in.Modes(); err != nil {
		return fail(fiber.StatusBadRequest, err.Error())
	}
	if in.Sample < 0 || in.Sample > 1 || in.Limit < 0 {
		return fail(fiber.StatusBadRequest, "sample must be in (0, 1] and limit not negative")
	}
	run, err := s.startWorkflow(c.UserContext(), contract.InspectID(target.Name), contract.InspectName, "an inspection of "+target.Name, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}

// getMapping is GET /source/<sub>/mapping: the inspected mapping beside the
// registered one, and whether the inspected one was edited since.
func (s *Server) getMapping(c *fiber.Ctx) error {
	sub := c.Params("name")
	v, err := mappingedit.Get(c.UserContext(), s.deps.Hub, sub)
	if errors.Is(err, hub.ErrNoSource) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no source %q", sub))
	}
	if err != nil {
		return err
	}
	return ok(c, v)
}

// saveMapping is PUT /source/<sub>/mapping {"mapping": {...}, "dest":
// "inspect" | "master"}: save the edited mapping, or commit it as the
// registered one.
func (s *Server) saveMapping(c *fiber.Ctx) error {
	var in struct {
		Mapping map[string]any `json:"mapping"`
		Dest    string         `json:"dest"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Mapping == nil {
		return fail(fiber.StatusBadRequest, `body must be JSON {"mapping": {...}, "dest": "inspect" | "master"}`)
	}
	sub := c.Params("name")
	var err error
	switch in.Dest {
	case "inspect", "":
		err = mappingedit.Save(c.UserContext(), s.deps.Hub, sub, in.Mapping)
	case "master":
		err = mappingedit.Commit(c.UserContext(), s.deps.Hub, sub, in.Mapping)
		if errors.Is(err, docstore.ErrNotFound) {
			return fail(fiber.StatusNotFound, fmt.Sprintf("no uploaded source %q to commit a mapping to", sub))
		}
	default:
		return fail(fiber.StatusBadRequest, fmt.Sprintf("dest %q: want inspect (save) or master (commit)", in.Dest))
	}
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"saved": sub, "dest": in.Dest})
}

// editField is PUT /source/<sub>/mapping/field {"field": "cgi.gene",
// "searchable": bool, "search_by_default": bool}: one field of the saved
// inspected mapping.
func (s *Server) editField(c *fiber.Ctx) error {
	var in mappingedit.FieldEdit
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Field == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"field": "a.b", "searchable": bool, "search_by_default": bool}`)
	}
	sub := c.Params("name")
	m, err := mappingedit.EditField(c.UserContext(), s.deps.Hub, sub, in)
	var bad *mappingedit.EditError
	switch {
	case errors.Is(err, mappingedit.ErrNoInspection):
		return fail(fiber.StatusNotFound, fmt.Sprintf("source %q has no inspected mapping: inspect it first", sub))
	case errors.As(err, &bad):
		return fail(fiber.StatusBadRequest, bad.Error())
	case err != nil:
		return err
	}
	return ok(c, m)
}

// validateMapping is POST /mapping/validate {"mapping": {...}}: it runs the
// ValidateMapping workflow, which creates a temporary index with the full
// release settings and the mapping, then deletes it; an invalid mapping
// gets the engine's own message (400).
func (s *Server) validateMapping(c *fiber.Ctx) error {
	var in contract.ValidateMappingInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Mapping == nil {
		return fail(fiber.StatusBadRequest, `body must be JSON {"mapping": {...}}`)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	run, err := s.startWorkflow(c.UserContext(), contract.ValidateMappingID(hex.EncodeToString(b)), contract.ValidateMappingName, "a mapping validation", in)
	if err != nil {
		return err
	}
	var res contract.ValidateMappingResult
	if err := waitResult(c.UserContext(), run, &res); err != nil {
		return err
	}
	return ok(c, res)
}
