package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
	"studio/workflows"
)

// TestDeleteBuild runs DeleteBuild on the dev server: it drops the build's
// collection and record; a build without a record is answered
// Deleted: false and another build's collection is left alone.
func TestDeleteBuild(t *testing.T) {
	s := newParallelStack(t)
	ctx := context.Background()
	if err := s.eng.Hub.C(hub.SrcBuild).Insert(ctx, []docstore.Doc{{"_id": "c_1", "status": hub.Success}}); err != nil {
		t.Fatal(err)
	}
	for _, coll := range []string{"c_1", "orphan"} {
		if err := s.eng.Target.C(coll).Insert(ctx, []docstore.Doc{{"_id": "d1"}}); err != nil {
			t.Fatal(err)
		}
	}
	var res contract.DeleteBuildResult
	if err := s.run(contract.DeleteBuildID("c_1"), workflows.DeleteBuildName, contract.DeleteBuildInput{Build: "c_1"}, &res); err != nil || !res.Deleted {
		t.Fatalf("delete c_1: %+v, %v", res, err)
	}
	s.replay(contract.DeleteBuildID("c_1"), "delete_build.history.json")
	if _, err := s.eng.Hub.C(hub.SrcBuild).Get(ctx, "c_1"); !errors.Is(err, docstore.ErrNotFound) {
		t.Errorf("record of c_1 after delete: %v, want not found", err)
	}
	if err := s.run(contract.DeleteBuildID("orphan"), workflows.DeleteBuildName, contract.DeleteBuildInput{Build: "orphan"}, &res); err != nil || res.Deleted {
		t.Fatalf("delete a build without a record: %+v, %v; want Deleted false", res, err)
	}
	colls, err := s.eng.Target.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(colls, ",") != "orphan" {
		t.Errorf("target collections after deletes: %v, want [orphan]", colls)
	}
}
