package campaign

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/triaged/triaged/stress"
)

// testIDPattern is what a test id must look like to be pasted into a
// command: letters, digits and the separators test ids use, nothing a
// shell or an option parser gives a meaning to (no spaces, quotes, $, ;,
// globs, and no leading '-').
var testIDPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:/@+=,-]{0,499}$`)

// CheckTestID reports whether id can be substituted for {test} in a
// command.
func CheckTestID(id string) error {
	if !testIDPattern.MatchString(id) {
		return fmt.Errorf("test %q cannot be put on a command line: only letters, digits and _.:/@+=,- are, not starting with '-'; "+
			"read it from $TRIAGED_TEST instead", id)
	}
	return nil
}

// ShortTestName is the last component of a test id, which is what people
// call the test: test_start_tls_server_1 for
// test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1;
// a built-in scenario keeps its mode (echo-pause.legacy).
func ShortTestName(id string) string {
	if name, mode, ok := stress.ParseTestID(id); ok {
		return name + "." + mode.String()
	}
	if i := strings.LastIndexAny(id, ".:"); i >= 0 && i < len(id)-1 {
		return id[i+1:]
	}
	return id
}

// Substitute fills a command template for one test: "{test}" in an
// argument becomes the test id and "{name}" its ShortTestName. An id, or a
// short name, that CheckTestID refuses is never substituted; the command
// is refused instead: m.--tempdir=/etc passes as an id, but its short name
// is an option. A template without placeholders is returned as it is (the
// test reaches it as $TRIAGED_TEST).
//
// A shell form (["sh", "-c", "… {test}"]) is unsafe whatever is
// substituted: the shell, not triaged, decides what the words mean. Read
// "$TRIAGED_TEST" in the script instead.
func Substitute(template []string, test string) ([]string, error) {
	out := make([]string, len(template))
	for i, arg := range template {
		if strings.Contains(arg, "{test}") || strings.Contains(arg, "{name}") {
			if err := CheckTestID(test); err != nil {
				return nil, err
			}
		}
		if strings.Contains(arg, "{name}") {
			if err := CheckTestID(ShortTestName(test)); err != nil {
				return nil, fmt.Errorf("the last part of test %q: %w", test, err)
			}
		}
		arg = strings.ReplaceAll(arg, "{test}", test)
		out[i] = strings.ReplaceAll(arg, "{name}", ShortTestName(test))
	}
	return out, nil
}
