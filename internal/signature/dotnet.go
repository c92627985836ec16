package signature

import "strings"

// clrFrame reports whether t is a .NET stack frame, "at Ns.Class.Method(
// Int32 x) in /src/File.cs:line 12", and returns "Ns.Class.Method".
func clrFrame(t string) (string, bool) {
	rest, ok := strings.CutPrefix(t, "at ")
	if !ok {
		return "", false
	}
	p := strings.IndexByte(rest, '(')
	if p <= 0 || strings.ContainsAny(rest[:p], " \t") {
		return "", false
	}
	if _, jvm := jvmFrame(t); jvm {
		return "", false
	}
	tail := rest[p:]
	if c := strings.Index(tail, ") in "); c >= 0 {
		if !strings.Contains(tail[c:], ":line ") {
			return "", false
		}
	} else if !strings.HasSuffix(tail, ")") || strings.Contains(tail, ":") {
		return "", false // "at f (x.js:1:2)" is JavaScript's
	}
	fn := rest[:p]
	// Async methods run as "<Method>d__5.MoveNext".
	if a := strings.IndexByte(fn, '<'); a >= 0 {
		if b := strings.IndexByte(fn[a:], '>'); b > 0 {
			fn = fn[:a] + fn[a+1:a+b]
		}
	}
	return fn, true
}

// clrFramework reports whether a .NET frame belongs to a test framework,
// an assertion library, or the runtime's plumbing for reflection and
// async calls. Other System.* frames count: they are where the base
// library raised an error (Socket.Connect), and in .NET's own repository
// (System.Net.Sockets.Tests) they are the project.
func clrFramework(fn string) bool {
	for _, p := range [...]string{"Xunit.", "NUnit.", "FluentAssertions.", "Moq.", "Castle.", "Shouldly.", "MSTest.",
		"Microsoft.VisualStudio.TestPlatform.", "Microsoft.TestPlatform.", "Microsoft.VisualStudio.TestTools.",
		"Microsoft.Testing.", "System.Reflection.", "System.RuntimeMethodHandle.", "System.Runtime.CompilerServices.",
		"System.Runtime.ExceptionServices.", "System.Threading.Tasks.", "System.Threading.ExecutionContext.",
		"System.Threading.ThreadPoolWorkQueue.", "System.Threading.Thread.", "System.Threading.TimerQueue"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// clrExcType splits "System.Net.Sockets.SocketException (111): Connection
// refused" or NUnit's "System.Exception : boom" into the simple type and
// the message, or returns "" if the line does not start with a type.
func clrExcType(t string) (typ, msg string) {
	t = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(t), "---> "), "----> ")
	t = strings.TrimPrefix(t, "Unhandled exception. ")
	end := 0
	for end < len(t) && (isWord(t[end]) || t[end] == '.' || t[end] == '`') {
		end++
	}
	name := t[:end]
	rest := strings.TrimLeft(t[end:], " ")
	if strings.HasPrefix(rest, "(") {
		if c := strings.Index(rest, "):"); c > 0 {
			rest = rest[c+1:]
		}
	}
	if !strings.HasPrefix(rest, ":") && rest != "" {
		return "", ""
	}
	simple := name[strings.LastIndexByte(name, '.')+1:]
	if !strings.Contains(name, ".") || !strings.HasSuffix(simple, "Exception") {
		return "", ""
	}
	return simple, strings.TrimSpace(strings.TrimPrefix(rest, ":"))
}

// clrSplit is clrExcType for a head that may be an assertion message
// without a type ("Assert.Equal() Failure: Values differ").
func clrSplit(t string) (string, string) {
	if typ, msg := clrExcType(t); typ != "" {
		return typ, msg
	}
	return "", strings.TrimSpace(t)
}

