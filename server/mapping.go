package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"studio/internal/domain/hub"
	"studio/internal/domain/inspect"
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

// sourceOf returns the src_dump id (the plugin) of a sub-source.
func (s *Server) sourceOf(ctx context.Context, sub string) string {
	if m, err := s.deps.Hub.C(hub.SrcMaster).Get(ctx, sub); err == nil {
		if src, _ := m["source"].(string); src != "" {
			return src
		}
	}
	return sub
}

// inspectedMapping is the sub-source's inspected (and maybe edited) mapping.
func (s *Server) inspectedMapping(ctx context.Context, sub string) (map[string]any, error) {
	d, err := s.deps.Hub.C(hub.SrcDump).Get(ctx, s.sourceOf(ctx, sub))
	if err != nil {
		return nil, err
	}
	v, _ := docstore.GetPath(d, "inspect.jobs."+sub+".results.mapping")
	m, _ := v.(map[string]any)
	return m, nil
}

// getMapping is GET /source/<sub>/mapping: the inspected mapping beside the
// registered one, and whether the inspected one was edited since.
func (s *Server) getMapping(c *fiber.Ctx) error {
	sub := c.Params("name")
	insp, err := s.inspectedMapping(c.UserContext(), sub)
	if errors.Is(err, docstore.ErrNotFound) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no source %q", sub))
	}
	if err != nil {
		return err
	}
	out := fiber.Map{"inspect": insp, "registered": nil}
	if m, err := s.deps.Hub.C(hub.SrcMaster).Get(c.UserContext(), sub); err == nil {
		out["registered"] = m["mapping"]
	}
	if insp != nil {
		out["fields"] = inspect.Fields(insp)
	}
	return ok(c, out)
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
		err = s.deps.Hub.C(hub.SrcDump).Update(c.UserContext(), s.sourceOf(c.UserContext(), sub), map[string]any{
			"inspect.jobs." + sub + ".results.mapping": in.Mapping, "inspect.jobs." + sub + ".edited_at": hub.Now(),
		})
	case "master":
		if _, gerr := s.deps.Hub.C(hub.SrcMaster).Get(c.UserContext(), sub); gerr != nil {
			return fail(fiber.StatusNotFound, fmt.Sprintf("no uploaded source %q to commit a mapping to", sub))
		}
		err = s.deps.Hub.C(hub.SrcMaster).Update(c.UserContext(), sub, map[string]any{"mapping": in.Mapping, "mapping_committed_at": hub.Now()})
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
	var in struct {
		Field           string `json:"field"`
		Searchable      *bool  `json:"searchable"`
		SearchByDefault *bool  `json:"search_by_default"`
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Field == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"field": "a.b", "searchable": bool, "search_by_default": bool}`)
	}
	sub := c.Params("name")
	m, err := s.inspectedMapping(c.UserContext(), sub)
	if err != nil || m == nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("source %q has no inspected mapping: inspect it first", sub))
	}
	if in.Searchable != nil {
		if err := inspect.SetSearchable(m, in.Field, *in.Searchable); err != nil {
			return fail(fiber.StatusBadRequest, err.Error())
		}
	}
	if in.SearchByDefault != nil {
		if err := inspect.SetDefaultSearch(m, in.Field, *in.SearchByDefault); err != nil {
			return fail(fiber.StatusBadRequest, err.Error())
		}
	}
	err = s.deps.Hub.C(hub.SrcDump).Update(c.UserContext(), s.sourceOf(c.UserContext(), sub), map[string]any{
		"inspect.jobs." + sub + ".results.mapping": m, "inspect.jobs." + sub + ".edited_at": hub.Now(),
	})
	if err != nil {
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
