package lucene

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nested parentheses so a hostile query cannot exhaust the
// stack.
const maxDepth = 100

type occur int

const (
	should occur = iota
	must
	mustNot
)

type clause struct {
	node Node
	occ  occur
}

type parser struct {
	q    string
	toks []token
	i    int
	op   Op
}

// Parse reads a Lucene query string. defaultOp joins clauses that have no
// operator between them; BioThings uses And. Errors are *SyntaxError.
func Parse(q string, defaultOp Op) (Node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return nil, &SyntaxError{Pos: 0, Msg: "empty query"}
	}
	p := &parser{q: q, toks: toks, op: defaultOp}
	n, err := p.query("", 0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF || n == nil {
		return nil, p.errAt(t.pos, "unbalanced parentheses: ')' has no matching '('")
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[p.i+k]
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return &SyntaxError{Pos: utf8.RuneCountInString(p.q[:pos]), Msg: fmt.Sprintf(format, args...)}
}

// query reads clauses up to the end or a ')'; it returns nil for none.
func (p *parser) query(field string, depth int) (Node, error) {
	var clauses []clause
	var first Node // the node itself when it is the only, unmodified clause
	for {
		t := p.peek()
		if t.kind == tEOF || t.kind == tRParen {
			break
		}
		conj := tEOF
		if t.kind == tAnd || t.kind == tOr {
			if len(clauses) == 0 {
				return nil, p.errAt(t.pos, "operator %s has no term on its left", t.text)
			}
			conj = t.kind
			p.i++
		}
		mod, after := tEOF, t
		if k := p.peek().kind; k == tPlus || k == tMinus || k == tNot {
			mod, after = k, p.peek()
			p.i++
		}
		if conj == tEOF && mod == tEOF {
			after = token{}
		}
		n, err := p.clause(field, depth, after)
		if err != nil {
			return nil, err
		}
		if len(clauses) == 0 && mod == tEOF {
			first = n
		}
		clauses = p.add(clauses, conj, mod, n)
	}
	switch {
	case len(clauses) == 0:
		return nil, nil
	case len(clauses) == 1 && first != nil:
		return first, nil
	}
	b := &Bool{}
	for _, c := range clauses {
		switch c.occ {
		case must:
			b.Must = append(b.Must, c.node)
		case should:
			b.Should = append(b.Should, c.node)
		default:
			b.MustNot = append(b.MustNot, c.node)
		}
	}
	return b, nil
}

// add appends a clause with the occurrence Lucene's classic parser gives
// it; a conjunction can also change the clause before it.
func (p *parser) add(cs []clause, conj, mod tokKind, n Node) []clause {
	if len(cs) > 0 {
		last := &cs[len(cs)-1]
		if conj == tAnd && last.occ != mustNot {
			last.occ = must
		}
		if conj == tOr && p.op == And && last.occ != mustNot {
			last.occ = should
		}
	}
	occ := should
	switch {
	case mod == tMinus || mod == tNot:
		occ = mustNot
	case p.op == Or && (mod == tPlus || conj == tAnd):
		occ = must
	case p.op == And && conj != tOr:
		occ = must
	}
	return append(cs, clause{node: n, occ: occ})
}

// clause reads [field:] followed by a term or a parenthesised group. after
// is the operator just read, for error messages.
func (p *parser) clause(field string, depth int, after token) (Node, error) {
	t := p.peek()
	if t.kind == tWord && p.peekAt(1).kind == tColon {
		f, err := p.fieldName(t)
		if err != nil {
			return nil, err
		}
		field = f
		p.i += 2
		after = token{pos: t.pos, text: t.text + ":"}
		t = p.peek()
	}
	switch t.kind {
	case tLParen:
		return p.group(field, depth)
	case tWord, tQuoted, tRegex, tRange:
		return p.term(field)
	}
	if after.text != "" {
		return nil, p.errAt(after.pos, "%q must be followed by a term", after.text)
	}
	return nil, p.errAt(t.pos, "expected a term, found %s", describe(t))
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the query"
	case tCaret:
		return "'^'"
	case tTilde:
		return "'~'"
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) fieldName(t token) (string, error) {
	w := scanWord(t.text)
	if w.wild > 0 && t.text != "*" {
		return "", p.errAt(t.pos, "a wildcard in a field name must be escaped (\\*)")
	}
	return w.value, nil
}

func (p *parser) group(field string, depth int) (Node, error) {
	open := p.peek()
	if depth >= maxDepth {
		return nil, p.errAt(open.pos, "parentheses nested more than %d deep", maxDepth)
	}
	p.i++
	n, err := p.query(field, depth+1)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tRParen {
		return nil, p.errAt(open.pos, "missing closing parenthesis for '('")
	}
	if n == nil {
		return nil, p.errAt(open.pos, "empty parentheses")
	}
	p.i++
	if p.peek().kind != tCaret {
		return n, nil
	}
	boost, err := p.boost(p.toks[p.i])
	p.i++
	if err != nil {
		return nil, err
	}
	return p.withBoost(n, boost, open.pos)
}

// suffix holds the ~ and ^ that may follow a term, in either order.
type suffix struct {
	fuzzy *token
	boost float64
	pos   int
}

func (p *parser) suffixes() (suffix, error) {
	var s suffix
	seenBoost := false
	for {
		t := p.peek()
		switch {
		case t.kind == tTilde && s.fuzzy == nil:
			s.fuzzy = &p.toks[p.i]
		case t.kind == tCaret && !seenBoost:
			b, err := p.boost(t)
			if err != nil {
				return s, err
			}
			s.boost, s.pos, seenBoost = b, t.pos, true
		default:
			return s, nil
		}
		p.i++
	}
}

func (p *parser) boost(t token) (float64, error) {
	b, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(b, 0) {
		return 0, p.errAt(t.pos, "boost %s is too large", t.text)
	}
	return b, nil
}

// withBoost multiplies n's boost by b, as nested Lucene boosts do; nodes
// without a boost of their own are wrapped in a one-clause Bool.
func (p *parser) withBoost(n Node, b float64, pos int) (Node, error) {
	if b == 0 {
		return n, nil
	}
	var target *float64
	switch x := n.(type) {
	case *Term:
		target = &x.Boost
	case *Range:
		target = &x.Boost
	case *Bool:
		target = &x.Boost
	default:
		return &Bool{Must: []Node{n}, Boost: b}, nil
	}
	if *target != 0 {
		b *= *target
	}
	if math.IsInf(b, 0) {
		return nil, p.errAt(pos, "boost is too large")
	}
	*target = b
	return n, nil
}

func (p *parser) term(field string) (Node, error) {
	t := p.peek()
	p.i++
	s, err := p.suffixes()
	if err != nil {
		return nil, err
	}
	var n Node
	switch t.kind {
	case tQuoted:
		n, err = p.phrase(field, t, s)
	case tRegex:
		n = &Term{Field: field, Value: t.text, Regexp: true, Fuzzy: -1}
	case tRange:
		if s.fuzzy != nil {
			return nil, p.errAt(s.fuzzy.pos, "a range cannot be fuzzy")
		}
		r := t.rng
		n = &Range{Field: field, From: r.from, To: r.to, IncFrom: r.incFrom, IncTo: r.incTo}
	default:
		n, err = p.word(field, t, s)
	}
	if err != nil {
		return nil, err
	}
	return p.withBoost(n, s.boost, s.pos)
}

func (p *parser) phrase(field string, t token, s suffix) (Node, error) {
	if field == "_exists_" {
		return &Exists{Field: t.text}, nil
	}
	n := &Term{Field: field, Value: t.text, Phrase: true, Fuzzy: -1}
	if s.fuzzy != nil {
		n.Fuzzy = 0
		if s.fuzzy.text != "" {
			f, _ := strconv.ParseFloat(s.fuzzy.text, 64)
			n.Fuzzy = int(math.Min(f, 1<<24))
		}
	}
	return n, nil
}

func (p *parser) word(field string, t token, s suffix) (Node, error) {
	w := scanWord(t.text)
	value := w.value
	switch {
	case field == "_exists_" && s.fuzzy == nil:
		if w.wild > 0 {
			return &Exists{Field: w.pattern}, nil
		}
		return &Exists{Field: value}, nil
	case t.text == "*" && (field == "" || field == "*"):
		return &MatchAll{}, nil
	case t.text == "*":
		return &Exists{Field: field}, nil
	case w.wild > 0:
		prefix := w.wild == 1 && w.starLast && len(value) > 1
		return &Term{Field: field, Value: w.pattern, Wildcard: true, Prefix: prefix, Fuzzy: -1}, nil
	case s.fuzzy != nil:
		edits, err := p.edits(*s.fuzzy, value)
		if err != nil {
			return nil, err
		}
		return &Term{Field: field, Value: value, Fuzzy: edits}, nil
	}
	if r := comparison(field, t.text, value); r != nil {
		return r, nil
	}
	return &Term{Field: field, Value: value, Fuzzy: -1}, nil
}

// edits turns ~N into an edit distance as Lucene does: whole numbers are
// edits (at most 2); a fraction below 1 is the old similarity measure.
func (p *parser) edits(t token, value string) (int, error) {
	if t.text == "" {
		return 2, nil
	}
	f, _ := strconv.ParseFloat(t.text, 64)
	switch {
	case f >= 1 && f != math.Trunc(f):
		return 0, p.errAt(t.pos, "fractional edit distances are not allowed (use ~1 or ~2)")
	case f >= 2:
		return 2, nil
	case f >= 1 || f == 0:
		return int(f), nil
	}
	return min(int((1-f)*float64(utf8.RuneCountInString(value))), 2), nil
}

// comparison reads Elasticsearch's field:>5, >=, < and <= forms.
func comparison(field, raw, value string) *Range {
	for _, op := range []string{">=", "<=", ">", "<"} {
		if !strings.HasPrefix(raw, op) {
			continue
		}
		if len(value) == len(op) {
			return nil
		}
		bound := value[len(op):]
		if op[0] == '>' {
			return &Range{Field: field, From: bound, To: "*", IncFrom: len(op) == 2, IncTo: true}
		}
		return &Range{Field: field, From: "*", To: bound, IncFrom: true, IncTo: len(op) == 2}
	}
	return nil
}

// scanned is a raw word with its escapes resolved.
type scanned struct {
	value    string // the plain text
	pattern  string // the wildcard pattern: escapes kept only before *, ? and \
	wild     int    // unescaped * and ?
	starLast bool   // the last character is an unescaped *
}

func scanWord(raw string) scanned {
	var v, pat strings.Builder
	var s scanned
	for i := 0; i < len(raw); {
		c := raw[i]
		s.starLast = false
		if c == '\\' && i+1 < len(raw) {
			_, n := utf8.DecodeRuneInString(raw[i+1:])
			lit := raw[i+1 : i+1+n]
			v.WriteString(lit)
			if lit == "*" || lit == "?" || lit == `\` {
				pat.WriteByte('\\')
			}
			pat.WriteString(lit)
			i += 1 + n
			continue
		}
		if c == '*' || c == '?' {
			s.wild++
			s.starLast = c == '*'
		}
		v.WriteByte(c)
		pat.WriteByte(c)
		i++
	}
	s.value, s.pattern = v.String(), pat.String()
	return s
}
