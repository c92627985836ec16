package signature

import "strings"

// Input window. A failure text can be megabytes (a goroutine dump of a
// hung server); what identifies the bug is near the top (the panic, the
// first failing test) or near the bottom (the last traceback), so only
// the head and the tail are looked at. This keeps Compute's time and
// memory bounded whatever it is given.
const (
	headBytes = 32 << 10
	tailBytes = 64 << 10
	maxLines  = 4096
)

// window returns the lines Compute looks at, without what terminals and
// issue trackers wrap a text in (see unwrap) and log prefixes. When ex is
// set, it records where each line came from and what was left out, for
// Explain.
func window(text string, ex *explainer) []string {
	orig := text
	var skipped, at int // bytes left out of the middle, and where
	if len(text) > headBytes+tailBytes {
		head := text[:headBytes]
		if k := strings.LastIndexByte(head, '\n'); k > 0 {
			head = head[:k]
		}
		tail := text[len(text)-tailBytes:]
		if k := strings.IndexByte(tail, '\n'); k >= 0 {
			tail = tail[k+1:]
		}
		skipped, at = len(text)-len(head)-len(tail)-1, len(head)
		text = head + "\n" + tail
	}
	raw := strings.Split(text, "\n")
	if ex != nil {
		ex.start(orig, raw, skipped, at)
	}
	if len(raw) > maxLines {
		// Many short lines: keep both ends here too.
		if ex != nil {
			ex.dropMiddle(maxLines/2, len(raw)-maxLines/2)
		}
		raw = append(raw[:maxLines/2], raw[len(raw)-maxLines/2:]...)
	}
	raw = unwrap(raw, ex)
	for i, l := range raw {
		l = strings.TrimRight(l, " \t\r")
		raw[i] = stripPrefix(l)
		if ex != nil && len(raw[i]) < len(l) {
			ex.prefix(i, l[:len(l)-len(raw[i])])
		}
	}
	// The indentation of a block pasted below its log prefixes.
	dedent(raw)
	return raw
}

// unwrap removes from the lines of a text what a terminal or an issue
// tracker wrapped it in, which one paste of a failure has and another
// not: a blank line after every line (a web page's copy), ANSI colour and
// cursor sequences, markdown fences and <details> tags (blank lines now),
// and an indentation common to all lines (a markdown code block).
func unwrap(lines []string, ex *explainer) []string {
	if doubled(lines) {
		out := lines[:0]
		for i, l := range lines {
			if i%2 == 0 {
				out = append(out, l)
			}
		}
		if ex != nil {
			ex.dropOdd(len(lines))
		}
		lines = out
	}
	for i, l := range lines {
		if strings.IndexByte(l, 0x1b) >= 0 {
			l = stripANSI(l)
		}
		j := 0
		for j < len(l) && (l[j] == ' ' || l[j] == '\t' || l[j] == '>') {
			j++
		}
		if j < len(l) && (l[j] == '`' || l[j] == '~' || l[j] == '<') && layoutLine(l[j:]) {
			l = ""
			if ex != nil {
				ex.markup(i)
			}
		}
		lines[i] = l
	}
	dedent(lines)
	return lines
}

// doubled reports whether every second line of a text is blank, as a web
// page's copy makes it when each line of a log viewer is a paragraph of
// its own: those blank lines are not the text's.
func doubled(lines []string) bool {
	n := len(lines)
	for n > 0 && strings.TrimSpace(lines[n-1]) == "" {
		n--
	}
	if n < 3 {
		return false
	}
	for i := 1; i < n; i += 2 {
		if strings.TrimSpace(lines[i]) != "" {
			return false
		}
	}
	return true
}

// layoutLine reports whether a trimmed line is only issue-tracker markup:
// a fence ("```", "```console", "~~~") or a <details>/<summary> tag.
func layoutLine(t string) bool {
	t = strings.TrimRight(t, " \t\r")
	switch {
	case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
		return !strings.ContainsAny(strings.TrimLeft(t, "`~"), " `")
	case strings.HasPrefix(t, "<details") || strings.HasPrefix(t, "</details>") ||
		strings.HasPrefix(t, "<summary>") && strings.HasSuffix(t, "</summary>"):
		return true
	}
	return false
}

