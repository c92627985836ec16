package rule

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"unicode/utf8"
)

// Limits of an expression: long enough for any rule a person writes,
// short enough that parsing and evaluating one stays cheap.
const (
	MaxLen   = 4096 // bytes
	MaxDepth = 64   // nested parentheses and !
)

// Error is a parse error at a column of the expression.
type Error struct {
	// Column is the character the error points at, from 1.
	Column int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// Expr is a parsed expression, safe for concurrent use.
type Expr struct {
	src  string
	root node
}

// String returns the expression as it was written.
func (e *Expr) String() string { return e.src }

// Canonical writes the expression back in a normal form: one space around
// binary operators, parentheses only where needed, strings in double
// quotes. Parsing it gives the same expression.
func (e *Expr) Canonical() string { return e.root.format(0) }

// Uses reports whether the expression reads field f, so a caller can skip
// fetching a field nobody asks for.
func (e *Expr) Uses(f Field) bool { return e.root.uses(f) }

// Parse parses an expression. Its errors are *Error.
func Parse(src string) (*Expr, error) {
	if len(src) > MaxLen {
		return nil, &Error{Column: utf8.RuneCountInString(src[:MaxLen]), Msg: fmt.Sprintf("the expression is longer than %d bytes", MaxLen)}
	}
	if !utf8.ValidString(src) {
		col := 1
		for i, r := range src {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(src[i:]); size == 1 {
					break
				}
			}
			col++
		}
		return nil, &Error{Column: col, Msg: "the expression is not valid UTF-8"}
	}
	p := &parser{lex: lexer{src: src, col: 1}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, &Error{Column: 1, Msg: `empty expression: write a test such as test ~ "^net\."`}
	}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		msg := fmt.Sprintf("unexpected %s: join tests with && or ||", p.tok.kind)
		if p.tok.kind == tokRParen {
			msg = "this ) closes nothing"
		}
		return nil, &Error{Column: p.tok.col, Msg: msg}
	}
	return &Expr{src: src, root: n}, nil
}

type parser struct {
	lex lexer
	tok token
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) depthError() error {
	return &Error{Column: p.tok.col, Msg: fmt.Sprintf("nested more than %d deep", MaxDepth)}
}

// or = and { "||" and }
func (p *parser) or(depth int) (node, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOr {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		left = &binary{op: tokOr, left: left, right: right}
	}
	return left, nil
}

// and = unary { "&&" unary }
func (p *parser) and(depth int) (node, error) {
	left, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokAnd {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		left = &binary{op: tokAnd, left: left, right: right}
	}
	return left, nil
}

// unary = "!" unary | "(" or ")" | field op string
func (p *parser) unary(depth int) (node, error) {
	if depth >= MaxDepth {
		return nil, p.depthError()
	}
	switch p.tok.kind {
	case tokNot:
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &not{x: x}, nil
	case tokLParen:
		open := p.tok.col
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokRParen {
			return nil, &Error{Column: p.tok.col, Msg: "empty parentheses"}
		}
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, &Error{Column: p.tok.col, Msg: fmt.Sprintf("expected ) to close the ( at column %d, found %s", open, p.tok.kind)}
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return x, nil
	case tokIdent:
		return p.comparison()
	case tokString:
		return nil, &Error{Column: p.tok.col, Msg: "a test starts with a field name (" + fieldList() + "), then ==, != or ~, then a string"}
	case tokEOF:
		return nil, &Error{Column: p.tok.col, Msg: "the expression ends too early: a test (field, operator, string) is missing"}
	}
	return nil, &Error{Column: p.tok.col, Msg: fmt.Sprintf("unexpected %s: expected a field name, ! or (", p.tok.kind)}
}

func (p *parser) comparison() (node, error) {
	name, col := p.tok.text, p.tok.col
	f, ok := fieldByName[name]
	if !ok {
		return nil, &Error{Column: col, Msg: fmt.Sprintf("unknown field %q: the fields are %s", name, fieldList())}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	op, opCol := p.tok.kind, p.tok.col
	if op != tokEq && op != tokNe && op != tokMatch {
		return nil, &Error{Column: opCol, Msg: fmt.Sprintf("expected ==, != or ~ after %s, found %s", name, op)}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokString {
		return nil, &Error{Column: p.tok.col, Msg: fmt.Sprintf("expected a string after %s %s, found %s (strings go in double quotes)", name, op, p.tok.kind)}
	}
	c := &compare{field: f, op: op, value: p.tok.text}
	if op == tokMatch {
		re, err := regexp.Compile(c.value)
		if err != nil {
			return nil, &Error{Column: p.tok.col, Msg: "bad regular expression: " + describeRegexpError(err)}
		}
		c.re = re
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return c, nil
}

func describeRegexpError(err error) string {
	if se, ok := err.(*syntax.Error); ok {
		return fmt.Sprintf("%s: %s (RE2 syntax: no backreferences or lookaround)", se.Code, strconv.Quote(se.Expr))
	}
	return err.Error()
}
