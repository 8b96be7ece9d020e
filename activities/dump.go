package activities

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"studio/internal/domain/advanced"
	"studio/internal/domain/archive"
	"studio/internal/domain/download"
	"studio/internal/domain/hub"
	"studio/internal/domain/manifest"
	"studio/internal/temporal/progress"
)

// DumpPlan is what a dump will do.
type DumpPlan struct {
	Source     string   `json:"source"`
	Release    string   `json:"release"`
	DataFolder string   `json:"data_folder"`
	URLs       []string `json:"urls"`    // to download, in manifest order
	Nothing    bool     `json:"nothing"` // nothing newer: no download
	Reason     string   `json:"reason"`
	Uncompress bool     `json:"uncompress"`
	StartedAt  string   `json:"started_at"`
	// Holder is the worker that prepared the dump: its downloads and the
	// upload that reads them go there.
	Holder Holder `json:"holder,omitempty"`
}

// FetchInput is one URL of a dump.
type FetchInput struct {
	Source     string `json:"source"`
	URL        string `json:"url"`
	DataFolder string `json:"data_folder"`
}

var unsafeRelease = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// releaseFolder turns a release string into a folder name.
func releaseFolder(release string) string {
	f := unsafeRelease.ReplaceAllString(release, "_")
	if f == "" || f == "." || f == ".." {
		f = "_"
	}
	return f
}

// nonRetryable marks errors that a retry cannot fix.
// Its message is err's whole text; err is not kept as a cause, which
// Temporal would record and show a second time.
func nonRetryable(kind string, err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), kind, nil)
}

// isNonRetryable says whether err already carries a non-retryable mark.
func isNonRetryable(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable()
}

// loadManifest loads the registered plugin's manifest (for an advanced
// plugin, the one its classes amount to).
func (a *Activities) loadManifest(ctx context.Context, source string) (*manifest.Manifest, error) {
	rec, err := a.records().Plugin(ctx, source)
	if err != nil {
		return nil, nonRetryable("NoSource", err)
	}
	if err := a.ensurePlugin(ctx, source, rec); err != nil {
		return nil, err
	}
	m, err := advanced.Load(ctx, a.pluginDir(source), source, a.Python)
	if err != nil {
		return nil, nonRetryable("BadManifest", err)
	}
	return m, nil
}

// DumpPrepare probes the source's URLs, decides the release and what must
// be downloaded, and marks the dump as running in src_dump.
func (a *Activities) DumpPrepare(ctx context.Context, in DumpInput) (DumpPlan, error) {
	m, err := a.loadManifest(ctx, in.Source)
	if err != nil {
		return DumpPlan{}, err
	}
	if m.Dumper.Disabled {
		return DumpPlan{}, nonRetryable("DumperDisabled", fmt.Errorf("source %s: its dumper is disabled in the manifest", in.Source))
	}
	rec, err := a.records().Source(ctx, in.Source)
	if err != nil {
		return DumpPlan{}, nonRetryable("NoSource", err)
	}
	force := in.Force
	reasonForce := "forced"
	if st := rec.Download.Status; st != hub.Success {
		// A dump that failed or never finished is redone whatever the dates.
		force = true
		reasonForce = "the previous dump did not succeed"
		if st == "" {
			reasonForce = "first dump"
		}
	}
	infos := make([]download.Info, 0, len(m.Dumper.DataURLs))
	for _, u := range m.Dumper.DataURLs {
		info, err := download.Probe(ctx, u)
		if err != nil {
			err = fmt.Errorf("source %s: %w", in.Source, err)
			if download.IsPermanent(err) {
				return DumpPlan{}, nonRetryable("DownloadRefused", err)
			}
			return DumpPlan{}, err
		}
		infos = append(infos, info)
	}
	release, err := a.release(ctx, in.Source, m, infos)
	if err != nil {
		return DumpPlan{}, err
	}
	plan := DumpPlan{
		Source:     in.Source,
		Release:    release,
		DataFolder: filepath.Join(a.archiveRoot(), in.Source, releaseFolder(release)),
		Uncompress: m.Dumper.Uncompress,
		StartedAt:  hub.Now(),
		Holder:     a.own(),
	}
	for _, info := range infos {
		if force {
			plan.URLs = append(plan.URLs, info.URL)
			plan.Reason = reasonForce
			continue
		}
		if newer, why := download.IsNewer(info, filepath.Join(plan.DataFolder, info.Name)); newer {
			plan.URLs = append(plan.URLs, info.URL)
			plan.Reason = why
		}
	}
	if len(plan.URLs) == 0 {
		plan.Nothing = true
		plan.Reason = "nothing to dump: the local copy of release " + release + " is up to date"
		return plan, nil
	}
	if err := os.MkdirAll(plan.DataFolder, 0o755); err != nil {
		return plan, fmt.Errorf("source %s: data folder %s: %w", in.Source, plan.DataFolder, err)
	}
	err = a.records().DownloadStarted(ctx, in.Source, hub.Download{StartedAt: plan.StartedAt, Release: release, DataFolder: plan.DataFolder})
	return plan, err
}

