package main

import (
	"context"
	"fmt"
	"time"

	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore/mongo"
)

// studioRun is what Studio's upload of the plugin did.
type studioRun struct {
	Uploader     string // the uploader's name: the live collection
	OnDuplicates string
	Parser       string
	Stats        uploadstore.Stats
	Elapsed      time.Duration
}

// studioUpload uploads the plugin's data the way the UploadRun activity
// does (activities/upload.go): the manifest's parser through pyparser.Run
// into an uploadstore.Writer on the Mongo document store, then Flush and
// Switch. It leaves out the activity's progress heartbeats and the hub
// records written after the switch.
//
// onDuplicates, when not empty, replaces the manifest's policy (a
// diagnosis, not the plugin's upload).
func studioUpload(ctx context.Context, uri, database, pluginDir, dataFolder, python string, env []string, batch, mongoBatch int, onDuplicates string) (studioRun, error) {
	var r studioRun
	m, file, err := manifest.Load(pluginDir, pluginName)
	if err != nil {
		return r, err
	}
	if len(m.Uploaders) != 1 || m.Uploaders[0].Parser.Func == "" {
		return r, fmt.Errorf("%s/%s: want one uploader with a Python parser, got %d uploaders", pluginDir, file, len(m.Uploaders))
	}
	up := m.Uploaders[0]
	if onDuplicates != "" {
		up.OnDuplicates = onDuplicates
	}
	r.Uploader, r.OnDuplicates, r.Parser = up.Name, up.OnDuplicates, up.Parser.Func
	spec := pyparser.Spec{
		PluginDir: pluginDir, Func: up.Parser.Func, Kwargs: up.ParserKwargs,
		Requires: m.Requires, Package: m.Package, Python: python, Env: env,
	}

	start := time.Now()
	store, err := mongo.Open(ctx, uri, database, mongo.Options{BatchSize: mongoBatch})
	if err != nil {
		return r, err
	}
	defer store.Close()
	if err := pyparser.CheckRequires(ctx, spec); err != nil {
		return r, err
	}
	w, err := uploadstore.NewWriter(ctx, store, up.Name, uploadstore.Options{OnDuplicates: up.OnDuplicates, BatchSize: batch})
	if err != nil {
		return r, err
	}
	if _, err := pyparser.Run(ctx, spec, dataFolder, pyparser.Limits{}, func(doc map[string]any) error {
		return w.Add(ctx, doc)
	}); err != nil {
		_ = w.Abort(context.WithoutCancel(ctx))
		return r, fmt.Errorf("studio upload: %w", err)
	}
	if err := w.Flush(ctx); err != nil {
		_ = w.Abort(context.WithoutCancel(ctx))
		return r, fmt.Errorf("studio upload: %w", err)
	}
	if r.Stats, err = w.Switch(ctx); err != nil {
		return r, fmt.Errorf("studio upload: switch: %w", err)
	}
	r.Elapsed = time.Since(start)
	return r, nil
}
