package main

import (
	"context"
	"fmt"
	"reflect"
	"text/tabwriter"

	"studio/internal/app/hubapi"
	"studio/internal/domain/inspect"
)

var mappingShow = verb{"<source>", "show a source's registered mapping beside its inspected one, field by field", runMappingShow}

var mappingVerbs = []subVerb{
	{"commit", verb{"[--no-validate] <source>", "validate the inspected (and edited) mapping on the search engine, then commit it as the source's registered mapping", runMappingCommit}},
	{"validate", verb{"[--registered] <source>", "validate the inspected mapping (or the registered one) by creating, then deleting, a temporary index with it", runMappingValidate}},
	{"field", verb{"<source> <field> [--searchable[=false]] [--search-by-default[=false]]", "edit one field of the inspected mapping: searchable (indexed) or not, searched by default (copied to \"all\") or not", runMappingField}},
}

// sourceMapping is the answer of GET /source/<sub>/mapping.
type sourceMapping struct {
	Inspect    map[string]any `json:"inspect"`
	Registered map[string]any `json:"registered"`
}

func (c *cli) getMapping(ctx context.Context, sub string) (map[string]any, sourceMapping, error) {
	var raw map[string]any
	var m sourceMapping
	if err := c.do(ctx, "GET", "/source/"+esc(sub)+"/mapping", nil, &raw); err != nil {
		return nil, m, err
	}
	decode(raw, &m)
	return raw, m, nil
}

// runMappingShow is `studio mapping <source>`.
func runMappingShow(ctx context.Context, c *cli) error {
	if err := c.parse(1, 1); err != nil {
		return err
	}
	sub := c.pos[0]
	raw, m, err := c.getMapping(ctx, sub)
	if err != nil {
		return err
	}
	return c.output(raw, func() error {
		for _, part := range []struct {
			name    string
			mapping map[string]any
			none    string
		}{
			{"registered mapping", m.Registered, "none yet: commit one with studio mapping commit " + sub},
			{"inspected mapping", m.Inspect, "none yet: studio inspect " + sub},
		} {
			if part.mapping == nil {
				c.say("%s: %s", part.name, part.none)
				continue
			}
			c.say("%s:", part.name)
			if err := writeFields(c, inspect.Fields(part.mapping)); err != nil {
				return err
			}
		}
		if m.Inspect != nil && !reflect.DeepEqual(m.Inspect, m.Registered) {
			c.say("the inspected mapping differs from the registered one: studio mapping commit %s", sub)
		}
		return nil
	})
}

func writeFields(c *cli, fields []inspect.FieldInfo) error {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FIELD\tTYPE\tSEARCHABLE\tSEARCHED BY DEFAULT")
	for _, f := range fields {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Path, f.Type, yesNo(f.Searchable), yesNo(f.SearchedByDefault))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// inspected is the source's inspected mapping, or an error saying to
// inspect first.
func (c *cli) inspected(ctx context.Context, sub string) (map[string]any, error) {
	_, m, err := c.getMapping(ctx, sub)
	if err != nil {
		return nil, err
	}
	if m.Inspect == nil {
		return nil, fmt.Errorf("source %s has no inspected mapping: studio inspect %s first", sub, sub)
	}
	return m.Inspect, nil
}

// runMappingCommit is `studio mapping commit <source>`.
func runMappingCommit(ctx context.Context, c *cli) error {
	var noValidate bool
	c.fs.BoolVar(&noValidate, "no-validate", false, "commit without validating on the search engine first")
	if err := c.parse(1, 1); err != nil {
		return err
	}
	sub := c.pos[0]
	mapping, err := c.inspected(ctx, sub)
	if err != nil {
		return err
	}
	if !noValidate {
		if err := c.do(ctx, "POST", "/mapping/validate", hubapi.ValidateMappingRequest{Mapping: mapping}, nil); err != nil {
			return fmt.Errorf("the mapping of %s was not committed: %w", sub, err)
		}
		c.say("the inspected mapping of %s is valid", sub)
	}
	var res map[string]any
	if err := c.do(ctx, "PUT", "/source/"+esc(sub)+"/mapping", hubapi.SaveMappingRequest{Mapping: mapping, Dest: "master"}, &res); err != nil {
		return err
	}
	if res == nil {
		res = map[string]any{}
	}
	res["validated"] = !noValidate
	return c.output(res, func() error {
		c.say("committed the inspected mapping of %s (%d fields) as its registered mapping", sub, len(inspect.Fields(mapping)))
		return nil
	})
}

// runMappingValidate is `studio mapping validate <source>`.
func runMappingValidate(ctx context.Context, c *cli) error {
	var registered bool
	c.fs.BoolVar(&registered, "registered", false, "validate the registered mapping instead of the inspected one")
	if err := c.parse(1, 1); err != nil {
		return err
	}
	sub := c.pos[0]
	_, m, err := c.getMapping(ctx, sub)
	if err != nil {
		return err
	}
	mapping, which := m.Inspect, "inspected"
	if registered {
		mapping, which = m.Registered, "registered"
	}
	if mapping == nil {
		return fmt.Errorf("source %s has no %s mapping", sub, which)
	}
	var res map[string]any
	if err := c.do(ctx, "POST", "/mapping/validate", hubapi.ValidateMappingRequest{Mapping: mapping}, &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		c.say("the %s mapping of %s is valid", which, sub)
		return nil
	})
}

// runMappingField is `studio mapping field <source> <field>`.
func runMappingField(ctx context.Context, c *cli) error {
	var searchable, byDefault optBool
	c.fs.Var(&searchable, "searchable", "the field is indexed, so queries can name it (=false: not indexed)")
	c.fs.Var(&byDefault, "search-by-default", "queries that name no field search it (=false: they do not)")
	if err := c.parse(2, 2); err != nil {
		return err
	}
	if !searchable.set && !byDefault.set {
		return c.usageErr("give --searchable or --search-by-default")
	}
	sub, field := c.pos[0], c.pos[1]
	body := hubapi.FieldEditRequest{Field: field, Searchable: searchable.ptr(), SearchByDefault: byDefault.ptr()}
	var mapping map[string]any
	if err := c.do(ctx, "PUT", "/source/"+esc(sub)+"/mapping/field", body, &mapping); err != nil {
		return err
	}
	return c.output(mapping, func() error {
		for _, f := range inspect.Fields(mapping) {
			if f.Path == field {
				c.say("%s (%s): searchable %s, searched by default %s; commit it: studio mapping commit %s",
					f.Path, f.Type, yesNo(f.Searchable), yesNo(f.SearchedByDefault), sub)
				return nil
			}
		}
		c.say("edited %s in the inspected mapping of %s; commit it: studio mapping commit %s", field, sub, sub)
		return nil
	})
}
