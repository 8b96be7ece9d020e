package hub

import (
	"context"
	"errors"
	"fmt"

	"studio/internal/engine/docstore"
)

// Plugin returns the data_plugin record of name.
func (r Records) Plugin(ctx context.Context, name string) (Plugin, error) {
	p, err := get[Plugin](ctx, r.Store, DataPlugin, name)
	if errors.Is(err, docstore.ErrNotFound) {
		return p, fmt.Errorf("%w %q: register its data plugin first", ErrNoSource, name)
	}
	return p, err
}

// SetPlugin records a registered plugin: its code's origin and what the
// hub shows of its manifest. The record's other fields stay.
func (r Records) SetPlugin(ctx context.Context, name string, p PluginInfo, m PluginManifest) error {
	return update(ctx, r.Store, DataPlugin, name, "", map[string]any{
		"plugin.url": p.URL, "plugin.type": p.Type, "plugin.folder": p.Folder,
		"plugin.active": p.Active, "plugin.loader": p.Loader, "plugin.commit": p.Commit,
		"plugin.branch": p.Branch, "plugin.ref": p.Ref, "plugin.release": p.Release,
		"plugin.registered_at": p.RegisteredAt,
		"manifest.version":     m.Version, "manifest.display_name": m.DisplayName,
		"manifest.biothing_type": m.BiothingType, "manifest.data_url": list(m.DataURL),
		"manifest.uncompress": m.Uncompress, "manifest.schedule": m.Schedule,
		"manifest.uploaders": list(m.Uploaders), "manifest.__metadata__": m.Metadata,
	})
}

// RemovePlugin deletes the data_plugin and src_dump records of name.
func (r Records) RemovePlugin(ctx context.Context, name string) error {
	for _, coll := range []string{DataPlugin, SrcDump} {
		if _, err := remove(ctx, r.Store, coll, name); err != nil {
			return err
		}
	}
	return nil
}

// Source returns the src_dump record of name.
func (r Records) Source(ctx context.Context, name string) (Source, error) {
	s, err := get[Source](ctx, r.Store, SrcDump, name)
	if errors.Is(err, docstore.ErrNotFound) {
		return s, fmt.Errorf("%w %q", ErrNoSource, name)
	}
	return s, err
}

// Sources returns every src_dump record, in _id order.
func (r Records) Sources(ctx context.Context) ([]Source, error) {
	return find[Source](ctx, r.Store, SrcDump, docstore.Query{})
}

// AddSource creates the src_dump record of a registered plugin when it is
// missing (no dump, no upload yet), and records the plugin's release.
func (r Records) AddSource(ctx context.Context, name, pluginRelease string) error {
	c := r.Store.C(SrcDump)
	if _, err := c.Get(ctx, name); errors.Is(err, docstore.ErrNotFound) {
		err = c.Upsert(ctx, []docstore.Doc{{"_id": name, "src_name": name, "download": map[string]any{}, "upload": map[string]any{"jobs": map[string]any{}}}})
		if err != nil {
			return fmt.Errorf("create %s %q: %w", SrcDump, name, err)
		}
	} else if err != nil {
		return fmt.Errorf("read %s %q: %w", SrcDump, name, err)
	}
	return update(ctx, r.Store, SrcDump, name, "", map[string]any{"data_plugin": name, "plugin_release": pluginRelease})
}

// setDownload sets fields of src_dump.<name>.download.
func (r Records) setDownload(ctx context.Context, name string, fields map[string]any) error {
	return update(ctx, r.Store, SrcDump, name, "download.", fields)
}

// DownloadStarted records a dump that starts downloading d.Release into
// d.DataFolder at d.StartedAt.
func (r Records) DownloadStarted(ctx context.Context, name string, d Download) error {
	return r.setDownload(ctx, name, map[string]any{
		"status": Downloading, "started_at": d.StartedAt, "release": d.Release,
		"data_folder": d.DataFolder, "logfile": nil, "err": nil,
	})
}

