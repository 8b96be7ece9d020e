// Package lucene parses Lucene query-string syntax, the language of the
// data API's q parameter, into a small tree that a search backend translates.
//
// The dialect is the one Elasticsearch's query_string query reads, which
// extends Lucene's classic query parser:
//
//	field:value  value  "quoted phrase"~slop  term~edits  term^boost
//	wild*card  prefix*  /regexp/  [a TO b]  {a TO b}  [a TO b}  field:>5
//	_exists_:field  *  *:*  field:*  field:(a b)
//	AND &&  OR ||  NOT !  +required  -prohibited  (grouping)
//
// # Operators and precedence
//
// Parse mirrors Lucene's classic parser (and so Elasticsearch) rather than
// a textbook precedence grammar, so that the embedded backend and the
// Elasticsearch backend answer the same query with the same documents. A
// query is a flat list of clauses; each clause is MUST, SHOULD or MUST_NOT:
//
//   - A clause with "-", "!" or "NOT" in front is MUST_NOT.
//   - With the AND default operator, every other clause is MUST unless it is
//     introduced by OR; an OR also turns the clause before it (unless that
//     one is MUST_NOT) into SHOULD. "a b" = +a +b; "a OR b" = a OR b;
//     "a OR b c" = SHOULD a, SHOULD b, MUST c.
//   - With the OR default operator, a clause is SHOULD unless it has "+" in
//     front or is introduced by AND; an AND also turns the clause before it
//     (unless MUST_NOT) into MUST. "a b" = a OR b; "a AND b" = +a +b.
//
// So AND binds as in Lucene, not as in Boolean algebra: with AND default,
// "a AND b OR c" is MUST a, SHOULD b, SHOULD c. Users who want a different
// grouping write parentheses. As in Lucene, when a Bool has a Must clause its
// Should clauses are optional (they only add score); when it has none, at
// least one Should clause must match; a Bool with only MustNot clauses
// matches every document except those (Elasticsearch adds a match-all).
//
// # Values
//
// Term.Value is unescaped text, except for wildcard terms, whose Value is a
// pattern in which "*" and "?" are wildcards and "\" escapes a literal "*",
// "?" or "\" (use [Term.Literal] to get the text before a prefix "*").
// A single-field "*" (field:*) means the field exists, as in Elasticsearch.
// Range bounds written "*" (or "") are open and are always stored as "*".
package lucene

// Node is one node of a parsed query: *Term, *Range, *Exists, *Bool or
// *MatchAll.
type Node interface{ isNode() }

// Term is a field:value clause or a bare value searched in the default
// fields.
type Term struct {
	Field    string  // "" = the default fields
	Value    string  // unescaped text; a pattern when Wildcard (see package doc)
	Phrase   bool    // "quoted phrase"
	Wildcard bool    // contains an unescaped * or ?
	Prefix   bool    // Wildcard whose only wildcard is one trailing *
	Regexp   bool    // /regex/; Value is the regular expression
	Fuzzy    int     // ~N edits for terms (0..2); slop for phrases; -1 = none
	Boost    float64 // ^2.5; 0 = none
}

// Range is field:[From TO To] and its variants, and field:>5 and friends.
type Range struct {
	Field          string // "" = the default fields
	From, To       string // "*" = open
	IncFrom, IncTo bool   // [ ] inclusive, { } exclusive
	Boost          float64
}

// Exists is _exists_:field, and field:* .
type Exists struct{ Field string }

// Bool is a list of clauses; see the package doc for how they combine.
type Bool struct {
	Must, Should, MustNot []Node
	Boost                 float64
}

// MatchAll is * or *:* .
type MatchAll struct{}

func (*Term) isNode()     {}
func (*Range) isNode()    {}
func (*Exists) isNode()   {}
func (*Bool) isNode()     {}
func (*MatchAll) isNode() {}

// Op is the default operator between clauses that have none.
type Op int

// The default operators; BioThings uses And.
const (
	Or Op = iota
	And
)

// Literal returns, for a prefix term, the text before the trailing "*" with
// escapes removed; for other terms it returns Value unchanged.
func (t *Term) Literal() string {
	if !t.Prefix {
		return t.Value
	}
	return unescapePattern(t.Value[:len(t.Value)-1])
}

// unescapePattern removes the backslashes of a wildcard pattern.
func unescapePattern(p string) string {
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		out = append(out, p[i])
	}
	return string(out)
}
