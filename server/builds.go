package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"studio/internal/domain/buildconf"
	"studio/internal/domain/hub"
	"studio/internal/domain/releaseplan"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
)

// saveBuildConf is POST /buildconf (create) and PUT /buildconf/<name>
// (update): the body is the configuration.
func (s *Server) saveBuildConf(c *fiber.Ctx) error {
	var conf buildconf.Config
	if err := json.Unmarshal(c.Body(), &conf); err != nil {
		return fail(fiber.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	mode := buildconf.Create
	if c.Method() != fiber.MethodPost {
		mode, conf.Name = buildconf.Replace, c.Params("name")
	}
	rec, err := buildconf.Save(c.UserContext(), s.deps.Hub, s.deps.Search, conf, mode)
	var invalid *buildconf.InvalidError
	switch {
	case errors.As(err, &invalid):
		return fail(fiber.StatusBadRequest, "build configuration: "+invalid.Error())
	case errors.Is(err, buildconf.ErrExists):
		return fail(fiber.StatusConflict, fmt.Sprintf("build configuration %q exists: update it with PUT /buildconf/%s", conf.Name, conf.Name))
	case errors.Is(err, docstore.ErrNotFound):
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build configuration %q", conf.Name))
	case err != nil:
		return err
	}
	return ok(c, rec)
}

// deleteBuildConf is DELETE /buildconf/<name>.
func (s *Server) deleteBuildConf(c *fiber.Ctx) error {
	deleted, err := s.records().DeleteBuildConfig(c.UserContext(), c.Params("name"))
	if err != nil {
		return err
	}
	if !deleted {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build configuration %q", c.Params("name")))
	}
	return ok(c, fiber.Map{"deleted": c.Params("name")})
}

// listBuildConfs is GET /buildconfs.
func (s *Server) listBuildConfs(c *fiber.Ctx) error {
	confs, err := s.records().BuildConfigs(c.UserContext())
	if err != nil {
		return err
	}
	return ok(c, confs)
}

// newBuild is PUT /build/<conf>/new: it starts a build and returns its id.
func (s *Server) newBuild(c *fiber.Ctx) error {
	name := c.Params("conf")
	conf, err := buildconf.Load(c.UserContext(), s.deps.Hub, name)
	if errors.Is(err, docstore.ErrNotFound) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build configuration %q: create it with POST /buildconf", name))
	}
	if err != nil {
		return err
	}
	id, version, err := conf.NewBuildID(time.Now().UTC())
	if err != nil {
		return fail(fiber.StatusBadRequest, err.Error())
	}
	in := contract.BuildInput{Config: name, BuildID: id, Version: version}
	run, err := s.startWorkflow(c.UserContext(), contract.BuildID(name, id), contract.BuildName, "a build of "+name, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID(), "build_id": id})
}

// listBuilds is GET /builds: the latest started first.
func (s *Server) listBuilds(c *fiber.Ctx) error {
	builds, err := s.records().Builds(c.UserContext())
	if err != nil {
		return err
	}
	return ok(c, builds)
}

// getBuild is GET /build/<id>: the build's record, with each of its diffs
// naming the indexes it was synced into.
func (s *Server) getBuild(c *fiber.Ctx) error {
	b, err := s.records().BuildWithSyncs(c.UserContext(), c.Params("id"))
	if errors.Is(err, docstore.ErrNotFound) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", c.Params("id")))
	}
	if err != nil {
		return err
	}
	return ok(c, b)
}

// deleteBuild is DELETE /build/<id>: the DeleteBuild workflow drops the
// build's collection and its record; a build without a record is a 404.
func (s *Server) deleteBuild(c *fiber.Ctx) error {
	id := c.Params("id")
	in := contract.DeleteBuildInput{Build: id}
	run, err := s.startWorkflow(c.UserContext(), contract.DeleteBuildID(id), contract.DeleteBuildName, "a deletion of build "+id, in)
	if err != nil {
		return err
	}
	var res contract.DeleteBuildResult
	if err := waitResult(c.UserContext(), run, &res); err != nil {
		return err
	}
	if !res.Deleted {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", id))
	}
	return ok(c, fiber.Map{"deleted": id})
}