// DownloadDone records a successful dump: its release, folder, files
// (d.Files, d.Unpacked), d.LastSuccess and d.Time.
func (r Records) DownloadDone(ctx context.Context, name string, d Download) error {
	files := make([]any, len(d.Files))
	for i, f := range d.Files {
		files[i] = map[string]any{"name": f.Name, "size": f.Size, "url": f.URL}
	}
	return r.setDownload(ctx, name, map[string]any{
		"status": Success, "release": d.Release, "data_folder": d.DataFolder,
		"last_success": d.LastSuccess, "time": d.Time,
		"files": files, "unpacked": list(d.Unpacked), "err": nil,
	})
}

// DownloadFailed records a failed dump; seconds is how long it ran, when
// known. A source that is not registered (any more) gets no record.
func (r Records) DownloadFailed(ctx context.Context, name, reason string, seconds *float64) error {
	fields := map[string]any{"status": Failed, "err": reason}
	if seconds != nil {
		fields["time"] = *seconds
	}
	return updateExisting(ctx, r.Store, SrcDump, name, "download.", fields)
}

// UploadPending marks the source's upload as waiting to run, until one
// succeeds (UploadDone).
func (r Records) UploadPending(ctx context.Context, name string) error {
	return update(ctx, r.Store, SrcDump, name, "", map[string]any{"pending": []any{"upload"}})
}

// UploadStarted records the start of the upload of sub-source sub at
// j.StartedAt, from j.Release in j.DataFolder; a parallel upload also
// gives j.Jobs and its temp collection j.Temp.
func (r Records) UploadStarted(ctx context.Context, source, sub string, j UploadJob) error {
	fields := map[string]any{
		"status": "uploading", "step": "parse", "release": j.Release, "data_folder": j.DataFolder,
		"started_at": j.StartedAt, "err": nil,
	}
	if j.Temp != "" {
		fields["jobs"], fields["temp"] = j.Jobs, j.Temp
	}
	return update(ctx, r.Store, SrcDump, source, "upload.jobs."+sub+".", fields)
}

// UploadFailed records the failure of the upload of sub.
func (r Records) UploadFailed(ctx context.Context, source, sub, reason string) error {
	return update(ctx, r.Store, SrcDump, source, "upload.jobs."+sub+".", map[string]any{"status": Failed, "err": reason})
}

// UploadDone records the success of the upload of sub (j.Count,
// j.Time, j.LastSuccess, j.Rejected, j.RejectSamples); the source's
// upload is no longer pending.
func (r Records) UploadDone(ctx context.Context, source, sub string, j UploadJob) error {
	err := update(ctx, r.Store, SrcDump, source, "upload.jobs."+sub+".", map[string]any{
		"status": Success, "step": "done", "count": j.Count, "time": j.Time,
		"last_success": j.LastSuccess, "rejected": j.Rejected, "reject_samples": list(j.RejectSamples),
	})
	if err != nil {
		return err
	}
	if err := r.Store.C(SrcDump).Unset(ctx, source, "pending"); err != nil {
		return fmt.Errorf("update %s %q: %w", SrcDump, source, err)
	}
	return nil
}

// Master returns the src_master record of sub-source sub.
func (r Records) Master(ctx context.Context, sub string) (Master, error) {
	return get[Master](ctx, r.Store, SrcMaster, sub)
}

// Masters returns every src_master record, in _id order.
func (r Records) Masters(ctx context.Context) ([]Master, error) {
	return find[Master](ctx, r.Store, SrcMaster, docstore.Query{})
}

// SourceOf returns the source (src_dump _id, the plugin) of a sub-source:
// its src_master's source, else the sub-source's own name (a plugin with
// one uploader named after it, or one not uploaded yet).
func (r Records) SourceOf(ctx context.Context, sub string) string {
	if m, err := r.Master(ctx, sub); err == nil && m.Source != "" {
		return m.Source
	}
	return sub
}

