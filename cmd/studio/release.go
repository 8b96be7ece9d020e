package main

import (
	"context"
	"fmt"
	"net/url"

	"studio/internal/app/hubapi"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/contract"
)

const releaseHelp = "release a build into a search index: in full (index every document, --full), or incremental " +
	"(diff it against the previous build of its configuration, then sync the diff into the live index, --incremental). " +
	"Without either flag, the hub's release options decide, and the reason is printed. " +
	"--index names the index (full: default the build id; incremental: the live index to update, " +
	"also --old-index; default the previous build's id). " +
	"--json prints {\"build\", \"mode\", \"reason\", \"index\", \"previous\", \"commands\": [<command>...]}"

// releaseFlags is a release's command line.
type releaseFlags struct {
	build, index, oldIndex           string
	full, incremental, purge, noWait bool
}

// check refuses contradicting flags.
func (f releaseFlags) check() error {
	switch {
	case f.full && f.incremental:
		return fmt.Errorf("--full and --incremental: choose one")
	case f.full && f.oldIndex != "":
		return fmt.Errorf("--old-index names the live index an incremental release updates; a full release takes --index")
	case f.incremental && f.purge:
		return fmt.Errorf("--purge replaces an index in a full release; an incremental release updates it")
	case f.index != "" && f.oldIndex != "" && f.index != f.oldIndex:
		return fmt.Errorf("--index %s and --old-index %s: an incremental release updates the live index in place, name it once", f.index, f.oldIndex)
	}
	return nil
}

// releaseOptions is the answer of GET /build/<id>/release_options.
type releaseOptions struct {
	Full struct {
		Possible bool `json:"possible"`
	} `json:"full"`
	Incremental struct {
		Possible         bool     `json:"possible"`
		Reason           string   `json:"reason"`
		Previous         string   `json:"previous"`
		ThresholdPercent float64  `json:"threshold_percent"`
		ChangedPercent   *float64 `json:"changed_percent"`
		RecommendFull    *bool    `json:"recommend_full"`
	} `json:"incremental"`
}

// releasePlan is what a release does and why. An incremental plan that is
// not decided waits for the diff: a big one turns it into a full release.
type releasePlan struct {
	Mode    string // full or incremental
	Reason  string
	Decided bool
}

// chooseRelease follows the flags, or else the hub's release options.
func chooseRelease(f releaseFlags, o releaseOptions) (releasePlan, error) {
	inc := o.Incremental
	switch {
	case f.full:
		return releasePlan{"full", "asked with --full", true}, nil
	case f.incremental && !inc.Possible:
		return releasePlan{}, fmt.Errorf("an incremental release of %s is not possible: %s", f.build, inc.Reason)
	case f.incremental:
		return releasePlan{"incremental", "asked with --incremental, from " + inc.Previous, true}, nil
	case !inc.Possible:
		return releasePlan{"full", "an incremental release is not possible: " + inc.Reason, true}, nil
	case inc.RecommendFull != nil && inc.ChangedPercent != nil:
		how := fmt.Sprintf("the diff from %s changes %.1f%% of the documents", inc.Previous, *inc.ChangedPercent)
		if *inc.RecommendFull {
			return releasePlan{"full", fmt.Sprintf("%s, more than the %g%% above which a full release is recommended", how, inc.ThresholdPercent), true}, nil
		}
		return releasePlan{"incremental", fmt.Sprintf("%s, within the %g%% threshold", how, inc.ThresholdPercent), true}, nil
	}
	return releasePlan{"incremental", fmt.Sprintf("an earlier build, %s, can be diffed against; the diff's size decides", inc.Previous), false}, nil
}

// releaseIndex is the index a release writes: for a full release --index
// (empty lets the hub name it after the build); for an incremental one the
// live index it updates.
func releaseIndex(f releaseFlags, mode, previous string) string {
	if mode == "full" {
		return f.index
	}
	for _, s := range []string{f.oldIndex, f.index} {
		if s != "" {
			return s
		}
	}
	return previous
}

// releaseOutput is what `studio release --json` prints.
type releaseOutput struct {
	Build    string             `json:"build"`
	Mode     string             `json:"mode"`
	Reason   string             `json:"reason"`
	Index    string             `json:"index"`
	Previous string             `json:"previous,omitempty"`
	Commands []commands.Command `json:"commands"`
}

// runRelease is `studio release <build>`.
func runRelease(ctx context.Context, c *cli) error {
	var f releaseFlags
	c.fs.StringVar(&f.index, "index", "", "index to release into (full: default the build id; incremental: the live index to update)")
	c.fs.StringVar(&f.oldIndex, "old-index", "", "incremental: the live index, holding the previous build, that the diff updates (default: --index, else the previous build's id)")
	c.fs.BoolVar(&f.full, "full", false, "full release: index every document of the build")
	c.fs.BoolVar(&f.incremental, "incremental", false, "incremental release: diff against the previous build, then sync the diff into the live index")
	c.fs.BoolVar(&f.purge, "purge", false, "full: replace the index if it exists")
	noWaitFlag(c, &f.noWait)
	if err := c.parse(1, 1); err != nil {
		return err
	}
	f.build = c.pos[0]
	if err := f.check(); err != nil {
		return c.usageErr(err.Error())
	}
	opts, err := c.releaseOptions(ctx, f.build)
	if err != nil {
		return err
	}
	plan, err := chooseRelease(f, opts)
	if err != nil {
		return err
	}
	out := &releaseOutput{Build: f.build, Mode: plan.Mode, Reason: plan.Reason, Previous: opts.Incremental.Previous, Commands: []commands.Command{}}
	c.progress().Println(fmt.Sprintf("%s release of %s: %s", plan.Mode, f.build, plan.Reason))
	if plan.Mode == "full" {
		return c.fullRelease(ctx, f, out)
	}
	return c.incrementalRelease(ctx, f, plan, out)
}

