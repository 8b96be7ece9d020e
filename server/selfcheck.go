package server

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.temporal.io/sdk/client"

	"studio/internal/temporal/contract"
)

// startSelfCheck is POST /selfcheck {"note": "..."}: it starts the hub
// self-check workflow and returns its id.
func (s *Server) startSelfCheck(c *fiber.Ctx) error {
	var in contract.SelfCheckInput
	if len(c.Body()) > 0 {
		if err := readBody(c, &in); err != nil {
			return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
		}
	}
	id := fmt.Sprintf("selfcheck/%s", time.Now().UTC().Format("20060102T150405.000000000"))
	run, err := s.deps.Temporal.ExecuteWorkflow(c.UserContext(), client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: s.deps.TaskQueue,
	}, contract.SelfCheckName, in)
	if err != nil {
		return fmt.Errorf("start %s: %w", contract.SelfCheckName, err)
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}
