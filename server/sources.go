package server

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/contract"
)

// startWorkflow starts a workflow under a deterministic id; a running one
// with that id is refused with 409 and the id named.
func (s *Server) startWorkflow(ctx context.Context, id, name string, what string, input any) (client.WorkflowRun, error) {
	run, err := s.deps.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                s.deps.TaskQueue,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, name, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil, fail(fiber.StatusConflict, fmt.Sprintf("%s is already running (command %s): wait for it or cancel it", what, id))
	}
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return run, nil
}

// waitResult waits for a short workflow and turns a failure the user caused
// (a non-retryable application error) into a 400 with its message.
func waitResult(ctx context.Context, run client.WorkflowRun, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	err := run.Get(ctx, out)
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.NonRetryable() {
		return fail(fiber.StatusBadRequest, commands.ErrorText(err))
	}
	return err
}

// registerPlugin is POST /dataplugin/register_url {"url": ..., "ref": ...}.
func (s *Server) registerPlugin(c *fiber.Ctx) error {
	var in contract.RegisterInput
	if err := readBody(c, &in); err != nil || in.URL == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"url": "<git URL or folder>", "ref": "<optional commit, branch or tag>"}`)
	}
	name, err := manifest.PluginName(in.URL)
	if err != nil {
		return fail(fiber.StatusBadRequest, err.Error())
	}
	run, err := s.startWorkflow(c.UserContext(), contract.PluginID(name), contract.RegisterPluginName, "a registration of plugin "+name, in)
	if err != nil {
		return err
	}
	var res contract.PluginResult
	if err := waitResult(c.UserContext(), run, &res); err != nil {
		return err
	}
	return ok(c, res)
}

// unregisterPlugin is DELETE /dataplugin/unregister_url {"url": ...}.
func (s *Server) unregisterPlugin(c *fiber.Ctx) error {
	var in struct {
		URL  string `json:"url"`
		Name string `json:"name"`
	}
	if err := readBody(c, &in); err != nil || (in.URL == "" && in.Name == "") {
		return fail(fiber.StatusBadRequest, `body must be JSON {"url": "<the URL the plugin was registered with>"}`)
	}
	name := in.Name
	if name == "" {
		var err error
		if name, err = manifest.PluginName(in.URL); err != nil {
			return fail(fiber.StatusBadRequest, err.Error())
		}
	}
	if _, err := s.records().Plugin(c.UserContext(), name); err != nil {
		return fail(fiber.StatusNotFound, err.Error())
	}
	if err := s.refuseWhileRunning(c.UserContext(), name, "unregistering its plugin", contract.DumpID(name), contract.UploadID(name)); err != nil {
		return err
	}
	run, err := s.startWorkflow(c.UserContext(), contract.PluginID(name), contract.UnregisterPluginName, "a registration change of plugin "+name, name)
	if err != nil {
		return err
	}
	if err := waitResult(c.UserContext(), run, nil); err != nil {
		return err
	}
	return ok(c, fiber.Map{"unregistered": name})
}

// dumpSource is PUT /source/<name>/dump and PUT /dataplugin/<name>/dump
// {"force": bool, "release": "<plugin ref>"}: it starts the dump and returns
// its command id at once.
func (s *Server) dumpSource(c *fiber.Ctx) error {
	var in contract.DumpInput
	name := c.Params("name")
	if err := s.refuseWhileRunning(c.UserContext(), name, "a dump", contract.UploadID(name), contract.PluginID(name)); err != nil {
		return err
	}
	return s.startForSource(c, &in, &in.Source, contract.DumpID(name), contract.DumpName, "a dump")
}

// uploadSource is PUT /source/<name>/upload {"sub": "<optional uploader>"}.
func (s *Server) uploadSource(c *fiber.Ctx) error {
	var in contract.UploadInput
	name := c.Params("name")
	if err := s.refuseWhileRunning(c.UserContext(), name, "an upload", contract.DumpID(name), contract.PluginID(name)); err != nil {
		return err
	}
	return s.startForSource(c, &in, &in.Source, contract.UploadID(name), contract.UploadName, "an upload")
}

// startForSource decodes the optional JSON body into in, sets the source
// name, checks the source exists and starts the workflow under id.
func (s *Server) startForSource(c *fiber.Ctx, in any, source *string, id, workflow, what string) error {
	name := c.Params("name")
	if len(c.Body()) > 0 {
		if err := readBody(c, in); err != nil {
			return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
		}
	}
	*source = name
	if _, err := s.records().Source(c.UserContext(), name); err != nil {
		return fail(fiber.StatusNotFound, err.Error())
	}
	run, err := s.startWorkflow(c.UserContext(), id, workflow, what+" of "+name, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}

// listSources is GET /sources: every source with its plugin and state.
func (s *Server) listSources(c *fiber.Ctx) error {
	sources, err := s.records().Sources(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(sources))
	for _, src := range sources {
		v, err := s.sourceView(c.UserContext(), src)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]["name"]) < fmt.Sprint(out[j]["name"]) })
	return ok(c, out)
}

// getSource is GET /source/<name>.
func (s *Server) getSource(c *fiber.Ctx) error {
	src, err := s.records().Source(c.UserContext(), c.Params("name"))
	if errors.Is(err, hub.ErrNoSource) {
		return fail(fiber.StatusNotFound, err.Error())
	}
	if err != nil {
		return err
	}
	v, err := s.sourceView(c.UserContext(), src)
	if err != nil {
		return err
	}
	return ok(c, v)
}

// sourceView is a src_dump record with "name" (its _id), its data_plugin
// record in place of the plugin's name, and its schedule.
func (s *Server) sourceView(ctx context.Context, src hub.Source) (fiber.Map, error) {
	v, err := hub.Doc(&src)
	if err != nil {
		return nil, err
	}
	if _, has := v["name"]; !has {
		v["name"] = src.ID
	}
	plug, err := s.records().Plugin(ctx, src.ID)
	registered := err == nil
	switch {
	case registered:
		d, err := hub.Doc(&plug)
		if err != nil {
			return nil, err
		}
		delete(d, "_id")
		v["data_plugin"] = d
	case !errors.Is(err, hub.ErrNoSource):
		return nil, err
	}
	if sched := s.scheduleView(ctx, src.ID); sched != nil {
		if registered {
			sched["cron"] = plug.Manifest.Schedule
		}
		v["schedule"] = sched
	}
	return v, nil
}

// scheduleView describes the source's dump schedule, nil when none.
func (s *Server) scheduleView(ctx context.Context, name string) fiber.Map {
	d, err := s.deps.Temporal.ScheduleClient().GetHandle(ctx, contract.DumpID(name)).Describe(ctx)
	if err != nil {
		return nil
	}
	v := fiber.Map{"id": contract.DumpID(name), "paused": d.Schedule.State.Paused, "note": d.Schedule.State.Note}
	if len(d.Info.NextActionTimes) > 0 {
		v["next_run"] = d.Info.NextActionTimes[0]
	}
	return v
}

// setSchedule is PUT /source/<name>/schedule {"paused": bool}.
func (s *Server) setSchedule(c *fiber.Ctx) error {
	var in struct {
		Paused *bool `json:"paused"`
	}
	if err := readBody(c, &in); err != nil || in.Paused == nil {
		return fail(fiber.StatusBadRequest, `body must be JSON {"paused": true|false}`)
	}
	name := c.Params("name")
	h := s.deps.Temporal.ScheduleClient().GetHandle(c.UserContext(), contract.DumpID(name))
	var err error
	if *in.Paused {
		err = h.Pause(c.UserContext(), client.SchedulePauseOptions{Note: "paused from the hub API"})
	} else {
		err = h.Unpause(c.UserContext(), client.ScheduleUnpauseOptions{Note: "resumed from the hub API"})
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("source %s has no dump schedule (its manifest sets no dumper.schedule)", name))
	}
	if err != nil {
		return err
	}
	return ok(c, s.scheduleView(c.UserContext(), name))
}
