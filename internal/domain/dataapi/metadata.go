package dataapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/engine/search"
)

// serveStatus is GET and HEAD /status: 200 when the index answers a
// count, 503 with the reason when it does not (a load balancer's health
// check reads the status alone). With dev (?dev, any value, as
// biothings.web reads it) the answer adds what the engine says of itself
// (biothings.web adds the cluster's health and info): engine, version.
func (a *api) serveStatus(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	n, err := a.eng.Count(ctx, a.index, search.MatchAll{})
	if err != nil {
		a.log.Warn("data API: status check failed", "index", a.index, "err", err)
		writeAnswer(w, http.StatusServiceUnavailable, "json",
			errBody(http.StatusServiceUnavailable, fmt.Sprintf("The index %s does not answer.", a.index)))
		return
	}
	body := map[string]any{"success": true, "status": "ok", "index": a.index, "docs": n}
	if _, dev := r.URL.Query()["dev"]; dev {
		if info, err := a.eng.Info(ctx); err == nil {
			body["engine"] = info.Backend
			body["version"] = info.Version
		}
		body["software"] = softwareInfo()
	}
	writeAnswer(w, http.StatusOK, "json", body)
}

// metadata is /metadata: the index _meta (build_date, build_version,
// biothing_type, src, stats, ...), with biothing_type filled in from the
// doc type when the build did not set it. As in biothings.web, keys
// starting with "_" and each source's field mapping (src.<name>.mapping)
// are left out unless dev is set; with dev, the answer adds "software"
// and each source's mapping is replaced by "fields", the sorted dotted
// names of its fields.
func (a *api) metadata(ctx context.Context, dev bool) answer {
	spec, err := a.eng.GetIndex(ctx, a.index)
	if err != nil {
		return answer{err: err}
	}
	meta, _ := wholeNumbers(spec.Normalized().Meta).(map[string]any)
	out := make(map[string]any, len(meta)+1)
	for k, v := range meta {
		if dev || !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	if _, ok := out["biothing_type"]; !ok {
		out["biothing_type"] = a.docType
	}
	if src, isMap := out["src"].(map[string]any); isMap {
		out["src"] = sourcesShown(src, dev)
	}
	if dev {
		out["software"] = softwareInfo()
	}
	return ok(out)
}

// sourcesShown is src with each source's mapping left out, or, with dev,
// replaced by the sorted names of its fields.
func sourcesShown(src map[string]any, dev bool) map[string]any {
	out := make(map[string]any, len(src))
	for name, v := range src {
		info, isMap := v.(map[string]any)
		mapping, has := info["mapping"].(map[string]any)
		if !isMap || !has {
			out[name] = v
			continue
		}
		c := copyMap(info)
		delete(c, "mapping")
		if dev {
			names := mappingPaths(mapping, "", nil)
			sort.Strings(names)
			fields := make([]any, len(names))
			for i, f := range names {
				fields[i] = f
			}
			c["fields"] = fields
		}
		out[name] = c
	}
	return out
}

// mappingPaths adds the dotted path of every field of properties,
// objects included, as biothings.web's field listing names them.
func mappingPaths(properties map[string]any, prefix string, out []string) []string {
	for name, d := range properties {
		path := joinPath(prefix, name)
		out = append(out, path)
		if def, ok := d.(map[string]any); ok {
			if sub, ok := def["properties"].(map[string]any); ok {
				out = mappingPaths(sub, path, out)
			}
		}
	}
	return out
}

// softwareInfo describes the running program, as biothings.web's
// "software" does for a Python one: the Go version, the main module and
// its version control revision, and the modules built in.
func softwareInfo() map[string]any {
	out := map[string]any{"go-info": map[string]any{"version": runtime.Version()}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return out
	}
	codebase := map[string]any{"module": bi.Main.Path, "version": bi.Main.Version}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			codebase["commit-hash"] = s.Value
		case "vcs.time":
			codebase["commit-time"] = s.Value
		case "vcs.modified":
			codebase["modified"] = s.Value == "true"
		}
	}
	out["codebase"] = codebase
	mods := make([]any, 0, len(bi.Deps))
	for _, d := range bi.Deps {
		mods = append(mods, d.Path+" "+d.Version)
	}
	out["go-package-info"] = mods
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// fields is /metadata/fields: every field of the mapping as a flat
// {"a.b": {"type", "index", "searched_by_default"}}. Objects are walked
// into (an object that is not indexed, "enabled": false, is listed as
// type object); multi-fields appear as "field.sub". The catch-all "all"
// field is left out: no document holds it. searched_by_default is true
// for fields copied to "all" and fields named in the index's
// query.default_field. prefix keeps the fields whose name starts with it,
// search those whose name holds it (case-insensitively).
func (a *api) fields(ctx context.Context, o apiopts.Options) answer {
	spec, err := a.eng.GetIndex(ctx, a.index)
	if err != nil {
		return answer{err: err}
	}
	byDefault := map[string]bool{}
	if v, ok := search.Setting(spec.Settings, "query.default_field"); ok {
		for _, f := range asStrings(v) {
			byDefault[f] = true
		}
	}
	needle := strings.ToLower(o.Search)
	out := map[string]any{}
	walkMapping(spec.Mapping, "", func(path string, def map[string]any) {
		if path == "all" || !strings.HasPrefix(path, o.Prefix) || !strings.Contains(strings.ToLower(path), needle) {
			return
		}
		t, _ := def["type"].(string)
		if t == "" {
			t = "object"
		}
		searched := byDefault[path]
		for _, c := range asStrings(def["copy_to"]) {
			searched = searched || c == "all"
		}
		out[path] = map[string]any{"type": t, "index": indexed(def), "searched_by_default": searched}
	})
	return ok(out)
}

// walkMapping calls fn on each field of a mapping ({"properties": ...}),
// by dotted path, objects walked into, multi-fields as "field.sub".
func walkMapping(mapping map[string]any, prefix string, fn func(path string, def map[string]any)) {
	props, _ := mapping["properties"].(map[string]any)
	for name, d := range props {
		def, ok := d.(map[string]any)
		if !ok {
			continue
		}
		path := prefix + name
		if _, isObject := def["properties"].(map[string]any); isObject {
			walkMapping(def, path+".", fn)
			continue
		}
		fn(path, def)
		if subs, ok := def["fields"].(map[string]any); ok {
			walkMapping(map[string]any{"properties": subs}, path+".", fn)
		}
	}
}

// indexed reads "index" and "enabled" (booleans, or their text).
func indexed(def map[string]any) bool {
	for _, k := range []string{"index", "enabled"} {
		switch v := def[k].(type) {
		case bool:
			if !v {
				return false
			}
		case string:
			if strings.EqualFold(v, "false") {
				return false
			}
		}
	}
	return true
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// wholeNumbers copies decoded JSON, turning floats with an integral value
// into int64: an index's _meta may come back from the engine with every
// number a float, and "total": 100.0 is not what the build wrote.
func wholeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = wholeNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wholeNumbers(e)
		}
		return out
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return v
}
