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
			more = e
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
			if c, cat := k.testClassLine(); c != "" {
				k.add("at", cat, c)
				found = true
				break
			}
		}
		if at >= 0 {
			loc := shortFunc(e.frames[at])
			if assertion {
				loc = testClass(e.frames[at])
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
		if c, at := k.testClassLine(); c != "" {
			k.add("at", at, c)
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

// testClassLine finds the class of the failing test in a runner's line
// about it: Gradle's "pkg.FooTest > bar FAILED", JUnit's "bar(pkg.FooTest)",
// xUnit's "Ns.FooTests.Bar(x: 1) [FAIL]", dotnet test's "Failed Ns.FooTests.Bar [3 ms]".
func (k *key) testClassLine() (string, int) {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if id, ok := strings.CutSuffix(t, " [FAIL]"); ok {
			if c := clrTestClass(id); c != "" {
				return c, i
			}
		}
		if id, ok := strings.CutPrefix(t, "Failed "); ok {
			if sp := strings.Index(id, " ["); sp > 0 {
				if c := clrTestClass(id[:sp]); c != "" {
					return c, i
				}
			}
		}
		if c, _, ok := strings.Cut(t, " > "); ok && strings.HasSuffix(t, " FAILED") && !strings.Contains(c, " ") {
			return c[strings.LastIndexByte(c, '.')+1:], i
		}
		if p := strings.IndexByte(t, '('); p > 0 && strings.HasSuffix(t, ")") && !strings.ContainsAny(t, " :") {
			c := t[p+1 : len(t)-1]
			return c[strings.LastIndexByte(c, '.')+1:], i
		}
	}
	return "", -1
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

// clrTestClass is the class of a .NET test id "Ns.FooTests.Bar(x: 1)".
func clrTestClass(id string) string {
	if p := strings.IndexByte(id, '('); p > 0 {
		id = id[:p]
	}
	id = strings.TrimPrefix(strings.TrimSpace(id), "- ")
	if strings.ContainsAny(id, " \t") {
		return ""
	}
	m := strings.LastIndexByte(id, '.')
	if m <= 0 {
		return ""
	}
	return id[strings.LastIndexByte(id[:m], '.')+1 : m]
}
