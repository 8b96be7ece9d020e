package activities

import (
	"context"
	"fmt"
	"path/filepath"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/advanced"
	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/domain/plugin"
	"studio/internal/domain/pyparser"
)

// PluginFetch clones or updates a plugin's code, validates its manifest and
// records the plugin (data_plugin) and its source (src_dump).
func (a *Activities) PluginFetch(ctx context.Context, in RegisterInput) (PluginResult, error) {
	activity.RecordHeartbeat(ctx, "fetching "+in.URL)
	info, m, err := plugin.Fetcher{Python: a.Python}.Fetch(ctx, a.pluginsDir(), plugin.Source{URL: in.URL, Ref: in.Ref})
	if err != nil {
		return PluginResult{}, nonRetryable("BadPlugin", err)
	}
	return a.recordPlugin(ctx, info, m)
}

// PluginCheckout pins a registered git plugin to a ref.
func (a *Activities) PluginCheckout(ctx context.Context, source, ref string) (PluginResult, error) {
	info, m, err := plugin.Checkout(ctx, a.pluginsDir(), source, ref)
	if err != nil {
		return PluginResult{}, nonRetryable("BadPlugin", err)
	}
	return a.recordPlugin(ctx, info, m)
}

func (a *Activities) recordPlugin(ctx context.Context, info plugin.Info, m *manifest.Manifest) (PluginResult, error) {
	res := PluginResult{
		Name: info.Name, Folder: info.Folder, Type: info.Type, URL: info.URL,
		Commit: info.Commit, Branch: info.Branch, Release: info.Release, Schedule: m.Dumper.Schedule,
	}
	for _, u := range m.Uploaders {
		res.Uploaders = append(res.Uploaders, u.Name)
	}
	err := a.records().SetPlugin(ctx, info.Name, hub.PluginInfo{
		URL: info.URL, Type: info.Type, Folder: info.Folder, Active: true, Loader: loaderOf(m),
		Commit: info.Commit, Branch: info.Branch, Ref: info.Ref, Release: info.Release, RegisteredAt: hub.Now(),
	}, hub.PluginManifest{
		Version: m.Version, DisplayName: m.DisplayName, BiothingType: m.BiothingType,
		DataURL: m.Dumper.DataURLs, Uncompress: m.Dumper.Uncompress, Schedule: m.Dumper.Schedule,
		Uploaders: res.Uploaders, Metadata: m.Metadata,
	})
	if err != nil {
		return res, err
	}
	if err := a.records().AddSource(ctx, info.Name, info.Release); err != nil {
		return res, err
	}
	if err := a.syncSchedule(ctx, info.Name, m.Dumper.Schedule); err != nil {
		return res, err
	}
	return res, nil
}

// loaderOf names how the plugin was read, as BioThings does: "manifest",
// or "advanced" for a Python package without a manifest.
func loaderOf(m *manifest.Manifest) string {
	if m.Package != "" {
		return advanced.Loader
	}
	return "manifest"
}

// PluginRemove deletes a plugin's schedule, code folder and records. The
// data it downloaded stays in the data folder.
func (a *Activities) PluginRemove(ctx context.Context, name string) error {
	if err := a.syncSchedule(ctx, name, ""); err != nil {
		return err
	}
	if err := plugin.Remove(a.pluginsDir(), name); err != nil {
		return fmt.Errorf("remove plugin %s: %w", name, err)
	}
	return a.records().RemovePlugin(ctx, name)
}

// callRelease runs the manifest's release function (Python).
func (a *Activities) callRelease(ctx context.Context, source string, m *manifest.Manifest) (string, error) {
	rel, err := pyparser.CallString(ctx, a.pySpec(source, m.Dumper.Release, m))
	if err != nil {
		return "", nonRetryable("ReleaseFunction", fmt.Errorf("source %s: release function %s: %w", source, m.Dumper.Release, err))
	}
	if rel == "" {
		return "", nonRetryable("ReleaseFunction", fmt.Errorf("source %s: release function %s returned an empty string", source, m.Dumper.Release))
	}
	return rel, nil
}

func (a *Activities) pluginDir(source string) string {
	return filepath.Join(a.pluginsDir(), source)
}