// release is the release of a dump: the manifest's release function, else
// the last URL's release (Last-Modified date or ETag), else today.
func (a *Activities) release(ctx context.Context, source string, m *manifest.Manifest, infos []download.Info) (string, error) {
	if m.Dumper.Release != "" {
		return a.callRelease(ctx, source, m)
	}
	if r := infos[len(infos)-1].Release; r != "" {
		return r, nil
	}
	return time.Now().UTC().Format("2006-01-02"), nil
}

// DumpFetch downloads one URL into the release folder, resuming a partial
// download left by an earlier attempt, and heartbeats bytes done and total.
func (a *Activities) DumpFetch(ctx context.Context, in FetchInput) (FetchedFile, error) {
	meter := progress.NewMeter("download", "bytes", 0)
	info, err := download.Fetch(ctx, in.URL, in.DataFolder, download.Options{
		Progress: func(done, total int64) {
			meter.Total = max(total, 0)
			activity.RecordHeartbeat(ctx, meter.At(done, download.Redact(in.URL)))
		},
	})
	if err != nil {
		err = fmt.Errorf("source %s: %w", in.Source, err)
		if download.IsPermanent(err) {
			return FetchedFile{}, nonRetryable("DownloadRefused", err)
		}
		return FetchedFile{}, err
	}
	path := filepath.Join(in.DataFolder, info.Name)
	if err := archive.Check(path, archive.IsArchive(info.Name)); err != nil {
		// The server answered, but not with data: retrying will not help.
		_ = os.Remove(path)
		return FetchedFile{}, nonRetryable("BadContent", fmt.Errorf("source %s: %s: %w", in.Source, download.Redact(in.URL), err))
	}
	st, err := os.Stat(path)
	if err != nil {
		return FetchedFile{}, err
	}
	return FetchedFile{Name: info.Name, Size: st.Size(), URL: download.Redact(in.URL)}, nil
}

// DumpFinishInput closes a dump.
type DumpFinishInput struct {
	Plan  DumpPlan      `json:"plan"`
	Files []FetchedFile `json:"files"`
}

// DumpFinish unpacks archives when the manifest asks, and records the
// successful dump in src_dump, with the upload pending.
func (a *Activities) DumpFinish(ctx context.Context, in DumpFinishInput) (DumpResult, error) {
	p := in.Plan
	res := DumpResult{Source: p.Source, Status: "success", Release: p.Release, DataFolder: p.DataFolder, Files: in.Files}
	if p.Uncompress {
		for _, f := range in.Files {
			if !archive.IsArchive(f.Name) {
				continue
			}
			activity.RecordHeartbeat(ctx, progress.Progress{Step: "uncompress", Resume: f.Name})
			files, err := archive.Extract(ctx, filepath.Join(p.DataFolder, f.Name), p.DataFolder, a.Unpack)
			if err != nil {
				return res, nonRetryable("BadArchive", fmt.Errorf("source %s: %w", p.Source, err))
			}
			res.Unpacked = append(res.Unpacked, files...)
		}
	}
	started, _ := time.Parse(time.RFC3339, p.StartedAt)
	files := make([]hub.DownloadFile, len(in.Files))
	for i, f := range in.Files {
		files[i] = hub.DownloadFile{Name: f.Name, Size: f.Size, URL: f.URL}
	}
	err := a.records().DownloadDone(ctx, p.Source, hub.Download{
		Release: p.Release, DataFolder: p.DataFolder, LastSuccess: hub.Now(),
		Time: time.Since(started).Round(time.Millisecond).Seconds(), Files: files, Unpacked: res.Unpacked,
	})
	if err != nil {
		return res, err
	}
	if err := a.recordFiles(ctx, DumpFilesKey(p.Source), p.DataFolder); err != nil {
		return res, err
	}
	// The upload pipeline picks this up; until it runs, the source says so.
	return res, a.records().UploadPending(ctx, p.Source)
}

// DumpFailedInput records a failed dump.
type DumpFailedInput struct {
	Source    string `json:"source"`
	Err       string `json:"err"`
	StartedAt string `json:"started_at,omitempty"`
}

// DumpFailed records the failure of a dump in src_dump.
func (a *Activities) DumpFailed(ctx context.Context, in DumpFailedInput) error {
	var seconds *float64
	if t, err := time.Parse(time.RFC3339, in.StartedAt); err == nil {
		s := time.Since(t).Round(time.Millisecond).Seconds()
		seconds = &s
	}
	return a.records().DownloadFailed(ctx, in.Source, in.Err, seconds)
}
