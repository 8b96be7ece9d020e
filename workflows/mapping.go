package workflows

import (
	"go.temporal.io/sdk/workflow"

	"studio/internal/temporal/contract"
)

// ValidateMapping checks a mapping on a temporary index of the search
// engine (activity MappingValidate); an invalid mapping fails it with the
// engine's message.
func ValidateMapping(ctx workflow.Context, in contract.ValidateMappingInput) (contract.ValidateMappingResult, error) {
	var res contract.ValidateMappingResult
	err := workflow.ExecuteActivity(shortActivity(ctx), a.MappingValidate, in).Get(ctx, &res)
	return res, err
}
