package signature

import "strings"

// jvmFrame reports whether t is a Java or Kotlin stack frame,
// "at pkg.Class.method(File.java:12)", and returns "Class.method".
func jvmFrame(t string) (string, bool) {
	rest, ok := strings.CutPrefix(t, "at ")
	if !ok || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	p := strings.IndexByte(rest, '(')
	if p <= 0 || strings.ContainsAny(rest[:p], " \t") {
		return "", false
	}
	loc := rest[p+1 : len(rest)-1]
	if !strings.Contains(loc, ".java") && !strings.Contains(loc, ".kt") && !strings.Contains(loc, ".scala") &&
		!strings.Contains(loc, ".groovy") && loc != "Native Method" && loc != "Unknown Source" {
		return "", false
	}
	return rest[:p], true
}

// jvmFramework reports whether a frame's function belongs to the JVM,
// the test framework or the build tool rather than to the project.
func jvmFramework(fn string) bool {
	// "app//org.junit…" and "java.base/java.lang…" name the module first.
	if k := strings.IndexByte(fn, '/'); k >= 0 {
		fn = strings.TrimLeft(fn[k:], "/")
	}
	for _, p := range [...]string{"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.",
		"org.junit.", "junit.", "org.opentest4j.", "org.assertj.", "org.hamcrest.", "org.testng.", "org.mockito.",
		"org.gradle.", "worker.org.gradle.", "org.apache.maven.", "org.springframework.test.", "com.google.common.truth.",
		"groovy.", "org.codehaus.groovy.", "androidx.test.", "android.", "dalvik.", "com.android.internal.",
		"net.bytebuddy.", "org.awaitility.", "org.spockframework.", "io.kotest."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// shortFunc reduces "org.x.pkg.Class$Inner.method" to "Class$Inner.method":
// the package moves with refactors, the class and method say where.
func shortFunc(fn string) string {
	if k := strings.IndexByte(fn, '/'); k >= 0 {
		fn = strings.TrimLeft(fn[k:], "/")
	}
	m := strings.LastIndexByte(fn, '.')
	if m <= 0 {
		return fn
	}
	if c := strings.LastIndexByte(fn[:m], '.'); c >= 0 {
		return fn[c+1:]
	}
	return fn
}

// managedExc is one exception of a Java or .NET chain: its line, its
// frames' functions and where they are.
type managedExc struct {
	line   string
	at     int
	frames []string
	fat    []int
}

// jvmTrace handles Java and Kotlin stack traces (JUnit, Surefire, Gradle,
// Android): the first trace in the text, keyed on its root cause (the
// last "Caused by:"), the first frame of the project's code, and the type
// the root surfaced as.
func (k *key) jvmTrace() bool {
	first := -1
	for i, l := range k.lines {
		if _, ok := jvmFrame(strings.TrimSpace(l)); ok {
			first = i
			break
		}
	}
	// The exception line is above the first frame, past any lines of a
	// multi-line message; a report pasted without its stack trace still
	// has a fully qualified exception line.
	start := -1
	if first < 0 {
		for i, l := range k.lines {
			h := excHead(l)
			if typ, _ := javaExcType(h); typ != "" && strings.Contains(h[:strings.IndexByte(h+":", ':')], ".") &&
				(strings.HasSuffix(typ, "Exception") || strings.HasSuffix(typ, "Error")) {
				start = i
				break
			}
		}
		if start < 0 {
			return false
		}
		first = len(k.lines)
	}
	for i := first - 1; start < 0 && i >= 0 && i >= first-30; i-- {
		if typ, _ := javaExcType(excHead(k.lines[i])); typ != "" {
			start = i
		}
	}
	if start < 0 {
		return false
	}
	var chain []managedExc
	head := excHead(k.lines[start])
	if g := strings.Index(head, " at "); g > 0 && gradleAt(head[g:]) {
		// Gradle's short form names the file the exception was thrown
		// in: it stands for the frame the report left out.
		file := head[g+len(" at "):]
		head = head[:g]
		chain = append(chain, managedExc{line: head, at: start, frames: []string{strings.TrimSuffix(file[:strings.LastIndexByte(file, ':')], ".java")}, fat: []int{start}})
	} else {
		chain = append(chain, managedExc{line: head, at: start})
	}
	for i := start + 1; i < len(k.lines); i++ {
		t := strings.TrimSpace(k.lines[i])
		cur := &chain[len(chain)-1]
		if fn, ok := jvmFrame(t); ok {
			cur.frames = append(cur.frames, fn)
			cur.fat = append(cur.fat, i)
			continue
		}
		if rest, ok := strings.CutPrefix(t, "Caused by: "); ok {
			chain = append(chain, managedExc{line: rest, at: i})
			continue
		}
		if strings.HasPrefix(t, "...") || strings.HasPrefix(t, "Suppressed: ") || len(cur.frames) == 0 {
			continue
		}
		if strings.HasPrefix(t, "at ") {
			continue
		}
		break
	}
	k.managed("jvm", chain, javaExcType, jvmFramework)
	return true
}

// excHead removes what runners put before an exception line.
func excHead(l string) string {
	t := strings.TrimSpace(l)
	// Randomized testing's "Throwable #1: java.lang.AssertionError: …".
	if rest, ok := strings.CutPrefix(t, "Throwable #"); ok {
		if c := strings.Index(rest, ": "); c > 0 && allDigits(rest[:c]) {
			t = rest[c+2:]
		}
	}
	if strings.HasPrefix(t, "Exception in thread ") {
		if k := strings.Index(t, "\" "); k > 0 {
			t = t[k+2:]
		}
	}
	return t
}

// javaExcType splits "java.net.ConnectException: Connection refused" into
// the simple type name and the message, or returns "" if the line does
// not start with an exception type.
func javaExcType(t string) (typ, msg string) {
	end := 0
	for end < len(t) && (isWord(t[end]) || t[end] == '.' || t[end] == '$') {
		end++
	}
	if end == 0 || (end < len(t) && t[end] != ':' && !gradleAt(t[end:])) {
		return "", ""
	}
	name := t[:end]
	simple := name[strings.LastIndexByte(name, '.')+1:]
	if simple == "" || simple[0] < 'A' || simple[0] > 'Z' {
		return "", ""
	}
	if !strings.Contains(name, ".") && !strings.HasSuffix(simple, "Exception") && !strings.HasSuffix(simple, "Error") &&
		!strings.HasSuffix(simple, "Failure") && !strings.HasSuffix(simple, "Throwable") {
		return "", ""
	}
	if end < len(t) && t[end] == ':' {
		msg = strings.TrimSpace(t[end+1:])
	}
	return simple, msg
}

// gradleAt reports whether rest is Gradle's short location after an
// exception type: " at TestExecutionMonitor.java:108".
func gradleAt(rest string) bool {
	loc, ok := strings.CutPrefix(rest, " at ")
	if !ok {
		return false
	}
	c := strings.LastIndexByte(loc, ':')
	return c > 0 && allDigits(loc[c+1:]) && (strings.HasSuffix(loc[:c], ".java") || strings.HasSuffix(loc[:c], ".kt"))
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