// newIndex is PUT /index {"build": id, "index": name, "purge": bool}: a
// full release of a build into the search engine.
func (s *Server) newIndex(c *fiber.Ctx) error {
	var in contract.IndexInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Build == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"build": "<build id>", "index": "<optional name>", "purge": false}`)
	}
	if exists, err := s.records().Exists(c.UserContext(), hub.SrcBuild, in.Build); err != nil || !exists {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", in.Build))
	}
	name := in.Index
	if name == "" {
		name = in.Build
	}
	run, err := s.startWorkflow(c.UserContext(), contract.IndexID(name), contract.IndexName, "a release into index "+name, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID(), "index": name})
}

// newDiff is PUT /diff {"old": build id, "new": build id}.
func (s *Server) newDiff(c *fiber.Ctx) error {
	var in contract.DiffInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Old == "" || in.New == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"old": "<build id>", "new": "<build id>"}`)
	}
	run, err := s.startWorkflow(c.UserContext(), contract.DiffID(in.Old, in.New), contract.DiffName, "a diff of "+in.Old+" and "+in.New, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}

// newSync is POST /sync {"diff": folder, "index": name}.
func (s *Server) newSync(c *fiber.Ctx) error {
	var in contract.SyncInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Diff == "" || in.Index == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"diff": "<diff folder>", "index": "<index>"}`)
	}
	run, err := s.startWorkflow(c.UserContext(), contract.SyncID(in.Index), contract.SyncName, "a sync of index "+in.Index, in)
	if err != nil {
		return err
	}
	return ok(c, fiber.Map{"id": run.GetID(), "run_id": run.GetRunID()})
}

// createReleaseNote is PUT /release_note/create {"old", "new"}: it writes
// the release note of an existing diff and answers it.
func (s *Server) createReleaseNote(c *fiber.Ctx) error {
	var in contract.DiffInput
	if err := json.Unmarshal(c.Body(), &in); err != nil || in.Old == "" || in.New == "" {
		return fail(fiber.StatusBadRequest, `body must be JSON {"old": "<build id>", "new": "<build id>"}`)
	}
	run, err := s.startWorkflow(c.UserContext(), contract.ReleaseNoteID(in.Old, in.New), contract.ReleaseNoteName, "a release note of "+in.Old+" and "+in.New, in)
	if err != nil {
		return err
	}
	var note any
	if err := waitResult(c.UserContext(), run, &note); err != nil {
		return err
	}
	return ok(c, note)
}

// getReleaseNote is GET /release_note?old=<id>&new=<id>[&format=txt].
func (s *Server) getReleaseNote(c *fiber.Ctx) error {
	oldID, newID := c.Query("old"), c.Query("new")
	if oldID == "" || newID == "" {
		return fail(fiber.StatusBadRequest, "parameters old and new (build ids) are required")
	}
	b, err := s.records().Build(c.UserContext(), newID)
	if err != nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", newID))
	}
	note, found := b.ReleaseNote[oldID]
	if !found {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no release note %s -> %s: diff the builds first (PUT /diff)", oldID, newID))
	}
	m, err := hub.Doc(&note)
	if err != nil {
		return err
	}
	if c.Query("format") == "txt" {
		return c.SendString(fmt.Sprint(m["txt"]))
	}
	// The hub keeps the note as JSON text (its keys are dotted field paths,
	// which MongoDB refuses); the API answers it as an object.
	if text, isText := m["json_text"].(string); isText {
		var doc any
		if err := json.Unmarshal([]byte(text), &doc); err == nil {
			m["json"] = doc
		}
		delete(m, "json_text")
	}
	return ok(c, m)
}

// releaseOptions is GET /build/<id>/release_options: whether the build can
// be released in full or incrementally, and whether a full release is
// recommended because the diff is big (package releaseplan).
func (s *Server) releaseOptions(c *fiber.Ctx) error {
	id := c.Params("id")
	opts, err := releaseplan.For(c.UserContext(), s.deps.Hub, id, s.deps.FullReleasePercent)
	if errors.Is(err, docstore.ErrNotFound) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", id))
	}
	if err != nil {
		return err
	}
	return ok(c, opts)
}
