package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"studio/internal/engine/docstore"
	"studio/internal/temporal/commands"
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

// commandID reads the id of /command/<id>; ids may contain slashes
// (dump/<source>).
func commandID(c *fiber.Ctx) (string, error) {
	id, err := url.PathUnescape(c.Params("*"))
	if err != nil || id == "" {
		return "", fail(fiber.StatusBadRequest, "command id missing or badly escaped")
	}
	return id, nil
}

// command reads the command of /command/<id>; an unknown one is a 404.
func (s *Server) command(c *fiber.Ctx) (commands.Command, error) {
	id, err := commandID(c)
	if err != nil {
		return commands.Command{}, err
	}
	cmd, err := s.cmds.Get(c.UserContext(), id)
	if errors.Is(err, commands.ErrNotFound) {
		return cmd, fail(fiber.StatusNotFound, err.Error())
	}
	return cmd, err
}

// getCommand is GET /command/<id>.
func (s *Server) getCommand(c *fiber.Ctx) error {
	cmd, err := s.command(c)
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

// cancelCommand is DELETE /command/<id>: it asks a running command to
// cancel. Its activities stop at their next heartbeat and what they wrote
// stays resumable; a finished command answers 409.
func (s *Server) cancelCommand(c *fiber.Ctx) error {
	cmd, err := s.command(c)
	if err != nil {
		return err
	}
	id := cmd.ID
	if cmd.Status != "running" {
		return fail(fiber.StatusConflict, fmt.Sprintf("command %s is %s: only a running command can be canceled", id, cmd.Status))
	}
	if err := s.deps.Temporal.CancelWorkflow(c.UserContext(), id, ""); err != nil {
		return fmt.Errorf("cancel command %s: %w", id, err)
	}
	return ok(c, fiber.Map{"id": id, "canceled": true})
}

// refuseWhileRunning answers 409 when one of the commands ids is running:
// steps of one source that would overwrite each other's files or
// collections never run together.
func (s *Server) refuseWhileRunning(ctx context.Context, source, what string, ids ...string) error {
	for _, id := range ids {
		d, err := s.deps.Temporal.DescribeWorkflowExecution(ctx, id, "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check command %s: %w", id, err)
		}
		if d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return fail(fiber.StatusConflict, fmt.Sprintf("source %s is busy: %s cannot start while command %s runs; wait for it or cancel it (DELETE /command/%s)", source, what, id, id))
		}
	}
	return nil
}
