package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"studio/internal/domain/dataapi"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
)

var apiName = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// createAPI is POST /api {"name", "index", "port", "description", "host"},
// plus the optional settings of the data API (dataapi.Settings):
// "scroll_size", "max_facet_size", "nested_aggs" and "licenses"
// ({"field": "URL"}), stored with the instance when given.
func (s *Server) createAPI(c *fiber.Ctx) error {
	var in struct {
		Name        string `json:"name"`
		Index       string `json:"index"`
		Port        int    `json:"port"`
		Description string `json:"description"`
		Host        string `json:"host"`
		dataapi.Settings
	}
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	switch {
	case !apiName.MatchString(in.Name):
		return fail(fiber.StatusBadRequest, fmt.Sprintf("name %q: use letters, digits, '_' and '-'", in.Name))
	case in.Port < 1024 || in.Port > 65535:
		return fail(fiber.StatusBadRequest, fmt.Sprintf("port %d: want 1024..65535 (a non-privileged port)", in.Port))
	case in.Index == "":
		return fail(fiber.StatusBadRequest, "index is required")
	}
	if err := in.Settings.Validate(); err != nil {
		return fail(fiber.StatusBadRequest, err.Error())
	}
	if in.Host == "" {
		in.Host = "127.0.0.1"
	}
	if _, err := s.deps.Search.GetIndex(c.UserContext(), in.Index); err != nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("index %q: %v", in.Index, err))
	}
	coll := s.deps.Hub.C(hub.API)
	if _, err := coll.Get(c.UserContext(), in.Name); err == nil {
		return fail(fiber.StatusConflict, fmt.Sprintf("an API named %q exists", in.Name))
	}
	doc := docstore.Doc{"_id": in.Name, "name": in.Name, "index": in.Index, "port": int64(in.Port),
		"host": in.Host, "description": in.Description, "status": "stopped", "created_at": hub.Now()}
	for k, v := range in.Settings.Doc() {
		doc[k] = v
	}
	if err := coll.Upsert(c.UserContext(), []docstore.Doc{doc}); err != nil {
		return err
	}
	return ok(c, doc)
}

// startAPI is PUT /api/<name>/start.
func (s *Server) startAPI(c *fiber.Ctx) error {
	name := c.Params("name")
	if _, err := s.deps.Hub.C(hub.API).Get(c.UserContext(), name); err != nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no API %q", name))
	}
	run, err := s.startWorkflow(c.UserContext(), contract.APIID(name), contract.APIServiceName, "API "+name, contract.APIInput{Name: name})
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}

// stopAPI is PUT /api/<name>/stop: it cancels the serving workflow and
// waits for it to close.
func (s *Server) stopAPI(c *fiber.Ctx) error {
	name := c.Params("name")
	if err := s.stopAPIWorkflow(c.UserContext(), name); err != nil {
		return err
	}
	return ok(c, fiber.Map{"stopped": name})
}

func (s *Server) stopAPIWorkflow(ctx context.Context, name string) error {
	err := s.deps.Temporal.CancelWorkflow(ctx, contract.APIID(name), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stop API %s: %w", name, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		d, err := s.deps.Temporal.DescribeWorkflowExecution(ctx, contract.APIID(name), "")
		if err != nil || d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("API %s did not stop within 20 s", name)
}

// deleteAPI is DELETE /api {"name": ...} (BioThings also sends "api_id").
func (s *Server) deleteAPI(c *fiber.Ctx) error {
	var in struct {
		Name  string `json:"name"`
		APIID string `json:"api_id"`
	}
	_ = json.Unmarshal(c.Body(), &in)
	name := in.Name
	if name == "" {
		name = in.APIID
	}
	if name == "" {
		name = c.Params("name")
	}
	if err := s.stopAPIWorkflow(c.UserContext(), name); err != nil {
		return err
	}
	n, err := s.deps.Hub.C(hub.API).Delete(c.UserContext(), name)
	if err != nil {
		return err
	}
	if n == 0 {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no API %q", name))
	}
	return ok(c, fiber.Map{"deleted": name})
}

// listAPIs is GET /api/list: each API with its status read from Temporal
// (running while its serving workflow runs).
func (s *Server) listAPIs(c *fiber.Ctx) error {
	docs, err := s.deps.Hub.C(hub.API).Find(c.UserContext(), docstore.Query{})
	if err != nil {
		return err
	}
	for _, d := range docs {
		name, _ := docstore.ID(d)
		desc, err := s.deps.Temporal.DescribeWorkflowExecution(c.UserContext(), contract.APIID(name), "")
		running := err == nil && desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		if running {
			d["status"] = "running"
		} else {
			d["status"] = "stopped"
		}
	}
	if docs == nil {
		docs = []docstore.Doc{}
	}
	return ok(c, docs)
}
