package signature

import "strings"

// features are the formats a text may hold, found by one pass over its
// lines that looks at how each line starts. A format's parser runs only
// when its mark is there: most parsers would scan every line only to
// find nothing, and this pass is what keeps Compute at its speed with
// ten formats to try.
type features uint32

const (
	fGoPanic features = 1 << iota
	fSanitizer
	fRustPanic
	fPyCrash
	fTraceback
	fFrame   // "at …": a Java, .NET or JavaScript stack frame
	fManaged // a .NET or Java exception line, or xUnit's "[FAIL]"
	fNode    // node's test runner: severity, exit code: CRASHED
	fJSTest
	fGtest
	fGoTest
	fRustTest
	fPytest
	fRuby // RSpec's "Failure/Error:", minitest's "Failure:"
)

// scanFeatures marks the formats whose telltale lines the text has.
func scanFeatures(lines []string) features {
	var f features
	for _, l := range lines {
		if l == "" {
			continue
		}
		switch l[0] {
		case 'p':
			if strings.HasPrefix(l, "panic: ") {
				f |= fGoPanic
			}
		case 'f':
			if strings.HasPrefix(l, "fatal error: ") {
				f |= fGoPanic
			}
		case 'E':
			if strings.HasPrefix(l, "E   ") {
				f |= fPytest
			}
			if strings.HasPrefix(l, "ERROR") {
				f |= fPytest
			}
		case 'F':
			if strings.HasPrefix(l, "Fatal Python error: ") {
				f |= fPyCrash
			}
			if strings.HasPrefix(l, "FAILED ") {
				f |= fPytest
			}
		case 'T':
			if strings.HasPrefix(l, "Timeout (") {
				f |= fPyCrash
			}
		}
		t := strings.TrimLeft(l, " \t")
		if t == "" {
			continue
		}
		switch t[0] {
		case 'a':
			if strings.HasPrefix(t, "at ") {
				f |= fFrame
			}
		case 'W':
			if strings.HasPrefix(t, "WARNING: DATA RACE") {
				f |= fGoPanic
			}
			if strings.HasPrefix(t, "WARNING: ") && strings.Contains(t, "Sanitizer") {
				f |= fSanitizer
			}
		case '=':
			if strings.HasPrefix(t, "==") && strings.Contains(t, "Sanitizer") {
				f |= fSanitizer
			}
			if strings.HasPrefix(t, "=== RUN") {
				f |= fGoTest
			}
		case 't':
			if strings.HasPrefix(t, "thread '") {
				f |= fRustPanic
			}
			if strings.HasPrefix(t, "test ") {
				f |= fRustTest
			}
		case 'T':
			if strings.HasPrefix(t, "Traceback") {
				f |= fTraceback
			}
		case 'F':
			if strings.HasPrefix(t, `File "`) {
				f |= fTraceback
			}
			if strings.HasPrefix(t, "FAILED ") {
				f |= fPytest
			}
		case 'E':
			if strings.HasPrefix(t, "ERROR ") {
				f |= fPytest
			}
		case '-':
			if strings.HasPrefix(t, "--- FAIL") {
				f |= fGoTest
			}
		case 'n':
			if strings.HasPrefix(t, "not ok ") {
				f |= fJSTest
			}
		case 'A':
			if strings.HasPrefix(t, "Assert.") && strings.Contains(t, "() Failure") {
				f |= fManaged // xUnit's message, its frames perhaps cut
			}
		case '[':
			if strings.HasPrefix(t, "[ RUN ") || strings.HasPrefix(t, "[  FAILED  ]") {
				f |= fGtest
			}
		case 's', 'e':
			if strings.HasPrefix(t, "severity") || strings.HasPrefix(t, "exit code: CRASHED") {
				f |= fNode
			}
		case 'c':
			if strings.HasPrefix(t, "crashed (") {
				f |= fNode
			}
		case 0xe2: // "●" and "✖" start with this byte in UTF-8
			f |= fJSTest
		case '|', '+':
			if strings.Contains(t, "Traceback") {
				f |= fTraceback // an exception group's margins
			}
		default:
			if isDigit(t[0]) && mochaNumbered(t) {
				f |= fJSTest
			}
		}
		// Marks that are not at the start of a line all end in a colon:
		// looking behind each colon is cheaper than a search per mark.
		for rest, off := t, 0; ; {
			c := strings.IndexByte(rest, ':')
			if c < 0 {
				break
			}
			at := off + c
			before := t[:at]
			if strings.HasSuffix(before, "Failure/Error") || strings.HasSuffix(before, "Failure") && (at == 7 || strings.HasSuffix(before, ") Failure")) ||
				strings.HasSuffix(before, "Error") && (at == 5 || strings.HasSuffix(before, ") Error")) {
				f |= fRuby // RSpec's "Failure/Error:", minitest's "1) Failure:"
			}
			switch {
			case strings.HasSuffix(before, ".go"):
				f |= fGoTest
			case strings.HasSuffix(before, "runtime error"):
				f |= fSanitizer
			case strings.HasSuffix(before, "process didn't exit successfully"):
				f |= fRustTest
			case strings.HasSuffix(before, ".java") && strings.Contains(before, " at "),
				strings.HasSuffix(before, "Exception"), strings.HasSuffix(before, "Exception "),
				strings.HasSuffix(before, "Error") && strings.Contains(before, "."):
				f |= fManaged // a .NET or Java exception, with or without frames
			}
			rest, off = rest[c+1:], at+1
		}
		if strings.HasSuffix(t, ": Failure") {
			f |= fGtest
		}
		if strings.HasSuffix(t, "[FAIL]") {
			f |= fManaged
		}
	}
	return f
}
