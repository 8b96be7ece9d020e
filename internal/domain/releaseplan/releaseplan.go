// Package releaseplan says how a build can be released: in full (a
// successful build) or incrementally (a diff against the previous
// successful build of its configuration, possible when the mapping only
// gained fields), and whether a full release is recommended because the
// diff changes too large a share of the documents.
package releaseplan

import (
	"context"
	"fmt"
	"strings"

	"studio/internal/domain/differ"
	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// DefaultThresholdPercent is the full-release threshold when none is
// configured: above this share of changed documents, a full release is
// recommended.
const DefaultThresholdPercent = 50

// Options is how a build can be released, as GET /build/<id>/release_options
// answers it.
type Options struct {
	Full        Full        `json:"full"`
	Incremental Incremental `json:"incremental"`
}

// Full says whether a full release is possible.
type Full struct {
	Possible bool `json:"possible"`
}

// Incremental says whether an incremental release is possible, against
// which build, or why not. Fields are in alphabetical order, as the hub API
// has always answered them.
type Incremental struct {
	// ChangedPercent is the share of the build's documents the diff
	// against Previous adds, updates or deletes; nil until that diff exists.
	ChangedPercent *float64 `json:"changed_percent,omitempty"`
	Possible       bool     `json:"possible"`
	// Previous is the build to diff against.
	Previous string `json:"previous,omitempty"`
	// Reason says why an incremental release is not possible.
	Reason string `json:"reason,omitempty"`
	// RecommendFull is ChangedPercent > ThresholdPercent; nil with it.
	RecommendFull    *bool `json:"recommend_full,omitempty"`
	ThresholdPercent int   `json:"threshold_percent,omitempty"`
}

// For reads build id and its configuration's other builds from the hub
// and says how it can be released. thresholdPercent <= 0 means
// DefaultThresholdPercent. A missing build is an error wrapping
// docstore.ErrNotFound.
func For(ctx context.Context, hubStore docstore.Store, id string, thresholdPercent int) (Options, error) {
	builds := hubStore.C(hub.SrcBuild)
	b, err := builds.Get(ctx, id)
	if err != nil {
		return Options{}, fmt.Errorf("build %q: %w", id, err)
	}
	conf := hub.Str(b, "build_config.name")
	out := Options{Full: Full{Possible: hub.Str(b, "status") == hub.Success}}
	done, err := builds.Find(ctx, docstore.Query{Filter: map[string]any{"build_config.name": conf, "status": hub.Success}})
	if err != nil {
		return Options{}, fmt.Errorf("successful builds of configuration %q: %w", conf, err)
	}
	prev := previous(b, id, done)
	if prev == nil {
		out.Incremental.Reason = fmt.Sprintf("no earlier successful build of configuration %q to diff against", conf)
		return out, nil
	}
	out.Incremental = incremental(b, prev, thresholdPercent)
	return out, nil
}

// previous is the latest build of builds started before b, or nil.
func previous(b docstore.Doc, id string, builds []docstore.Doc) docstore.Doc {
	var prev docstore.Doc
	for _, o := range builds {
		if oid, _ := docstore.ID(o); oid != id && hub.Str(o, "started_at") < hub.Str(b, "started_at") &&
			(prev == nil || hub.Str(o, "started_at") > hub.Str(prev, "started_at")) {
			prev = o
		}
	}
	return prev
}

// incremental compares build b with its previous build prev: their
// mappings, and the size of their diff if it exists.
func incremental(b, prev docstore.Doc, thresholdPercent int) Incremental {
	prevID, _ := docstore.ID(prev)
	inc := Incremental{Previous: prevID}
	oldMap, _ := prev["mapping"].(map[string]any)
	newMap, _ := b["mapping"].(map[string]any)
	if _, incompatible := differ.MappingDiff(oldMap, newMap); len(incompatible) > 0 {
		inc.Reason = fmt.Sprintf("the mapping changed incompatibly since %s (%s): release in full", prevID, strings.Join(incompatible, ", "))
		return inc
	}
	inc.Possible = true
	if thresholdPercent <= 0 {
		thresholdPercent = DefaultThresholdPercent
	}
	inc.ThresholdPercent = thresholdPercent
	if d, _ := docstore.GetPath(b, "diff."+prevID+".stats"); d != nil {
		st, _ := d.(map[string]any)
		changed := hub.Int(st, "add") + hub.Int(st, "update") + hub.Int(st, "delete")
		count := max(hub.Int(b, "count"), 1)
		pct := 100 * float64(changed) / float64(count)
		full := pct > float64(thresholdPercent)
		inc.ChangedPercent, inc.RecommendFull = &pct, &full
	}
	return inc
}
