package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"studio/internal/app/hubapi"
)

var buildconfVerbs = []subVerb{
	{"list", verb{"", "list the build configurations", runBuildconfList}},
	{"show", verb{"<name>", "print one build configuration", runBuildconfShow}},
	{"create", verb{"--name N --doctype T --sources a,b [--root a] [--extra-index-settings JSON|@file]", "create a build configuration: which sources a build merges, and which of them may create documents (--root; \"!x\" means all but x; none means all); --extra-index-settings adds index settings to its releases (e.g. analyzers)", runBuildconfCreate}},
	{"delete", verb{"<name>", "delete a build configuration", runBuildconfDelete}},
}

func (c *cli) buildconfs(ctx context.Context) ([]map[string]any, error) {
	var list []map[string]any
	err := c.do(ctx, "GET", "/buildconfs", nil, &list)
	return list, err
}

func runBuildconfList(ctx context.Context, c *cli) error {
	if err := c.parse(0, 0); err != nil {
		return err
	}
	list, err := c.buildconfs(ctx)
	if err != nil {
		return err
	}
	return c.output(list, func() error {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDOC TYPE\tSOURCES\tROOT")
		for _, raw := range list {
			var b struct {
				Name    string   `json:"name"`
				DocType string   `json:"doc_type"`
				Sources []string `json:"sources"`
				Root    []string `json:"root"`
			}
			decode(raw, &b)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", b.Name, b.DocType, strings.Join(b.Sources, ","), dash(strings.Join(b.Root, ",")))
		}
		return tw.Flush()
	})
}

func runBuildconfShow(ctx context.Context, c *cli) error {
	if err := c.parse(1, 1); err != nil {
		return err
	}
	list, err := c.buildconfs(ctx)
	if err != nil {
		return err
	}
	for _, b := range list {
		if b["name"] == c.pos[0] || b["_id"] == c.pos[0] {
			return printJSON(c.stdout, b)
		}
	}
	return fmt.Errorf("no build configuration %q (studio buildconf list)", c.pos[0])
}

// buildconfBody is the body of POST /buildconf for a command line.
func buildconfBody(name, docType string, sources, root []string, version string, shards, replicas int, extra json.RawMessage) hubapi.BuildConfig {
	return hubapi.BuildConfig{
		Name: name, DocType: docType, Sources: sources, Root: root, BuildVersion: version,
		NumShards: max(shards, 0), NumReplicas: max(replicas, 0), ExtraIndexSettings: extra,
	}
}

func runBuildconfCreate(ctx context.Context, c *cli) error {
	var name, docType, version, extraSettings string
	var sources, root listFlag
	var shards, replicas int
	c.fs.StringVar(&name, "name", "", "name of the configuration (letters, digits, '_', '-')")
	c.fs.StringVar(&docType, "doctype", "", "document type: names the data API's annotation route (e.g. variant)")
	c.fs.Var(&sources, "sources", "sources to merge, comma-separated")
	c.fs.Var(&root, "root", "sources that may create documents, comma-separated (\"!x\": all but x; default: all)")
	c.fs.StringVar(&version, "build-version", "", "strftime format of the build version (default %Y%m%d)")
	c.fs.IntVar(&shards, "shards", 0, "shards of the released index")
	c.fs.IntVar(&replicas, "replicas", 0, "replicas of the released index")
	c.fs.StringVar(&extraSettings, "extra-index-settings", "", `index settings its full releases add to Studio's (BioThings' extra_index_settings): a JSON object, or @file holding one, e.g. '{"analysis": {"analyzer": {...}, "tokenizer": {...}}}'`)
	if err := c.parse(0, 0); err != nil {
		return err
	}
	extra, err := jsonObjectArg(extraSettings)
	if err != nil {
		return c.usageErr("--extra-index-settings: " + err.Error())
	}
	var missing []string
	for flagName, v := range map[string]bool{"--name": name == "", "--doctype": docType == "", "--sources": len(sources) == 0} {
		if v {
			missing = append(missing, flagName)
		}
	}
	if len(missing) > 0 {
		return c.usageErr(strings.Join(sortedStrings(missing), ", ") + " required")
	}
	var res map[string]any
	if err := c.do(ctx, "POST", "/buildconf", buildconfBody(name, docType, sources, root, version, shards, replicas, extra), &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		c.say("created build configuration %s (%s from %s); build it: studio build %s", name, docType, strings.Join(sources, ","), name)
		return nil
	})
}

// jsonObjectArg reads a flag's JSON object, given inline or as @file; ""
// gives nil. The JSON is sent as written.
func jsonObjectArg(arg string) (json.RawMessage, error) {
	if arg == "" {
		return nil, nil
	}
	data := []byte(arg)
	if path, ok := strings.CutPrefix(arg, "@"); ok {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
		arg = path
	} else {
		arg = "the value"
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s is JSON %s, want an object", arg, te.Value)
		}
		return nil, fmt.Errorf("%s is not valid JSON: %v", arg, err)
	}
	if obj == nil {
		return nil, fmt.Errorf("%s is JSON null, want an object", arg)
	}
	return json.RawMessage(bytes.TrimSpace(data)), nil
}

func runBuildconfDelete(ctx context.Context, c *cli) error {
	if err := c.parse(1, 1); err != nil {
		return err
	}
	var res map[string]any
	if err := c.do(ctx, "DELETE", "/buildconf/"+esc(c.pos[0]), nil, &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		c.say("deleted build configuration %s", c.pos[0])
		return nil
	})
}
