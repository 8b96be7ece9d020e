package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"studio/internal/app/config"
	"studio/internal/domain/plugingen"
)

const pluginNewUsage = `usage: studio plugin new [flags] <data file URL>

Make a data plugin from a data file, without code. Studio reads a sample of
the file (the first %d lines or %d MB; a zip is read whole up to %d MB),
infers its format, delimiter and column types, proposes an _id, and prints
the manifest (a dumper with the file's URL and a declarative parser) and the
documents that parser makes from the sample. It then writes the plugin as a
git repository in --out (default: a folder named after the plugin), ready for
"studio register <folder>" or a git push. The URL may be http(s), ftp or
file; the file tsv, csv, jsonl or json, plain, .gz or .zip.

Flags:
`

// runPlugin is `studio plugin new`: local, no hub needed.
func runPlugin(ctx context.Context, _ config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintf(stdout, "usage: studio plugin new [flags] <data file URL>\n\n  studio plugin new <URL>\n      make a data plugin (a git repository with a manifest and a declarative parser) from a data file's URL, without code\n\n`studio plugin new -h` shows its flags.\n")
		if len(args) == 0 {
			return fmt.Errorf("%w: studio plugin new <data file URL>", errUsage)
		}
		return flag.ErrHelp
	}
	if args[0] != "new" {
		return fmt.Errorf("%w: unknown sub-command %q of studio plugin: use studio plugin new", errUsage, args[0])
	}
	return runPluginNew(ctx, args[1:], stdout)
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func runPluginNew(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("studio plugin new", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var (
		out, name, id, format, delim, root, fields string
		skipLines, rows                            int
		group, adjacent, dryRun, asJSON            bool
		noGroup                                    bool
		types, paths, skips                        multi
	)
	fs.StringVar(&out, "out", "", "folder to write the plugin in (default: ./<name>)")
	fs.StringVar(&name, "name", "", "plugin (and source) name (default: from the file's name)")
	fs.StringVar(&id, "id", "", "_id template, e.g. {gene} or {chrom}:g.{pos}{ref}>{alt} (default: a column with unique values)")
	fs.StringVar(&format, "format", "", "tsv, csv, jsonl or json (default: inferred)")
	fs.StringVar(&delim, "delimiter", "", "csv: the delimiter (default: inferred)")
	fs.IntVar(&skipLines, "skip-lines", 0, "lines skipped before the header row")
	fs.StringVar(&root, "root", "", "path every field is nested under (default: the plugin's name; \"-\" for none)")
	fs.StringVar(&fields, "fields", "", "comma-separated columns to keep (default: all)")
	fs.Var(&types, "type", "COLUMN=TYPE: a column's type, one of str, int, float, bool, list, or \"as-read\" (repeatable)")
	fs.Var(&paths, "path", "COLUMN=PATH: a column's output path under the root (repeatable)")
	fs.Var(&skips, "skip", "COLUMN:OP[:VALUE]: skip rows where it holds; OP is empty, not_empty, eq, ne, regex (repeatable)")
	fs.BoolVar(&group, "group", false, "make one document of the rows with the same _id")
	fs.BoolVar(&adjacent, "adjacent", false, "with --group: the rows of one _id follow each other (the file is sorted by it), so groups are not held in memory")
	fs.BoolVar(&noGroup, "no-group", false, "one document per row, even when no column is unique")
	fs.IntVar(&rows, "rows", 10, "documents shown in the preview")
	fs.BoolVar(&dryRun, "dry-run", false, "print the manifest and the preview; write nothing")
	fs.BoolVar(&asJSON, "json", false, "print the whole plan (sample, inferred columns, options, manifest, preview) as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), pluginNewUsage, plugingen.DefaultMaxRows, plugingen.DefaultMaxBytes>>20, plugingen.DefaultMaxZipBytes>>20)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: studio plugin new [flags] <data file URL>", errUsage)
	}
	url := pos[0]
	sample, err := plugingen.FetchSample(ctx, url, plugingen.Limits{})
	if err != nil {
		return err
	}
	defer sample.Close()
	plan, err := plugingen.MakePlan(ctx, sample, &plugingen.Options{Name: name, Format: format, Delimiter: delim, SkipLines: skipLines}, rows)
	if err != nil {
		return err
	}
	o := plan.Options
	o.SkipEmptyID = true
	if err := applyFlags(&o, plan.Inferred, id, root, fields, types, paths, skips, group, noGroup); err != nil {
		return err
	}
	o.Adjacent = adjacent
	if plan, err = plugingen.MakePlan(ctx, sample, &o, rows); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			return err
		}
	} else {
		printPlan(stdout, plan)
	}
	if dryRun {
		return nil
	}
	if out == "" {
		out = plan.Options.Name
	}
	if filepath.Base(out) != plan.Options.Name {
		out = filepath.Join(out, plan.Options.Name)
	}
	w, err := plugingen.Write(ctx, out, plan.Manifest, plugingen.Readme(plan.Options, url))
	if err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintf(stdout, "\nwrote the plugin %s in %s (git commit %.7s); register it with: studio register %s\n", plan.Options.Name, w.Dir, w.Commit, w.Dir)
	}
	return nil
}

