package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"studio/internal/domain/dataapi"
	"studio/internal/domain/hub"
	"studio/internal/temporal/contract"
)

// createAPI is POST /api {"name", "index", "port", "description", "host"},
// plus the optional settings of the data API (dataapi.Settings):
// "scroll_size", "max_facet_size", "nested_aggs" and "licenses"
// ({"field": "URL"}), stored with the instance when given.
func (s *Server) createAPI(c *fiber.Ctx) error {
	var in dataapi.Instance
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	rec, err := dataapi.AddInstance(c.UserContext(), s.deps.Hub, s.deps.Search, in)
	var bad *dataapi.InstanceError
	var noIndex *dataapi.NoIndexError
	switch {
	case errors.As(err, &bad):
		return fail(fiber.StatusBadRequest, bad.Error())
	case errors.As(err, &noIndex):
		return fail(fiber.StatusNotFound, noIndex.Error())
	case errors.Is(err, dataapi.ErrInstanceExists):
		return fail(fiber.StatusConflict, fmt.Sprintf("an API named %q exists", in.Name))
	case err != nil:
		return err
	}
	return ok(c, rec)
}

// startAPI is PUT /api/<name>/start.
func (s *Server) startAPI(c *fiber.Ctx) error {
	name := c.Params("name")
	if exists, err := s.records().Exists(c.UserContext(), hub.API, name); err != nil || !exists {
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
	deleted, err := s.records().DeleteDataAPI(c.UserContext(), name)
	if err != nil {
		return err
	}
	if !deleted {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no API %q", name))
	}
	return ok(c, fiber.Map{"deleted": name})
}

// listAPIs is GET /api/list: each API with its status read from Temporal
// (running while its serving workflow runs).
func (s *Server) listAPIs(c *fiber.Ctx) error {
	apis, err := s.records().DataAPIs(c.UserContext())
	if err != nil {
		return err
	}
	for i, a := range apis {
		desc, err := s.deps.Temporal.DescribeWorkflowExecution(c.UserContext(), contract.APIID(a.ID), "")
		if err == nil && desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			apis[i].Status = "running"
		} else {
			apis[i].Status = "stopped"
		}
	}
	return ok(c, apis)
}
