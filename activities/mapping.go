package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"studio/internal/engine/search"
	"studio/internal/temporal/contract"
)

// MappingValidate checks a mapping the way a full release would use it: it
// creates a temporary index with the release settings and the mapping,
// then deletes it whatever the outcome. An invalid mapping is a
// non-retryable "invalid mapping: <the engine's message>".
func (a *Activities) MappingValidate(ctx context.Context, in contract.ValidateMappingInput) (contract.ValidateMappingResult, error) {
	props := in.Mapping
	if p, ok := props["properties"].(map[string]any); ok {
		props = p
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "studio_validate_" + hex.EncodeToString(b)
	err := a.Search.CreateIndex(ctx, name, search.ReleaseSpec(props, map[string]any{"validation": true}, 1, 0))
	defer func() {
		// Deleted even when ctx is canceled: the index must not outlive
		// the check.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = a.Search.DeleteIndex(ctx, name)
	}()
	if errors.Is(err, search.ErrInvalidSpec) {
		return contract.ValidateMappingResult{}, nonRetryable("InvalidMapping", fmt.Errorf("invalid mapping: %w", err))
	}
	if err != nil {
		return contract.ValidateMappingResult{}, fmt.Errorf("create validation index %s: %w", name, err)
	}
	return contract.ValidateMappingResult{Valid: true}, nil
}
