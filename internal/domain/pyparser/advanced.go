package pyparser

import (
	"context"
	"encoding/json"
	"fmt"
)

// Uploader kinds of an advanced plugin, as Introspect reports them and
// RunUploader takes them.
const (
	UploaderBase         = "base"         // BaseSourceUploader: load_data(data_folder) once
	UploaderParallelized = "parallelized" // ParallelizedSourceUploader: load_data(*job) for each of jobs()
	UploaderDummy        = "dummy"        // DummySourceUploader: no documents
)

// AdvancedPlugin describes an advanced plugin's classes: a plugin folder
// without a manifest whose package exposes BioThings dumper and uploader
// classes.
type AdvancedPlugin struct {
	Package   string          `json:"package"`
	Dumpers   []DumperClass   `json:"dumpers"`
	Uploaders []UploaderClass `json:"uploaders"`
	Problems  []string        `json:"problems"` // classes Studio refuses, each naming the class, its base and what to do
}

// DumperClass is a dumper class Studio can download for.
type DumperClass struct {
	Class      string   `json:"class"`
	Base       string   `json:"base"` // LastModifiedHTTPDumper, HTTPDumper, LastModifiedFTPDumper, FTPDumper
	SrcName    string   `json:"src_name"`
	URLs       []string `json:"urls"` // SRC_URLS, or what its create_todump_list lists
	Uncompress bool     `json:"uncompress"`
	Schedule   string   `json:"schedule"`
	Disabled   bool     `json:"disabled"`
}

// UploaderClass is an uploader class Studio can run.
type UploaderClass struct {
	Class        string         `json:"class"`
	Kind         string         `json:"kind"` // UploaderBase, UploaderParallelized, UploaderDummy
	Name         string         `json:"name"`
	MainSource   string         `json:"main_source"`
	Metadata     map[string]any `json:"metadata"`
	OnDuplicates string         `json:"on_duplicates"` // from storage_class: error, ignore, merge
	Mapping      bool           `json:"mapping"`       // the class defines get_mapping
}

// Introspect imports the folder spec.PluginDir as the package spec.Package
// (Studio's biothings package first on the path, a hub "config" module
// provided) and describes its dumper and uploader classes. A failure to
// import is a *ParserError; classes Studio cannot run are listed in
// Problems, not returned as an error, so that every one is reported.
func Introspect(ctx context.Context, spec Spec) (AdvancedPlugin, error) {
	var out AdvancedPlugin
	if spec.Package == "" {
		return out, fmt.Errorf("introspecting plugin %s: no package name given", spec.PluginDir)
	}
	spec.Func = spec.Package + ":__init__"
	var raw map[string]any
	err := runControl(ctx, spec, "introspect", payload{}, func(c control) {
		if c.Map != nil {
			raw = c.Map
		}
	})
	if err != nil {
		return out, err
	}
	if raw == nil {
		return out, fmt.Errorf("introspecting plugin %s: the runner described nothing", spec.PluginDir)
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("introspecting plugin %s: %w", spec.PluginDir, err)
	}
	return out, nil
}

// RunUploader runs an advanced plugin's uploader class spec.Func
// ("package:Class", with spec.Package set) on dataFolder as Run runs a
// parser: load_data(data_folder) for UploaderBase, load_data(*job) for each
// job of jobs(), in order, for UploaderParallelized, nothing for
// UploaderDummy. Documents reach emit in order, numbered across jobs.
func RunUploader(ctx context.Context, spec Spec, kind, dataFolder string, lim Limits, emit func(doc map[string]any) error) (Stats, error) {
	switch kind {
	case UploaderBase, UploaderParallelized, UploaderDummy:
	default:
		return Stats{}, fmt.Errorf("uploader %s: unknown kind %q: want %s, %s or %s", spec.Func, kind, UploaderBase, UploaderParallelized, UploaderDummy)
	}
	if spec.Package == "" {
		return Stats{}, fmt.Errorf("uploader %s: no package name given", spec.Func)
	}
	p := runPayload(spec, dataFolder, lim)
	p.Kind = kind
	return run(ctx, spec, "upload", p, lim, emit)
}
