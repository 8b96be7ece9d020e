package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "studio"

// A rule forbids the packages matching From to depend, directly or
// through other packages, on the packages matching Deny; or, with Allow
// set, on any package of the module that Allow does not match. Patterns
// are import paths, or prefixes ending in "/..." (the package and those
// below it). Packages matching Except are exempt from the rule. Only
// non-test code counts: tests may import anything.
type rule struct {
	From   string
	Except []string // packages matching From that the rule does not bind
	Deny   []string
	Allow  []string // the only packages of the module From may depend on
	Why    string
}

var rules = []rule{
	{
		From: "studio/server", Deny: []string{"studio/activities", "studio/workflows", "studio/worker"},
		Why: "the server starts workflows by the names and types of internal/temporal/contract; it never runs pipeline code",
	},
	{
		From: "studio/workflows", Deny: []string{"studio/server", "studio/cmd/..."},
		Why: "workflows are orchestration run by the worker; they know nothing of the hub API",
	},
	{
		From: "studio/activities", Deny: []string{"studio/server", "studio/workflows", "studio/worker", "studio/cmd/..."},
		Why: "activities are the side effects workflows call; they never call back up",
	},
	{
		From: "studio/internal/temporal/contract",
		Allow: []string{
			"studio/internal/temporal/contract",
			// the domain value types that appear in results, and what
			// they depend on
			"studio/internal/engine/docstore", "studio/internal/engine/search", "studio/internal/domain/inspect",
			"studio/internal/domain/uploadstore", "studio/internal/domain/differ", "studio/internal/domain/releasenote",
			"studio/internal/encoding/jsondiff", "studio/internal/encoding/jsonenc",
		},
		Why: "the contract is names and types every layer imports; it must not pull a layer in",
	},
	{
		From: "studio/internal/temporal/contract", Deny: []string{"go.temporal.io/..."},
		Why: "the contract is plain JSON types, usable without the Temporal SDK",
	},
	{
		From: "studio/internal/domain/...",
		Deny: []string{
			"studio/internal/temporal/...", "studio/internal/app/...", "go.temporal.io/...",
			"studio/server", "studio/activities", "studio/workflows", "studio/worker", "studio/cmd/...",
		},
		Why: "domain packages say what Studio does with data; Temporal, HTTP routing and the process are the layers above them",
	},
	{
		From: "studio/internal/engine/...",
		Deny: []string{
			"studio/internal/domain/...", "studio/internal/temporal/...",
			"studio/server", "studio/activities", "studio/workflows", "studio/worker", "studio/cmd/...",
		},
		Why: "the engines are below the domain: they store and search documents and know no pipeline",
	},
	{
		From: "studio/internal/encoding/...",
		Deny: []string{"studio/internal/domain/...", "studio/internal/temporal/...", "studio/internal/app/..."},
		Why:  "the JSON machinery is shared by the domain and the engines; it depends on neither",
	},
	{
		From: "studio/...", Except: []string{"studio/internal/bench/..."},
		Deny: []string{"studio/internal/bench/..."},
		Why:  "benchmarks are programs of make bench; nothing imports them",
	},
	{
		From: "studio/...", Except: []string{"studio/internal/testsupport/...", "studio/internal/bench/...", "studio/internal/engine/search/searchtest", "studio/internal/engine/docstore/docstoretest", "studio/internal/engine/docstore/mongo/ferrettest"},
		Deny: []string{"studio/internal/testsupport/..."},
		Why:  "test support starts real engines for tests and benchmarks; the product never runs it",
	},
	{
		From: "studio/...", Except: []string{"studio/cmd/studio", "studio/internal/app/devstack", "studio/internal/app/program"},
		Deny: []string{"studio/internal/app/program"},
		Why:  "internal/app/program assembles the whole process (server, workers, reporter); only the binary and studio dev build one",
	},
}

// matches reports whether import path p matches pattern.
func matches(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

func matchesAny(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool { return matches(pat, p) })
}

// touchSources stats every Go file of the module, so that go test's result
// cache, which remembers the files a test looked at but not what its go
// list child read, reruns this test when any of them changes.
func touchSources(t *testing.T) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatalf("walk the module at %s: %v", root, err)
	}
}

// pkg is the part of `go list -json` the rules read.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Error      *struct{ Err string }
}

