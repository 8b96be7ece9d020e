package activities

import (
	"context"
	"errors"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/temporal/contract"
)

// BuildDelete drops a build's collection, then its hub record, so that a
// retry after a failure finds the record and drops again (dropping a
// missing collection is a no-op). A build without a record is answered
// Deleted: false and its collection left alone.
func (a *Activities) BuildDelete(ctx context.Context, in contract.DeleteBuildInput) (contract.DeleteBuildResult, error) {
	res := contract.DeleteBuildResult{Build: in.Build}
	_, err := a.Hub.C(hub.SrcBuild).Get(ctx, in.Build)
	if errors.Is(err, docstore.ErrNotFound) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("read build %s: %w", in.Build, err)
	}
	if err := a.Target.Drop(ctx, in.Build); err != nil {
		return res, fmt.Errorf("drop collection of build %s: %w", in.Build, err)
	}
	if _, err := a.Hub.C(hub.SrcBuild).Delete(ctx, in.Build); err != nil {
		return res, fmt.Errorf("delete record of build %s: %w", in.Build, err)
	}
	res.Deleted = true
	return res, nil
}
