package workflows_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"studio/internal/domain/plugingen"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/contract"
	"studio/workflows"
)

// TestNewPlugin runs NewPlugin on the dev server with a plugin made from a
// TSV file: it answers the registered plugin and the dump it started, and
// the dump goes on to upload the file. A folder that is no plugin fails
// it at once, naming the folder, and starts no dump.
func TestNewPlugin(t *testing.T) {
	s := newParallelStack(t)
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "genes.tsv")
	if err := os.WriteFile(data, []byte("gene\tscore\nG1\t1\nG2\t2\nG3\t3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := plugingen.Options{Name: "genes", Format: "tsv", ID: "{gene}", Root: "genes", Fields: []plugingen.Field{
		{Column: "gene", Path: "gene", Keep: true}, {Column: "score", Path: "score", Type: "int", Keep: true},
	}}
	dir := filepath.Join(t.TempDir(), "genes")
	if _, err := plugingen.Write(ctx, dir, o.Manifest("file://"+data, "genes.tsv", false), ""); err != nil {
		t.Fatal(err)
	}

	var res contract.NewPluginResult
	if err := s.run(contract.NewPluginID("genes"), workflows.NewPluginName, contract.NewPluginInput{Name: "genes", URL: dir}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Plugin.Name != "genes" || res.Plugin.Type != "git" || res.Dump.ID != contract.DumpID("genes") || res.Dump.RunID == "" {
		t.Fatalf("NewPlugin = %+v", res)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := s.c.GetWorkflow(wctx, res.Dump.ID, res.Dump.RunID).Get(wctx, nil); err != nil {
		t.Fatalf("the dump NewPlugin started: %v", err)
	}
	for {
		err := s.c.GetWorkflow(wctx, contract.UploadID("genes"), "").Get(wctx, nil)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "not found") {
			t.Fatalf("the upload the dump started: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, err := s.eng.Src.C("genes").Count(ctx); err != nil || n != 3 {
		t.Fatalf("source genes holds %d documents (%v), want 3", n, err)
	}
	s.replay(contract.NewPluginID("genes"), "new_plugin.history.json")

	empty := t.TempDir()
	err := s.run(contract.NewPluginID("empty"), workflows.NewPluginName, contract.NewPluginInput{Name: "empty", URL: empty}, nil)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(commands.ErrorText(err), empty) {
		t.Fatalf("NewPlugin of an empty folder: %v, want a non-retryable failure naming %s", err, empty)
	}
	if _, err := s.c.DescribeWorkflowExecution(ctx, contract.DumpID("empty"), ""); err == nil {
		t.Error("NewPlugin of an empty folder started a dump")
	}
}
