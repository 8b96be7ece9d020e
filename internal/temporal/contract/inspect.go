package contract

import (
	"encoding/json"
	"fmt"

	"studio/internal/domain/inspect"
)

// InspectInput is the input of the Inspect workflow. DataProvider is
// ["src", "<sub-source>"] or a build id, as in BioThings.
type InspectInput struct {
	DataProvider json.RawMessage `json:"data_provider"`
	Mode         []string        `json:"mode,omitempty"`   // type, stats, mapping (default mapping)
	Limit        int64           `json:"limit,omitempty"`  // inspect at most this many documents
	Sample       float64         `json:"sample,omitempty"` // inspect about this fraction (0 < x <= 1)
}

// InspectTarget is where an inspection reads and records.
type InspectTarget struct {
	Kind string `json:"kind"` // "src" or "build"
	Name string `json:"name"` // sub-source or build id
}

// InspectResult is what an inspection found.
type InspectResult struct {
	Target InspectTarget  `json:"target"`
	Result inspect.Result `json:"result"`
	Time   float64        `json:"time"`
}

// ParseTarget reads a data_provider: ["src", name] or "<build id>".
func ParseTarget(raw json.RawMessage) (InspectTarget, error) {
	var pair []string
	if err := json.Unmarshal(raw, &pair); err == nil {
		if len(pair) == 2 && pair[0] == "src" && pair[1] != "" {
			return InspectTarget{Kind: "src", Name: pair[1]}, nil
		}
		return InspectTarget{}, fmt.Errorf(`data_provider %s: want ["src", "<source>"] or a build id`, raw)
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" {
		return InspectTarget{}, fmt.Errorf(`data_provider %s: want ["src", "<source>"] or a build id`, raw)
	}
	return InspectTarget{Kind: "build", Name: id}, nil
}

// Modes returns the inspection modes, checked.
func (in InspectInput) Modes() ([]inspect.Mode, error) {
	if len(in.Mode) == 0 {
		return []inspect.Mode{"mapping"}, nil
	}
	var out []inspect.Mode
	for _, m := range in.Mode {
		switch m {
		case "type", "stats", "mapping":
			out = append(out, inspect.Mode(m))
		default:
			return nil, fmt.Errorf("mode %q: want type, stats or mapping", m)
		}
	}
	return out, nil
}
