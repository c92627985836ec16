package signature

import "strings"

// goPanic handles "panic:", "fatal error:" and race reports: the message
// and the top frames of the goroutine that failed. A test timeout is keyed
// on the tests that were running instead: the goroutine that panics is
// the alarm's, which is the same for every hang.
func (k *key) goPanic(lines []string) bool {
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "panic: test timed out after "):
			k.goTimeout(lines[i:])
			return true
		case strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: "):
			msg := strings.TrimSuffix(l, " [recovered]")
			msg = strings.TrimSuffix(msg, " [recovered, repanicked]")
			k.kind = "go-panic"
			k.add("", msg)
			k.titleFrom(0)
			k.goFrames(lines[i+1:], 3)
			return true
		case strings.TrimSpace(l) == "WARNING: DATA RACE":
			k.goRace(lines[i+1:])
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

// goFrames adds up to n frames of the first goroutine in lines.
func (k *key) goFrames(lines []string, n int) {
	in := false
	for i, l := range lines {
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
		k.add("at", file+" "+fn)
		if n--; n == 0 {
			return
		}
	}
}

// goTimeout keys a "panic: test timed out" on the running tests.
func (k *key) goTimeout(lines []string) {
	k.kind = "go-timeout"
	var tests []string
	inRunning := false
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		switch {
		case t == "running tests:":
			inRunning = true
		case inRunning && t != "" && !strings.HasPrefix(t, "goroutine "):
			if sp := strings.IndexByte(t, ' '); sp > 0 {
				t = t[:sp] // drop "(10m0s)"
			}
			tests = append(tests, t)
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
		for _, l := range lines {
			fn := goFunc(l)
			if dot := strings.LastIndexByte(fn, '.'); dot >= 0 && strings.HasPrefix(fn[dot+1:], "Test") && !indented(l) {
				tests = append(tests, fn[dot+1:])
				break
			}
		}
	}
	k.add("", "panic: test timed out")
	for _, t := range tests {
		k.add("test", t)
	}
	k.title = "test timed out"
	if len(tests) > 0 {
		k.title += ": " + k.lines[len(k.lines)-1][len("test: "):]
	}
}

// goRace keys a race report on the top frames of its first two accesses.
func (k *key) goRace(lines []string) {
	k.kind = "go-race"
	k.add("", "WARNING: DATA RACE")
	blocks, n := 0, 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "Goroutine ") || strings.HasPrefix(t, "=================="):
			blocks = 3
		case strings.HasSuffix(t, ":") && (strings.HasPrefix(t, "Read at") || strings.HasPrefix(t, "Write at") ||
			strings.HasPrefix(t, "Previous read at") || strings.HasPrefix(t, "Previous write at")):
			blocks++
			n = 0
			k.add("", t[:strings.Index(t, " at")])
		case blocks > 0 && blocks <= 2 && n < 2 && t != "" && !strings.Contains(t, ".go:"):
			if fn := goFunc(t); !goSkip(fn) {
				k.add("at", fn)
				n++
			}
		}
		if blocks > 2 {
			break
		}
	}
	k.title = "data race"
	for _, l := range k.lines {
		if strings.HasPrefix(l, "at: ") {
			k.title += " at " + l[len("at: "):]
			break
		}
	}
}