// SubUploaded records an uploaded sub-source in src_master: m.Name,
// m.Source, m.Timestamp, m.Release, m.Count, m.SrcMeta, and m.Mapping
// when the uploader gives one (else the registered mapping stays).
func (r Records) SubUploaded(ctx context.Context, m Master) error {
	fields := map[string]any{
		"name": m.Name, "source": m.Source, "timestamp": m.Timestamp,
		"release": m.Release, "count": m.Count, "src_meta": m.SrcMeta,
	}
	if m.Mapping != nil {
		fields["mapping"] = m.Mapping
	}
	return update(ctx, r.Store, SrcMaster, m.ID, "", fields)
}

// CommitMapping makes mapping the registered mapping of sub-source sub,
// committed at when. The sub-source must have been uploaded: a missing
// record is an error wrapping docstore.ErrNotFound.
func (r Records) CommitMapping(ctx context.Context, sub string, mapping map[string]any, when string) error {
	if _, err := r.Master(ctx, sub); err != nil {
		return err
	}
	return update(ctx, r.Store, SrcMaster, sub, "", map[string]any{"mapping": mapping, "mapping_committed_at": when})
}

// SaveInspectedMapping replaces the inspected mapping of sub-source sub
// (the user's edit), edited at when.
func (r Records) SaveInspectedMapping(ctx context.Context, sub string, mapping map[string]any, when string) error {
	return update(ctx, r.Store, SrcDump, r.SourceOf(ctx, sub), "inspect.jobs."+sub+".", map[string]any{
		"results.mapping": mapping, "edited_at": when,
	})
}

// Inspected names what an inspection is of: a sub-source, or a build.
type Inspected struct {
	Build bool
	Name  string
}

// inspection is where the inspection of t is recorded.
func (r Records) inspection(ctx context.Context, t Inspected) (coll, id, prefix string) {
	if t.Build {
		return SrcBuild, t.Name, "inspect."
	}
	return SrcDump, r.SourceOf(ctx, t.Name), "inspect.jobs." + t.Name + "."
}

// InspectionStarted records the start of an inspection of t at when.
func (r Records) InspectionStarted(ctx context.Context, t Inspected, when string) error {
	coll, id, prefix := r.inspection(ctx, t)
	return update(ctx, r.Store, coll, id, prefix, map[string]any{"status": "inspecting", "started_at": when, "err": nil})
}

// InspectionFailed records the failure of an inspection of t.
func (r Records) InspectionFailed(ctx context.Context, t Inspected, reason string) error {
	coll, id, prefix := r.inspection(ctx, t)
	return update(ctx, r.Store, coll, id, prefix, map[string]any{"status": Failed, "err": reason})
}

// InspectionDone records a successful inspection of t: i.Mode,
// i.Results, i.Time, i.Count and i.LastSuccess.
func (r Records) InspectionDone(ctx context.Context, t Inspected, i Inspection) error {
	coll, id, prefix := r.inspection(ctx, t)
	return update(ctx, r.Store, coll, id, prefix, map[string]any{
		"status": Success, "mode": list(i.Mode), "results": i.Results, "time": i.Time,
		"count": i.Count, "last_success": i.LastSuccess,
	})
}

// KnownSources maps each sub-source the hub has uploaded (src_master) to
// whether it has a registered mapping.
func (r Records) KnownSources(ctx context.Context) (map[string]bool, error) {
	masters, err := r.Masters(ctx)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(masters))
	for _, m := range masters {
		known[m.ID] = len(m.Mapping) > 0
	}
	return known, nil
}

// KnownSources is Records.KnownSources of hubDB.
func KnownSources(ctx context.Context, hubDB docstore.Store) (map[string]bool, error) {
	return Records{Store: hubDB}.KnownSources(ctx)
}
