package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"studio/internal/domain/inspect"
	"studio/internal/temporal/commands"
	"studio/internal/temporal/contract"
)

// summaries say, for people, what a completed command did, by workflow
// type; other results are shown as JSON.
var summaries = map[string]func(result any) string{
	contract.DumpName:    dumpSummary,
	contract.UploadName:  uploadSummary,
	contract.InspectName: inspectSummary,
	contract.BuildName:   buildSummary,
	contract.IndexName:   indexSummary,
	contract.DiffName:    diffSummary,
	contract.SyncName:    syncSummary,
}

// summarize says what a completed command did.
func summarize(cmd commands.Command) string {
	if f := summaries[cmd.Type]; f != nil {
		return f(cmd.Result)
	}
	return resultSummary(cmd.Result)
}

// resultSummary shows a result as indented JSON when it is short, and
// names its parts when it is not.
func resultSummary(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	if strings.Count(string(b), "\n") < 40 {
		return string(b)
	}
	if m, ok := v.(map[string]any); ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		return fmt.Sprintf("result: %d bytes of JSON with %s (--json prints it whole)", len(b), strings.Join(sortedStrings(keys), ", "))
	}
	return fmt.Sprintf("result: %d bytes of JSON (--json prints it whole)", len(b))
}

// seconds shows a duration given in seconds: "1.234s", "312ms".
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

func dumpSummary(v any) string {
	var r struct {
		Status, Release, Reason string
		DataFolder              string `json:"data_folder"`
		Files                   []any
	}
	if !decode(v, &r) || r.Status == "" {
		return resultSummary(v)
	}
	if r.Status != "success" {
		return fmt.Sprintf("%s: %s (release %s); --force downloads again", r.Status, r.Reason, r.Release)
	}
	return fmt.Sprintf("release %s: %d file(s) in %s", r.Release, len(r.Files), r.DataFolder)
}

// uploadSummary shows each uploader's documents.
func uploadSummary(v any) string {
	var subs []struct {
		Sub   string  `json:"sub"`
		Count int64   `json:"count"`
		Time  float64 `json:"time"`
	}
	if !decode(v, &subs) || len(subs) == 0 {
		return resultSummary(v)
	}
	lines := make([]string, len(subs))
	for i, s := range subs {
		lines[i] = fmt.Sprintf("%s: %d documents stored in %s", s.Sub, s.Count, seconds(s.Time))
	}
	return strings.Join(lines, "\n")
}

func inspectSummary(v any) string {
	var r struct {
		Target struct{ Kind, Name string } `json:"target"`
		Result inspect.Result              `json:"result"`
		Time   float64                     `json:"time"`
	}
	if !decode(v, &r) {
		return resultSummary(v)
	}
	s := fmt.Sprintf("inspected %d documents in %s", r.Result.Count, seconds(r.Time))
	if r.Result.Mapping != nil {
		s += fmt.Sprintf(": a mapping of %d fields", len(inspect.Fields(r.Result.Mapping)))
	}
	for _, e := range r.Result.Errors {
		s += fmt.Sprintf("\n  problem at %s: %s (%d documents, e.g. %s)", e.Path, e.Problem, e.Count, e.SampleID)
	}
	if r.Target.Kind == "src" && r.Result.Mapping != nil {
		s += fmt.Sprintf("\nsee it: studio mapping %s; commit it: studio mapping commit %s", r.Target.Name, r.Target.Name)
	}
	return s
}

func buildSummary(v any) string {
	var r struct {
		BuildID    string           `json:"build_id"`
		Total      int64            `json:"total"`
		MergeStats map[string]int64 `json:"merge_stats"`
	}
	if !decode(v, &r) || r.BuildID == "" {
		return resultSummary(v)
	}
	var per []string
	for _, s := range sortedKeys(r.MergeStats) {
		per = append(per, fmt.Sprintf("%s %d", s, r.MergeStats[s]))
	}
	return fmt.Sprintf("build %s: %d documents (%s)\nrelease it: studio release %s --index NAME", r.BuildID, r.Total, strings.Join(per, ", "), r.BuildID)
}

func indexSummary(v any) string {
	var r struct {
		Index string `json:"index"`
		Count int64  `json:"count"`
	}
	if !decode(v, &r) || r.Index == "" {
		return resultSummary(v)
	}
	return fmt.Sprintf("index %s: %d documents\nserve it: studio api create --name NAME --index %s --port PORT", r.Index, r.Count, r.Index)
}

func diffSummary(v any) string {
	var r struct {
		Old, New string
		Stats    struct{ Add, Update, Delete int64 }
		Files    []any
	}
	if !decode(v, &r) || r.New == "" {
		return resultSummary(v)
	}
	return fmt.Sprintf("diff %s -> %s: %d added, %d updated, %d deleted, in %d file(s)", r.Old, r.New, r.Stats.Add, r.Stats.Update, r.Stats.Delete, len(r.Files))
}

func syncSummary(v any) string {
	var r struct{ Files, Skipped, Added, Updated, Deleted int }
	if !decode(v, &r) {
		return resultSummary(v)
	}
	return fmt.Sprintf("synced %d file(s) (%d applied before): %d added, %d updated, %d deleted", r.Files, r.Skipped, r.Added, r.Updated, r.Deleted)
}
