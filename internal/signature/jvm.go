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
			if clrNamespace(h) {
				continue // .NET's, read by dotnetTrace
			}
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
	// A suppressed exception's line, when the report starts at it.
	t = strings.TrimPrefix(t, "Suppressed: ")
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

// clrNamespace reports whether an exception line names a .NET type:
// System.*, Microsoft.*, Xunit.*, NUnit.*, or NUnit's "Type : message".
func clrNamespace(h string) bool {
	h = strings.TrimPrefix(h, "Unhandled exception. ")
	for _, p := range [...]string{"System.", "Microsoft.", "Xunit.", "NUnit."} {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	sp := strings.IndexByte(h, ' ')
	return sp > 0 && strings.HasPrefix(h[sp:], " : ")
}
