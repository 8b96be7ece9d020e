package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"studio/internal/app/hubapi"
	"studio/internal/temporal/commands"
)

// runStatus is `studio status`.
func runStatus(ctx context.Context, c *cli) error {
	if err := c.parse(0, 0); err != nil {
		return err
	}
	var res any
	if err := c.do(ctx, "GET", "/status", nil, &res); err != nil {
		return err
	}
	return printJSON(c.stdout, res)
}

// runCommands is `studio commands`.
func runCommands(ctx context.Context, c *cli) error {
	var running, all bool
	var limit int
	var typ string
	c.fs.BoolVar(&running, "running", false, "running commands only")
	c.fs.StringVar(&typ, "type", "", "commands of this workflow type only (Dump, Upload, Build, ...)")
	c.fs.IntVar(&limit, "limit", 20, "at most this many commands (1..1000)")
	c.fs.BoolVar(&all, "all", false, "as many as the hub lists (1000), whatever --limit says")
	if err := c.parse(0, 0); err != nil {
		return err
	}
	if all {
		limit = 1000
	}
	if limit < 1 || limit > 1000 {
		return c.usageErr(fmt.Sprintf("--limit %d: want 1..1000", limit))
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if running {
		q.Set("running", "1")
	}
	if typ != "" {
		q.Set("type", typ)
	}
	var list []commands.Command
	if err := c.do(ctx, "GET", "/commands?"+q.Encode(), nil, &list); err != nil {
		return err
	}
	return c.output(list, func() error {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tSTATUS\tSTARTED\tDURATION\tFAILURE")
		for _, cmd := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1fs\t%s\n", cmd.ID, cmd.Type, cmd.Status, cmd.StartTime.Local().Format(time.DateTime), cmd.Duration, oneLine(cmd.Failure, 80))
		}
		return tw.Flush()
	})
}

// runSelfCheck is `studio selfcheck`: start the self-check and follow it.
func runSelfCheck(ctx context.Context, c *cli) error {
	var note string
	var noWait bool
	c.fs.StringVar(&note, "note", "", "note stored with the check's record")
	noWaitFlag(c, &noWait)
	if err := c.parse(0, 0); err != nil {
		return err
	}
	return c.startAndFollow(ctx, noWait, "POST", "/selfcheck", hubapi.SelfCheckRequest{Note: note})
}

// noWaitFlag adds --no-wait to a verb that starts a command.
func noWaitFlag(c *cli, v *bool) {
	c.fs.BoolVar(v, "no-wait", false, "return at once with the command id instead of following it")
}

// oneLine keeps the first line of s, cut to n runes.
func oneLine(s string, n int) string {
	for i, r := range s {
		if r == '\n' {
			s = s[:i] + " …"
			break
		}
	}
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
