package manifest

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"
)

var (
	namePattern    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]+$`)
	modFuncPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$`)
	identPattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// URL schemes a dumper may download from.
var DataURLSchemes = []string{"http", "https", "ftp", "file"}

var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a dumper "schedule": standard 5-field cron, 6 fields
// where the sixth is seconds (as BioThings, through croniter, reads them), or
// a descriptor such as "@daily" or "@every 6h".
func ParseSchedule(spec string) (cron.Schedule, error) {
	return scheduleParser.Parse(secondsFirst(spec))
}

// secondsFirst moves a trailing seconds field to the front, the order the
// cron parser and Temporal expect.
func secondsFirst(spec string) string {
	f := strings.Fields(spec)
	if len(f) != 6 {
		return spec
	}
	return strings.Join(append([]string{f[5]}, f[:5]...), " ")
}

// TemporalCron turns a valid manifest schedule into a Temporal Schedule cron
// expression: 5 fields and descriptors stay; "m h dom mon dow s" becomes
// "s m h dom mon dow *".
func TemporalCron(spec string) string {
	if f := strings.Fields(spec); len(f) == 6 {
		return secondsFirst(spec) + " *"
	}
	return strings.TrimSpace(spec)
}

// checker walks a manifest tree, collecting every problem it meets.
type checker struct {
	file       string
	pluginName string
	errs       Errors
}

func (c *checker) errorf(path string, v *value, format string, args ...any) {
	line := 0
	if v != nil {
		line = v.line
	}
	c.errs = append(c.errs, Error{File: c.file, Path: path, Msg: fmt.Sprintf(format, args...), Line: line})
}

