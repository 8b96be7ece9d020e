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
	records := hub.Records{Store: hubStore}
	b, err := records.Build(ctx, id)
	if err != nil {
		return Options{}, err
	}
	conf := b.BuildConfig.Name
	out := Options{Full: Full{Possible: b.Status == hub.Success}}
	done, err := records.SuccessfulBuilds(ctx, conf)
	if err != nil {
		return Options{}, err
	}
	prev, ok := previous(b, done)
	if !ok {
		out.Incremental.Reason = fmt.Sprintf("no earlier successful build of configuration %q to diff against", conf)
		return out, nil
	}
	out.Incremental = incremental(b, prev, thresholdPercent)
	return out, nil
}

// previous is the latest of builds started before b.
func previous(b hub.Build, builds []hub.Build) (hub.Build, bool) {
	var prev hub.Build
	found := false
	for _, o := range builds {
		if o.ID != b.ID && o.StartedAt < b.StartedAt && (!found || o.StartedAt > prev.StartedAt) {
			prev, found = o, true
		}
	}
	return prev, found
}

// incremental compares build b with its previous build prev: their
// mappings, and the size of their diff if it exists.
func incremental(b, prev hub.Build, thresholdPercent int) Incremental {
	inc := Incremental{Previous: prev.ID}
	if _, incompatible := differ.MappingDiff(prev.Mapping, b.Mapping); len(incompatible) > 0 {
		inc.Reason = fmt.Sprintf("the mapping changed incompatibly since %s (%s): release in full", prev.ID, strings.Join(incompatible, ", "))
		return inc
	}
	inc.Possible = true
	if thresholdPercent <= 0 {
		thresholdPercent = DefaultThresholdPercent
	}
	inc.ThresholdPercent = thresholdPercent
	if d, ok := b.Diff[prev.ID]; ok && d.Has("stats") {
		changed := d.Stats.Changed()
		count := max(b.Count, 1)
		pct := 100 * float64(changed) / float64(count)
		full := pct > float64(thresholdPercent)
		inc.ChangedPercent, inc.RecommendFull = &pct, &full
	}
	return inc
}
