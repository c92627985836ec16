package signature

import "strings"

// managedExc is one exception of a Java or .NET chain: its line, its
// frames' functions and where they are.
type managedExc struct {
	line   string
	at     int
	frames []string
	fat    []int
}

// managed builds the key of a Java or .NET exception chain, outermost
// first: the root cause's type and message, the first frame of the
// project's code (the root's own, else the outermost's), and the type the
// root surfaced as when the chain wrapped it.
func (k *key) managed(kind string, chain []managedExc, split func(string) (string, string), framework func(string) bool) {
	k.kind = kind
	root, top := chain[len(chain)-1], chain[0]
	line, more, escaped := strings.Cut(root.line, `\n`)
	// "Assert.Equal() Failure\r\nExpected: …": an escaped break ends
	// the line as a real one does.
	line = strings.TrimSuffix(line, `\r`)
	typ, msg := split(line)
	if isAssertion(typ, msg) {
		// JUnit's "expected:<[a]> but was:<[b]>": the values compared
		// vary between runs; the test's class stays in the key.
		msg = angleValues(msg)
	}
	head := msg
	if typ != "" {
		head = typ + ": " + msg
	}
	k.title = k.addMsg("exception", root.at, head)
	// "Assert.Equal() Failure" / "Expected: X" / "Actual: Y": what the
	// test expected tells its cases apart; what it got varies.
	if !escaped && root.at >= 0 && root.at+1 < len(k.lines) {
		more = strings.TrimSpace(k.lines[root.at+1])
	}
	if strings.HasPrefix(more, "Expected:") {
		if e, _, ok := strings.Cut(more, `\n`); ok {
			more = strings.TrimSuffix(e, `\r`)
		}
		k.addMsg("", root.at, more)
	}
	assertion := isAssertion(typ, msg)
	found := false
	for _, e := range [...]managedExc{root, top} {
		if !whereMatters(typ, msg) {
			break
		}
		at := -1
		for j, fn := range e.frames {
			if framework(fn) {
				continue
			}
			if at < 0 {
				at = j
			}
			// An assertion is the test's: its test class, even when a
			// helper or the library under test raised it.
			if assertion && isTestClass(testClass(fn)) {
				at = j
				break
			}
		}
		if at >= 0 && assertion && !isTestClass(testClass(e.frames[at])) {
			// No frame is the test's: the runner's line about the
			// test names its class better than a frame of the library.
			if c, m, cat := k.testClassLine(); c != "" {
				k.add("at", cat, k.testLoc(c, m))
				found = true
				break
			}
		}
		if at >= 0 {
			loc := shortFunc(e.frames[at])
			if assertion {
				loc = k.testLoc(testClass(e.frames[at]), testMethod(e.frames, at))
			}
			k.add("at", e.fat[at], loc)
			found = true
		}
		if found || len(chain) == 1 {
			break
		}
	}
	if assertion && !found {
		// A report without its stack trace still names its test:
		// Gradle's "pkg.FooTest > bar FAILED", JUnit's "bar(pkg.FooTest)".
		if c, m, at := k.testClassLine(); c != "" {
			k.add("at", at, k.testLoc(c, m))
		}
	}
	if len(chain) > 1 {
		if tt, _ := split(top.line); tt != "" && tt != typ {
			k.add("surfaced as", top.at, tt)
			k.title += " (surfaced as " + tt + ")"
		}
	}
}

// isAssertion reports whether an exception is a test's own check failing
// (JUnit, TestNG, AssertJ, xUnit, NUnit).
func isAssertion(typ, msg string) bool {
	return strings.Contains(typ, "Assert") || strings.Contains(typ, "Comparison") ||
		(typ == "" && (strings.HasPrefix(msg, "Assert.") || strings.HasPrefix(msg, "Expected")))
}

// testClass reduces a frame's function to its class, without package,
// method or inner class: "com.x.TopicTest$1.run" is "TopicTest". A
// test's assertion is keyed on its class rather than its method: the tests
// of one class that fail together on one bug are one family.
func testClass(fn string) string {
	fn = shortFunc(fn)
	if d := strings.LastIndexByte(fn, '.'); d > 0 {
		fn = fn[:d]
	}
	if d := strings.IndexByte(fn, '$'); d > 0 {
		fn = fn[:d]
	}
	return fn
}

// isTestClass reports whether a class is named as a test class is
// (FooTest, FooTests, FooIT, FooTestCase, Foo_Test), not a test helper
// (HazelcastTestSupport).
func isTestClass(c string) bool {
	for _, s := range [...]string{"Test", "Tests", "IT", "TestCase", "Spec"} {
		if strings.HasSuffix(c, s) {
			return true
		}
	}
	return strings.HasPrefix(c, "Test")
}

// testLoc is where a test's assertion is keyed: its class, or with
// ruleClassFamily off its class and method.
func (k *key) testLoc(class, method string) string {
	if k.on(ruleClassFamily) || method == "" {
		return class
	}
	return class + "." + method
}

// testMethod is the test method of an assertion raised at frames[at]: the
// outermost frame of the same test class (the frame at may be a helper or
// an inner class of it).
func testMethod(frames []string, at int) string {
	c, last := testClass(frames[at]), at
	for j := at + 1; j < len(frames); j++ {
		if testClass(frames[j]) == c {
			last = j
		}
	}
	f := shortFunc(frames[last])
	return f[strings.LastIndexByte(f, '.')+1:]
}

