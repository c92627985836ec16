package rule

// Fields are the values of one failing result an expression is tested on.
type Fields struct {
	Repo, Branch, Test, Text, Builder, OS string
	// Signature holds the signature's hash and its title.
	Signature []string
	// Unknown names fields whose value is not at hand (a bit per Field):
	// Eval answers Unknown when the outcome depends on one of them.
	Unknown uint8
}

// Without returns a copy of f with field g marked unknown.
func (f Fields) Without(g Field) Fields {
	f.Unknown |= 1 << g
	return f
}

// Result is the outcome of testing an expression: true, false, or unknown
// because it depends on a field marked unknown.
type Result uint8

// The results.
const (
	False Result = iota
	True
	Unknown
)

// Match reports whether the expression holds for f; an unknown field
// counts as not matching.
func (e *Expr) Match(f Fields) bool { return e.root.eval(&f) == True }

// Eval tests the expression on f with three-valued logic: a field marked
// unknown makes a test Unknown, and && and || decide without it when the
// other side does (false && unknown is false).
func (e *Expr) Eval(f Fields) Result { return e.root.eval(&f) }

func (b *binary) eval(f *Fields) Result {
	l := b.left.eval(f)
	if b.op == tokAnd {
		if l == False {
			return False
		}
		r := b.right.eval(f)
		switch {
		case r == False:
			return False
		case l == True && r == True:
			return True
		}
		return Unknown
	}
	if l == True {
		return True
	}
	r := b.right.eval(f)
	switch {
	case r == True:
		return True
	case l == False && r == False:
		return False
	}
	return Unknown
}

func (n *not) eval(f *Fields) Result {
	switch n.x.eval(f) {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

func (c *compare) eval(f *Fields) Result {
	if f.Unknown&(1<<c.field) != 0 {
		return Unknown
	}
	var one [1]string
	values := one[:]
	switch c.field {
	case Repo:
		one[0] = f.Repo
	case Branch:
		one[0] = f.Branch
	case Test:
		one[0] = f.Test
	case Text:
		one[0] = f.Text
	case Builder:
		one[0] = f.Builder
	case OS:
		one[0] = f.OS
	case Signature:
		values = f.Signature
	}
	// A field with several values (the signature) passes == and ~ when
	// one of them does, and != when none is equal.
	any := false
	for _, v := range values {
		if c.op == tokMatch && c.re.MatchString(v) || c.op != tokMatch && v == c.value {
			any = true
			break
		}
	}
	if any != (c.op == tokNe) {
		return True
	}
	return False
}