func child(path, key string) string {
	if identPattern.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// object checks that v is an object whose keys are all in allowed, and
// reports the unknown ones.
func (c *checker) object(path string, v *value, allowed ...string) bool {
	if v.kind != kindObject {
		c.errorf(path, v, "want an object, got %s", v.describe())
		return false
	}
	for i, k := range v.keys {
		if slices.Contains(allowed, k) {
			continue
		}
		msg := fmt.Sprintf("unknown key %q: allowed keys are %s", k, strings.Join(allowed, ", "))
		for _, a := range allowed {
			if strings.EqualFold(a, k) {
				msg = fmt.Sprintf("unknown key %q: did you mean %q?", k, a)
			}
		}
		c.errorf(child(path, k), v.vals[i], "%s", msg)
	}
	return true
}

func (c *checker) require(path string, obj *value, key string, hint string) (*value, bool) {
	v, ok := obj.field(key)
	if !ok {
		c.errorf(child(path, key), obj, "required key is missing: %s", hint)
	}
	return v, ok
}

func (c *checker) str(path string, v *value) (string, bool) {
	if v.kind != kindString {
		hint := ""
		if v.kind == kindNumber {
			hint = fmt.Sprintf(`: quote it ("%s")`, v.num)
		}
		c.errorf(path, v, "want a string, got %s%s", v.describe(), hint)
		return "", false
	}
	return v.s, true
}

func (c *checker) boolean(path string, v *value) bool {
	if v.kind != kindBool {
		c.errorf(path, v, "want true or false, got %s", v.describe())
		return false
	}
	return v.b
}

func (c *checker) modFunc(path string, v *value) string {
	s, ok := c.str(path, v)
	if !ok {
		return ""
	}
	if !modFuncPattern.MatchString(s) {
		c.errorf(path, v, `want "module:function" (Python names, e.g. "parser:load_data"), got %q`, s)
		return ""
	}
	return s
}

func (c *checker) manifest(root *value) *Manifest {
	m := &Manifest{}
	if !c.object("$", root, "version", "display_name", "biothing_type", "requires",
		"__metadata__", "dumper", "uploader", "uploaders") {
		return m
	}
	if v, ok := c.require("$", root, "version", `give the plugin's version, e.g. "version": "0.1"`); ok {
		m.Version, _ = c.str("$.version", v)
	}
	if v, ok := root.field("display_name"); ok {
		m.DisplayName, _ = c.str("$.display_name", v)
	}
	if v, ok := root.field("biothing_type"); ok {
		m.BiothingType, _ = c.str("$.biothing_type", v)
	}
	if v, ok := root.field("requires"); ok {
		m.Requires = c.requires("$.requires", v)
	}
	if v, ok := root.field("__metadata__"); ok {
		m.Metadata = c.metadata("$.__metadata__", v)
	}
	if v, ok := c.require("$", root, "dumper", `declare where the data is, e.g. "dumper": {"data_url": "https://..."}`); ok {
		m.Dumper = c.dumper("$.dumper", v)
	}
	one, hasOne := root.field("uploader")
	many, hasMany := root.field("uploaders")
	switch {
	case hasOne && hasMany:
		c.errorf("$", root, `has both "uploader" and "uploaders": keep one`)
	case hasOne:
		m.SingleUploader = true
		if u, ok := c.uploader("$.uploader", one, true); ok {
			u.Name = c.pluginName
			m.Uploaders = []Uploader{u}
		}
	case hasMany:
		m.Uploaders = c.uploaders("$.uploaders", many)
	default:
		c.errorf("$", root, `missing "uploader" (or "uploaders"): declare the parser that turns the data into documents`)
	}
	return m
}

// requires accepts a list of strings, or one string as BioThings does.
func (c *checker) requires(path string, v *value) []string {
	if v.kind == kindString {
		return []string{v.s}
	}
	if v.kind != kindList {
		c.errorf(path, v, "want a list of Python package names, got %s", v.describe())
		return nil
	}
	var out []string
	for i, e := range v.list {
		if s, ok := c.str(index(path, i), e); ok {
			out = append(out, s)
		}
	}
	return out
}

func (c *checker) metadata(path string, v *value) map[string]any {
	if v.kind != kindObject {
		c.errorf(path, v, "want an object (license, license_url, url, description, ...), got %s", v.describe())
		return nil
	}
	for _, k := range []string{"license", "license_url", "url", "description"} {
		if e, ok := v.field(k); ok {
			c.str(child(path, k), e)
		}
	}
	out, _ := v.plain().(map[string]any)
	return out
}

func (c *checker) dumper(path string, v *value) Dumper {
	var d Dumper
	if !c.object(path, v, "data_url", "uncompress", "schedule", "release", "disabled") {
		return d
	}
	if u, ok := c.require(path, v, "data_url", `give the URL(s) of the data, e.g. "data_url": "https://example.org/data.zip"`); ok {
		d.DataURLs = c.dataURLs(path+".data_url", u)
	}
	if e, ok := v.field("uncompress"); ok {
		d.Uncompress = c.boolean(path+".uncompress", e)
	}
	if e, ok := v.field("disabled"); ok {
		d.Disabled = c.boolean(path+".disabled", e)
	}
	if e, ok := v.field("release"); ok {
		d.Release = c.modFunc(path+".release", e)
	}
	if e, ok := v.field("schedule"); ok {
		if s, ok := c.str(path+".schedule", e); ok {
			if _, err := ParseSchedule(s); err != nil {
				c.errorf(path+".schedule", e, `invalid cron schedule %q: %v; use 5 fields "min hour day month weekday", 6 with leading seconds, or a descriptor like "@daily"`, s, err)
			} else {
				d.Schedule = s
			}
		}
	}
	return d
}

func (c *checker) dataURLs(path string, v *value) []string {
	var items []*value
	var paths []string
	switch v.kind {
	case kindString:
		items, paths = []*value{v}, []string{path}
	case kindList:
		if len(v.list) == 0 {
			c.errorf(path, v, "the list is empty: give at least one URL")
			return nil
		}
		for i, e := range v.list {
			items = append(items, e)
			paths = append(paths, index(path, i))
		}
	default:
		c.errorf(path, v, "want a URL or a list of URLs, got %s", v.describe())
		return nil
	}
	var urls []string
	first := ""
	for i, e := range items {
		s, ok := c.str(paths[i], e)
		if !ok {
			continue
		}
		scheme, msg := checkURL(s)
		if msg != "" {
			c.errorf(paths[i], e, "%s", msg)
			continue
		}
		if first == "" {
			first = scheme
		} else if schemeFamily(scheme) != schemeFamily(first) {
			c.errorf(paths[i], e, "scheme %q differs from %q of the first URL: all URLs of a dumper must use one scheme (http and https count as one)", scheme, first)
			continue
		}
		urls = append(urls, s)
	}
	return urls
}

// schemeFamily groups the schemes one dumper may mix: BioThings builds the
// same dumper for http and https, so a list may hold both (each URL is
// still fetched by its own scheme).
func schemeFamily(scheme string) string {
	if scheme == "https" {
		return "http"
	}
	return scheme
}

// checkURL returns the URL's scheme, or a message saying what is wrong.
func checkURL(s string) (string, string) {
	want := fmt.Sprintf("want an http, https, ftp or file URL, got %q", s)
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" {
		return "", want
	}
	scheme := strings.ToLower(u.Scheme)
	if !slices.Contains(DataURLSchemes, scheme) {
		return "", want
	}
	if scheme == "file" {
		if u.Path == "" || u.Path == "/" {
			return "", fmt.Sprintf("file URL %q names no file: write file:///absolute/path", s)
		}
		return scheme, ""
	}
	if u.Host == "" {
		return "", fmt.Sprintf("URL %q has no host", s)
	}
	return scheme, ""
}

func (c *checker) uploaders(path string, v *value) []Uploader {
	if v.kind != kindList {
		c.errorf(path, v, "want a list of uploaders, got %s", v.describe())
		return nil
	}
	if len(v.list) == 0 {
		c.errorf(path, v, "the list is empty: declare at least one uploader")
		return nil
	}
	var out []Uploader
	seen := map[string]int{}
	for i, e := range v.list {
		p := index(path, i)
		u, ok := c.uploader(p, e, false)
		if u.Name != "" {
			if j, dup := seen[u.Name]; dup {
				f, _ := e.field("name")
				c.errorf(p+".name", f, "uploader name %q is already used by %s: names must be unique", u.Name, index(path, j))
				ok = false
			} else {
				seen[u.Name] = i
			}
		}
		if ok {
			out = append(out, u)
		}
	}
	return out
}

