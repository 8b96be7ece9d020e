package dataapi

import (
	"encoding/json"
	"testing"

	"studio/internal/domain/dataapi/apiopts"
	"studio/internal/engine/search"
)

// TestShapeReference: hits reshaped as biothings.web 1.2.2's formatter
// reshapes them, quirks included (the expected answers are its output).
func TestShapeReference(t *testing.T) {
	cases := []struct {
		name, doc string
		params    map[string][]string
		licenses  map[string]string
		want      string // the answer's hits
	}{
		{"allow_null at its own path adds an empty key", `{"a": {"b": 1}, "ab": {"c": 2}}`, map[string][]string{"allow_null": {"a"}}, nil,
			`[{"_id":"x","_score":1.0,"a":{"":null,"b":1},"ab":{"c":2}}]`},
		{"that empty key flattens to its parent", `{"a": {"b": 1}, "ab": {"c": 2}}`, map[string][]string{"allow_null": {"a"}, "dotfield": {"1"}}, nil,
			`[{"_id":"x","_score":1.0,"a":null,"a.b":1,"ab.c":2}]`},
		{"fields match by prefix", `{"a": {"b": 1, "c": 2}}`, map[string][]string{"allow_null": {"ab"}, "always_list": {"ac"}}, nil,
			`[{"_id":"x","_score":1.0,"a":{"b":1,"c":[2]},"ab":null}]`},
		{"jmespath in a list, exclude empty", `{"g": [{"t": ["x"], "n": 1}, {"t": ["y"], "n": 2}, {"n": 3}]}`, map[string][]string{"jmespath": {"g.t|[?@=='x']"}, "jmespath_exclude_empty": {"1"}}, nil,
			`[{"_id":"x","_score":1.0,"g":[{"n":1,"t":["x"]}]}]`},
		{"jmespath then dotfield", `{"g": {"t": [{"a": 1, "b": 2.5}, {"a": 3}]}}`, map[string][]string{"jmespath": {"g.t|[].a"}, "dotfield": {"1"}}, nil,
			`[{"_id":"x","_score":1.0,"g.t":[1,3]}]`},
		{"dotfield drops empty values of a list", `{"l": [0, 1, "", null, false, [], {}, "z"], "m": {}}`, map[string][]string{"dotfield": {"1"}}, nil,
			`[{"_id":"x","_score":1.0,"l":[1,"z"]}]`},
		{"license on each object of a list", `{"e": [{"g": 1}, {"g": 2}], "x": {"e": {"q": 1}}}`, nil, map[string]string{"e": "L1", "x.e": "L2"},
			`[{"_id":"x","_score":1.0,"e":[{"_license":"L1","g":1},{"_license":"L1","g":2}],"x":{"e":{"_license":"L2","q":1}}}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := search.DecodeDoc([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			o, perr := apiopts.ParseQuery(apiopts.QueryGET, c.params)
			if perr != nil {
				t.Fatal(perr.JSON())
			}
			before, _ := json.Marshal(doc)
			a := &api{licenses: c.licenses}
			res, err := resultBody(search.SearchResult{Hits: []search.Hit{{ID: "x", Score: 1, Source: doc}}}, a.shapeOf(o))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendJSON(nil, res["hits"])); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if after, _ := json.Marshal(doc); string(after) != string(before) {
				t.Errorf("the engine's document was modified: %s", after)
			}
		})
	}
}
