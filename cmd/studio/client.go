package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"studio/internal/commands"
	"studio/internal/config"
	"studio/internal/hubclient"
	"studio/internal/progress"
)

// clientFlags parses the flags common to the client verbs.
func clientFlags(name string, args []string, extra func(*flag.FlagSet)) (*hubclient.Client, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("studio "+name, flag.ContinueOnError)
	hub := os.Getenv("STUDIO_HUB")
	if hub == "" {
		hub = "http://127.0.0.1:8080"
	}
	fs.StringVar(&hub, "hub", hub, "URL of the hub REST API (env STUDIO_HUB)")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return hubclient.New(hub), fs, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runStatus is `studio status`.
func runStatus(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	hc, _, err := clientFlags("status", args, nil)
	if err != nil {
		return err
	}
	var res any
	if err := hc.Do(ctx, "GET", "/status", nil, &res); err != nil {
		return err
	}
	return printJSON(stdout, res)
}

// runCommands is `studio commands`.
func runCommands(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	var running bool
	hc, _, err := clientFlags("commands", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&running, "running", false, "running commands only")
	})
	if err != nil {
		return err
	}
	path := "/commands"
	if running {
		path += "?running=1"
	}
	var list []commands.Command
	if err := hc.Do(ctx, "GET", path, nil, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSTATUS\tSTARTED\tDURATION\tFAILURE")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1fs\t%s\n", c.ID, c.Type, c.Status, c.StartTime.Local().Format(time.DateTime), c.Duration, c.Failure)
	}
	return tw.Flush()
}

// runSelfCheck is `studio selfcheck`: start the self-check and follow it.
func runSelfCheck(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	var note string
	hc, _, err := clientFlags("selfcheck", args, func(fs *flag.FlagSet) {
		fs.StringVar(&note, "note", "", "note stored with the check's record")
	})
	if err != nil {
		return err
	}
	var started struct{ ID string }
	if err := hc.Do(ctx, "POST", "/selfcheck", map[string]string{"note": note}, &started); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "started %s\n", started.ID)
	return follow(ctx, hc, started.ID, stdout)
}

// follow polls a command until it closes, printing its activities' progress.
func follow(ctx context.Context, hc *hubclient.Client, id string, stdout io.Writer) error {
	last := ""
	for {
		var cmd commands.Command
		if err := hc.Do(ctx, "GET", hubclient.CommandPath(id), nil, &cmd); err != nil {
			return err
		}
		for _, a := range cmd.Activities {
			line := a.Type + " " + a.State
			if p, ok := asProgress(a.Progress); ok {
				line = a.Type + ": " + p.String()
			}
			if line != last {
				fmt.Fprintln(stdout, "  "+line)
				last = line
			}
		}
		if cmd.CloseTime != nil {
			fmt.Fprintf(stdout, "%s %s in %.2fs\n", id, cmd.Status, cmd.Duration)
			if cmd.Status != "completed" {
				return fmt.Errorf("%s %s: %s", id, cmd.Status, cmd.Failure)
			}
			return printJSON(stdout, cmd.Result)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func asProgress(v any) (progress.Progress, bool) {
	var p progress.Progress
	b, err := json.Marshal(v)
	if err != nil || v == nil {
		return p, false
	}
	return p, json.Unmarshal(b, &p) == nil && p.Step != ""
}

// runRegister is `studio register <url> [--ref R]`.
func runRegister(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	var ref string
	hc, fs, err := clientFlags("register", args, func(fs *flag.FlagSet) {
		fs.StringVar(&ref, "ref", "", "commit, branch or tag to pin (default: the remote's default branch)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: studio register [--hub URL] [--ref R] <git URL or folder>", errUsage)
	}
	var res any
	if err := hc.Do(ctx, "POST", "/dataplugin/register_url", map[string]string{"url": fs.Arg(0), "ref": ref}, &res); err != nil {
		return err
	}
	return printJSON(stdout, res)
}

// runSourceCommand starts a dump or an upload of a source and follows it.
func runSourceCommand(verb string) func(context.Context, config.Config, []string, io.Writer) error {
	return func(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
		var force bool
		var release string
		hc, fs, err := clientFlags(verb, args, func(fs *flag.FlagSet) {
			if verb == "dump" {
				fs.BoolVar(&force, "force", false, "download even when the local copy is up to date")
				fs.StringVar(&release, "release", "", "pin the plugin to this commit, branch or tag first")
			}
		})
		if err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: studio %s [flags] <source>", errUsage, verb)
		}
		body := map[string]any{}
		if force {
			body["force"] = true
		}
		if release != "" {
			body["release"] = release
		}
		var started struct{ ID string }
		if err := hc.Do(ctx, "PUT", "/source/"+fs.Arg(0)+"/"+verb, body, &started); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "started %s\n", started.ID)
		return follow(ctx, hc, started.ID, stdout)
	}
}

// runSources is `studio sources`.
func runSources(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	hc, _, err := clientFlags("sources", args, nil)
	if err != nil {
		return err
	}
	var list []map[string]any
	if err := hc.Do(ctx, "GET", "/sources", nil, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tDUMP\tRELEASE\tLAST SUCCESS\tPENDING")
	for _, s := range list {
		d, _ := s["download"].(map[string]any)
		fmt.Fprintf(tw, "%v\t%v\t%v\t%v\t%v\n", s["name"], d["status"], d["release"], d["last_success"], s["pending"])
	}
	return tw.Flush()
}
