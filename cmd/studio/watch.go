package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"studio/internal/app/hubclient"
	"studio/internal/app/termprogress"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/progress"
)

// pollEvery is how often a followed command is asked for; workers
// heartbeat at most once a second, so this is live enough.
const pollEvery = 250 * time.Millisecond

// transportRetries is how many failed requests in a row a follow survives
// (a hub restarting) before giving up.
const transportRetries = 20

// runWatch is `studio watch <command id>`.
func runWatch(ctx context.Context, c *cli) error {
	if err := c.parse(1, 1); err != nil {
		return err
	}
	cmd, err := c.follow(ctx, c.pos[0])
	if err != nil {
		return err
	}
	return c.report(cmd)
}

// commandError is a command that ended other than completed.
type commandError struct{ cmd commands.Command }

func (e *commandError) Error() string {
	msg := e.cmd.ID + " " + e.cmd.Status
	if e.cmd.Failure != "" {
		msg += ": " + e.cmd.Failure
	}
	return msg
}

// outcome is nil for a completed command, a commandError otherwise.
func outcome(cmd commands.Command) error {
	if cmd.Status == "completed" {
		return nil
	}
	return &commandError{cmd}
}

// started is the hub's answer to a start: the command id, and more (a
// build id, an index name).
type started map[string]any

func (s started) str(key string) string {
	v, _ := s[key].(string)
	return v
}

// start asks the hub to start a command.
func (c *cli) start(ctx context.Context, method, path string, body any) (started, error) {
	var res started
	if err := c.do(ctx, method, path, body, &res); err != nil {
		return nil, err
	}
	if res.str("id") == "" {
		return nil, fmt.Errorf("hub: %s %s: the answer names no command id", method, path)
	}
	return res, nil
}

// startAndFollow starts one command and follows it to its end, or, with
// noWait, prints its id (the hub's answer under --json) at once.
func (c *cli) startAndFollow(ctx context.Context, noWait bool, method, path string, body any) error {
	res, err := c.start(ctx, method, path, body)
	if err != nil {
		return err
	}
	if noWait {
		return c.printStarted(res)
	}
	c.progress().Println("started " + res.str("id"))
	cmd, err := c.follow(ctx, res.str("id"))
	if err != nil {
		return err
	}
	return c.report(cmd)
}

// printStarted shows a command started with --no-wait.
func (c *cli) printStarted(res started) error {
	return c.output(res, func() error {
		id := res.str("id")
		c.say("started %s (follow it: studio watch %s)", id, id)
		return nil
	})
}

// report prints what a followed command did (its record under --json; the
// follow has said how it ended) and returns its outcome.
func (c *cli) report(cmd commands.Command) error {
	if err := c.emit(cmd); err != nil {
		return err
	}
	if cmd.Status == "completed" {
		if s := summarize(cmd); s != "" {
			c.say("%s", s)
		}
	}
	return outcome(cmd)
}

// endLine says how a command ended: "dump/cgi completed in 1.2s".
func endLine(cmd commands.Command) string {
	return fmt.Sprintf("%s %s in %s", cmd.ID, cmd.Status, seconds(cmd.Duration))
}

// progress is the invocation's progress writer.
func (c *cli) progress() *termprogress.Writer {
	if c.pw == nil {
		c.pw = c.progressWriter()
	}
	return c.pw
}

// follow polls command id until it closes, drawing its progress, and
// returns its final record. Retries and failures of its activities are
// written as lines of their own.
func (c *cli) follow(ctx context.Context, id string) (commands.Command, error) {
	w := c.progress()
	defer w.Finish()
	f := newFollower()
	failures := 0
	for {
		var cmd commands.Command
		err := c.do(ctx, "GET", hubclient.CommandPath(id), nil, &cmd)
		var he *hubclient.Error
		switch {
		case err == nil:
			failures = 0
		case ctx.Err() != nil:
			return cmd, fmt.Errorf("stopped following %s; it goes on (studio watch %s)", id, id)
		case errors.As(err, &he) || failures >= transportRetries:
			return cmd, err
		default:
			failures++
		}
		if err == nil {
			if cmd.CloseTime != nil {
				w.Done(endLine(cmd))
				return cmd, nil
			}
			for _, msg := range f.retries(cmd) {
				w.Println(msg)
			}
			w.Update(f.line(cmd, time.Now(), w.Width()))
		}
		select {
		case <-ctx.Done():
			return cmd, fmt.Errorf("stopped following %s; it goes on (studio watch %s)", id, id)
		case <-time.After(pollEvery):
		}
	}
}

