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
	return SubstituteVars(template, test, nil)
}

// placeholder is a "{word}" in a command template.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// SubstituteVars is Substitute with more placeholders: "{k}" becomes
// vars[k], a value the caller derived from the test id (its Go package,
// its pytest node id…). The id must pass CheckTestID whenever any
// placeholder appears, so a derived value holds nothing the id did not,
// besides what the caller added itself. A placeholder that neither
// {test}, {name} nor vars fills refuses the command rather than reaching
// it as text, and so does a value that starts with '-' ({name} of
// "x.--pdbcls=evil"), which the command would read as an option.
func SubstituteVars(template []string, test string, vars map[string]string) ([]string, error) {
	out := make([]string, len(template))
	for i, arg := range template {
		var missing, option string
		filled := placeholder.ReplaceAllStringFunc(arg, func(p string) string {
			k := p[1 : len(p)-1]
			v, ok := vars[k]
			switch {
			case k == "test":
				v, ok = test, true
			case k == "name":
				v, ok = ShortTestName(test), true
			}
			if !ok {
				missing = p
				return p
			}
			if strings.HasPrefix(v, "-") {
				option = p
			}
			return v
		})
		if filled != arg {
			if err := CheckTestID(test); err != nil {
				return nil, err
			}
		}
		switch {
		case missing != "":
			return nil, fmt.Errorf("command[%d]: %s does not apply to test %q", i, missing, test)
		case option != "":
			// x.--pdbcls=evil has a last part a test runner reads as
			// its own option, wherever it stands.
			return nil, fmt.Errorf("test %q cannot be put on a command line: its %s would be read as an option; read it from $TRIAGED_TEST instead", test, option)
		}
		if strings.Contains(arg, "{name}") {
			if err := CheckTestID(ShortTestName(test)); err != nil {
				return nil, fmt.Errorf("the last part of test %q: %w", test, err)
			}
		}
		out[i] = filled
	}
	return out, nil
}