// dotnetTrace handles .NET failures (dotnet test with xUnit, NUnit or
// MSTest; an unhandled exception): the innermost exception of the chain
// (" ---> " inner exceptions), the first frame of the project's code, and
// the type it surfaced as.
func (k *key) dotnetTrace() bool {
	first := -1
	for i, l := range k.lines {
		if _, ok := clrFrame(strings.TrimSpace(l)); ok {
			first = i
			break
		}
	}
	head := k.dotnetHead(first)
	if head < 0 || first < 0 && !k.clrSign(head) {
		// Without a frame, only the message can say it is .NET's: a
		// heading of an issue template is any runner's.
		return false
	}
	end := first
	if end < 0 || end < head {
		end = len(k.lines)
	}
	// Inner exceptions follow " ---> " on the header line or start the
	// lines after it. .NET prints the innermost exception's frames first,
	// up to "--- End of inner exception stack trace ---"; xUnit prints
	// inner exceptions as "---- T : msg" lines, and the outer frames
	// first, then "----- Inner Stack Trace -----" and the inner ones.
	var chain []managedExc
	xunit := false
	for i := head; i < end; i++ {
		t := strings.TrimSpace(k.lines[i])
		if i > head {
			switch {
			case strings.HasPrefix(t, "--->"), strings.HasPrefix(t, "---->"):
			case strings.HasPrefix(t, "---- "):
				xunit = true
				t = t[len("---- "):]
			default:
				continue
			}
		}
		for _, part := range strings.Split(t, " ---> ") {
			chain = append(chain, managedExc{line: part, at: i})
		}
	}
	cur := len(chain) - 1
	if xunit {
		cur = 0
	}
	for i := first; i >= 0 && i < len(k.lines); i++ {
		t := strings.TrimSpace(k.lines[i])
		if strings.HasPrefix(t, "--- End of inner exception stack trace") {
			cur = 0
			continue
		}
		if strings.HasPrefix(t, "----- Inner Stack Trace") {
			if cur+1 < len(chain) {
				cur++
			}
			continue
		}
		fn, ok := clrFrame(t)
		if !ok {
			if strings.HasPrefix(t, "---") || t == "" || t == "Stack Trace:" {
				continue
			}
			break
		}
		chain[cur].frames = append(chain[cur].frames, fn)
		chain[cur].fat = append(chain[cur].fat, i)
	}
	k.managed("dotnet", chain, clrSplit, clrFramework)
	return true
}

// clrSign reports whether the message at line at is .NET's: a typed
// exception, an xUnit or MSTest assertion ("Assert.True() Failure"), or
// NUnit's "Expected: 5" with "But was: 3" on the next line.
func (k *key) clrSign(at int) bool {
	t := strings.TrimSpace(k.lines[at])
	if typ, _ := clrExcType(t); typ != "" {
		return true
	}
	if strings.HasPrefix(t, "Expected:") && at+1 < len(k.lines) {
		return strings.HasPrefix(strings.TrimSpace(k.lines[at+1]), "But was:")
	}
	return strings.HasPrefix(t, "Assert.") || strings.HasPrefix(t, "---- ")
}

// dotnetHead finds the line that opens a .NET failure's message: the
// line under an "Error Message:" header (dotnet test; "Error message" and
// "**Error message:**" in issue templates) or under a "Test [FAIL]" line
// (xUnit's console), else the first exception line ("System.IO.IOException
// : Got RST"), else the block right above the first frame (an untyped
// assertion, "Assert.Equal() Failure"). A report cut before its frames
// still has its message.
func (k *key) dotnetHead(first int) int {
	next := func(i int) int {
		for ; i < len(k.lines); i++ {
			t := strings.TrimSpace(k.lines[i])
			if t != "" && !strings.HasPrefix(t, "```") && !strings.HasPrefix(t, "~~~") {
				return i
			}
		}
		return -1
	}
	limit := first
	if limit < 0 {
		limit = len(k.lines)
	}
	for i := 0; i < limit; i++ {
		t := strings.Trim(k.lines[i], " \t*#:")
		if strings.EqualFold(t, "error message") || strings.EqualFold(t, "message") || strings.HasSuffix(t, " [FAIL]") {
			if h := next(i + 1); h >= 0 && (first < 0 || h < first) {
				return h
			}
		}
	}
	for i := 0; i < limit; i++ {
		if typ, _ := clrExcType(k.lines[i]); typ != "" {
			return i
		}
	}
	// An assertion's message has no type: xUnit's "Assert.Equal()
	// Failure", else the block of lines right above the frames (a blank
	// line may part them, as issue templates print them).
	for i := 0; i < limit; i++ {
		if t := strings.TrimSpace(k.lines[i]); strings.HasPrefix(t, "Assert.") && strings.Contains(t, "() Failure") {
			return i
		}
	}
	if first <= 0 {
		return -1
	}
	end := first
	for end > 0 && end > first-3 && strings.TrimSpace(k.lines[end-1]) == "" {
		end--
	}
	head := end
	for head > 0 && head > end-30 && strings.TrimSpace(k.lines[head-1]) != "" {
		head--
	}
	if head == end {
		return -1
	}
	return head
}
