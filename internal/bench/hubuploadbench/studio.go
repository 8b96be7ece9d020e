package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"studio/internal/domain/manifest"
	"studio/internal/domain/pyparser"
	"studio/internal/domain/uploadstore"
	"studio/internal/engine/docstore/mongo"
)

// studioPlugin is the plugin's uploader as Studio reads its manifest.
type studioPlugin struct {
	dir  string
	m    *manifest.Manifest
	up   manifest.Uploader
	file string
}

func loadStudioPlugin(dir string) (studioPlugin, error) {
	m, file, err := manifest.Load(dir, pluginName)
	if err != nil {
		return studioPlugin{}, err
	}
	if len(m.Uploaders) != 1 || m.Uploaders[0].Parser.Func == "" {
		return studioPlugin{}, fmt.Errorf("%s/%s: want one uploader with a Python parser, got %d uploaders", dir, file, len(m.Uploaders))
	}
	return studioPlugin{dir: dir, m: m, up: m.Uploaders[0], file: file}, nil
}

// studioRun is what one Studio upload did.
type studioRun struct {
	Stats   uploadstore.Stats
	Elapsed time.Duration
	// Stopped is set when the upload ran out of its time; Stored is then
	// the documents its temp collection held.
	Stopped bool
	Stored  int64
}

// studioUpload uploads the plugin's data the way the UploadRun activity
// does (activities/upload.go): the manifest's parser through pyparser.Run
// into an uploadstore.Writer on the Mongo document store (MONGO_URI,
// MONGO_BATCH), then Flush and Switch. It leaves out the activity's
// progress heartbeats and the hub records written after the switch.
// onDuplicates is the Writer's policy (the manifest's, or a diagnosis).
// After limit (0: none) it stops the upload and counts what was stored.
func studioUpload(ctx context.Context, p studioPlugin, onDuplicates, uri, database, dataFolder, python string, env []string, batch, mongoBatch int, limit time.Duration) (studioRun, error) {
	var r studioRun
	spec := pyparser.Spec{
		PluginDir: p.dir, Func: p.up.Parser.Func, Kwargs: p.up.ParserKwargs,
		Requires: p.m.Requires, Package: p.m.Package, Python: python, Env: env,
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
	w, err := uploadstore.NewWriter(ctx, store, p.up.Name, uploadstore.Options{OnDuplicates: onDuplicates, BatchSize: batch})
	if err != nil {
		return r, err
	}
	uctx, cancel := ctx, context.CancelFunc(func() {})
	if limit > 0 {
		uctx, cancel = context.WithTimeout(ctx, limit)
	}
	defer cancel()
	_, err = pyparser.Run(uctx, spec, dataFolder, pyparser.Limits{}, func(doc map[string]any) error {
		return w.Add(uctx, doc)
	})
	if err == nil {
		err = w.Flush(uctx)
	}
	if err != nil {
		r.Elapsed = time.Since(start)
		bg := context.WithoutCancel(ctx)
		if errors.Is(uctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			r.Stopped = true
			temp, _ := w.Position()
			r.Stored, err = store.C(temp).Count(bg)
			if aerr := w.Abort(bg); err == nil {
				err = aerr
			}
			return r, err
		}
		_ = w.Abort(bg)
		return r, fmt.Errorf("studio upload: %w", err)
	}
	if r.Stats, err = w.Switch(ctx); err != nil {
		return r, fmt.Errorf("studio upload: switch: %w", err)
	}
	r.Elapsed = time.Since(start)
	r.Stored = r.Stats.Stored
	return r, nil
}
