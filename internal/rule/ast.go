package rule

import (
	"regexp"
	"sort"
	"strings"
)

// Field is a field of a failing result an expression can test.
type Field int

// The fields, in the order the documentation lists them.
const (
	Repo Field = iota
	Branch
	Test
	Text
	Signature
	Builder
	OS
	numFields
)

var fieldNames = [numFields]string{"repo", "branch", "test", "text", "signature", "builder", "os"}

var fieldByName = func() map[string]Field {
	m := map[string]Field{}
	for i, n := range fieldNames {
		m[n] = Field(i)
	}
	return m
}()

func (f Field) String() string { return fieldNames[f] }

func fieldList() string {
	names := append([]string(nil), fieldNames[:]...)
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// node is a node of the syntax tree.
type node interface {
	eval(f *Fields) Result
	uses(f Field) bool
	// format writes the node; prec is the binding of the context (0: top,
	// 1: inside ||, 2: inside &&, 3: under !).
	format(prec int) string
}

type binary struct {
	op          tokenKind // tokAnd or tokOr
	left, right node
}

type not struct{ x node }

type compare struct {
	field Field
	op    tokenKind // tokEq, tokNe or tokMatch
	value string
	re    *regexp.Regexp
}

func (b *binary) uses(f Field) bool  { return b.left.uses(f) || b.right.uses(f) }
func (n *not) uses(f Field) bool     { return n.x.uses(f) }
func (c *compare) uses(f Field) bool { return c.field == f }

func (b *binary) format(prec int) string {
	own, sep := 1, " || "
	if b.op == tokAnd {
		own, sep = 2, " && "
	}
	s := b.left.format(own) + sep + b.right.format(own+1)
	if prec > own {
		return "(" + s + ")"
	}
	return s
}

func (n *not) format(int) string { return "!" + n.x.format(3) }

func (c *compare) format(int) string {
	return c.field.String() + " " + c.op.String() + " " + quote(c.value)
}

// quote writes s as a double-quoted string of the language: only quotes,
// backslashes, newlines and tabs are escaped; a backslash before anything
// else would be read back as itself, so it is kept as one.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			// A lone backslash reads back as itself unless the next
			// character would make an escape of it.
			if i+1 < len(s) && strings.IndexByte(`"\nt`, s[i+1]) < 0 {
				b.WriteByte('\\')
			} else {
				b.WriteString(`\\`)
			}
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
