package apiopts

import (
	"strings"

	"github.com/jmespath/go-jmespath"
)

// JMESPath is a parsed jmespath parameter, "path|expression": the value
// at Parent.Target (the object at Parent itself when Target is empty) is
// replaced by the result of Expr.
type JMESPath struct {
	Parent, Target string
	Expr           *jmespath.JMESPath
	Source         string // the expression as written
}

// readJMESPath splits jmespath at its first "|" and compiles the
// expression; the path before it is split at its last dot into the
// parent path and the target field, as biothings.web does ("" or "."
// targets the whole document).
func readJMESPath(o *Options, r reader, _ Route) *Error {
	v, name, ok := r.last("jmespath")
	if !ok || v == "" {
		return nil
	}
	path, expr, found := strings.Cut(v, "|")
	if !found {
		e := badParam("jmespath", name, "jmespath must be path|expression, such as alias|[0] or |symbol; got %q.", v)
		e.Reason = "Invalid value for jmespath parameter"
		return e
	}
	compiled, err := jmespath.Compile(expr)
	if err != nil {
		e := badParam("jmespath", name, "jmespath has an invalid expression %q: %v.", expr, err)
		e.Reason = "Invalid value for jmespath parameter"
		return e
	}
	if path == "" {
		path = "."
	}
	j := &JMESPath{Expr: compiled, Source: expr}
	if i := strings.LastIndex(path, "."); i >= 0 {
		j.Parent, j.Target = path[:i], path[i+1:]
	} else {
		j.Target = path
	}
	o.JMESPath = j
	return nil
}
