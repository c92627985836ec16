package signature

import "strings"

// sanitizer handles the reports of the C/C++ sanitizers:
//
//	==17548==ERROR: AddressSanitizer: heap-use-after-free on address 0x…
//	WARNING: ThreadSanitizer: data race (pid=123)
//	x.cc:5:12: runtime error: signed integer overflow: …   (UBSan)
//
// The reason is the sanitizer, the kind of error and the first frame in
// the project's code (not the sanitizer runtime, libc or the standard
// library); for a data race, that frame in each of the two accesses.
func (k *key) sanitizer() bool {
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if j := strings.Index(t, "Sanitizer: "); j > 0 && (strings.HasPrefix(t, "==") || strings.HasPrefix(t, "WARNING: ")) {
			head := t[strings.LastIndex(t[:j], " ")+1:]
			if c := strings.LastIndex(head, "=="); c >= 0 {
				head = head[c+2:]
			}
			k.sanitizerReport(i, head)
			return true
		}
		if c := strings.Index(t, ": runtime error: "); c > 0 && !strings.Contains(t[:c], " ") {
			k.kind = "ubsan"
			k.title = k.addMsg("error", i, "runtime error: "+t[c+len(": runtime error: "):])
			k.add("at", i, cFile(t[:c]))
			return true
		}
	}
	return false
}

// sanitizerReport keys an ASan/TSan/LSan/MSan report whose header, from
// the sanitizer's name on, is head.
func (k *key) sanitizerReport(at int, head string) {
	k.kind = "sanitizer"
	// "AddressSanitizer: heap-use-after-free on address 0x… at pc …":
	// the address and registers are the run's.
	if c := strings.Index(head, " on address "); c > 0 {
		head = head[:c]
	} else if c := strings.Index(head, " on unknown address"); c > 0 {
		head = head[:c]
	} else if c := strings.Index(head, " (pid="); c > 0 {
		head = head[:c]
	}
	k.title = k.addMsg("error", at, head)
	race := strings.Contains(head, "data race")
	// The report is blocks: a header line ("READ of size 4 …", "Previous
	// write …", "freed by thread T0 here:") and its frames. The first
	// block says where the error is; for a race, the second access too.
	var access []string // a race's two accesses, "fn file"
	var accessAt []int
	blocks, found, inFrames := 0, false, false
	for i := at + 1; i < len(k.lines) && i < at+400; i++ {
		t := strings.TrimSpace(k.lines[i])
		if strings.HasPrefix(t, "SUMMARY: ") || strings.HasPrefix(t, "==================") {
			break
		}
		if strings.HasPrefix(t, "#") {
			inFrames = true
			if found {
				continue
			}
			if fn, file, ok := cFrame(t); ok && !cRuntime(fn, file) {
				found = true
				if race {
					access, accessAt = append(access, strings.TrimSpace(fn+" "+file)), append(accessAt, i)
					continue
				}
				k.add("at", i, strings.TrimSpace(fn+" "+file))
				k.title += " in " + fn
			}
			continue
		}
		if t == "" {
			continue
		}
		if inFrames {
			blocks++
			if !race || blocks >= 2 {
				break
			}
			inFrames, found = false, false
		}
		if w := accessKind(t); w != "" && !race {
			k.add("", i, w)
		}
	}
	k.addAccesses(access, accessAt)
	if race && len(access) > 0 {
		k.title += " in " + access[0]
	}
}

// addAccesses adds the two accesses of a data race in a fixed order:
// which of them the detector saw first, and so which is "Read" and which
// "Previous write", changes from run to run.
func (k *key) addAccesses(access []string, at []int) {
	if len(access) == 2 && access[1] < access[0] {
		access[0], access[1] = access[1], access[0]
		at[0], at[1] = at[1], at[0]
	}
	for i, a := range access {
		k.add("access", at[i], a)
	}
}

// accessKind reduces "READ of size 4 at 0x… thread T0" to "READ": the
// size is the type's, the address the run's.
func accessKind(t string) string {
	if c := strings.Index(t, " of size "); c > 0 {
		return t[:c]
	}
	return ""
}

