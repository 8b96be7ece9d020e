package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"studio/internal/app/hubclient"
	"studio/internal/app/termprogress"
)

// verb is a client verb: it talks to a running hub through its REST API.
type verb struct {
	args string // what follows the verb's name in its usage line
	help string // what it does, one sentence
	run  func(ctx context.Context, c *cli) error
}

// subVerb is a verb under another one: `studio buildconf create`.
type subVerb struct {
	name string
	verb
}

// cli is one run of a client verb: its flags, the hub, and where it
// writes. Flags common to every client verb are --hub and --json.
type cli struct {
	name   string // "inspect", "buildconf create"
	verb   verb
	subs   []subVerb
	fs     *flag.FlagSet
	args   []string // the command line after the verb
	pos    []string // positional arguments, once parsed
	hubURL string
	json   bool
	hc     *hubclient.Client
	pw     *termprogress.Writer
	stdout io.Writer
	stderr io.Writer
}

func runClient(ctx context.Context, name string, v verb, subs []subVerb, args []string, stdout, stderr io.Writer) error {
	return v.run(ctx, newClient(name, v, subs, args, stdout, stderr))
}

// runSub runs the sub-verb args[0] names, if any; ran is false when args
// name none, so that the command's own verb runs instead.
func runSub(ctx context.Context, c command, args []string, stdout, stderr io.Writer) (ran bool, err error) {
	if len(args) > 0 {
		for _, s := range c.subs {
			if s.name == args[0] {
				return true, runClient(ctx, c.name+" "+s.name, s.verb, nil, args[1:], stdout, stderr)
			}
		}
	}
	if c.client == nil && c.run == nil && len(args) > 0 && isHelp(args[0]) {
		subUsage(stderr, c)
		return true, flag.ErrHelp
	}
	return false, nil
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// subUsage lists a command's sub-verbs.
func subUsage(w io.Writer, c command) {
	fmt.Fprintf(w, "usage: studio %s <%s> [flags]\n\n%s.\n\n", c.name, subNames(c), c.summary)
	writeSubs(w, c.name, c.subs)
}

func writeSubs(w io.Writer, name string, subs []subVerb) {
	for _, s := range subs {
		fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace("studio "+name+" "+s.name+" "+s.args), s.help)
	}
	fmt.Fprintf(w, "\n`studio %s <sub-command> -h` shows its flags.\n", name)
}

func subNames(c command) string {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	return strings.Join(names, "|")
}

func newClient(name string, v verb, subs []subVerb, args []string, stdout, stderr io.Writer) *cli {
	c := &cli{name: name, verb: v, subs: subs, args: args, stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet("studio "+name, flag.ContinueOnError)
	c.fs.SetOutput(stderr)
	c.hubURL = os.Getenv("STUDIO_HUB")
	if c.hubURL == "" {
		c.hubURL = "http://127.0.0.1:8080"
	}
	c.fs.StringVar(&c.hubURL, "hub", c.hubURL, "URL of the hub REST API (env STUDIO_HUB); the token comes from STUDIO_HUB_TOKEN")
	c.fs.BoolVar(&c.json, "json", false, "print machine-readable JSON on stdout only; progress goes to stderr")
	c.fs.Usage = c.usage
	return c
}

func (c *cli) usage() {
	w := c.fs.Output()
	fmt.Fprintf(w, "usage: studio %s [flags] %s\n\n%s.\n\nFlags:\n", c.name, c.verb.args, strings.TrimSuffix(c.verb.help, "."))
	c.fs.PrintDefaults()
	if len(c.subs) > 0 {
		fmt.Fprintln(w)
		writeSubs(w, c.name, c.subs)
	}
}

// parse reads the flags, wherever they stand among the positional
// arguments, and checks that there are between minArgs and maxArgs of those
// (maxArgs < 0: no limit). A bad command line is a usage error.
func (c *cli) parse(minArgs, maxArgs int) error {
	pos, err := parseInterleaved(c.fs, c.args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: %v (studio %s -h shows the flags)", errUsage, err, c.name)
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		return c.usageErr("")
	}
	c.pos = pos
	c.hc = hubclient.New(c.hubURL)
	return nil
}

// usageErr is a usage error that shows the verb's usage line, after why
// when given.
func (c *cli) usageErr(why string) error {
	line := strings.TrimSpace("studio " + c.name + " " + c.verb.args)
	if why != "" {
		return fmt.Errorf("%w: %s; %s", errUsage, why, line)
	}
	return fmt.Errorf("%w: %s", errUsage, line)
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments (`studio release <build> --full`), and returns the
// positional ones. After "--" everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// do calls the hub.
func (c *cli) do(ctx context.Context, method, path string, body, out any) error {
	return c.hc.Do(ctx, method, path, body, out)
}

// say writes a line for people: on stdout, or nowhere under --json.
func (c *cli) say(format string, args ...any) {
	if !c.json {
		fmt.Fprintf(c.stdout, format+"\n", args...)
	}
}

// emit writes v as JSON on stdout under --json.
func (c *cli) emit(v any) error {
	if !c.json {
		return nil
	}
	return printJSON(c.stdout, v)
}

// output writes v as JSON under --json, and calls human otherwise.
func (c *cli) output(v any, human func() error) error {
	if c.json {
		return printJSON(c.stdout, v)
	}
	return human()
}

// progressWriter is where live progress goes: stdout for people, stderr
// under --json so that stdout holds the JSON only.
func (c *cli) progressWriter() *termprogress.Writer {
	if c.json {
		return termprogress.For(c.stderr)
	}
	return termprogress.For(c.stdout)
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listFlag is a comma-separated list flag: --sources a,b.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// optBool is a boolean flag that knows whether it was given.
type optBool struct {
	set, val bool
}

func (b *optBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return fmt.Sprint(b.val)
}

func (b *optBool) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		b.val = true
	case "false", "0", "no", "off":
		b.val = false
	default:
		return fmt.Errorf("want true or false, not %q", s)
	}
	b.set = true
	return nil
}

// IsBoolFlag lets the flag stand alone: --searchable means true.
func (b *optBool) IsBoolFlag() bool { return true }

func (b *optBool) ptr() *bool {
	if !b.set {
		return nil
	}
	v := b.val
	return &v
}
