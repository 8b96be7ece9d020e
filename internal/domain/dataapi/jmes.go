package dataapi

import (
	"math"

	"studio/internal/domain/dataapi/apiopts"
)

// searchJMES runs a jmespath expression on a value of a document.
// go-jmespath compares numbers as float64 only, so whole numbers are
// handed to it as float64 and, in the result, an integral float64 is
// turned back into an integer when the input held that value as an
// integer and never as a float (the rare value held both ways stays a
// float).
func searchJMES(j *apiopts.JMESPath, v any) (res any, err error) {
	defer func() {
		// go-jmespath panics on a few type mismatches; they are the
		// expression's fault.
		if r := recover(); r != nil {
			res, err = nil, errorString("the expression does not apply to this value")
		}
	}()
	nums := numberKinds{floats: map[float64]bool{}}
	out, err := j.Expr.Search(nums.toFloats(v))
	if err != nil {
		return nil, err
	}
	return nums.restore(out), nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// numberKinds remembers the values the input held as floats.
type numberKinds struct{ floats map[float64]bool }

func (n numberKinds) toFloats(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = n.toFloats(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.toFloats(e)
		}
		return out
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case float64:
		n.floats[x] = true
	}
	return v
}

func (n numberKinds) restore(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = n.restore(e)
		}
	case []any:
		for i, e := range x {
			x[i] = n.restore(e)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 && !n.floats[x] {
			return int64(x)
		}
	}
	return v
}