// applyFlags sets the choices the flags make on the inferred options.
func applyFlags(o *plugingen.Options, in *plugingen.Inferred, id, root, fields string, types, paths, skips multi, group, noGroup bool) error {
	if id != "" {
		o.ID = id
	}
	switch root {
	case "":
	case "-":
		o.Root = ""
	default:
		o.Root = root
	}
	if group {
		o.Group = true
	}
	if noGroup {
		o.Group = false
	}
	index := map[string]int{}
	for i, f := range o.Fields {
		index[f.Column] = i
	}
	col := func(flagName, c string) (int, error) {
		i, ok := index[c]
		if !ok {
			names := make([]string, len(in.Columns))
			for j, c := range in.Columns {
				names[j] = c.Name
			}
			return 0, fmt.Errorf("%w: --%s: column %q is not in the file (columns: %s)", errUsage, flagName, c, strings.Join(names, ", "))
		}
		return i, nil
	}
	if fields != "" {
		for i := range o.Fields {
			o.Fields[i].Keep = false
		}
		for _, c := range strings.Split(fields, ",") {
			i, err := col("fields", strings.TrimSpace(c))
			if err != nil {
				return err
			}
			o.Fields[i].Keep = true
		}
	}
	for _, kv := range types {
		c, t, ok := strings.Cut(kv, "=")
		i, err := col("type", c)
		if !ok || err != nil {
			return cmp(err, fmt.Errorf("%w: --type %q: write COLUMN=TYPE", errUsage, kv))
		}
		if t == "as-read" {
			t = ""
		}
		o.Fields[i].Type = t
	}
	for _, kv := range paths {
		c, p, ok := strings.Cut(kv, "=")
		i, err := col("path", c)
		if !ok || err != nil {
			return cmp(err, fmt.Errorf("%w: --path %q: write COLUMN=PATH", errUsage, kv))
		}
		o.Fields[i].Path = p
	}
	for _, s := range skips {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) < 2 {
			return fmt.Errorf("%w: --skip %q: write COLUMN:OP[:VALUE]", errUsage, s)
		}
		c := plugingen.Condition{Column: parts[0], Op: parts[1]}
		if len(parts) == 3 {
			c.Value = parts[2]
		}
		o.Skip = append(o.Skip, c)
	}
	return nil
}

// cmp returns the first non-nil error.
func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// printPlan prints the manifest, the columns and the preview as a table.
func printPlan(w io.Writer, p *plugingen.Plan) {
	m, _ := json.MarshalIndent(p.Manifest, "", "  ")
	fmt.Fprintf(w, "Sample: %s of %s\nFormat: %s", p.Sample.Limit, p.Sample.Name, p.Inferred.Format)
	if p.Inferred.Delimiter != "" {
		fmt.Fprintf(w, " (delimiter %q)", p.Inferred.Delimiter)
	}
	fmt.Fprintf(w, "\n\nmanifest.json:\n%s\n\n", m)
	st := p.Preview.Stats
	fmt.Fprintf(w, "Preview: %d rows read, %d documents, %d rows skipped, %d rejected; the first %d:\n", st.Rows, st.Docs, st.Skipped, st.Rejected, len(p.Preview.Rows))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(p.Preview.Columns, "\t"))
	for _, row := range p.Preview.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = cell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	for _, s := range st.RejectSamples {
		fmt.Fprintf(w, "rejected: %s\n", s)
	}
	for _, warn := range p.Preview.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// cell writes one value in a table cell, short.
func cell(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = x
	default:
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(x)
		s = strings.TrimSpace(b.String())
	}
	s = strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return s
}
