package lucene

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// String writes n back as a query string. Parsing the result with the
// default operator n was parsed with gives n again; Bool clauses are written
// with explicit +, - and OR so that the text reads the same under both
// default operators wherever Lucene's rules allow it.
func String(n Node) string {
	var b strings.Builder
	write(&b, n)
	return b.String()
}

func write(b *strings.Builder, n Node) {
	switch x := n.(type) {
	case *Term:
		writeTerm(b, x)
	case *Range:
		writeRange(b, x)
	case *Exists:
		b.WriteString("_exists_:")
		if x.Field == "" {
			b.WriteString(`""`)
		} else {
			b.WriteString(escapeWord(x.Field))
		}
	case *MatchAll:
		b.WriteString("*:*")
	case *Bool:
		writeBool(b, x)
	}
}

func writeField(b *strings.Builder, field string) {
	if field != "" {
		b.WriteString(escapeWord(field))
		b.WriteByte(':')
	}
}

func writeBoost(b *strings.Builder, boost float64) {
	if boost != 0 {
		b.WriteByte('^')
		b.WriteString(strconv.FormatFloat(boost, 'f', -1, 64))
	}
}

func writeTerm(b *strings.Builder, t *Term) {
	writeField(b, t.Field)
	switch {
	case t.Phrase:
		b.WriteString(quote(t.Value))
	case t.Regexp:
		b.WriteString(regexpText(t.Value))
	case t.Wildcard:
		b.WriteString(escapePattern(t.Value))
	default:
		b.WriteString(escapeWord(t.Value))
	}
	if t.Fuzzy >= 0 && !t.Regexp && !t.Wildcard {
		b.WriteByte('~')
		b.WriteString(strconv.Itoa(t.Fuzzy))
	}
	writeBoost(b, t.Boost)
}

func writeRange(b *strings.Builder, r *Range) {
	writeField(b, r.Field)
	b.WriteString(map[bool]string{true: "[", false: "{"}[r.IncFrom])
	b.WriteString(rangeBound(r.From))
	b.WriteString(" TO ")
	b.WriteString(rangeBound(r.To))
	b.WriteString(map[bool]string{true: "]", false: "}"}[r.IncTo])
	writeBoost(b, r.Boost)
}

// writeBool orders the clauses so that Lucene's conjunction rules rebuild
// the same lists: Should clauses need an OR, and an OR also demotes the
// clause before it unless that one is MustNot.
func writeBool(b *strings.Builder, x *Bool) {
	var parts []string
	add := func(prefix string, ns ...Node) {
		for _, n := range ns {
			parts = append(parts, prefix+String(n))
		}
	}
	must, not := x.Must, x.MustNot
	switch s := x.Should; {
	case len(s) == 0:
	case len(s) >= 2:
		add("", s[0])
		add("OR ", s[1:]...)
	case len(not) > 0:
		add("-", not[0])
		add("OR ", s[0])
		not = not[1:]
	case len(must) >= 2:
		add("", s[0])
		add("OR ", must[0])
		add("AND ", must[1])
		must = must[2:]
	default: // only reachable with the OR default operator
		add("", s[0])
	}
	add("+", must...)
	add("-", not...)
	b.WriteByte('(')
	b.WriteString(strings.Join(parts, " "))
	b.WriteByte(')')
	writeBoost(b, x.Boost)
}

// forEachRune calls f with each rune of s and its bytes, keeping invalid
// UTF-8 bytes as they are.
func forEachRune(s string, f func(i int, r rune, raw string)) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		f(i, r, s[i:i+n])
		i += n
	}
}

// escapeWord escapes every character the lexer would not read as part of
// a plain word.
func escapeWord(s string) string {
	switch s {
	case "AND", "OR", "NOT":
		return `\` + s
	}
	var b strings.Builder
	forEachRune(s, func(i int, r rune, raw string) {
		if strings.ContainsRune(special+"*?&|", r) || isSpace(r) || (i == 0 && (r == '<' || r == '>')) {
			b.WriteByte('\\')
		}
		b.WriteString(raw)
	})
	return b.String()
}

// escapePattern writes a wildcard pattern, whose escapes are kept as they
// are and whose * and ? stay wildcards.
func escapePattern(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] == '\\' && i+1 < len(p) {
			_, n := utf8.DecodeRuneInString(p[i+1:])
			b.WriteString(p[i : i+1+n])
			i += 1 + n
			continue
		}
		r, n := utf8.DecodeRuneInString(p[i:])
		if r != '*' && r != '?' && (strings.ContainsRune(special+"&|", r) || isSpace(r) || (i == 0 && (r == '<' || r == '>'))) {
			b.WriteByte('\\')
		}
		b.WriteString(p[i : i+n])
		i += n
	}
	return b.String()
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	forEachRune(s, func(_ int, r rune, raw string) {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteString(raw)
	})
	b.WriteByte('"')
	return b.String()
}

// regexpText writes /re/; the expression's own escapes are kept and a bare
// / is escaped.
func regexpText(re string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(re); i++ {
		switch {
		case re[i] == '\\' && i+1 < len(re):
			b.WriteString(re[i : i+2])
			i++
		case re[i] == '/':
			b.WriteString(`\/`)
		default:
			b.WriteByte(re[i])
		}
	}
	b.WriteByte('/')
	return b.String()
}

func rangeBound(v string) string {
	if v == "*" || v == "" {
		return "*"
	}
	if v == "TO" {
		return quote(v)
	}
	for _, r := range v {
		safe := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:+-", r)
		if !safe {
			return quote(v)
		}
	}
	return v
}
