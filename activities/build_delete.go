package activities

import (
	"context"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/temporal/contract"
)

// BuildDelete drops a build's collection, then its hub record, so that a
// retry after a failure finds the record and drops again (dropping a
// missing collection is a no-op). A build without a record is answered
// Deleted: false and its collection left alone.
func (a *Activities) BuildDelete(ctx context.Context, in contract.DeleteBuildInput) (contract.DeleteBuildResult, error) {
	res := contract.DeleteBuildResult{Build: in.Build}
	exists, err := a.records().Exists(ctx, hub.SrcBuild, in.Build)
	if err != nil || !exists {
		return res, err
	}
	if err := a.Target.Drop(ctx, in.Build); err != nil {
		return res, fmt.Errorf("drop collection of build %s: %w", in.Build, err)
	}
	if _, err := a.records().DeleteBuild(ctx, in.Build); err != nil {
		return res, err
	}
	res.Deleted = true
	return res, nil
}