var uploaderKeys = []string{"parser", "parser_kwargs", "on_duplicates", "mapping", "parallelizer", "keylookup"}

func (c *checker) uploader(path string, v *value, single bool) (Uploader, bool) {
	u := Uploader{OnDuplicates: OnDuplicatesError}
	before := len(c.errs)
	keys := slices.Clone(uploaderKeys)
	if !single {
		keys = append([]string{"name"}, uploaderKeys...)
	}
	if v.kind == kindObject {
		if e, ok := v.field("ignore_duplicates"); ok {
			c.ignoreDuplicates(child(path, "ignore_duplicates"), e)
			keys = append(keys, "ignore_duplicates") // reported above, not again as unknown
		}
	}
	if !c.object(path, v, keys...) {
		return u, false
	}
	if !single {
		if e, ok := c.require(path, v, "name", `name each uploader, e.g. "name": "cgi_variants"`); ok {
			if s, ok := c.str(path+".name", e); ok {
				if namePattern.MatchString(s) {
					u.Name = s
				} else {
					c.errorf(path+".name", e, "uploader name %q must match %s (letters, digits, underscore; not starting with a digit)", s, namePattern)
				}
			}
		}
	}
	if e, ok := c.require(path, v, "parser", `name the parser, e.g. "parser": "parser:load_data"`); ok {
		u.Parser = c.parser(path+".parser", e)
	}
	if e, ok := v.field("parser_kwargs"); ok {
		if e.kind != kindObject {
			c.errorf(path+".parser_kwargs", e, "want an object of keyword arguments, got %s", e.describe())
		} else {
			u.ParserKwargs, _ = e.plain().(map[string]any)
		}
	}
	if e, ok := v.field("on_duplicates"); ok {
		if s, ok := c.str(path+".on_duplicates", e); ok {
			switch s {
			case OnDuplicatesError, OnDuplicatesIgnore, OnDuplicatesMerge:
				u.OnDuplicates = s
			default:
				c.errorf(path+".on_duplicates", e, `want "error", "ignore" or "merge", got %q`, s)
			}
		}
	}
	if e, ok := v.field("mapping"); ok {
		u.Mapping = c.modFunc(path+".mapping", e)
	}
	if e, ok := v.field("parallelizer"); ok {
		u.Parallelizer = c.parallelizer(path+".parallelizer", e, u.Parser)
	}
	if e, ok := v.field("keylookup"); ok {
		c.errorf(path+".keylookup", e, `keylookup is not supported: it converts identifiers through network calls to public BioThings APIs (biothings_client), which Studio does not make; remove "keylookup" and convert the identifiers in the parser`)
	}
	return u, len(c.errs) == before
}

// parallelizer checks an uploader's "parallelizer": a "module:function"
// beside a Python parser, not named "jobs" (BioThings reserves that name for
// the uploader method that calls it).
func (c *checker) parallelizer(path string, v *value, p Parser) string {
	s := c.modFunc(path, v)
	if s == "" {
		return ""
	}
	if strings.TrimSpace(s[strings.LastIndexByte(s, ':')+1:]) == "jobs" {
		c.errorf(path, v, `the parallelizer function may not be named "jobs": BioThings reserves that name for the uploader method calling it; rename the function, e.g. "parallelizer:parallel_jobs"`)
		return ""
	}
	if p.Spec != nil {
		c.errorf(path, v, `a parallelizer needs a Python parser ("module:function"): it lists the arguments of each parser call; a declarative parser reads every file of the data folder itself, so remove "parallelizer"`)
		return ""
	}
	return s
}

func (c *checker) ignoreDuplicates(path string, v *value) {
	switch {
	case v.kind == kindBool && v.b:
		c.errorf(path, v, `"ignore_duplicates" is no longer supported: replace it with "on_duplicates": "ignore"`)
	case v.kind == kindBool:
		c.errorf(path, v, `"ignore_duplicates" is no longer supported: replace it with "on_duplicates": "error" (the default, so you may also just remove it)`)
	default:
		c.errorf(path, v, `"ignore_duplicates" is no longer supported: use "on_duplicates" with "error", "ignore" or "merge"`)
	}
}

func (c *checker) parser(path string, v *value) Parser {
	switch v.kind {
	case kindString:
		return Parser{Func: c.modFunc(path, v)}
	case kindObject:
		f, ok := v.field("format")
		if !ok {
			c.errorf(path+".format", v, "required key is missing: a declarative parser needs a format, one of %s", strings.Join(ParserFormats, ", "))
			return Parser{}
		}
		s, ok := c.str(path+".format", f)
		if !ok {
			return Parser{}
		}
		if !slices.Contains(ParserFormats, s) {
			c.errorf(path+".format", f, "unknown parser format %q: want one of %s", s, strings.Join(ParserFormats, ", "))
			return Parser{}
		}
		spec, _ := v.plain().(map[string]any)
		return Parser{Spec: spec}
	default:
		c.errorf(path, v, `want "module:function" or a declarative parser object with a "format", got %s`, v.describe())
		return Parser{}
	}
}