// cFrame splits a sanitizer frame "#1 0x55a9 in main /tmp/x.cc:1:3" or
// "#0 foo x.c:3 (bin+0x1)" into the function and the file's basename.
func cFrame(t string) (fn, file string, ok bool) {
	f := strings.Fields(t)
	if len(f) < 2 {
		return "", "", false
	}
	rest := f[1:]
	if strings.HasPrefix(rest[0], "0x") {
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] == "in" {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return "", "", false
	}
	fn = rest[0]
	switch fn {
	case "void", "int", "bool", "char", "unsigned", "long", "auto", "static", "const", "double", "float", "size_t":
		// A C++ frame printed with its return type first.
		if len(rest) > 1 {
			rest = rest[1:]
			fn = rest[0]
		}
	}
	if p := strings.IndexByte(fn, '('); p > 0 {
		fn = fn[:p]
	}
	if len(rest) > 1 && !strings.HasPrefix(rest[len(rest)-1], "(") {
		file = cFile(rest[len(rest)-1])
	} else if len(rest) > 2 {
		file = cFile(rest[len(rest)-2])
	}
	return fn, file, true
}

// cFile is the basename of "path/x.cc:12:3" without line and column.
func cFile(p string) string {
	p = baseName(p)
	if c := strings.IndexByte(p, ':'); c > 0 {
		p = p[:c]
	}
	return p
}

// cRuntime reports whether a frame is in the sanitizer runtime, libc, the
// dynamic loader or the C++ standard library rather than in the project.
func cRuntime(fn, file string) bool {
	for _, p := range [...]string{"__interceptor_", "__asan", "__tsan", "__lsan", "__msan", "__ubsan", "__sanitizer",
		"operator new", "operator delete", "malloc", "calloc", "realloc", "free", "__libc_", "_start", "start_thread",
		"std::", "__gnu_cxx::", "clone", "pthread_", "__cxa_", "<null>"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return strings.HasPrefix(file, "asan_") || strings.HasPrefix(file, "tsan_") || strings.HasPrefix(file, "sanitizer_") ||
		strings.HasPrefix(file, "libc") || strings.HasSuffix(file, ".so") || strings.Contains(file, ".so.")
}

// gtest handles GoogleTest output: "path/x_test.cc:12: Failure" and the
// message below it, in the test that "[ RUN      ]" opened. An assertion
// is the test's own, so the test (its parameter index dropped) is part of
// the key with the file and the first line of the message.
func (k *key) gtest() bool {
	test, testAt := "", -1
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(t, "[ RUN      ] "); ok {
			test, testAt = rest, i
			continue
		}
		file, ok := strings.CutSuffix(t, ": Failure")
		if !ok {
			if rest, ok := strings.CutPrefix(t, "[  FAILED  ] "); ok && test == "" && strings.Contains(rest, ".") && !strings.Contains(rest, " tests,") {
				// Only the summary survived.
				k.kind = "gtest"
				name := rest
				if sp := strings.IndexByte(name, ' '); sp > 0 {
					name = name[:sp]
				}
				k.title = k.add("test", i, gtestName(name)) + " failed"
				return true
			}
			continue
		}
		k.kind = "gtest"
		if test != "" {
			k.add("test", testAt, gtestName(test))
		}
		k.add("at", i, cFile(file))
		k.title = cFile(file) + ": Failure"
		for j := i + 1; j < len(k.lines) && j < i+3; j++ {
			m := strings.TrimSpace(k.lines[j])
			if m == "" || strings.HasPrefix(m, "[") || strings.HasSuffix(m, ": Failure") {
				break
			}
			l := k.addMsg("", j, m)
			if j == i+1 {
				k.title += " " + l
			}
			if !strings.HasSuffix(m, ":") {
				break // the expression is named; what follows are values
			}
		}
		return true
	}
	return false
}

// gtestName drops what varies between instances of one parametrized or
// typed test: "Inst/Suite.Test/3" is "Suite.Test".
func gtestName(name string) string {
	if k := strings.IndexByte(name, '.'); k > 0 {
		if s := strings.LastIndexByte(name[:k], '/'); s >= 0 {
			name = name[s+1:]
		}
	}
	if s := strings.LastIndexByte(name, '/'); s > 0 && allDigits(name[s+1:]) {
		name = name[:s]
	}
	return name
}
