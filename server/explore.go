package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"studio/internal/domain/explorer"
	"studio/internal/domain/hub"
	"studio/internal/domain/inspect"
	"studio/internal/domain/statsdiff"
	"studio/internal/engine/docstore"
)

// exploreRoutes are the data explorer's and the field charts' routes
// (docs/explorer.md).
func (s *Server) exploreRoutes() {
	s.explore = &explorer.APIs{Engine: s.deps.Search, Log: s.deps.Log}
	app := s.app
	app.Get("/explore/indexes", s.exploreIndexes)
	// The data API answers GET (and HEAD), POST and its CORS preflight.
	app.Get("/explore/index/:index/*", s.exploreIndex)
	app.Post("/explore/index/:index/*", s.exploreIndex)
	app.Options("/explore/index/:index/*", s.exploreIndex)
	app.Get("/explore/build/:id/docs", s.exploreBuildDocs)
	app.Get("/explore/fields/source/:name", s.sourceFields)
	app.Get("/explore/fields/build/:id", s.buildFields)
	app.Get("/explore/fields/compare/:old/:new", s.compareFields)
}

// exploreIndexes is GET /explore/indexes: the engine's indexes.
func (s *Server) exploreIndexes(c *fiber.Ctx) error {
	infos, err := s.deps.Search.ListIndexes(c.UserContext())
	if err != nil {
		return fmt.Errorf("list indexes: %w", err)
	}
	return ok(c, infos)
}

// exploreIndex is /explore/index/<index>/...: the index's data API (the
// dataapi handler, as a running API would serve it), under that prefix.
// Its answers are the data API's own, not the hub envelope.
func (s *Server) exploreIndex(c *fiber.Ctx) error {
	index := c.Params("index")
	h, err := s.explore.Handler(c.UserContext(), index)
	if errors.Is(err, explorer.ErrNoIndex) {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no index %q: release a build into it first", index))
	}
	if err != nil {
		return err
	}
	prefix := "/explore/index/" + url.PathEscape(index)
	return adaptor.HTTPHandler(http.StripPrefix(prefix, h))(c)
}

// exploreBuildDocs is GET /explore/build/<id>/docs?size=&after=&id=&filter=
// (filter: a JSON object of dotted field -> value): a page of the build's
// collection, read from the document store.
func (s *Server) exploreBuildDocs(c *fiber.Ctx) error {
	id := c.Params("id")
	if exists, err := s.records().Exists(c.UserContext(), hub.SrcBuild, id); err != nil || !exists {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", id))
	}
	req := explorer.PageRequest{ID: c.Query("id"), After: c.Query("after")}
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > explorer.MaxPageSize {
			return fail(fiber.StatusBadRequest, fmt.Sprintf("size %q: want 1..%d", v, explorer.MaxPageSize))
		}
		req.Size = n
	}
	if v := c.Query("filter"); v != "" {
		if err := json.Unmarshal([]byte(v), &req.Filter); err != nil {
			return fail(fiber.StatusBadRequest, `filter: want a JSON object of dotted field -> value, e.g. {"cgi.gene": "ABL1"}`)
		}
		if _, err := docstore.CheckFilter(req.Filter); err != nil {
			return fail(fiber.StatusBadRequest, err.Error())
		}
	}
	page, err := explorer.ReadPage(c.UserContext(), s.deps.Target.C(id), req)
	if err != nil {
		return err
	}
	return ok(c, page)
}

// fieldsAnswer is what the field routes answer: the inspection's count,
// when it ran, and the statistics per field.
type fieldsAnswer struct {
	Count  int64                         `json:"count"`
	When   any                           `json:"inspected_at,omitempty"`
	Fields map[string]inspect.FieldStats `json:"fields"`
}

// sourceFields is GET /explore/fields/source/<sub-source>: the field
// statistics of its last inspection with mode stats.
func (s *Server) sourceFields(c *fiber.Ctx) error {
	sub := c.Params("name")
	src, err := s.records().Source(c.UserContext(), s.records().SourceOf(c.UserContext(), sub))
	if err != nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("no source %q", sub))
	}
	return s.answerFields(c, src.Inspect.Jobs[sub], "source "+sub, `{"data_provider": ["src", "`+sub+`"], "mode": ["stats"]}`)
}

// buildFields is GET /explore/fields/build/<id>.
func (s *Server) buildFields(c *fiber.Ctx) error {
	id := c.Params("id")
	job, err := s.buildInspection(c, id)
	if err != nil {
		return err
	}
	return s.answerFields(c, job, "build "+id, `{"data_provider": "`+id+`", "mode": ["stats"]}`)
}

func (s *Server) buildInspection(c *fiber.Ctx, id string) (hub.Inspection, error) {
	b, err := s.records().Build(c.UserContext(), id)
	if err != nil {
		return hub.Inspection{}, fail(fiber.StatusNotFound, fmt.Sprintf("no build %q", id))
	}
	return b.Inspect, nil
}

func (s *Server) answerFields(c *fiber.Ctx, job hub.Inspection, what, body string) error {
	a, err := fieldsOf(job)
	if err != nil {
		return fail(fiber.StatusNotFound, fmt.Sprintf("%s has no field statistics: inspect it with mode stats (PUT /inspect %s)", what, body))
	}
	return ok(c, a)
}

// fieldsOf reads the field statistics of a recorded inspection.
func fieldsOf(job hub.Inspection) (fieldsAnswer, error) {
	results := job.Results
	raw, ok := results["fields"]
	if !ok {
		return fieldsAnswer{}, errors.New("no field statistics")
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return fieldsAnswer{}, fmt.Errorf("field statistics: %w", err)
	}
	var a fieldsAnswer
	if job.Has("last_success") {
		a.When = job.LastSuccess
	}
	if err := json.Unmarshal(b, &a.Fields); err != nil {
		return fieldsAnswer{}, fmt.Errorf("field statistics: %w", err)
	}
	switch n := results["count"].(type) {
	case int64:
		a.Count = n
	case float64:
		a.Count = int64(n)
	}
	return a, nil
}

// compareFields is GET /explore/fields/compare/<old>/<new>: the field
// statistics of two inspected builds side by side, field by field.
func (s *Server) compareFields(c *fiber.Ctx) error {
	var sides [2]fieldsAnswer
	for i, id := range []string{c.Params("old"), c.Params("new")} {
		job, err := s.buildInspection(c, id)
		if err != nil {
			return err
		}
		if sides[i], err = fieldsOf(job); err != nil {
			return fail(fiber.StatusNotFound, fmt.Sprintf(`build %s has no field statistics: inspect it with mode stats (PUT /inspect {"data_provider": "%s", "mode": ["stats"]})`, id, id))
		}
	}
	return ok(c, fiber.Map{
		"old":     fiber.Map{"build": c.Params("old"), "count": sides[0].Count},
		"new":     fiber.Map{"build": c.Params("new"), "count": sides[1].Count},
		"changes": statsdiff.Compare(sides[0].Fields, sides[1].Fields),
	})
}
