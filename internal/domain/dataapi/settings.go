package dataapi

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/domain/hub"
)

// Settings are the per-instance options of a data API that the hub
// stores with the instance (POST /api) and `studio api` takes as flags.
// The zero value is the default of each.
type Settings struct {
	// ScrollSize is the page size of fetch_all (default 1000).
	ScrollSize int `json:"scroll_size,omitempty"`
	// MaxFacetSize lowers the largest facet_size accepted (default and
	// at most 1000).
	MaxFacetSize int `json:"max_facet_size,omitempty"`
	// NestedAggs lets facets name nested aggregations, a(b).
	NestedAggs bool `json:"nested_aggs,omitempty"`
	// Licenses maps dotted field paths to license URLs for _license,
	// over the index _meta's.
	Licenses map[string]string `json:"licenses,omitempty"`
}

// Validate says what is wrong with s, naming the setting.
func (s Settings) Validate() error {
	var errs []error
	if s.ScrollSize < 0 || s.ScrollSize > 10000 {
		errs = append(errs, fmt.Errorf("scroll_size %d: want 1..10000 (0 for the default, %d)", s.ScrollSize, DefaultScrollSize))
	}
	if s.MaxFacetSize < 0 || s.MaxFacetSize > apiopts.MaxFacetSize {
		errs = append(errs, fmt.Errorf("max_facet_size %d: want 1..%d (0 for the default, %d)", s.MaxFacetSize, apiopts.MaxFacetSize, apiopts.MaxFacetSize))
	}
	for f, u := range s.Licenses {
		if strings.TrimSpace(f) == "" || strings.TrimSpace(u) == "" {
			errs = append(errs, fmt.Errorf("licenses: %q: %q: want a field path and a URL", f, u))
		}
	}
	return errors.Join(errs...)
}

// Apply sets cfg's fields from s.
func (s Settings) Apply(cfg *Config) {
	cfg.ScrollSize = s.ScrollSize
	cfg.MaxFacetSize = s.MaxFacetSize
	cfg.NestedAggs = s.NestedAggs
	cfg.Licenses = s.Licenses
}

// Flags declares s's fields as flags of fs: --scroll-size,
// --max-facet-size, --nested-aggs and --license field=URL (repeated).
func (s *Settings) Flags(fs *flag.FlagSet) {
	fs.IntVar(&s.ScrollSize, "scroll-size", s.ScrollSize, "page size of fetch_all (default 1000)")
	fs.IntVar(&s.MaxFacetSize, "max-facet-size", s.MaxFacetSize, "largest facet_size accepted (default and at most 1000)")
	fs.BoolVar(&s.NestedAggs, "nested-aggs", s.NestedAggs, "let facets name nested aggregations, e.g. facets=type_of_gene(taxid)")
	fs.Var(licenseFlag{s}, "license", "field=URL: add _license URL to the field's objects in hits (repeat for more; the index _meta's src.<source>.license_url apply too)")
}

// licenseFlag reads --license field=URL into Settings.Licenses.
type licenseFlag struct{ s *Settings }

func (l licenseFlag) String() string {
	if l.s == nil {
		return ""
	}
	var parts []string
	for f, u := range l.s.Licenses {
		parts = append(parts, f+"="+u)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (l licenseFlag) Set(v string) error {
	f, u, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(f) == "" || strings.TrimSpace(u) == "" {
		return fmt.Errorf("want field=URL, got %q", v)
	}
	if l.s.Licenses == nil {
		l.s.Licenses = map[string]string{}
	}
	l.s.Licenses[strings.TrimSpace(f)] = strings.TrimSpace(u)
	return nil
}

// Doc is how an instance record (and POST /api) holds s: the settings
// given, under their JSON names.
func (s Settings) Doc() map[string]any {
	out := map[string]any{}
	if s.ScrollSize > 0 {
		out["scroll_size"] = int64(s.ScrollSize)
	}
	if s.MaxFacetSize > 0 {
		out["max_facet_size"] = int64(s.MaxFacetSize)
	}
	if s.NestedAggs {
		out["nested_aggs"] = true
	}
	if len(s.Licenses) > 0 {
		l := make(map[string]any, len(s.Licenses))
		for f, u := range s.Licenses {
			l[f] = u
		}
		out["licenses"] = l
	}
	return out
}

// SettingsOf reads the settings of an instance record (absent ones are
// the defaults; records from before the settings have none).
func SettingsOf(rec map[string]any) Settings {
	var s Settings
	s.ScrollSize = intOf(rec["scroll_size"])
	s.MaxFacetSize = intOf(rec["max_facet_size"])
	s.NestedAggs, _ = rec["nested_aggs"].(bool)
	if l, ok := rec["licenses"].(map[string]any); ok {
		s.Licenses = make(map[string]string, len(l))
		for f, u := range l {
			if us, isString := u.(string); isString {
				s.Licenses[f] = us
			}
		}
	}
	return s
}

func intOf(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}

// InstanceSettings reads the settings of an instance record.
func InstanceSettings(a hub.DataAPI) Settings {
	return Settings{ScrollSize: int(a.ScrollSize), MaxFacetSize: int(a.MaxFacetSize), NestedAggs: a.NestedAggs, Licenses: a.Licenses}
}

// SetOn puts s into an instance record.
func (s Settings) SetOn(a *hub.DataAPI) {
	a.ScrollSize, a.MaxFacetSize, a.NestedAggs, a.Licenses = int64(s.ScrollSize), int64(s.MaxFacetSize), s.NestedAggs, s.Licenses
}
