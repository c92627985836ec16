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

// clrFramework reports whether a .NET frame belongs to the runtime, the
// test framework or an assertion library.
func clrFramework(fn string) bool {
	// Not "Microsoft.": Microsoft's own projects (Microsoft.AspNetCore…)
	// live there.
	for _, p := range [...]string{"System.", "Xunit.", "NUnit.", "FluentAssertions.", "Moq.", "Castle.", "Shouldly.",
		"MSTest.", "Polly.", "Microsoft.VisualStudio.TestPlatform.", "Microsoft.TestPlatform.",
		"Microsoft.VisualStudio.TestTools.", "Microsoft.Testing."} {
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
	if first < 0 {
		return false
	}
	// The message: under "Error Message:" (dotnet test), else the
	// nearest exception line above the first frame.
	head := -1
	for i := first - 1; i >= 0 && i >= first-40; i-- {
		t := strings.TrimSpace(k.lines[i])
		if t == "Error Message:" || t == "Message:" {
			head = i + 1
			break
		}
	}
	if head < 0 {
		for i := first - 1; i >= 0 && i >= first-30; i-- {
			if typ, _ := clrExcType(k.lines[i]); typ != "" {
				head = i
				break
			}
		}
	}
	if head < 0 {
		// An assertion's message ("Assert.Equal() Failure") has no
		// type: the block of lines right above the frames is it.
		for head = first; head > 0 && head > first-30 && strings.TrimSpace(k.lines[head-1]) != ""; head-- {
		}
	}
	for head >= 0 && head < first && strings.TrimSpace(k.lines[head]) == "" {
		head++
	}
	if head < 0 || head >= first {
		return false
	}
	// Inner exceptions follow " ---> " on the header line or start the
	// lines after it. .NET prints the innermost exception's frames first,
	// up to "--- End of inner exception stack trace ---"; xUnit prints
	// inner exceptions as "---- T : msg" lines, and the outer frames
	// first, then "----- Inner Stack Trace -----" and the inner ones.
	var chain []managedExc
	xunit := false
	for i := head; i < first; i++ {
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
	for i := first; i < len(k.lines); i++ {
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
