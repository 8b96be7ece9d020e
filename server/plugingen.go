package server

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofiber/fiber/v2"

	"studio/internal/domain/plugingen"
	"studio/internal/temporal/contract"
)

// genRequest is the body of the routes that make a plugin from a file.
type genRequest struct {
	URL     string             `json:"url"`
	Options *plugingen.Options `json:"options"`
	Fresh   bool               `json:"fresh"` // fetch the sample again
	Docs    int                `json:"docs"`  // documents in the preview (default 50)
}

const genBody = `body must be JSON {"url": "<data file URL>", "options": {...} (optional: inferred when missing)}`

// plan reads a genRequest and makes its plan: a 400 names the parameter
// (url, options.<field>) that is wrong.
func (s *Server) plan(c *fiber.Ctx) (*plugingen.Plan, error) {
	var in genRequest
	if err := readBody(c, &in); err != nil {
		return nil, fail(fiber.StatusBadRequest, genBody+": "+err.Error())
	}
	if in.URL == "" {
		return nil, fail(fiber.StatusBadRequest, "url: give the URL of a data file (tsv, csv, jsonl, json; plain, .gz or .zip)")
	}
	sample, err := s.samples.Get(c.UserContext(), in.URL, in.Fresh)
	if err != nil {
		return nil, fail(fiber.StatusBadRequest, "url: "+err.Error())
	}
	p, err := plugingen.MakePlan(c.UserContext(), sample, in.Options, min(max(in.Docs, 0), 500))
	var oe *plugingen.OptionsError
	switch {
	case errors.As(err, &oe):
		return nil, fail(fiber.StatusBadRequest, "options: "+oe.Error())
	case err != nil:
		return nil, fail(fiber.StatusBadRequest, err.Error())
	}
	return p, nil
}

// previewPlugin is POST /dataplugin/new/preview {"url", "options"}: the
// sample, what is inferred from it, the options completed, the manifest and
// the documents its parser makes from the sample.
func (s *Server) previewPlugin(c *fiber.Ctx) error {
	p, err := s.plan(c)
	if err != nil {
		return err
	}
	return ok(c, p)
}

// genDir is the folder of the generated plugin name.
func (s *Server) genDir(name string) (string, error) {
	if s.deps.GeneratedPlugins == "" {
		return "", fail(fiber.StatusServiceUnavailable, "this server has no folder for generated plugins (Deps.GeneratedPlugins)")
	}
	return filepath.Join(s.deps.GeneratedPlugins, name), nil
}

// savePlugin is POST /dataplugin/new {"url", "options"}: it writes the
// plugin as a git repository under <data>/generated-plugins/<name>
// (plugingen.Save), then the NewPlugin workflow registers it and starts
// its dump (the upload follows by itself).
func (s *Server) savePlugin(c *fiber.Ctx) error {
	p, err := s.plan(c)
	if err != nil {
		return err
	}
	name := p.Options.Name
	dir, err := s.genDir(name)
	if err != nil {
		return err
	}
	if err := s.refuseWhileRunning(c.UserContext(), name, "saving its plugin", contract.DumpID(name), contract.UploadID(name)); err != nil {
		return err
	}
	written, err := plugingen.Save(c.UserContext(), s.deps.Hub, dir, p)
	var taken *plugingen.TakenError
	if errors.As(err, &taken) {
		return fail(fiber.StatusConflict, "options.name: "+taken.Error())
	}
	if err != nil {
		return err
	}
	s.deps.Log.Info("plugin made from a file", "name", name, "dir", dir, "commit", written.Commit, "url", p.Sample.URL)
	in := contract.NewPluginInput{Name: name, URL: dir}
	run, err := s.startWorkflow(c.UserContext(), contract.NewPluginID(name), contract.NewPluginName, "a registration of plugin "+name, in)
	if err != nil {
		return err
	}
	var res contract.NewPluginResult
	if err := waitResult(c.UserContext(), run, &res); err != nil {
		return err
	}
	return ok(c, fiber.Map{"name": name, "written": written, "plugin": res.Plugin, "dump": res.Dump, "manifest": p.Manifest})
}

// existingGen is the folder of a generated plugin that exists.
func (s *Server) existingGen(c *fiber.Ctx) (string, error) {
	name := c.Params("name")
	dir, err := s.genDir(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		return "", fail(fiber.StatusNotFound, fmt.Sprintf("no plugin named %q was made from a file here", name))
	}
	return dir, nil
}

// archivePlugin is GET /dataplugin/<name>/archive?format=zip|tar.gz: the
// generated plugin's last commit as a file.
func (s *Server) archivePlugin(c *fiber.Ctx) error {
	dir, err := s.existingGen(c)
	if err != nil {
		return err
	}
	format := c.Query("format", "zip")
	if format != "zip" && format != "tar.gz" {
		return fail(fiber.StatusBadRequest, fmt.Sprintf("format: %q is not zip or tar.gz", format))
	}
	var buf bytes.Buffer
	if err := plugingen.Archive(c.UserContext(), dir, format, &buf); err != nil {
		return err
	}
	name := c.Params("name")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Set(fiber.HeaderContentType, map[string]string{"zip": "application/zip", "tar.gz": "application/gzip"}[format])
	return c.Send(buf.Bytes())
}

// pushPlugin is POST /dataplugin/<name>/push {"remote": "<git URL>",
// "branch": "main"}: git push of the generated plugin.
func (s *Server) pushPlugin(c *fiber.Ctx) error {
	dir, err := s.existingGen(c)
	if err != nil {
		return err
	}
	var in struct {
		Remote string `json:"remote"`
		Branch string `json:"branch"`
	}
	if err := readBody(c, &in); err != nil || in.Remote == "" {
		return fail(fiber.StatusBadRequest, `remote: body must be JSON {"remote": "<git URL>", "branch": "<optional, default main>"}`)
	}
	if err := plugingen.Push(c.UserContext(), dir, in.Remote, in.Branch); err != nil {
		return fail(fiber.StatusBadRequest, "remote: "+err.Error())
	}
	branch := in.Branch
	if branch == "" {
		branch = "main"
	}
	return ok(c, fiber.Map{"pushed": c.Params("name"), "remote": in.Remote, "branch": branch})
}