// testClassLine finds the failing test in a runner's line about it, and
// returns its class and method: Gradle's "pkg.FooTest > bar FAILED",
// JUnit's "bar(pkg.FooTest)", xUnit's "Ns.FooTests.Bar(x: 1) [FAIL]",
// dotnet test's "Failed Ns.FooTests.Bar [3 ms]", and (ruleTestID) any
// line that names it by its full id.
func (k *key) testClassLine() (class, method string, at int) {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if id, ok := strings.CutSuffix(t, " [FAIL]"); ok {
			if c, m := clrTestID(id); c != "" {
				return c, m, i
			}
		}
		if id, ok := strings.CutPrefix(t, "Failed "); ok {
			if sp := strings.Index(id, " ["); sp > 0 {
				if c, m := clrTestID(id[:sp]); c != "" {
					return c, m, i
				}
			}
		}
		if c, m, ok := strings.Cut(t, " > "); ok && strings.HasSuffix(t, " FAILED") && !strings.Contains(c, " ") {
			return c[strings.LastIndexByte(c, '.')+1:], strings.TrimSuffix(m, " FAILED"), i
		}
		if p := strings.IndexByte(t, '('); p > 0 && strings.HasSuffix(t, ")") && !strings.ContainsAny(t, " :") {
			c := t[p+1 : len(t)-1]
			return c[strings.LastIndexByte(c, '.')+1:], t[:p], i
		}
		if k.on(ruleTestID) {
			if c, m := testID(t); c != "" {
				return c, m, i
			}
		}
	}
	return "", "", -1
}

// testID reads the class and method of a line that names a test by its
// full id, as issue templates and test reports head a failure:
// "**pkg.FooTest.testBar**", "failed test: Ns.FooTests.Bar(x: 1)",
// "- `Ns.FooTests.Bar(x: 1)`". The class must be named as a test class is,
// so that prose with dots in it names none.
func testID(t string) (class, method string) {
	t = strings.Trim(t, " *`_")
	t = strings.TrimLeft(strings.TrimPrefix(t, "- "), " `")
	// "failed test: " and the like.
	if c := strings.IndexByte(t, ':'); c > 0 && c < 16 && !strings.ContainsAny(t[:c], ".(") {
		t = strings.TrimLeft(t[c+1:], " `")
	}
	if p := strings.IndexByte(t, '('); p > 0 {
		t = t[:p]
	}
	t = strings.TrimRight(t, "`*")
	dots := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '.':
			if i == 0 || t[i-1] == '.' {
				return "", ""
			}
			dots++
		case !isWord(c) && c != '$':
			return "", ""
		}
	}
	if dots < 2 {
		return "", ""
	}
	m := strings.LastIndexByte(t, '.')
	if c := testClass(t); isTestClass(c) {
		return c, t[m+1:]
	}
	return "", ""
}

// angleValues replaces what JUnit and Hamcrest print between "<" and ">"
// after a colon ("expected:<5> but was:<7>", "was:<[value91]>") with STR.
func angleValues(msg string) string {
	if !strings.Contains(msg, ":<") {
		return msg
	}
	var b strings.Builder
	for {
		k := strings.Index(msg, ":<")
		if k < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:k+2])
		depth, end := 1, len(msg)
		for i := k + 2; i < len(msg); i++ {
			if msg[i] == '<' {
				depth++
			} else if msg[i] == '>' {
				if depth--; depth == 0 {
					end = i
					break
				}
			}
		}
		b.WriteString("STR")
		if end == len(msg) {
			return b.String() // cut short
		}
		msg = msg[end:]
	}
}

// surefireSummary handles Maven Surefire's summary of a failed test,
// "MapStoreTest.testX:123 expected:<[a]> but was:<[b]>", when the report
// kept nothing else: the message and the test's class.
func (k *key) surefireSummary() bool {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		sp := strings.IndexByte(t, ' ')
		if sp <= 0 {
			continue
		}
		id, msg := t[:sp], strings.TrimSpace(t[sp+1:])
		c := strings.LastIndexByte(id, ':')
		d := strings.IndexByte(id, '.')
		if c < 0 || d <= 0 || d > c || !allDigits(id[c+1:]) || !isLetter(id[0]) || id[0] < 'A' || id[0] > 'Z' {
			continue
		}
		if !strings.HasPrefix(msg, "expected") && !strings.Contains(msg, "expected:<") {
			continue
		}
		k.kind = "jvm"
		k.title = k.addMsg("exception", i, "AssertionError: "+angleValues(msg))
		k.add("at", i, id[:d])
		return true
	}
	return false
}

// clrTestID is the class and method of a .NET test id "Ns.FooTests.Bar(x: 1)".
func clrTestID(id string) (class, method string) {
	if p := strings.IndexByte(id, '('); p > 0 {
		id = id[:p]
	}
	id = strings.TrimPrefix(strings.TrimSpace(id), "- ")
	if strings.ContainsAny(id, " \t") {
		return "", ""
	}
	m := strings.LastIndexByte(id, '.')
	if m <= 0 {
		return "", ""
	}
	return id[strings.LastIndexByte(id[:m], '.')+1 : m], id[m+1:]
}
