package rule

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// maxLiterals bounds the literals a filter names; more than that and it
// is not worth sending.
const maxLiterals = 16

// TextLiterals returns strings one of which the failure text must contain
// for the expression to hold, whatever the other fields are: a filter a
// database can apply with a plain substring search before the rule is
// evaluated, so texts that cannot match are not read. ok is false when
// no such filter follows from the expression (a test of the text under !,
// a case-insensitive regular expression, a || with a side that does not
// test the text); the caller then reads every text it needs.
func (e *Expr) TextLiterals() (lits []string, ok bool) {
	lits, ok = textLiterals(e.root)
	if !ok || len(lits) > maxLiterals {
		return nil, false
	}
	slices.Sort(lits)
	return slices.Compact(lits), true
}

func textLiterals(n node) ([]string, bool) {
	switch n := n.(type) {
	case *compare:
		switch {
		case n.field != Text:
			return nil, false
		case n.op == tokEq && n.value != "":
			return []string{n.value}, true
		case n.op == tokMatch:
			re, err := syntax.Parse(n.value, syntax.Perl)
			if err != nil {
				return nil, false
			}
			return regexpLiterals(re.Simplify())
		}
		return nil, false
	case *binary:
		l, lok := textLiterals(n.left)
		r, rok := textLiterals(n.right)
		if n.op == tokAnd {
			// Either side's filter is necessary; the more selective one
			// (longest shortest literal) is kept.
			switch {
			case lok && rok:
				if shortest(r) > shortest(l) {
					return r, true
				}
				return l, true
			case lok:
				return l, true
			}
			return r, rok
		}
		if lok && rok {
			return append(l, r...), true
		}
	}
	return nil, false
}

// regexpLiterals returns strings one of which every match of re contains.
func regexpLiterals(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		// A case-folded literal has no one spelling to search for.
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCapture:
		return regexpLiterals(re.Sub[0])
	case syntax.OpPlus:
		return regexpLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return regexpLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		// Adjacent literals make a longer one; of the parts, the one with
		// the longest shortest literal is the best filter.
		var best []string
		var run []rune
		consider := func(lits []string) {
			if len(lits) > 0 && (best == nil || shortest(lits) > shortest(best)) {
				best = lits
			}
		}
		flush := func() {
			if len(run) > 0 {
				consider([]string{string(run)})
				run = nil
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
				run = append(run, sub.Rune...)
				continue
			}
			flush()
			if lits, ok := regexpLiterals(sub); ok {
				consider(lits)
			}
		}
		flush()
		return best, best != nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			lits, ok := regexpLiterals(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// shortest is the length, in characters, of the shortest literal.
func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if c := utf8.RuneCountInString(l); n < 0 || c < n {
			n = c
		}
	}
	return n
}
