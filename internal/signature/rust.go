package signature

import "strings"

// rustPanic handles a Rust panic, as cargo test prints it:
//
//	thread 'tests::it_works' panicked at src/lib.rs:10:9:      (Rust 1.73+)
//	assertion `left == right` failed
//	thread 'main' panicked at 'Timeout', src/test_util/mod.rs:310:5   (before)
//
// The reason is the message and the file it was raised in. The thread,
// which cargo names after the test, joins the key only for assertions,
// whose message ("assertion `left == right` failed") says nothing by
// itself.
func (k *key) rustPanic() bool {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "thread '") {
			continue
		}
		name, rest, ok := strings.Cut(t[len("thread '"):], "' ")
		if strings.HasPrefix(rest, "(") {
			// Rust 1.88+ adds the thread id: "thread 'x' (15954) panicked".
			_, rest, _ = strings.Cut(rest, ") ")
		}
		rest, ok = strings.CutPrefix(rest, "panicked at ")
		if !ok {
			continue
		}
		msg, file, msgAt := "", "", i
		if strings.HasPrefix(rest, "'") {
			// Old form: the message is quoted and may span lines, up to
			// "', file:line:col". Its first line is the message.
			msg = rest[1:]
			for j := i; j < len(k.lines) && j <= i+20; j++ {
				body := rest[1:]
				if j > i {
					body = strings.TrimSpace(k.lines[j])
				}
				if c := strings.LastIndex(body, "', "); c >= 0 {
					file = body[c+3:]
					if j == i {
						msg = body[:c]
					}
					break
				}
			}
		} else {
			file = strings.TrimSuffix(rest, ":")
			for j := i + 1; j < len(k.lines) && j < i+3; j++ {
				msg, msgAt = strings.TrimSpace(k.lines[j]), j
				// ":18:" is the rest of a location another process's
				// output ran into; the message is on the next line.
				if !(strings.HasPrefix(msg, ":") && allDigits(strings.Trim(msg, ":"))) {
					break
				}
			}
		}
		msg = rustAssertion(msg)
		k.kind = "rust-panic"
		k.title = k.addMsg("panic", msgAt, msg)
		if strings.HasPrefix(msg, "assertion") && name != "main" && name != "<unnamed>" {
			k.add("test", i, name)
		}
		if file != "" {
			k.add("at", i, rustFile(file))
		}
		return true
	}
	return false
}

// rustAssertion gives assert_eq!'s message one form across Rust
// versions: before 1.73 it read "assertion failed: `(left == right)`".
func rustAssertion(msg string) string {
	for _, op := range [...]string{"==", "!="} {
		if msg == "assertion failed: `(left "+op+" right)`" {
			return "assertion `left " + op + " right` failed"
		}
	}
	return msg
}

// rustTest handles cargo test output without a panic: a test binary that
// died of a signal ("process didn't exit successfully: … (signal: 11,
// SIGSEGV: invalid memory reference)"), keyed on the signal and the test
// that was running.
func (k *key) rustTest() bool {
	test, testAt := "", -1
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if n, ok := rustFailedTest(t); ok {
			test, testAt = n, i
		}
		if !strings.Contains(t, "process didn't exit successfully") {
			continue
		}
		k.kind = "rust-test"
		sig := "exited"
		if s := strings.Index(t, "(signal: "); s >= 0 {
			sig = strings.TrimSuffix(t[s+1:], ")")
			if c := strings.IndexByte(sig, ':'); c >= 0 {
				if d := strings.IndexByte(sig[c+1:], ':'); d >= 0 {
					sig = sig[:c+1+d] // "signal: 11, SIGSEGV"
				}
			}
		} else if s := strings.Index(t, "(exit "); s >= 0 {
			sig = strings.TrimSuffix(t[s+1:], ")")
		}
		k.title = k.addMsg("crash", i, "test process died: "+sig)
		if test != "" {
			k.title = k.add("test", testAt, test) + ": " + k.title
		}
		return true
	}
	return false
}

// rustFailedTest reads the test of "test x::y ... FAILED" (or "... error")
// and, with -q, "x::y --- FAILED".
func rustFailedTest(t string) (string, bool) {
	if k := strings.Index(t, " --- FAILED"); k > 0 && !strings.Contains(t[:k], " ") {
		return t[:k], true
	}
	if strings.HasPrefix(t, "test ") {
		if k := strings.Index(t, " ... "); k > len("test ") && (strings.Contains(t[k:], "FAILED") || strings.Contains(t[k:], "error")) {
			return strings.TrimSpace(t[len("test "):k]), true
		}
	}
	return "", false
}

// rustFile is the file a panic names, without line and column; for
// mod.rs, lib.rs and main.rs, which every crate has, with its directory.
func rustFile(path string) string {
	base := cFile(path)
	switch base {
	case "mod.rs", "lib.rs", "main.rs":
		dir := strings.TrimRight(path[:strings.LastIndexAny(path, `/\`)+1], `/\`)
		d := baseName(dir)
		if d == "src" {
			// crate/src/lib.rs: the crate says which.
			up := strings.TrimRight(dir[:len(dir)-len(d)], `/\`)
			if c := baseName(up); c != "" {
				d = c + "/" + d
			}
		}
		if d != "" {
			return base + " in " + d // not a path: a path keeps its basename
		}
	}
	return base
}
