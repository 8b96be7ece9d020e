package activities

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"go.temporal.io/sdk/activity"

	"studio/internal/domain/advanced"
	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/domain/plugin"
	"studio/internal/domain/pyparser"
	"studio/internal/engine/docstore"
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
	err := a.Hub.C(hub.DataPlugin).Update(ctx, info.Name, map[string]any{
		"plugin.url": info.URL, "plugin.type": info.Type, "plugin.folder": info.Folder,
		"plugin.active": true, "plugin.loader": loaderOf(m), "plugin.commit": info.Commit,
		"plugin.branch": info.Branch, "plugin.ref": info.Ref, "plugin.release": info.Release,
		"plugin.registered_at": hub.Now(),
		"manifest.version":     m.Version, "manifest.display_name": m.DisplayName,
		"manifest.biothing_type": m.BiothingType, "manifest.data_url": toAny(m.Dumper.DataURLs),
		"manifest.uncompress": m.Dumper.Uncompress, "manifest.schedule": m.Dumper.Schedule,
		"manifest.uploaders": toAny(res.Uploaders), "manifest.__metadata__": m.Metadata,
	})
	if err != nil {
		return res, fmt.Errorf("record data_plugin %s: %w", info.Name, err)
	}
	src := a.Hub.C(hub.SrcDump)
	if _, err := src.Get(ctx, info.Name); errors.Is(err, docstore.ErrNotFound) {
		err = src.Upsert(ctx, []docstore.Doc{{"_id": info.Name, "src_name": info.Name, "download": map[string]any{}, "upload": map[string]any{"jobs": map[string]any{}}}})
		if err != nil {
			return res, fmt.Errorf("create src_dump %s: %w", info.Name, err)
		}
	} else if err != nil {
		return res, err
	}
	if err := src.Update(ctx, info.Name, map[string]any{"data_plugin": info.Name, "plugin_release": info.Release}); err != nil {
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
	for _, coll := range []string{hub.DataPlugin, hub.SrcDump} {
		if _, err := a.Hub.C(coll).Delete(ctx, name); err != nil {
			return fmt.Errorf("delete %s %s: %w", coll, name, err)
		}
	}
	return nil
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
