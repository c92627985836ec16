package signature

import "strings"

// nodeCrash handles a test of Node's own suite (tools/test.py) that
// crashed: "severity: crashed", "exitcode: -6", and a stack of "oh no!" and
// "exit code: CRASHED (Signal: 6)", or Jenkins' "crashed (-6)". The stack
// says nothing: the reason is the signal and the test it hit. A crash in
// one test and a crash in another are different bugs more often than one
// machine's fault, and a text does not say which machine it ran on.
func (k *key) nodeCrash() bool {
	crashed, code, at := false, "", -1
	for i, l := range k.lines {
		t := strings.TrimSpace(l)
		if key, value, ok := yamlField(t); ok {
			switch key {
			case "severity":
				crashed = crashed || value == "crashed"
				at = i
			case "exitcode":
				code = value
			}
			continue
		}
		if rest, ok := strings.CutPrefix(t, "exit code: CRASHED"); ok {
			crashed, at = true, i
			if s := strings.Index(rest, "(Signal: "); s >= 0 {
				code = "-" + strings.TrimSuffix(rest[s+len("(Signal: "):], ")")
			}
		}
		if rest, ok := strings.CutPrefix(t, "crashed ("); ok && strings.HasSuffix(rest, ")") {
			crashed, at, code = true, i, strings.TrimSuffix(rest, ")")
		}
	}
	if !crashed {
		return false
	}
	k.kind = "node-crash"
	k.title = "crashed: " + crashName(code)
	// Only TAP's "not ok N test" names the test: reports that show it
	// otherwise (a table row, a heading) are, in the training corpus,
	// reports of one machine's crashes across tests, and group best
	// without it.
	if test, testAt, _ := jsTest(k.lines); test != "" {
		k.title = k.add("test", testAt, nodeTest(test)) + " " + k.title
	}
	k.add("", at, "crashed: "+crashName(code))
	return true
}

// nodeTest drops the directory of a test of Node's suite: tests move
// between parallel/ and sequential/ over the years.
func nodeTest(name string) string {
	if k := strings.LastIndexByte(name, '/'); k >= 0 && strings.HasPrefix(name[k+1:], "test-") {
		return name[k+1:]
	}
	return name
}

// crashName names the signal or Windows status a crashed process exited
// with: node's test runner reports signal N as exit code -N, Windows
// reports NTSTATUS codes. The name, not a masked number, goes into the
// key: a SIGABRT and a SIGSEGV are different failures.
func crashName(code string) string {
	switch strings.TrimSpace(code) {
	case "-6", "134":
		return "SIGABRT"
	case "-11", "139":
		return "SIGSEGV"
	case "-4", "132":
		return "SIGILL"
	case "-7", "135":
		return "SIGBUS"
	case "-8", "136":
		return "SIGFPE"
	case "-9", "137":
		return "SIGKILL"
	case "-15", "143":
		return "SIGTERM"
	case "-1073741819", "3221225477":
		return "access violation (0xC0000005)"
	case "-1073740791", "3221226505":
		return "stack buffer overrun (0xC0000409)"
	case "-1073741571", "3221225725":
		return "stack overflow (0xC00000FD)"
	case "-1073740940", "3221226356":
		return "heap corruption (0xC0000374)"
	case "":
		return "unknown signal"
	}
	return "exit code " + code
}
