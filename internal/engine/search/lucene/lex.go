package lucene

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a query the parser cannot read; the data API answers it
// with 400. Pos counts characters (not bytes) from 0.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at position %d", e.Msg, e.Pos)
}

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tQuoted
	tRegex
	tRange
	tLParen
	tRParen
	tColon
	tCaret
	tTilde
	tAnd
	tOr
	tNot
	tPlus
	tMinus
)

// token is one lexeme. text is the raw word (escapes kept) for tWord, the
// unescaped content for tQuoted, the expression for tRegex, and the number
// (possibly empty for tTilde) for tCaret and tTilde.
type token struct {
	kind tokKind
	pos  int // byte offset
	text string
	rng  *rangeTok
}

type rangeTok struct {
	from, to       string
	incFrom, incTo bool
}

// special runes end a word; '+' and '-' only matter at a word's start.
const special = `+-!():^[]"{}~/\`

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func endsWord(r rune) bool {
	return isSpace(r) || (r != '+' && r != '-' && strings.ContainsRune(special, r) && r != '\\')
}

type lexer struct {
	q    string
	i    int
	toks []token
}

func lex(q string) ([]token, error) {
	l := &lexer{q: q}
	for {
		l.skipSpace()
		if l.i >= len(q) {
			l.toks = append(l.toks, token{kind: tEOF, pos: l.i})
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

func (l *lexer) errAt(pos int, format string, args ...any) error {
	return &SyntaxError{Pos: utf8.RuneCountInString(l.q[:pos]), Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) peekRune() (rune, int) {
	if l.i >= len(l.q) {
		return -1, 0
	}
	return utf8.DecodeRuneInString(l.q[l.i:])
}

func (l *lexer) skipSpace() {
	for {
		r, n := l.peekRune()
		if n == 0 || !isSpace(r) {
			return
		}
		l.i += n
	}
}

func (l *lexer) emit(k tokKind, pos int, text string) {
	l.toks = append(l.toks, token{kind: k, pos: pos, text: text})
}

func (l *lexer) next() error {
	start := l.i
	c := l.q[l.i]
	simple := map[byte]tokKind{'(': tLParen, ')': tRParen, ':': tColon, '+': tPlus, '-': tMinus, '!': tNot}
	if k, ok := simple[c]; ok {
		l.i++
		l.emit(k, start, string(c))
		return nil
	}
	switch c {
	case '"':
		s, err := l.quoted()
		if err != nil {
			return err
		}
		l.emit(tQuoted, start, s)
	case '/':
		return l.regex()
	case '[', '{':
		return l.rangeTok()
	case ']', '}':
		return l.errAt(start, "unexpected %q outside a range", c)
	case '^':
		l.i++
		num := l.number()
		if num == "" {
			return l.errAt(start, "expected a number after ^")
		}
		l.emit(tCaret, start, num)
	case '~':
		l.i++
		l.emit(tTilde, start, l.number())
	default:
		return l.word()
	}
	return nil
}

// number reads digits with an optional fraction, as Lucene's NUMBER token.
func (l *lexer) number() string {
	start := l.i
	digits := func() int {
		n := 0
		for l.i < len(l.q) && l.q[l.i] >= '0' && l.q[l.i] <= '9' {
			l.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return ""
	}
	if l.i+1 < len(l.q) && l.q[l.i] == '.' && l.q[l.i+1] >= '0' && l.q[l.i+1] <= '9' {
		l.i++
		digits()
	}
	return l.q[start:l.i]
}

// quoted reads a "..." string at l.i and returns its unescaped content.
func (l *lexer) quoted() (string, error) {
	start := l.i
	l.i++
	var b strings.Builder
	for l.i < len(l.q) {
		c := l.q[l.i]
		switch {
		case c == '"':
			l.i++
			return b.String(), nil
		case c == '\\' && l.i+1 < len(l.q):
			_, n := utf8.DecodeRuneInString(l.q[l.i+1:])
			b.WriteString(l.q[l.i+1 : l.i+1+n])
			l.i += 1 + n
		default:
			b.WriteByte(c)
			l.i++
		}
	}
	return "", l.errAt(start, "unbalanced quotes")
}

// regex reads /.../; "\/" stands for "/" and other escapes are kept for the
// regular expression engine.
func (l *lexer) regex() error {
	start := l.i
	l.i++
	var b strings.Builder
	for l.i < len(l.q) {
		c := l.q[l.i]
		switch {
		case c == '/':
			l.i++
			l.emit(tRegex, start, b.String())
			return nil
		case c == '\\' && l.i+1 < len(l.q) && l.q[l.i+1] == '/':
			b.WriteByte('/')
			l.i += 2
		case c == '\\' && l.i+1 < len(l.q):
			_, n := utf8.DecodeRuneInString(l.q[l.i+1:])
			b.WriteString(l.q[l.i : l.i+1+n])
			l.i += 1 + n
		default:
			b.WriteByte(c)
			l.i++
		}
	}
	return l.errAt(start, "unterminated regular expression (a / in a value must be escaped as \\/)")
}

// word reads a term (escapes kept) and classifies the operator words.
func (l *lexer) word() error {
	start := l.i
	for l.i < len(l.q) {
		r, n := l.peekRune()
		if r == '\\' {
			if l.i+1 >= len(l.q) {
				return l.errAt(l.i, "escape character \\ at the end of the query")
			}
			_, m := utf8.DecodeRuneInString(l.q[l.i+1:])
			l.i += 1 + m
			continue
		}
		if endsWord(r) {
			break
		}
		l.i += n
	}
	raw := l.q[start:l.i]
	kind := tWord
	switch raw {
	case "AND", "&&":
		kind = tAnd
	case "OR", "||":
		kind = tOr
	case "NOT":
		kind = tNot
	}
	l.emit(kind, start, raw)
	return nil
}

// rangeTok reads [from TO to] with either bracket kind at each end.
func (l *lexer) rangeTok() error {
	start := l.i
	rt := &rangeTok{incFrom: l.q[l.i] == '['}
	l.i++
	unterminated := func() error {
		return l.errAt(start, "unterminated range: expected [from TO to]")
	}
	var err error
	l.skipSpace()
	if rt.from, _, err = l.bound(); err != nil {
		return err
	}
	l.skipSpace()
	pos := l.i
	_, raw, err := l.bound()
	if err != nil {
		return err
	}
	if raw != "TO" {
		if l.i >= len(l.q) {
			return unterminated()
		}
		return l.errAt(pos, "expected TO in range")
	}
	l.skipSpace()
	if rt.to, _, err = l.bound(); err != nil {
		return err
	}
	l.skipSpace()
	if l.i >= len(l.q) {
		return unterminated()
	}
	switch l.q[l.i] {
	case ']':
		rt.incTo = true
	case '}':
	default:
		return l.errAt(l.i, "expected ] or } to close the range")
	}
	l.i++
	if rt.from == "" || rt.to == "" {
		return l.errAt(start, "range is missing a bound (use * for an open end)")
	}
	l.toks = append(l.toks, token{kind: tRange, pos: start, rng: rt})
	return nil
}

// bound reads one range bound: a quoted string or a run of characters up to
// a space or a closing bracket. It returns the unescaped value (open bounds
// as "*", an empty value as "" when nothing was there) and the raw text.
func (l *lexer) bound() (string, string, error) {
	start := l.i
	if l.i < len(l.q) && l.q[l.i] == '"' {
		s, err := l.quoted()
		if err != nil {
			return "", "", err
		}
		if s == "" {
			s = "*"
		}
		return s, l.q[start:l.i], nil
	}
	var b strings.Builder
	for l.i < len(l.q) {
		r, n := l.peekRune()
		if isSpace(r) || r == ']' || r == '}' {
			break
		}
		if r == '\\' {
			if l.i+1 >= len(l.q) {
				return "", "", l.errAt(l.i, "escape character \\ at the end of the query")
			}
			_, m := utf8.DecodeRuneInString(l.q[l.i+1:])
			b.WriteString(l.q[l.i+1 : l.i+1+m])
			l.i += 1 + m
			continue
		}
		b.WriteString(l.q[l.i : l.i+n])
		l.i += n
	}
	return b.String(), l.q[start:l.i], nil
}
