// Package releasenote summarises what changed between two builds: document
// counts, fields added, removed or changed in the mapping, fields touched by
// updates, and per-source version changes; as JSON and as text.
package releasenote

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"studio/internal/domain/differ"
)

// Build is what a note needs of one build.
type Build struct {
	ID      string         `json:"build"`
	Version string         `json:"build_version"`
	Count   int64          `json:"count"`
	Mapping map[string]any `json:"-"`
	Meta    map[string]any `json:"-"`
}

// SourceChange is a source whose version changed, appeared or went away.
type SourceChange struct {
	Source string `json:"source"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
}

// Note is a release note.
type Note struct {
	Old           Build            `json:"old"`
	New           Build            `json:"new"`
	Stats         differ.Stats     `json:"stats"`
	FieldsAdded   []string         `json:"fields_added"`
	FieldsRemoved []string         `json:"fields_removed"`
	FieldsRetyped []string         `json:"fields_changed_type"`
	FieldsUpdated map[string]int64 `json:"fields_updated"` // field -> updates touching it
	Sources       []SourceChange   `json:"sources"`
}

// Make builds a note from the two builds and their diff. updates is every
// update of the diff (from its files).
func Make(old, new Build, md differ.Metadata, updates []differ.Update) Note {
	n := Note{Old: old, New: new, Stats: md.Stats, FieldsUpdated: map[string]int64{}}
	oldF, newF := leafTypes(old.Mapping, ""), leafTypes(new.Mapping, "")
	for p, t := range newF {
		switch ot, ok := oldF[p]; {
		case !ok:
			n.FieldsAdded = append(n.FieldsAdded, p)
		case ot != t:
			n.FieldsRetyped = append(n.FieldsRetyped, p+" ("+ot+" -> "+t+")")
		}
	}
	for p := range oldF {
		if _, ok := newF[p]; !ok {
			n.FieldsRemoved = append(n.FieldsRemoved, p)
		}
	}
	for _, u := range updates {
		seen := map[string]bool{}
		for _, op := range u.Patch {
			f := fieldOf(op.Path)
			if !seen[f] {
				seen[f] = true
				n.FieldsUpdated[f]++
			}
		}
	}
	n.Sources = sourceChanges(old.Meta, new.Meta)
	for _, l := range [][]string{n.FieldsAdded, n.FieldsRemoved, n.FieldsRetyped} {
		slices.Sort(l)
	}
	n.FieldsAdded, n.FieldsRemoved, n.FieldsRetyped = orEmpty(n.FieldsAdded), orEmpty(n.FieldsRemoved), orEmpty(n.FieldsRetyped)
	return n
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// leafTypes flattens a "properties" mapping to dotted path -> type.
func leafTypes(m map[string]any, prefix string) map[string]string {
	out := map[string]string{}
	if p, ok := m["properties"].(map[string]any); ok && prefix == "" {
		m = p
	}
	for k, v := range m {
		def, _ := v.(map[string]any)
		path := prefix + k
		if props, ok := def["properties"].(map[string]any); ok {
			maps.Copy(out, leafTypes(props, path+"."))
			continue
		}
		t, _ := def["type"].(string)
		out[path] = t
	}
	return out
}

// fieldOf turns a JSON Pointer into a dotted field, dropping list indexes.
func fieldOf(pointer string) string {
	var parts []string
	for _, p := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if _, err := strconv.Atoi(p); err == nil || p == "-" {
			continue
		}
		parts = append(parts, strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~"))
	}
	return strings.Join(parts, ".")
}

func sourceChanges(oldMeta, newMeta map[string]any) []SourceChange {
	version := func(meta map[string]any) map[string]string {
		out := map[string]string{}
		src, _ := meta["src"].(map[string]any)
		for name, v := range src {
			m, _ := v.(map[string]any)
			out[name] = fmt.Sprint(m["version"])
		}
		return out
	}
	ov, nv := version(oldMeta), version(newMeta)
	names := slices.Sorted(maps.Keys(ov))
	for n := range nv {
		if _, ok := ov[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := []SourceChange{}
	for _, n := range names {
		if ov[n] != nv[n] {
			out = append(out, SourceChange{Source: n, Old: ov[n], New: nv[n]})
		}
	}
	return out
}

// Text renders the note for people.
func (n Note) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Release note: %s -> %s\n\n", n.Old.ID, n.New.ID)
	fmt.Fprintf(&b, "Documents: %d -> %d (%+d): %d added, %d updated, %d deleted.\n",
		n.Old.Count, n.New.Count, n.New.Count-n.Old.Count, n.Stats.Add, n.Stats.Update, n.Stats.Delete)
	for _, s := range n.Sources {
		switch {
		case s.Old == "":
			fmt.Fprintf(&b, "Source %s added (version %s).\n", s.Source, s.New)
		case s.New == "":
			fmt.Fprintf(&b, "Source %s removed (was version %s).\n", s.Source, s.Old)
		default:
			fmt.Fprintf(&b, "Source %s: version %s -> %s.\n", s.Source, s.Old, s.New)
		}
	}
	list := func(title string, l []string) {
		if len(l) > 0 {
			fmt.Fprintf(&b, "%s: %s.\n", title, strings.Join(l, ", "))
		}
	}
	list("Fields added", n.FieldsAdded)
	list("Fields removed", n.FieldsRemoved)
	list("Fields whose type changed", n.FieldsRetyped)
	if len(n.FieldsUpdated) > 0 {
		var parts []string
		for _, f := range slices.Sorted(maps.Keys(n.FieldsUpdated)) {
			parts = append(parts, fmt.Sprintf("%s (%d)", f, n.FieldsUpdated[f]))
		}
		fmt.Fprintf(&b, "Fields changed by updates: %s.\n", strings.Join(parts, ", "))
	}
	return b.String()
}