// load lists the packages matching patterns with their dependencies.
func load(t *testing.T, patterns ...string) map[string]pkg {
	t.Helper()
	args := append([]string{"list", "-e", "-deps", "-json=ImportPath,Imports,Deps,Error"}, patterns...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// path returns a chain of imports from "from" to "to" (both included), to
// name how a forbidden dependency comes in.
func path(pkgs map[string]pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, imp := range pkgs[p].Imports {
			if _, seen := prev[imp]; !seen {
				prev[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return []string{from, "...", to}
}

// violations checks one rule against the listed packages.
func violations(pkgs map[string]pkg, r rule) []string {
	var out []string
	for name, p := range pkgs {
		if !matches(r.From, name) || matchesAny(r.Except, name) {
			continue
		}
		for _, dep := range p.Deps {
			bad := matchesAny(r.Deny, dep)
			if r.Allow != nil && matches(module+"/...", dep) && !matchesAny(r.Allow, dep) {
				bad = true
			}
			if bad {
				out = append(out, fmt.Sprintf("%s depends on %s (%s): %s",
					name, dep, strings.Join(path(pkgs, name, dep), " -> "), r.Why))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	touchSources(t)
	pkgs := load(t, module+"/...")
	for _, r := range rules {
		found := false
		for name := range pkgs {
			found = found || matches(r.From, name)
		}
		if !found {
			t.Errorf("rule for %s: no such package; fix the rule", r.From)
		}
		for name, p := range pkgs {
			// A package go list could not load has an incomplete list of
			// dependencies: a rule about it proves nothing.
			if matches(r.From, name) && p.Error != nil {
				t.Errorf("rule for %s: go list: %s", name, p.Error.Err)
			}
		}
		for _, v := range violations(pkgs, r) {
			t.Error(v)
		}
	}
}

// TestRulesCatchABadImport checks the checker on a made-up graph, so that
// a rule that can never fail does not pass unnoticed.
func TestRulesCatchABadImport(t *testing.T) {
	pkgs := map[string]pkg{
		"studio/server":                     {ImportPath: "studio/server", Imports: []string{"studio/worker"}, Deps: []string{"studio/activities", "studio/worker"}},
		"studio/worker":                     {ImportPath: "studio/worker", Imports: []string{"studio/activities"}, Deps: []string{"studio/activities"}},
		"studio/internal/temporal/contract": {ImportPath: "studio/internal/temporal/contract", Imports: []string{"studio/internal/domain/hub"}, Deps: []string{"studio/internal/domain/hub", "studio/internal/engine/docstore"}},
	}
	got := violations(pkgs, ruleFor(t, "studio/server", "studio/activities"))
	want := "studio/server depends on studio/activities (studio/server -> studio/worker -> studio/activities)"
	if len(got) != 2 || !strings.HasPrefix(got[0], want) {
		t.Errorf("server rule: got %q, want %q first", got, want)
	}
	got = violations(pkgs, ruleFor(t, "studio/internal/temporal/contract", ""))
	if len(got) != 1 || !strings.HasPrefix(got[0], "studio/internal/temporal/contract depends on studio/internal/domain/hub") {
		t.Errorf("contract rule: got %q", got)
	}
	assembled := map[string]pkg{
		"studio/cmd/studio":             {ImportPath: "studio/cmd/studio", Imports: []string{"studio/internal/app/program"}, Deps: []string{"studio/internal/app/program", "studio/server"}},
		"studio/internal/app/program":   {ImportPath: "studio/internal/app/program", Imports: []string{"studio/server"}, Deps: []string{"studio/server"}},
		"studio/internal/app/hubclient": {ImportPath: "studio/internal/app/hubclient", Imports: []string{"studio/internal/app/program"}, Deps: []string{"studio/internal/app/program", "studio/server"}},
	}
	got = violations(assembled, ruleFor(t, "studio/...", "studio/internal/app/program"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "studio/internal/app/hubclient depends on studio/internal/app/program") {
		t.Errorf("program rule: got %q", got)
	}
}

// ruleFor finds the rule of the table for packages from that denies deny
// (or, with deny empty, that lists what they may depend on).
func ruleFor(t *testing.T, from, deny string) rule {
	t.Helper()
	for _, r := range rules {
		if r.From != from {
			continue
		}
		if (deny == "" && r.Allow != nil) || (deny != "" && slices.Contains(r.Deny, deny)) {
			return r
		}
	}
	t.Fatalf("no rule for %s denying %q", from, deny)
	return rule{}
}
