package lucene

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCases pair a query with its canonical form (String of the tree) or,
// when err is set, with a part of the error message.
var parseCases = []struct {
	q    string
	op   Op
	want string
	err  string
}{
	// terms, fields, escaping
	{q: `ABL1`, op: And, want: `ABL1`},
	{q: `  ABL1  `, op: And, want: `ABL1`},
	{q: `cgi.gene:ABL1`, op: And, want: `cgi.gene:ABL1`},
	{q: `cgi.gene : ABL1`, op: And, want: `cgi.gene:ABL1`},
	{q: `_id:chr9\:g.133748283C>T`, op: And, want: `_id:chr9\:g.133748283C>T`},
	{q: `_id:"chr9:g.133748283C>T"`, op: And, want: `_id:"chr9:g.133748283C>T"`},
	{q: `a\+b\-c\&\&d\|\|e\!f\(g\)h\{i\}j\[k\]l\^m\"n\~o\*p\?q\:r\\s\/t`, op: And, want: `a\+b\-c\&\&d\|\|e\!f\(g\)h\{i\}j\[k\]l\^m\"n\~o\*p\?q\:r\\s\/t`},
	{q: `a\ b`, op: And, want: `a\ b`},
	{q: `\AND`, op: And, want: `\AND`},
	{q: `and`, op: And, want: `and`},
	{q: `a-b+c`, op: And, want: `a\-b\+c`},
	{q: `a&&b`, op: And, want: `a\&\&b`},
	{q: `TO`, op: And, want: `TO`},
	{q: `\-5`, op: And, want: `\-5`},
	{q: `3.14`, op: And, want: `3.14`},
	{q: `2020-01-01`, op: And, want: `2020\-01\-01`},
	{q: `ÄBC:déjà`, op: And, want: `ÄBC:déjà`},
	// phrases
	{q: `"a b"`, op: And, want: `"a b"`},
	{q: `"a \"b\" c"`, op: And, want: `"a \"b\" c"`},
	{q: `"a b"~3`, op: And, want: `"a b"~3`},
	{q: `"a b"~2.7`, op: And, want: `"a b"~2`},
	{q: `"a b"~`, op: And, want: `"a b"~0`},
	{q: `""`, op: And, want: `""`},
	{q: `f:"a b"^2`, op: And, want: `f:"a b"^2`},
	// wildcards, regexps, fuzzy, boost
	{q: `ab*`, op: And, want: `ab*`},
	{q: `a?c`, op: And, want: `a?c`},
	{q: `*ab`, op: And, want: `*ab`},
	{q: `a\*b*`, op: And, want: `a\*b*`},
	{q: `/ab.*c/`, op: And, want: `/ab.*c/`},
	{q: `f:/a\/b\d/`, op: And, want: `f:/a\/b\d/`},
	{q: `//`, op: And, want: `//`},
	{q: `roam~`, op: And, want: `roam~2`},
	{q: `roam~1`, op: And, want: `roam~1`},
	{q: `roam~5`, op: And, want: `roam~2`},
	{q: `roam~0.5`, op: And, want: `roam~2`},
	{q: `ro~0.8`, op: And, want: `ro~0`},
	{q: `roam~1^3`, op: And, want: `roam~1^3`},
	{q: `roam^3~1`, op: And, want: `roam~1^3`},
	{q: `a^2.5`, op: And, want: `a^2.5`},
	{q: `a^0`, op: And, want: `a`},
	{q: `(a^2)^3`, op: And, want: `a^6`},
	{q: `(a b)^2`, op: And, want: `(+a +b)^2`},
	{q: `(*)^3`, op: And, want: `(+*:*)^3`},
	{q: `ab*~2`, op: And, want: `ab*`},
	// ranges and comparisons
	{q: `x:[1 TO 5]`, op: And, want: `x:[1 TO 5]`},
	{q: `x:{1 TO 5}`, op: And, want: `x:{1 TO 5}`},
	{q: `x:[1 TO 5}`, op: And, want: `x:[1 TO 5}`},
	{q: `x:[* TO 5]`, op: And, want: `x:[* TO 5]`},
	{q: `x:[ 1   TO * ]`, op: And, want: `x:[1 TO *]`},
	{q: `date:[2020-01-01 TO 2020-12-31]^2`, op: And, want: `date:[2020-01-01 TO 2020-12-31]^2`},
	{q: `name:["a b" TO "c"]`, op: And, want: `name:["a b" TO c]`},
	{q: `x:["" TO 5]`, op: And, want: `x:[* TO 5]`},
	{q: `age:>5`, op: And, want: `age:{5 TO *]`},
	{q: `age:>=5`, op: And, want: `age:[5 TO *]`},
	{q: `age:<5`, op: And, want: `age:[* TO 5}`},
	{q: `age:<=2020-01-01`, op: And, want: `age:[* TO 2020-01-01]`},
	{q: `age:(>=10 AND <20)`, op: And, want: `(+age:[10 TO *] +age:[* TO 20})`},
	{q: `age:>=`, op: And, want: `age:\>=`},
	{q: `age:\>5`, op: And, want: `age:\>5`},
	// exists, match all
	{q: `_exists_:cgi`, op: And, want: `_exists_:cgi`},
	{q: `_exists_:"a b"`, op: And, want: `_exists_:a\ b`},
	{q: `_exists_:(a b)`, op: And, want: `(+_exists_:a +_exists_:b)`},
	{q: `-_exists_:cgi`, op: And, want: `(-_exists_:cgi)`},
	{q: `*`, op: And, want: `*:*`},
	{q: `*:*`, op: And, want: `*:*`},
	{q: `f:*`, op: And, want: `_exists_:f`},
	{q: `f:(*)`, op: And, want: `_exists_:f`},
	// boolean logic, AND default
	{q: `a b`, op: And, want: `(+a +b)`},
	{q: `a AND b`, op: And, want: `(+a +b)`},
	{q: `a && b`, op: And, want: `(+a +b)`},
	{q: `a OR b`, op: And, want: `(a OR b)`},
	{q: `a || b`, op: And, want: `(a OR b)`},
	{q: `a OR b c`, op: And, want: `(a OR b +c)`},
	{q: `a AND b OR c`, op: And, want: `(b OR c +a)`},
	{q: `a OR b AND c`, op: And, want: `(a OR b AND c)`},
	{q: `+a OR b`, op: And, want: `(a OR b)`},
	{q: `a NOT b`, op: And, want: `(+a -b)`},
	{q: `a AND NOT b`, op: And, want: `(+a -b)`},
	{q: `a !b`, op: And, want: `(+a -b)`},
	{q: `a -b`, op: And, want: `(+a -b)`},
	{q: `a - b`, op: And, want: `(+a -b)`},
	{q: `-a OR b`, op: And, want: `(-a OR b)`},
	{q: `NOT a`, op: And, want: `(-a)`},
	{q: `+a`, op: And, want: `(+a)`},
	{q: `(a)`, op: And, want: `a`},
	{q: `((a))`, op: And, want: `a`},
	{q: `(a OR b) AND c`, op: And, want: `(+(a OR b) +c)`},
	{q: `f:(a b)`, op: And, want: `(+f:a +f:b)`},
	{q: `f:(g:a b)`, op: And, want: `(+g:a +f:b)`},
	{q: `f:(a OR (b c))`, op: And, want: `(f:a OR (+f:b +f:c))`},
	{q: `symbol:CDK2 AND taxid:9606`, op: And, want: `(+symbol:CDK2 +taxid:9606)`},
	// boolean logic, OR default
	{q: `a b`, op: Or, want: `(a OR b)`},
	{q: `a AND b`, op: Or, want: `(+a +b)`},
	{q: `a +b`, op: Or, want: `(a +b)`},
	{q: `a OR b AND c`, op: Or, want: `(a OR b AND c)`},
	{q: `a AND b OR c`, op: Or, want: `(c OR a AND b)`},
	{q: `+a OR b`, op: Or, want: `(b +a)`},
	{q: `a -b`, op: Or, want: `(-b OR a)`},
	{q: `a AND NOT b`, op: Or, want: `(+a -b)`},
	// errors
	{q: ``, op: And, err: "empty query at position 0"},
	{q: `   `, op: And, err: "empty query"},
	{q: `a "b`, op: And, err: "unbalanced quotes at position 2"},
	{q: `"`, op: And, err: "unbalanced quotes"},
	{q: `(a b`, op: And, err: "missing closing parenthesis"},
	{q: `((a)`, op: And, err: "missing closing parenthesis"},
	{q: `a)`, op: And, err: "unbalanced parentheses"},
	{q: `)`, op: And, err: "unbalanced parentheses"},
	{q: `()`, op: And, err: "empty parentheses"},
	{q: `AND`, op: And, err: "has no term on its left"},
	{q: `OR a`, op: And, err: "has no term on its left"},
	{q: `a AND`, op: And, err: `"AND" must be followed by a term`},
	{q: `a OR`, op: And, err: `"OR" must be followed by a term`},
	{q: `a AND OR b`, op: And, err: `"AND" must be followed by a term`},
	{q: `NOT`, op: And, err: `"NOT" must be followed by a term`},
	{q: `a NOT NOT b`, op: And, err: `"NOT" must be followed by a term`},
	{q: `+`, op: And, err: `"+" must be followed by a term`},
	{q: `-`, op: And, err: `"-" must be followed by a term`},
	{q: `f:`, op: And, err: `"f:" must be followed by a term`},
	{q: `a:b:c`, op: And, err: `expected a term, found ":"`},
	{q: `f:-5`, op: And, err: `"f:" must be followed by a term`},
	{q: `a\`, op: And, err: "escape character"},
	{q: `a/b`, op: And, err: "unterminated regular expression"},
	{q: `x:[1 TO 5`, op: And, err: "unterminated range"},
	{q: `x:[1 5]`, op: And, err: "expected TO"},
	{q: `x:[1 TO ]`, op: And, err: "missing a bound"},
	{q: `x:[1 TO 5]~2`, op: And, err: "cannot be fuzzy"},
	{q: `a]`, op: And, err: "outside a range"},
	{q: `a^`, op: And, err: "expected a number after ^"},
	{q: `a^x`, op: And, err: "expected a number after ^"},
	{q: `a^2^3`, op: And, err: `found '^'`},
	{q: `a~~`, op: And, err: `found '~'`},
	{q: `roam~1.5`, op: And, err: "fractional edit distances"},
	{q: `cgi.*:ABL1`, op: And, err: "wildcard in a field name"},
	{q: `a^` + strings.Repeat("9", 400), op: And, err: "too large"},
	{q: strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), op: And, err: "nested more than"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		n, err := Parse(c.q, c.op)
		if c.err != "" {
			var se *SyntaxError
			if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q) = %v, %v; want *SyntaxError containing %q", c.q, n, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		if got := String(n); got != c.want {
			t.Errorf("String(Parse(%q)) = %s; want %s", c.q, got, c.want)
		}
		checkRoundTrip(t, c.q, c.op, n)
	}
}

func checkRoundTrip(t *testing.T, q string, op Op, n Node) {
	t.Helper()
	s := String(n)
	n2, err := Parse(s, op)
	if err != nil {
		t.Fatalf("Parse(%q) -> %q does not parse: %v", q, s, err)
	}
	if !reflect.DeepEqual(n, n2) {
		t.Fatalf("Parse(%q) -> %q parses to a different tree:\n %#v\n %#v", q, s, dump(n), dump(n2))
	}
}

// dump shows a tree with its pointers followed, for failure messages.
func dump(n Node) any {
	switch x := n.(type) {
	case *Bool:
		list := func(ns []Node) []any {
			var out []any
			for _, c := range ns {
				out = append(out, dump(c))
			}
			return out
		}
		return map[string]any{"must": list(x.Must), "should": list(x.Should), "not": list(x.MustNot), "boost": x.Boost}
	case *Term:
		return *x
	case *Range:
		return *x
	case *Exists:
		return *x
	}
	return n
}

func TestTreeShapes(t *testing.T) {
	cases := []struct {
		q    string
		want Node
	}{
		{`gene:cdk*`, &Term{Field: "gene", Value: "cdk*", Wildcard: true, Prefix: true, Fuzzy: -1}},
		{`a\**`, &Term{Value: `a\**`, Wildcard: true, Prefix: true, Fuzzy: -1}},
		{`a*b*`, &Term{Value: `a*b*`, Wildcard: true, Fuzzy: -1}},
		{`*a`, &Term{Value: `*a`, Wildcard: true, Fuzzy: -1}},
		{`a\*`, &Term{Value: `a*`, Fuzzy: -1}},
		{`"a b"~2^1.5`, &Term{Value: "a b", Phrase: true, Fuzzy: 2, Boost: 1.5}},
		{`f:/x+/`, &Term{Field: "f", Value: "x+", Regexp: true, Fuzzy: -1}},
		{`f:[a TO b}`, &Range{Field: "f", From: "a", To: "b", IncFrom: true}},
		{`f:>5`, &Range{Field: "f", From: "5", To: "*", IncTo: true}},
		{`f:<=5`, &Range{Field: "f", From: "*", To: "5", IncFrom: true, IncTo: true}},
		{`_exists_:a.b`, &Exists{Field: "a.b"}},
		{`*:*`, &MatchAll{}},
		{`a OR b -c`, &Bool{Should: []Node{
			&Term{Value: "a", Fuzzy: -1}, &Term{Value: "b", Fuzzy: -1}},
			MustNot: []Node{&Term{Value: "c", Fuzzy: -1}}}},
	}
	for _, c := range cases {
		n, err := Parse(c.q, And)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		if !reflect.DeepEqual(n, c.want) {
			t.Errorf("Parse(%q) = %#v; want %#v", c.q, dump(n), dump(c.want))
		}
	}
}

func TestLiteral(t *testing.T) {
	for q, want := range map[string]string{`cdk*`: "cdk", `a\*b*`: "a*b", `a\\*`: `a\`, `abc`: "abc"} {
		n, err := Parse(q, And)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.(*Term).Literal(); got != want {
			t.Errorf("Literal(%q) = %q; want %q", q, got, want)
		}
	}
}

func TestErrorPositionCountsCharacters(t *testing.T) {
	_, err := Parse(`é "x`, And)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != 2 {
		t.Fatalf("got %v; want position 2", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, op := range []Op{And, Or} {
			n, err := Parse(q, op)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("Parse(%q) error %T is not a *SyntaxError", q, err)
				}
				continue
			}
			if n == nil {
				t.Fatalf("Parse(%q) = nil, nil", q)
			}
			checkRoundTrip(t, q, op, n)
			if s := String(n); String(mustParse(t, s, op)) != s {
				t.Fatalf("String is not stable for %q", q)
			}
		}
	})
}

func mustParse(t *testing.T, q string, op Op) Node {
	n, err := Parse(q, op)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
