package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"studio/internal/app/hubapi"
	"studio/internal/app/hubclient"
	"studio/internal/domain/dataapi"
	"studio/internal/temporal/commands"
)

// apiVerbs are the hub's data API instances, beside `studio api --index`
// that serves one index on its own.
var apiVerbs = []subVerb{
	{"create", verb{"--name N --index I --port P [--host H] [--description D] [--scroll-size N] [--max-facet-size N] [--nested-aggs] [--license field=URL]...", "define a data API instance serving an index on a port (loopback by default), with its settings", runAPICreate}},
	{"start", verb{"[--timeout D] <name>", "start a data API instance and wait until it serves", runAPIStart}},
	{"stop", verb{"<name>", "stop a data API instance", runAPINameCall("PUT", "stop", "stopped")}},
	{"delete", verb{"<name>", "stop and delete a data API instance", runAPINameCall("DELETE", "", "deleted")}},
	{"list", verb{"", "list the data API instances with their status and URL", runAPIList}},
}

// apiRecord is an API instance as /api/list shows it.
type apiRecord struct {
	Name   string `json:"name"`
	Index  string `json:"index"`
	Host   string `json:"host"`
	Port   int64  `json:"port"`
	Status string `json:"status"`
	URL    string `json:"url"`
}

func (a apiRecord) address() string {
	if a.URL != "" {
		return a.URL
	}
	return fmt.Sprintf("http://%s:%d", a.Host, a.Port)
}

func runAPICreate(ctx context.Context, c *cli) error {
	var name, index, host, desc string
	var port int
	c.fs.StringVar(&name, "name", "", "name of the API (letters, digits, '_', '-')")
	c.fs.StringVar(&index, "index", "", "index to serve (studio release prints it)")
	c.fs.IntVar(&port, "port", 0, "port to serve on (1024..65535)")
	c.fs.StringVar(&host, "host", "", "address to listen on (default 127.0.0.1)")
	c.fs.StringVar(&desc, "description", "", "what the API serves")
	var settings dataapi.Settings
	settings.Flags(c.fs)
	if err := c.parse(0, 0); err != nil {
		return err
	}
	if name == "" || index == "" || port == 0 {
		return c.usageErr("--name, --index and --port are required")
	}
	if err := settings.Validate(); err != nil {
		return c.usageErr(err.Error())
	}
	body := hubapi.CreateAPIRequest{
		Name: name, Index: index, Port: port, Description: desc, Host: host,
		ScrollSize: settings.ScrollSize, MaxFacetSize: settings.MaxFacetSize, NestedAggs: settings.NestedAggs, Licenses: settings.Licenses,
	}
	var res map[string]any
	if err := c.do(ctx, "POST", "/api", body, &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		c.say("created API %s on index %s; start it: studio api start %s", name, index, name)
		return nil
	})
}

func runAPIStart(ctx context.Context, c *cli) error {
	var noWait bool
	var timeout time.Duration
	noWaitFlag(c, &noWait)
	c.fs.DurationVar(&timeout, "timeout", time.Minute, "how long to wait for the API to serve")
	if err := c.parse(1, 1); err != nil {
		return err
	}
	name := c.pos[0]
	res, err := c.start(ctx, "PUT", "/api/"+esc(name)+"/start", nil)
	if err != nil {
		return err
	}
	if noWait {
		return c.printStarted(res)
	}
	if err := c.waitServing(ctx, res.str("id"), timeout); err != nil {
		return err
	}
	list, err := c.apiList(ctx)
	if err != nil {
		return err
	}
	for _, raw := range list {
		var a apiRecord
		decode(raw, &a)
		if a.Name == name {
			return c.output(raw, func() error {
				c.say("API %s serves index %s on %s (e.g. %s/metadata, %s/query?q=*)", name, a.Index, a.address(), a.address(), a.address())
				return nil
			})
		}
	}
	return fmt.Errorf("API %s started but /api/list does not show it", name)
}

// waitServing follows an API's serving command until its activity
// heartbeats (it listens), it ends (it failed), or timeout passes.
func (c *cli) waitServing(ctx context.Context, id string, timeout time.Duration) error {
	w := c.progress()
	defer w.Finish()
	f := newFollower()
	deadline := time.Now().Add(timeout)
	var last commands.Command
	for {
		var cmd commands.Command
		if err := c.do(ctx, "GET", hubclient.CommandPath(id), nil, &cmd); err != nil {
			return err
		}
		last = cmd
		if cmd.CloseTime != nil {
			return outcome(cmd)
		}
		for _, a := range cmd.Activities {
			if a.Type == "APIServe" && a.LastHeartbeat != nil {
				return nil
			}
		}
		for _, msg := range f.retries(cmd) {
			w.Println(msg)
		}
		w.Update(f.line(cmd, time.Now(), w.Width()))
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("%s does not serve after %s", id, timeout)
			for _, a := range last.Activities {
				if a.LastFailure != "" {
					msg += ": " + a.LastFailure
				}
			}
			return errors.New(msg + " (it keeps trying: studio api stop to give up)")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting for %s; it goes on", id)
		case <-time.After(pollEvery):
		}
	}
}

// runAPINameCall is a call on one API by name: stop (PUT /api/<name>/stop)
// or delete (DELETE /api/<name>).
func runAPINameCall(method, action, done string) func(context.Context, *cli) error {
	return func(ctx context.Context, c *cli) error {
		if err := c.parse(1, 1); err != nil {
			return err
		}
		path := "/api/" + esc(c.pos[0])
		if action != "" {
			path += "/" + action
		}
		var res map[string]any
		if err := c.do(ctx, method, path, nil, &res); err != nil {
			return err
		}
		return c.output(res, func() error {
			c.say("%s API %s", done, c.pos[0])
			return nil
		})
	}
}

func (c *cli) apiList(ctx context.Context) ([]map[string]any, error) {
	var list []map[string]any
	err := c.do(ctx, "GET", "/api/list", nil, &list)
	return list, err
}

func runAPIList(ctx context.Context, c *cli) error {
	if err := c.parse(0, 0); err != nil {
		return err
	}
	list, err := c.apiList(ctx)
	if err != nil {
		return err
	}
	return c.output(list, func() error {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tINDEX\tSTATUS\tURL")
		for _, raw := range list {
			var a apiRecord
			decode(raw, &a)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Index, a.Status, a.address())
		}
		return tw.Flush()
	})
}
