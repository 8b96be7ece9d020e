package apiopts

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// param is one parameter: its keyword, its aliases, and how it sets
// Options.
type param struct {
	aliases []string
	read    func(o *Options, r reader, kind Route) *Error
}

var paramsByKeyword map[string]param

func init() {
	paramsByKeyword = map[string]param{
		"q":                      {read: readQ},
		"ids":                    {aliases: []string{"id"}, read: readIDs},
		"scopes":                 {read: readScopes},
		"fields":                 {aliases: []string{"field", "_source"}, read: readFields},
		"size":                   {aliases: []string{"limit"}, read: intInto("size", func(o *Options) *int { return &o.Size }, MaxSize)},
		"from":                   {aliases: []string{"skip"}, read: intInto("from", func(o *Options) *int { return &o.From }, MaxFrom)},
		"sort":                   {read: readSort},
		"facets":                 {aliases: []string{"aggs"}, read: listInto("facets", func(o *Options) *[]string { return &o.Facets }, MaxListItems)},
		"facet_size":             {read: intInto("facet_size", func(o *Options) *int { return &o.FacetSize }, MaxFacetSize)},
		"fetch_all":              {read: boolInto("fetch_all", func(o *Options) *bool { return &o.FetchAll })},
		"scroll_id":              {read: stringInto("scroll_id", func(o *Options) *string { return &o.ScrollID })},
		"dotfield":               {read: boolInto("dotfield", func(o *Options) *bool { return &o.DotField })},
		"always_list":            {read: listInto("always_list", func(o *Options) *[]string { return &o.AlwaysList }, MaxListItems)},
		"allow_null":             {read: listInto("allow_null", func(o *Options) *[]string { return &o.AllowNull }, MaxListItems)},
		"format":                 {aliases: []string{"out_format"}, read: readFormat},
		"filter":                 {read: stringInto("filter", func(o *Options) *string { return &o.Filter })},
		"post_filter":            {read: stringInto("post_filter", func(o *Options) *string { return &o.PostFilter })},
		"jmespath":               {read: readJMESPath},
		"jmespath_exclude_empty": {read: boolInto("jmespath_exclude_empty", func(o *Options) *bool { return &o.JMESPathExcludeEmpty })},
		"with_total":             {read: boolInto("with_total", func(o *Options) *bool { return &o.WithTotal })},
		"analyzer":               {read: stringInto("analyzer", func(o *Options) *string { return &o.Analyzer })},
		"dev":                    {read: boolInto("dev", func(o *Options) *bool { return &o.Dev })},
		"search":                 {read: stringInto("search", func(o *Options) *string { return &o.Search })},
		"prefix":                 {read: stringInto("prefix", func(o *Options) *string { return &o.Prefix })},
	}
}

// names returns a keyword followed by its aliases, in lookup order.
func names(keyword string) []string {
	return append([]string{keyword}, paramsByKeyword[keyword].aliases...)
}

// reader finds parameters by keyword or alias.
type reader struct{ params map[string][]string }

// find returns the values of keyword, or of its first alias present, and
// the name it was found under.
func (r reader) find(keyword string) ([]string, string, bool) {
	for _, n := range names(keyword) {
		if vs, ok := r.params[n]; ok {
			return vs, n, true
		}
	}
	return nil, keyword, false
}

// last returns a single-valued parameter: its last value.
func (r reader) last(keyword string) (string, string, bool) {
	vs, name, ok := r.find(keyword)
	if !ok || len(vs) == 0 {
		return "", name, ok
	}
	return vs[len(vs)-1], name, true
}

// list returns a list parameter's items, checked against max (0 = none).
func (r reader) list(keyword string, max int) ([]string, string, bool, *Error) {
	vs, name, ok := r.find(keyword)
	if !ok {
		return nil, name, false, nil
	}
	items := []string{}
	for _, v := range vs {
		more, err := listItems(v)
		if err != nil {
			e := badParam(keyword, name, "%s must be a list of strings, such as a,b or [\"a\",\"b\"].", name)
			e.Reason = "Expect type list."
			return nil, name, true, e
		}
		items = append(items, more...)
	}
	if max > 0 && len(items) > max {
		e := badParam(keyword, name, "%s has %d items; at most %d are allowed.", name, len(items), max)
		e.Max, e.Num = intp(max), intp(len(items))
		return nil, name, true, e
	}
	return items, name, true, nil
}

// listItems reads one value of a list parameter: a JSON list, or text for
// SplitTerms.
func listItems(v string) ([]string, error) {
	t := strings.TrimSpace(v)
	if t == "" || (t[0] != '[' && t[0] != '{') || !json.Valid([]byte(t)) {
		return SplitTerms(v), nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(t), &raw); err != nil {
		return nil, err
	}
	items := make([]string, 0, len(raw))
	for _, m := range raw {
		s, skip, err := scalarText(m)
		if err != nil {
			return nil, err
		}
		if !skip {
			items = append(items, s)
		}
	}
	return items, nil
}

var errNotScalar = errors.New("not a string, number or boolean")

