package signature

import "strings"

// goPanic handles "panic:", "fatal error:" and race reports: the message
// and the top frames of the goroutine that failed. A test timeout is keyed
// on the tests that were running instead: the goroutine that panics is
// the alarm's, which is the same for every hang.
func (k *key) goPanic() bool {
	lines := k.lines
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "panic: test timed out after "):
			k.goTimeout(i)
			return true
		case strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: "):
			msg := strings.TrimSuffix(l, " [recovered]")
			msg = strings.TrimSuffix(msg, " [recovered, repanicked]")
			k.kind = "go-panic"
			if t, ok := afterCompleted(msg); ok {
				// The test's goroutine outlived it: the message names
				// the test, and the frames are whichever helper called
				// t.Error late this time.
				k.title = k.addMsg("", i, t)
				return true
			}
			k.title = strings.TrimPrefix(k.addMsg("", i, msg), "panic: ")
			// Where it panicked and its caller: deeper frames are the
			// test or the harness that got there, which vary for one bug
			// (the training corpus scores 1, 2 and 3 frames alike).
			k.goFrames(i+1, 2)
			return true
		case strings.TrimSpace(l) == "WARNING: DATA RACE":
			k.goRace(i + 1)
			return true
		}
	}
	return false
}

// goFunc reduces a stack line "github.com/x/y/pkg.(*T).M(0xc000..., 0x1)"
// to "pkg.(*T).M": arguments are addresses, the module path is noise.
func goFunc(l string) string {
	l = strings.TrimSpace(l)
	if strings.HasSuffix(l, ")") {
		if k := strings.LastIndexByte(l, '('); k > 0 {
			l = l[:k]
		}
	}
	if k := strings.LastIndexByte(l, '/'); k >= 0 {
		l = l[k+1:]
	}
	return l
}

// goSkip reports whether a function is runtime or test machinery that
// every panic stack shares.
func goSkip(fn string) bool {
	for _, p := range [...]string{"runtime.", "panic", "testing.", "reflect.", "sync.", "debug.", "race.Read", "race.Write"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// goFrames adds up to n frames of the first goroutine after line from.
func (k *key) goFrames(from, n int) {
	lines := k.lines
	in := false
	for i := from; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "goroutine ") && strings.HasSuffix(t, ":") {
			if in {
				return
			}
			in = true
			continue
		}
		if !in || indented(l) || t == "" || strings.HasPrefix(t, "created by ") {
			if in && (t == "" || strings.HasPrefix(t, "created by ")) {
				return
			}
			continue
		}
		fn := goFunc(t)
		if goSkip(fn) {
			continue
		}
		file := ""
		if i+1 < len(lines) && indented(lines[i+1]) {
			// "\tC:/Program Files/Go/src/x.go:12 +0x1f": the path may
			// hold blanks, the offset after it does not.
			loc := strings.TrimSpace(lines[i+1])
			if k := strings.LastIndex(loc, " +0x"); k > 0 {
				loc = loc[:k]
			}
			if k := strings.LastIndexByte(loc, ':'); k > 0 && allDigits(loc[k+1:]) {
				loc = loc[:k]
			}
			file = baseName(loc)
		}
		k.add("at", i, file+" "+fn)
		if n--; n == 0 {
			return
		}
	}
}

// goTimeout keys a "panic: test timed out" on the running tests.
func (k *key) goTimeout(at int) {
	lines := k.lines[at:]
	k.kind = "go-timeout"
	var tests []string
	var testAt []int
	inRunning := false
	for i := 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		switch {
		case t == "running tests:":
			inRunning = true
		case inRunning && goTestName(t):
			if sp := strings.IndexByte(t, ' '); sp > 0 {
				t = t[:sp] // drop "(10m0s)"
			}
			tests = append(tests, t)
			testAt = append(testAt, at+i)
		default:
			inRunning = false
		}
		if strings.HasPrefix(t, "goroutine ") || len(tests) >= 4 {
			break
		}
	}
	if len(tests) == 0 {
		// Before Go 1.20 the running tests were not listed: find the
		// test functions in the goroutine dump.
		for i, l := range lines {
			fn := goFunc(l)
			if dot := strings.LastIndexByte(fn, '.'); dot >= 0 && strings.HasPrefix(fn[dot+1:], "Test") && !indented(l) {
				tests = append(tests, fn[dot+1:])
				testAt = append(testAt, at+i)
				break
			}
		}
	}
	k.add("", at, "panic: test timed out")
	k.title = "test timed out"
	seen := map[string]bool{}
	for i, t := range tests {
		// A hang is the test's own: the test that was running is the
		// reason, and its subtests are one table of the same body,
		// whichever case hung this time.
		t = baseTest(t)
		if seen[t] {
			continue
		}
		seen[t] = true
		name := k.add("test", testAt[i], t)
		if i == 0 {
			k.title += ": " + name
		}
	}
}

// goTestName reports whether t starts with the name of a test, benchmark,
// example or fuzz target, as go test lists the running ones: anything
// else (runner chatter pasted below a cut list) ends the list.
func goTestName(t string) bool {
	for _, p := range [...]string{"Test", "Benchmark", "Example", "Fuzz"} {
		if rest, ok := strings.CutPrefix(t, p); ok && (rest == "" || rest[0] == ' ' || rest[0] == '/' || rest[0] == '_' || !isLetter(rest[0]) || rest[0] < 'a') {
			return true
		}
	}
	return false
}

// afterCompleted reduces "panic: Fail in goroutine after TestX/sub has
// completed" (and "Log in goroutine after …: message") to the test
// function: the subtest and the message vary with the run.
func afterCompleted(msg string) (string, bool) {
	msg = strings.TrimPrefix(msg, "panic: ")
	i := strings.Index(msg, " in goroutine after ")
	if i < 0 {
		return "", false
	}
	j := strings.Index(msg, " has completed")
	if j < i {
		return "", false
	}
	test := msg[i+len(" in goroutine after ") : j]
	return msg[:i] + " in goroutine after " + baseTest(test) + " has completed", true
}

// goRace keys a race report on the top frames of its two accesses, in a
// fixed order: which access the detector saw first ("Write at" and
// "Previous read at", or the other way round) changes from run to run.
func (k *key) goRace(from int) {
	k.kind = "go-race"
	k.add("", from-1, "WARNING: DATA RACE")
	var access []string
	var accessAt []int
	blocks, n := 0, 0
	for i := from; i < len(k.lines); i++ {
		t := strings.TrimSpace(k.lines[i])
		switch {
		case strings.HasPrefix(t, "Goroutine ") || strings.HasPrefix(t, "=================="):
			blocks = 3
		case strings.HasSuffix(t, ":") && (strings.HasPrefix(t, "Read at") || strings.HasPrefix(t, "Write at") ||
			strings.HasPrefix(t, "Previous read at") || strings.HasPrefix(t, "Previous write at")):
			blocks++
			n = 0
			access, accessAt = append(access, ""), append(accessAt, i)
		case blocks > 0 && blocks <= 2 && n < 2 && t != "" && !strings.Contains(t, ".go:"):
			if fn := goFunc(t); !goSkip(fn) {
				if n > 0 {
					access[len(access)-1] += " < "
				}
				access[len(access)-1] += fn
				n++
			}
		}
		if blocks > 2 {
			break
		}
	}
	k.addAccesses(access, accessAt)
	k.title = "data race"
	if len(access) > 0 && access[0] != "" {
		top, _, _ := strings.Cut(access[0], " < ")
		k.title += " at " + top
	}
}
