package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"studio/internal/temporal/commands"
	"studio/internal/temporal/contract"
	"studio/workflows"
)

// TestValidateMapping runs ValidateMapping on the dev server: a valid
// mapping answers valid, an invalid one fails at once (non-retryable) with
// the engine's message, and no temporary index is left behind.
func TestValidateMapping(t *testing.T) {
	s := newParallelStack(t)
	ctx := context.Background()
	valid := contract.ValidateMappingInput{Mapping: map[string]any{"properties": map[string]any{"a": map[string]any{"type": "keyword"}}}}
	var res contract.ValidateMappingResult
	if err := s.run(contract.ValidateMappingID("ok"), workflows.ValidateMappingName, valid, &res); err != nil || !res.Valid {
		t.Fatalf("valid mapping: %+v, %v", res, err)
	}
	s.replay(contract.ValidateMappingID("ok"), "validate_mapping.history.json")

	bad := contract.ValidateMappingInput{Mapping: map[string]any{"x": map[string]any{"type": "no_such_type"}}}
	err := s.run(contract.ValidateMappingID("bad"), workflows.ValidateMappingName, bad, nil)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("invalid mapping: %v, want a non-retryable application error", err)
	}
	if msg := commands.ErrorText(err); !strings.HasPrefix(msg, "invalid mapping: ") || !strings.Contains(msg, "no_such_type") {
		t.Fatalf("invalid mapping: message %q, want \"invalid mapping: ...no_such_type...\"", msg)
	}
	infos, err := s.eng.Search.ListIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range infos {
		if strings.HasPrefix(i.Name, "studio_validate_") {
			t.Errorf("temporary index %s left behind", i.Name)
		}
	}
}
