package search

// Query is a node of the query tree every backend translates: MatchAll,
// MatchNone, QueryString, Term, Terms, IDs, Bool, Range, Exists; and
// MultiMatch, which only Elasticsearch runs.
type Query interface{ isQuery() }

// MatchAll matches every document.
type MatchAll struct{}

// MatchNone matches no document.
type MatchNone struct{}

// Operator joins the terms of a QueryString that no operator joins.
type Operator string

const (
	// Or is Elasticsearch's default ("" means Or too).
	Or Operator = "OR"
	// And is what the BioThings data API uses.
	And Operator = "AND"
)

// QueryString is a query in Lucene query-string syntax (field:value,
// AND/OR/NOT, quotes, wildcards, ranges, _exists_). Terms without a field
// search DefaultFields (when empty: the index's default fields, "_id" and
// "all" for a released index). A syntax error is a *QueryError.
type QueryString struct {
	Query           string
	DefaultFields   []string
	DefaultOperator Operator
}

// Term matches documents whose field holds the value exactly: keyword
// fields compare after their normalizer (so case-insensitively with the
// keyword_lowercase_normalizer), text fields compare with one indexed
// token, numeric fields by equality. Field "_id" matches document ids.
type Term struct {
	Field string
	Value any
}

// Terms matches documents whose field holds any of the values.
type Terms struct {
	Field  string
	Values []any
}

// IDs matches the documents with these ids.
type IDs struct {
	Values []string
}

// Bool combines queries as Elasticsearch's bool query: all of Must and
// Filter, none of MustNot, and at least MinimumShouldMatch of Should (1
// when zero and there is no Must or Filter, else Should only scores).
type Bool struct {
	Must, Should, MustNot, Filter []Query
	MinimumShouldMatch            int
}

// Range matches values within bounds; nil bounds are open. Numbers for
// numeric fields, strings for keyword and date fields.
type Range struct {
	Field            string
	Gte, Gt, Lte, Lt any
}

// Exists matches documents with an indexed value in the field (or, for an
// object, in any field under it).
type Exists struct {
	Field string
}

// MultiMatch is Elasticsearch's multi_match query as the BioThings data
// API sends it (operator AND, lenient): Query analyzed with Analyzer
// (the fields' own search analyzers when empty) and matched in any of
// Fields. Only the Elasticsearch backend runs it; Bleve refuses it with a
// *QueryError.
type MultiMatch struct {
	Query    string
	Fields   []string
	Analyzer string
}

func (MultiMatch) isQuery()  {}
func (MatchAll) isQuery()    {}
func (MatchNone) isQuery()   {}
func (QueryString) isQuery() {}
func (Term) isQuery()        {}
func (Terms) isQuery()       {}
func (IDs) isQuery()         {}
func (Bool) isQuery()        {}
func (Range) isQuery()       {}
func (Exists) isQuery()      {}
