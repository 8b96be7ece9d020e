// Package advanced reads "advanced" BioThings data plugins: a plugin folder
// without a manifest, a Python package whose __init__ exposes dumper and
// uploader classes built on biothings.hub.dataload.dumper and .uploader
// (the BioThings tutorial's PharmGKB plugin is one). The Python runner
// introspects the classes (pyparser.Introspect) and this package turns
// them into the manifest.Manifest the manifest path gives, so dump, upload,
// inspect and build run unchanged: the dumper's URLs are downloaded by
// Studio, each uploader class runs through pyparser.RunUploader.
//
// What Studio cannot run (a dumper it has no downloader for, a dumper or
// uploader overriding the hub's own machinery, a custom manager) is
// refused when the plugin is registered, each class named with its base
// and what to do.
package advanced

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"studio/internal/domain/download"
	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
)

// Loader is what hub records say of an advanced plugin (data_plugin's
// plugin.loader; manifest plugins say "manifest").
const Loader = "advanced"

// IntrospectTimeout bounds the import of a plugin's package.
const IntrospectTimeout = 2 * time.Minute

var uploaderName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]+$`)

// Load reads the plugin in dir, registered as name: its manifest when it
// has one (manifest.Load), else, when dir is a Python package, the
// manifest its classes amount to (Describe, remembered while the plugin's
// files are unchanged), imported by the interpreter python ("" = python3).
func Load(ctx context.Context, dir, name, python string) (*manifest.Manifest, error) {
	m, _, err := manifest.Load(dir, name)
	if err == nil || !errors.Is(err, manifest.ErrNoManifest) {
		return m, err
	}
	if !IsAdvanced(dir) {
		return nil, fmt.Errorf("%w; or, for an advanced plugin, make the folder a Python package (an __init__.py exposing dumper and uploader classes)", err)
	}
	return Describe(ctx, dir, name, python)
}

// IsAdvanced reports whether dir holds an advanced plugin: no manifest
// file, and an __init__.py.
func IsAdvanced(dir string) bool {
	for _, n := range manifest.FileNames {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return false
		}
	}
	st, err := os.Stat(filepath.Join(dir, "__init__.py"))
	return err == nil && st.Mode().IsRegular()
}

// describe imports the advanced plugin in dir as the package name and
// returns the manifest its classes amount to; python is the interpreter
// ("" = python3).
func describe(ctx context.Context, dir, name, python string) (*manifest.Manifest, error) {
	ctx, cancel := context.WithTimeout(ctx, IntrospectTimeout)
	defer cancel()
	p, err := pyparser.Introspect(ctx, pyparser.Spec{PluginDir: dir, Package: name, Python: python})
	if err != nil {
		return nil, fmt.Errorf("data plugin %s (advanced: no manifest, a Python package): importing it failed: %w", name, err)
	}
	return FromClasses(p, name)
}

// FromClasses turns the introspected classes of plugin name into a
// manifest: one dumper (its URLs, unpacking, schedule), one uploader per
// uploader class. Every refused class is reported at once.
func FromClasses(p pyparser.AdvancedPlugin, name string) (*manifest.Manifest, error) {
	problems := append([]string(nil), p.Problems...)
	switch len(p.Dumpers) {
	case 0:
		if len(p.Problems) == 0 {
			problems = append(problems, "the package exposes no dumper class (a subclass of biothings.hub.dataload.dumper.LastModifiedHTTPDumper, HTTPDumper or FTPDumper): import it in __init__.py")
		}
	case 1:
	default:
		var names []string
		for _, d := range p.Dumpers {
			names = append(names, d.Class)
		}
		problems = append(problems, fmt.Sprintf("the package exposes %d dumper classes (%s): a Studio source has one dumper; keep one, or make a plugin of each", len(names), strings.Join(names, ", ")))
	}
	if len(p.Uploaders) == 0 && len(p.Problems) == 0 {
		problems = append(problems, "the package exposes no uploader class (a subclass of biothings.hub.dataload.uploader.BaseSourceUploader): import it in __init__.py")
	}
	m := &manifest.Manifest{Version: "advanced", Package: name, Metadata: map[string]any{}}
	seen := map[string]string{}
	for _, u := range p.Uploaders {
		if !uploaderName.MatchString(u.Name) {
			problems = append(problems, fmt.Sprintf("uploader %s: name %q must match %s (it names the collection)", u.Class, u.Name, uploaderName))
			continue
		}
		if other, dup := seen[u.Name]; dup {
			problems = append(problems, fmt.Sprintf("uploaders %s and %s have the same name %q: give each its own", other, u.Class, u.Name))
			continue
		}
		seen[u.Name] = u.Class
		up := manifest.Uploader{
			Name: u.Name, OnDuplicates: u.OnDuplicates,
			Class: name + ":" + u.Class, Kind: u.Kind, Metadata: srcMeta(u.Metadata),
		}
		if u.Mapping {
			up.Mapping = name + ":" + u.Class + ".get_mapping"
		}
		m.Uploaders = append(m.Uploaders, up)
	}
	for _, d := range p.Dumpers {
		problems = append(problems, checkDumper(d)...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("data plugin %s (advanced: no manifest, a Python package): Studio cannot run it:\n- %s", name, strings.Join(problems, "\n- "))
	}
	d := p.Dumpers[0]
	m.Dumper = manifest.Dumper{
		DataURLs: d.URLs, Uncompress: d.Uncompress, Schedule: d.Schedule, Disabled: d.Disabled,
		Class: name + ":" + d.Class, ClassBase: d.Base,
	}
	if len(m.Uploaders) == 1 {
		m.Metadata = m.Uploaders[0].Metadata
	}
	return m, nil
}

// checkDumper checks what Studio will use of a dumper class: its URLs
// (HTTP, HTTPS or FTP) and its SCHEDULE (a cron spec).
func checkDumper(d pyparser.DumperClass) []string {
	var problems []string
	for _, raw := range d.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("dumper %s (a %s) lists %q: Studio downloads http://, https:// and ftp:// URLs only", d.Class, d.Base, download.Redact(raw)))
		}
	}
	if d.Schedule != "" {
		if _, err := manifest.ParseSchedule(d.Schedule); err != nil {
			problems = append(problems, fmt.Sprintf("dumper %s: SCHEDULE %q is not a cron schedule (%v): use 5 fields \"min hour day month weekday\"", d.Class, d.Schedule, err))
		}
	}
	return problems
}

// srcMeta is what BioThings records of an uploader's __metadata__: its
// src_meta entry.
func srcMeta(meta map[string]any) map[string]any {
	if sm, ok := meta["src_meta"].(map[string]any); ok {
		return sm
	}
	return map[string]any{}
}
