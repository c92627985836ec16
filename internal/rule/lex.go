package rule

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokEq     // ==
	tokNe     // !=
	tokMatch  // ~
	tokAnd    // &&
	tokOr     // ||
	tokNot    // !
	tokLParen // (
	tokRParen // )
)

func (k tokenKind) String() string {
	return [...]string{"end of expression", "field name", "string", "==", "!=", "~", "&&", "||", "!", "(", ")"}[k]
}

// token is one lexical token; col is its first character's column, from 1.
type token struct {
	kind tokenKind
	text string // the identifier, or the string's value
	col  int
}

// lexer splits an expression into tokens, counting columns in characters.
type lexer struct {
	src string
	pos int // byte offset
	col int // column of src[pos], from 1
}

func (l *lexer) errorf(col int, format string, args ...any) *Error {
	return &Error{Column: col, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.advance(1)
			continue
		}
		break
	}
	col := l.col
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, col: col}, nil
	}
	two := ""
	if l.pos+1 < len(l.src) {
		two = l.src[l.pos : l.pos+2]
	}
	switch two {
	case "==":
		l.advance(2)
		return token{kind: tokEq, col: col}, nil
	case "!=":
		l.advance(2)
		return token{kind: tokNe, col: col}, nil
	case "&&":
		l.advance(2)
		return token{kind: tokAnd, col: col}, nil
	case "||":
		l.advance(2)
		return token{kind: tokOr, col: col}, nil
	}
	c := l.src[l.pos]
	switch {
	case c == '~':
		l.advance(1)
		return token{kind: tokMatch, col: col}, nil
	case c == '!':
		l.advance(1)
		return token{kind: tokNot, col: col}, nil
	case c == '(':
		l.advance(1)
		return token{kind: tokLParen, col: col}, nil
	case c == ')':
		l.advance(1)
		return token{kind: tokRParen, col: col}, nil
	case c == '"':
		return l.quoted(col)
	case c == '`':
		return l.raw(col)
	case isLetter(c):
		start := l.pos
		for l.pos < len(l.src) && (isLetter(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.advance(1)
		}
		return token{kind: tokIdent, text: l.src[start:l.pos], col: col}, nil
	case c == '=':
		return token{}, l.errorf(col, "a single = is not an operator: use == to compare, ~ to match a regular expression")
	case c == '&' || c == '|':
		return token{}, l.errorf(col, "a single %c is not an operator: use %c%c", c, c, c)
	case c == '\'':
		return token{}, l.errorf(col, `strings go in double quotes ("…") or backquotes, not single quotes`)
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, l.errorf(col, "unexpected %q", r)
}

// quoted reads a double-quoted string. \" and \\ stand for themselves, \n
// and \t for a newline and a tab; any other backslash is kept, so "\." is
// the two characters a regular expression wants.
func (l *lexer) quoted(col int) (token, error) {
	l.advance(1)
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.advance(1)
			return token{kind: tokString, text: b.String(), col: col}, nil
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return token{}, l.errorf(l.col, "the string opened at column %d ends in a lone backslash", col)
			}
			switch n := l.src[l.pos+1]; n {
			case '"', '\\':
				b.WriteByte(n)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte('\\')
				l.advance(1)
				continue
			}
			l.advance(2)
		case c == '\n':
			return token{}, l.errorf(col, "the string opened here is not closed on its line")
		default:
			_, size := utf8.DecodeRuneInString(l.src[l.pos:])
			b.WriteString(l.src[l.pos : l.pos+size])
			l.advance(size)
		}
	}
	return token{}, l.errorf(col, "the string opened here is not closed: add a \"")
}

// raw reads a backquoted string, taken literally.
func (l *lexer) raw(col int) (token, error) {
	l.advance(1)
	start := l.pos
	for l.pos < len(l.src) {
		if l.src[l.pos] == '`' {
			s := l.src[start:l.pos]
			l.advance(1)
			return token{kind: tokString, text: s, col: col}, nil
		}
		_, size := utf8.DecodeRuneInString(l.src[l.pos:])
		l.advance(size)
	}
	return token{}, l.errorf(col, "the string opened here is not closed: add a `")
}

// advance moves n bytes on, counting the characters they hold.
func (l *lexer) advance(n int) {
	l.col += utf8.RuneCountInString(l.src[l.pos : l.pos+n])
	l.pos += n
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