// dedent removes the blanks that every non-blank line starts with.
func dedent(lines []string) {
	common, first := "", true
	for _, l := range lines {
		n := 0
		for n < len(l) && (l[n] == ' ' || l[n] == '\t') {
			n++
		}
		if n == len(l) || l[n:] == "\r" {
			continue
		}
		if n == 0 {
			return
		}
		ind := l[:n]
		if first {
			common, first = ind, false
			continue
		}
		c := 0
		for c < len(common) && c < len(ind) && common[c] == ind[c] {
			c++
		}
		common = common[:c]
		if common == "" {
			return
		}
	}
	if common == "" {
		return
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, common)
	}
}

// stripANSI removes terminal escape sequences: CSI ("ESC [ 31 m") and
// OSC ("ESC ] … BEL") sequences, and lone escapes.
func stripANSI(l string) string {
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c != 0x1b {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(l) && l[i+1] == '[' {
			j := i + 2
			for j < len(l) && (l[j] < 0x40 || l[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		if i+1 < len(l) && l[i+1] == ']' {
			j := i + 2
			for j < len(l) && l[j] != 0x07 && !(l[j] == 0x1b && j+1 < len(l) && l[j+1] == '\\') {
				j++
			}
			if j < len(l) && l[j] == 0x1b {
				j++
			}
			i = j
			continue
		}
		i++ // ESC and the one byte after it ("ESC (B")
	}
	return b.String()
}

// cutLine returns the index of the last line when the text ends in the
// middle of it (no final newline), or -1: its last word may be cut.
func cutLine(text string, lines []string) int {
	if strings.HasSuffix(text, "\n") || len(lines) == 0 {
		return -1
	}
	return len(lines) - 1
}

// stripPrefix removes what CI systems and loggers put before each line:
// a timestamp (GitHub Actions "2023-09-15T10:59:33.91Z ", Go's log
// "2017/12/01 01:00:27 "), an elapsed-time tag ("[   84s] "), regrtest's
// "0:14:01 load avg: 2.96 ". The indentation after the prefix is kept: it
// is what tells a traceback frame from an exception line.
func stripPrefix(l string) string {
	for range 3 {
		t := l
		switch {
		case t != "" && isDigit(t[0]):
			n := matchTimestamp(t)
			if n == len(t) && n > 0 {
				return "" // a prefix on an empty line
			}
			if q := quoteMargin(t); n == 0 && q > 0 {
				t = t[q:]
				break
			}
			if n == 0 || t[n] != ' ' {
				return l
			}
			t = t[n+1:]
			if strings.HasPrefix(t, "load avg: ") {
				t = t[len("load avg: "):]
				k := strings.IndexByte(t, ' ')
				if k < 0 {
					return ""
				}
				t = t[k+1:]
			}
		case strings.HasPrefix(t, "["):
			// "[   84s] ", "[2020-06-04T08:02:35.227Z] ", "[net46 ironpython] ":
			// a short bracketed tag followed by the line proper.
			k := strings.IndexByte(t, ']')
			if k < 2 || k > 40 || (k+1 < len(t) && (t[k+1] != ' ' || k+2 == len(t))) {
				return l
			}
			inner := t[1:k]
			if !elapsedTag(inner) && matchTimestamp(inner) != len(inner) &&
				(strings.ContainsAny(inner, "[:=") || inner[0] == ' ' || strings.Trim(inner, "-") == "") {
				// Content, not a prefix: Go's "[signal …]", GoogleTest's
				// "[ RUN      ]" and "[----------]".
				return l
			}
			if k+1 == len(t) {
				return "" // the tag alone: an empty line of the log
			}
			t = t[k+2:]
		default:
			if n := syslogStamp(t); n > 0 && (n == len(t) || t[n] == ' ') {
				if n == len(t) {
					return "" // a stamp on an empty line
				}
				t = t[n+1:]
				break
			}
			// A pasted log may be indented as a whole (a markdown code
			// block): the compose prefix then follows the indentation.
			if tt := strings.TrimLeft(t, " \t"); composePrefix(tt) > 0 {
				t = tt[composePrefix(tt):]
				break
			}
			if q := quoteMargin(t); q > 0 {
				t = t[q:]
				break
			}
			return l
		}
		l = t
	}
	return l
}

// composePrefix returns the length of docker compose's "service-1  | "
// before a container's log line, or 0. The container name ends in its
// replica number, which tells it from a table's "key | value".
func composePrefix(t string) int {
	n := 0
	for n < len(t) && (isWord(t[n]) || t[n] == '-' || t[n] == '.') {
		n++
	}
	d := n
	for d > 0 && isDigit(t[d-1]) {
		d--
	}
	if d == n || d < 2 || (t[d-1] != '-' && t[d-1] != '_') {
		return 0
	}
	k := n
	for k < len(t) && t[k] == ' ' {
		k++
	}
	if k == n || k >= len(t) || t[k] != '|' {
		return 0
	}
	if k+1 < len(t) && t[k+1] == ' ' {
		return k + 2
	}
	return k + 1
}

// quoteMargin returns the length of a quotation's "> " margin (issue
// trackers and mail quote logs that way; JUnit runners indent a failure's
// lines as "   > ", and a forked JVM's as "  2> "), or 0. Only "> " goes:
// the indentation after it is the quoted line's own.
func quoteMargin(t string) int {
	k := 0
	for k < len(t) && (t[k] == ' ' || t[k] == '\t') {
		k++
	}
	// Randomized testing numbers the forked JVM whose output a line is:
	// "  2> java.lang.AssertionError: …".
	if d := digits(t[k:], 2); d > 0 && k+d+1 < len(t) && t[k+d] == '>' && t[k+d+1] == ' ' {
		k += d
	}
	if k < len(t) && t[k] == '>' && (k+1 == len(t) || t[k+1] == ' ') && !strings.HasPrefix(t[k:], ">>") {
		if k+1 == len(t) {
			return k + 1
		}
		return k + 2
	}
	return 0
}

// elapsedTag reports whether s, the inside of a leading "[...]", is a
// build-log time or progress tag ("   84s", "12/420", "1:02:03").
func elapsedTag(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digit = true
		case c == ' ' || c == '/' || c == ':' || c == '.' || c == 's':
		default:
			return false
		}
	}
	return digit
}

// indented reports whether l starts with blank space.
func indented(l string) bool { return l != "" && (l[0] == ' ' || l[0] == '\t') }

// noiseLine reports whether a trimmed line is runner chatter that says a
// failure happened but not which: summaries, separators, exit codes.
func noiseLine(t string) bool {
	if t == "" || t == "FAIL" || t == "FAILED" || t == "ok" {
		return true
	}
	if len(t) <= 24 && (t[0]|0x20 == 'e' || t[0] == '*' || t[0] == '#') && isHeading(t) {
		return true // an issue template's "Error message" heading
	}
	for _, p := range [...]string{
		"FAIL\t", "FAIL ", "ok \t", "ok  ", "exit status", "make: ***", "make[",
		"Ran ", "FAILED (", "----", "====", "____", "Tests result:", "== Tests result",
		"program finished with exit code", "elapsedTime=", "Total duration:",
		"--- FAIL:", "=== RUN", "=== CONT", "=== PAUSE", "--- PASS:", "--- SKIP:",
		"Re-running", "Traceback (most recent call last)", "To execute this test",
		// CI and build tools saying that something failed, not what.
		"##[error]Process completed with exit code", "Error: Process completed with exit code",
		"npm ERR!", "error: test failed, to rerun pass", "error: Recipe `", "FAILURE: Build failed with an exception",
		"BUILD FAILED", "Execution failed for task", "[ERROR] Failed to execute goal", "Failed to execute goal",
		"ERROR: Job failed", "Error: The operation was canceled", "error Command failed with exit code",
		"Test Suites:", "Tests:", "Tests run:", "Errors: ", "FAILURES!", "There was 1 failure", "There were ",
		"The following tests FAILED", "Build step", "Process finished with exit code",
	} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// isHeading reports whether t is an "Error message" heading, in any of
// its markdown forms ("**Error message:**", "### Error Message").
func isHeading(t string) bool {
	return strings.EqualFold(strings.Trim(t, " \t*#:"), "error message")
}

// syslogStamp returns the length of a syslog-style "Oct 31 06:27:59" at
// the start of t, or 0.
func syslogStamp(t string) int {
	if len(t) < 15 || t[3] != ' ' {
		return 0
	}
	if !strings.Contains("JanFebMarAprMayJunJulAugSepOctNovDec", t[:3]) || !isLetter(t[0]) {
		return 0
	}
	d := 4
	if t[d] == ' ' {
		d++ // "Oct  1"
	}
	n := digits(t[d:], 2)
	if n == 0 || d+n >= len(t) || t[d+n] != ' ' {
		return 0
	}
	c := matchClock(t[d+n+1:], true)
	if c == 0 {
		return 0
	}
	return d + n + 1 + c
}