// scalarText is the text of a JSON string, number or boolean; null is
// skipped.
func scalarText(m json.RawMessage) (string, bool, error) {
	t := strings.TrimSpace(string(m))
	switch {
	case t == "null":
		return "", true, nil
	case strings.HasPrefix(t, `"`):
		var s string
		err := json.Unmarshal(m, &s)
		return s, false, err
	case t == "true" || t == "false":
		return t, false, nil
	case strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{"):
		return "", false, errNotScalar
	}
	return t, false, nil // a number, kept as written
}

func readQ(o *Options, r reader, kind Route) *Error {
	if kind != QueryPOST {
		o.Q, _, o.QSet = r.last("q")
		return nil
	}
	terms, _, ok, err := r.terms("q", MaxListItems, true)
	if err != nil {
		return err
	}
	if !ok {
		e := badParam("q", "q", "Missing required parameter q: the terms to look up.")
		e.Missing = "q"
		return e
	}
	if len(terms) == 0 {
		return badParam("q", "q", "q holds no terms: send at least one term to look up, such as q=1017 or {\"q\": [\"1017\"]}.")
	}
	o.QSet, o.Terms, o.IDs = true, terms, termTexts(terms)
	if v, _, _ := r.last("q"); !looksLikeJSONList(v) {
		o.Q = v
	}
	return nil
}

func looksLikeJSONList(v string) bool {
	t := strings.TrimSpace(v)
	return strings.HasPrefix(t, "[") && json.Valid([]byte(t))
}

func readIDs(o *Options, r reader, _ Route) *Error {
	ids, _, ok, err := r.terms("ids", MaxListItems, false)
	if err != nil {
		return err
	}
	if !ok {
		e := badParam("ids", "ids", "Missing required parameter ids: the ids to look up.")
		e.Missing = "ids"
		return e
	}
	o.Terms, o.IDs = ids, termTexts(ids)
	return nil
}

func readFields(o *Options, r reader, _ Route) *Error {
	fields, _, _, err := r.list("fields", MaxListItems)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if strings.EqualFold(f, "all") {
			return nil
		}
	}
	if len(fields) > 0 {
		o.Fields, o.AllFields = fields, false
	}
	return nil
}

func readSort(o *Options, r reader, _ Route) *Error {
	keys, name, _, err := r.list("sort", MaxSortKeys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		key := SortKey{Field: strings.TrimPrefix(k, "-"), Desc: strings.HasPrefix(k, "-")}
		if key.Field == "" {
			return badParam("sort", name, "sort key %q names no field; write field or -field.", k)
		}
		o.Sort = append(o.Sort, key)
	}
	return nil
}

func readFormat(o *Options, r reader, _ Route) *Error {
	v, name, ok := r.last("format")
	f := strings.ToLower(strings.TrimSpace(v))
	if !ok || f == "" {
		return nil
	}
	for _, allowed := range Formats {
		if f == allowed {
			o.Format = f
			return nil
		}
	}
	e := badParam("format", name, "%s must be one of %s; got %q.", name, strings.Join(Formats, ", "), v)
	e.Allowed = Formats
	return e
}

func listInto(keyword string, field func(*Options) *[]string, max int) func(*Options, reader, Route) *Error {
	return func(o *Options, r reader, _ Route) *Error {
		items, _, ok, err := r.list(keyword, max)
		if err == nil && ok && len(items) > 0 {
			*field(o) = items
		}
		return err
	}
}

func stringInto(keyword string, field func(*Options) *string) func(*Options, reader, Route) *Error {
	return func(o *Options, r reader, _ Route) *Error {
		if v, _, ok := r.last(keyword); ok {
			*field(o) = v
		}
		return nil
	}
}

func boolInto(keyword string, field func(*Options) *bool) func(*Options, reader, Route) *Error {
	return func(o *Options, r reader, _ Route) *Error {
		v, name, ok := r.last(keyword)
		if !ok {
			return nil
		}
		b, valid := parseBool(v)
		if !valid {
			e := badParam(keyword, name, "%s must be true or false; got %q.", name, v)
			e.Reason = "Expect type bool."
			return e
		}
		*field(o) = b
		return nil
	}
}

// parseBool reads BioThings' boolean forms; an empty value is true because
// ?fetch_all names the option.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "1", "yes", "y", "t", "on":
		return true, true
	case "false", "0", "no", "n", "f", "off":
		return false, true
	}
	return false, false
}

func intInto(keyword string, field func(*Options) *int, max int) func(*Options, reader, Route) *Error {
	return func(o *Options, r reader, _ Route) *Error {
		v, name, ok := r.last(keyword)
		if !ok {
			return nil
		}
		n, err := parseInt(keyword, name, v, max)
		if err == nil {
			*field(o) = n
		}
		return err
	}
}

// parseInt reads a whole number; 10.0 and 1e3 pass because JSON clients
// write numbers that way.
func parseInt(keyword, name, v string, max int) (int, *Error) {
	t := strings.TrimSpace(v)
	f, err := strconv.ParseFloat(t, 64)
	decimal := t != "" && strings.Trim(t, "0123456789+-.eE") == ""
	if !decimal || (err != nil && !errors.Is(err, strconv.ErrRange)) || f != math.Trunc(f) {
		e := badParam(keyword, name, "%s must be a whole number; got %q.", name, v)
		e.Reason = "Expect type int."
		return 0, e
	}
	switch {
	case f < 0:
		return 0, badParam(keyword, name, "%s must be 0 or more; got %s.", name, t)
	case f > float64(max):
		e := badParam(keyword, name, "%s must be at most %d; got %s.", name, max, t)
		e.Max = intp(max)
		if f <= 1e15 {
			e.Num = intp(int(f))
		}
		return 0, e
	}
	return int(f), nil
}
