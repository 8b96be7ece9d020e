package contract

// ValidateMappingInput is the input of the ValidateMapping workflow.
type ValidateMappingInput struct {
	// Mapping is the mapping's properties, or a mapping with "properties".
	Mapping map[string]any `json:"mapping"`
}

// ValidateMappingResult is the result of a ValidateMapping workflow that
// found the mapping valid (an invalid one fails the workflow).
type ValidateMappingResult struct {
	Valid bool `json:"valid"`
}
