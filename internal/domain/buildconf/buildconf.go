// Package buildconf holds build configurations (BioThings'
// src_build_config): which sources a build merges, which of them may create
// documents, how builds are versioned, and the index settings and _meta of
// their releases.
package buildconf

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"studio/internal/domain/merge"
	"studio/internal/engine/search"
)

// Config is one build configuration.
type Config struct {
	Name         string         `json:"name"`
	DocType      string         `json:"doc_type"`
	Sources      []string       `json:"sources"`
	Root         []string       `json:"root,omitempty"`
	BuildVersion string         `json:"build_version,omitempty"` // strftime format, default %Y%m%d
	NumShards    int            `json:"num_shards,omitempty"`
	NumReplicas  int            `json:"num_replicas,omitempty"`
	Meta         map[string]any `json:"_meta,omitempty"`
	// ExtraIndexSettings are index settings a full release adds to
	// Studio's own (BioThings' extra_index_settings), e.g. the analyzers a
	// mapping names; see ReleaseSpec.
	ExtraIndexSettings IndexSettings `json:"extra_index_settings,omitempty"`
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// Validate checks the configuration on its own; known maps each sub-source
// the hub knows to whether it has a registered mapping. All problems are
// reported at once.
func (c Config) Validate(known map[string]bool) error {
	var errs []error
	switch {
	case c.Name == "":
		errs = append(errs, errors.New("name is required"))
	case strings.Contains(c.Name, "."):
		errs = append(errs, fmt.Errorf("name %q: a dot is not allowed (it is used in index and collection names)", c.Name))
	case !namePattern.MatchString(c.Name):
		errs = append(errs, fmt.Errorf("name %q: use letters, digits, '_' and '-' only", c.Name))
	}
	if c.DocType == "" {
		errs = append(errs, errors.New("doc_type is required (e.g. \"variant\"): it names the data API's annotation route"))
	}
	if len(c.Sources) == 0 {
		errs = append(errs, errors.New("sources is empty: name at least one source"))
	}
	seen := map[string]bool{}
	for _, s := range c.Sources {
		hasMapping, ok := known[s]
		switch {
		case seen[s]:
			errs = append(errs, fmt.Errorf("source %q is listed twice", s))
		case !ok:
			errs = append(errs, fmt.Errorf("source %q is unknown: upload it first", s))
		case !hasMapping:
			errs = append(errs, fmt.Errorf("source %q has no registered mapping: inspect it and commit its mapping first", s))
		}
		seen[s] = true
	}
	if len(c.Sources) > 0 {
		if _, _, err := (merge.Config{Sources: c.Sources, Root: c.Root}).Roots(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.NumShards < 0 || c.NumReplicas < 0 {
		errs = append(errs, errors.New("num_shards and num_replicas must not be negative"))
	}
	if _, err := Strftime(c.versionFormat(), time.Now()); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.ExtraIndexSettings.check()...)
	return errors.Join(errs...)
}

// ReleaseSpec returns the definition of the index a full release of a
// build of this configuration creates: search.ReleaseSpec (Studio's
// settings, with the configuration's shards and replicas; the build's
// mapping and _meta) with ExtraIndexSettings merged into the settings
// (search.MergeSettings: Studio's keyword_lowercase_normalizer stays unless
// they define one of that name).
func (c Config) ReleaseSpec(mapping, meta map[string]any) search.IndexSpec {
	spec := search.ReleaseSpec(mapping, meta, c.NumShards, c.NumReplicas)
	if len(c.ExtraIndexSettings) > 0 {
		spec.Settings = search.MergeSettings(spec.Settings, c.ExtraIndexSettings)
	}
	return spec
}

// CheckIndexSettings checks ExtraIndexSettings against the search engine:
// one that cannot apply some (the bleve backend, see
// search.SettingsChecker) refuses them naming each setting.
func (c Config) CheckIndexSettings(eng search.Engine) error {
	return search.CheckSettings(eng, c.ExtraIndexSettings)
}

func (c Config) versionFormat() string {
	if c.BuildVersion == "" {
		return "%Y%m%d"
	}
	return c.BuildVersion
}

// NewBuildID returns the id (and target collection name) of a new build:
// <config>_<version>_<random>, lower case.
func (c Config) NewBuildID(now time.Time) (id, version string, err error) {
	version, err = Strftime(c.versionFormat(), now)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	return strings.ToLower(c.Name + "_" + version + "_" + hex.EncodeToString(b)), version, nil
}

// Strftime formats t with the strftime directives BioThings build versions
// use: %Y %y %m %d %H %M %S %j %%. Others are an error naming them.
func Strftime(format string, t time.Time) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		if i+1 == len(format) {
			return "", fmt.Errorf("build_version %q ends with a lone %%", format)
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("build_version %q: directive %%%c is not supported (use %%Y %%y %%m %%d %%H %%M %%S %%j)", format, format[i])
		}
	}
	out := b.String()
	if strings.ContainsAny(out, "./ ") {
		return "", fmt.Errorf("build_version %q gives %q: a version may not contain '.', '/' or spaces", format, out)
	}
	return out, nil
}

// BuildMeta is a build's _meta: what the build computed (biothing_type,
// src, stats, build_version, build_date) with the configuration's _meta laid
// over it. Objects merge key by key, so a key the configuration gives is
// kept as given (BioThings lets the configuration's _meta win) while the
// build still adds its own beside it: a configuration's
// src.<source>.license_url sits next to the source's version, and its
// stats next to the total. Neither argument is modified.
func (c Config) BuildMeta(computed map[string]any) map[string]any {
	out := make(map[string]any, len(computed)+len(c.Meta))
	overlay(out, computed)
	overlay(out, c.Meta)
	return out
}

// overlay copies src into dst, merging objects key by key; src wins
// elsewhere.
func overlay(dst, src map[string]any) {
	for k, v := range src {
		add, isMap := v.(map[string]any)
		if !isMap {
			dst[k] = v
			continue
		}
		have, ok := dst[k].(map[string]any)
		if !ok {
			have = make(map[string]any, len(add))
			dst[k] = have
		}
		overlay(have, add)
	}
}