func (c *cli) releaseOptions(ctx context.Context, build string) (releaseOptions, error) {
	var o releaseOptions
	err := c.do(ctx, "GET", "/build/"+esc(build)+"/release_options", nil, &o)
	return o, err
}

// followStep follows one command of a release and records it.
func (c *cli) followStep(ctx context.Context, out *releaseOutput, res started) (commands.Command, error) {
	c.progress().Println("started " + res.str("id"))
	cmd, err := c.follow(ctx, res.str("id"))
	if err != nil {
		return cmd, err
	}
	out.Commands = append(out.Commands, cmd)
	if cmd.Type == contract.DiffName && cmd.Status == "completed" {
		c.say("%s", summarize(cmd))
	}
	return cmd, nil
}

func (c *cli) fullRelease(ctx context.Context, f releaseFlags, out *releaseOutput) error {
	body := hubapi.IndexRequest{Build: f.build, Index: releaseIndex(f, "full", ""), Purge: f.purge}
	res, err := c.start(ctx, "PUT", "/index", body)
	if err != nil {
		return err
	}
	out.Mode, out.Index = "full", res.str("index")
	if f.noWait {
		return c.printStarted(res)
	}
	cmd, err := c.followStep(ctx, out, res)
	if err != nil {
		return err
	}
	if cmd.Status == "completed" {
		c.say("released build %s into %s", f.build, summarize(cmd))
	}
	return firstErr(c.emit(out), outcome(cmd))
}

func (c *cli) incrementalRelease(ctx context.Context, f releaseFlags, plan releasePlan, out *releaseOutput) error {
	prev := out.Previous
	res, err := c.start(ctx, "PUT", "/diff", hubapi.DiffRequest{Old: prev, New: f.build})
	if err != nil {
		return err
	}
	diff, err := c.followStep(ctx, out, res)
	if err != nil {
		return err
	}
	if diff.Status != "completed" {
		return firstErr(c.emit(out), outcome(diff))
	}
	if !plan.Decided {
		opts, err := c.releaseOptions(ctx, f.build)
		if err != nil {
			return err
		}
		if plan, err = chooseRelease(f, opts); err != nil {
			return err
		}
		out.Reason = plan.Reason
		c.progress().Println(fmt.Sprintf("%s release of %s: %s", plan.Mode, f.build, plan.Reason))
		if plan.Mode == "full" {
			return c.fullRelease(ctx, f, out)
		}
	}
	folder, err := c.diffFolder(ctx, prev, f.build)
	if err != nil {
		return err
	}
	out.Index = releaseIndex(f, "incremental", prev)
	res, err = c.start(ctx, "POST", "/sync", hubapi.SyncRequest{Diff: folder, Index: out.Index})
	if err != nil {
		return err
	}
	if f.noWait {
		return c.printStarted(res)
	}
	sync, err := c.followStep(ctx, out, res)
	if err != nil {
		return err
	}
	if sync.Status == "completed" {
		c.say("released build %s into index %s: %s", f.build, out.Index, summarize(sync))
	}
	return firstErr(c.emit(out), outcome(sync))
}

// diffFolder is where the hub wrote the diff of old and new, as recorded in
// the new build.
func (c *cli) diffFolder(ctx context.Context, old, new string) (string, error) {
	var b struct {
		Diff map[string]struct {
			Folder string `json:"folder"`
		} `json:"diff"`
	}
	if err := c.do(ctx, "GET", "/build/"+esc(new), nil, &b); err != nil {
		return "", err
	}
	if d := b.Diff[old].Folder; d != "" {
		return d, nil
	}
	return "", fmt.Errorf("build %s records no diff from %s", new, old)
}

// runReleaseNote is `studio release-note <build>`.
func runReleaseNote(ctx context.Context, c *cli) error {
	var old string
	c.fs.StringVar(&old, "old", "", "the build to compare with (default: the previous build of the same configuration)")
	if err := c.parse(1, 1); err != nil {
		return err
	}
	build := c.pos[0]
	if old == "" {
		opts, err := c.releaseOptions(ctx, build)
		if err != nil {
			return err
		}
		if old = opts.Incremental.Previous; old == "" {
			return fmt.Errorf("build %s has no earlier build to compare with (%s); name one with --old", build, opts.Incremental.Reason)
		}
	}
	var note map[string]any
	q := url.Values{"old": {old}, "new": {build}}
	if err := c.do(ctx, "GET", "/release_note?"+q.Encode(), nil, &note); err != nil {
		return err
	}
	return c.output(note, func() error {
		if txt, ok := note["txt"].(string); ok {
			_, err := fmt.Fprintln(c.stdout, txt)
			return err
		}
		return printJSON(c.stdout, note)
	})
}