// follower turns successive records of one command into progress lines.
type follower struct {
	// first is the first sample seen of each activity, for a rate when
	// the heartbeat has none.
	first map[string]sample
	// failed is the last failure reported of each activity.
	failed map[string]string
}

type sample struct {
	done int64
	at   time.Time
}

func newFollower() *follower {
	return &follower{first: map[string]sample{}, failed: map[string]string{}}
}

// retries are the lines to write about activities that failed an attempt
// since the last record.
func (f *follower) retries(cmd commands.Command) []string {
	var out []string
	for _, a := range cmd.Activities {
		if a.LastFailure == "" || f.failed[a.ID] == a.LastFailure {
			continue
		}
		f.failed[a.ID] = a.LastFailure
		out = append(out, fmt.Sprintf("%s: %s attempt %d failed, retrying: %s", cmd.ID, a.Type, max(a.Attempt-1, 1), a.LastFailure))
	}
	return out
}

// line is the progress line of a running command at now.
func (f *follower) line(cmd commands.Command, now time.Time, width int) string {
	if len(cmd.Activities) == 0 {
		return termprogress.Fit(cmd.ID+" running", width)
	}
	a, p, text := pickActivity(cmd.Activities)
	label := cmd.ID
	if n := len(cmd.Activities) - 1; n > 0 {
		label += fmt.Sprintf(" (+%d)", n)
	}
	switch {
	case p != nil:
		if s, ok := f.first[a.ID]; !ok || p.Done < s.done {
			f.first[a.ID] = sample{p.Done, now}
		} else if secs := now.Sub(s.at).Seconds(); p.Rate == 0 && secs > 0 && p.Done > s.done {
			p.Rate = float64(p.Done-s.done) / secs
		}
		if p.Step == "" {
			p.Step = a.Type
		}
		return termprogress.Line(label, *p, width)
	case text != "":
		return termprogress.Fit(label+" "+a.Type+": "+text, width)
	case a.State == "scheduled":
		return termprogress.Fit(label+" "+a.Type+" waiting for a worker", width)
	default:
		return termprogress.Fit(label+" "+a.Type+" "+a.State, width)
	}
}

// pickActivity is the activity to show: the first with countable progress,
// else the first.
func pickActivity(acts []commands.Activity) (commands.Activity, *progress.Progress, string) {
	for _, a := range acts {
		if p, _ := readHeartbeat(a.Progress); p != nil {
			return a, p, ""
		}
	}
	_, text := readHeartbeat(acts[0].Progress)
	return acts[0], nil, text
}

// readHeartbeat reads an activity's last heartbeat: the progress shape
// most activities send, a merge's counts, or anything else as short text.
func readHeartbeat(v any) (*progress.Progress, string) {
	switch h := v.(type) {
	case nil:
		return nil, ""
	case string:
		return nil, h
	case map[string]any:
		if _, ok := h["done"]; ok {
			var p progress.Progress
			b, _ := json.Marshal(h)
			if json.Unmarshal(b, &p) == nil {
				return &p, ""
			}
		}
		if read, ok := h["read"].(float64); ok {
			return &progress.Progress{Step: "merge", Unit: "docs", Done: int64(read)}, ""
		}
		if url, ok := h["url"].(string); ok {
			return nil, "serving on " + url
		}
	}
	b, _ := json.Marshal(v)
	return nil, termprogress.Fit(string(b), 60)
}

// runCancel is `studio cancel <command id>`: ask a running command to stop.
// Running the same step again later resumes from what it kept.
func runCancel(ctx context.Context, c *cli) error {
	if err := c.parse(1, 1); err != nil {
		return err
	}
	var res map[string]any
	if err := c.do(ctx, "DELETE", hubclient.CommandPath(c.pos[0]), nil, &res); err != nil {
		return err
	}
	return c.output(res, func() error {
		c.say("%s: cancel requested; its activities stop at their next heartbeat", c.pos[0])
		return nil
	})
}
