package repo

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/triaged/triaged/internal/campaign"
)

// Language is how a repository's tests are run: which runner, and how a
// test id becomes its arguments.
type Language string

// The languages triaged knows how to run one test of.
const (
	Go       Language = "go"       // go test -run '^TestX$' ./pkg
	Pytest   Language = "pytest"   // python3 -m pytest path/test_x.py::TestC::test_y
	Regrtest Language = "regrtest" // CPython: python3 -m test test_asyncio -m test.test_asyncio….test_y
	Cargo    Language = "cargo"    // cargo test --lib tests::adds -- --exact
	Node     Language = "node"     // node --test --test-name-pattern '^adds$'
)

// Languages lists them.
var Languages = []Language{Go, Pytest, Regrtest, Cargo, Node}

func (l Language) known() bool { return slices.Contains(Languages, l) }

// defaults are the commands that run one test of each language, with the
// placeholders vars fills. -v makes go test and pytest report passes too,
// so a campaign's rate counts every run.
var defaults = map[Language][]string{
	Go:       {"go", "test", "-v", "-count=1", "-run", "{go_run}", "{go_package}"},
	Pytest:   {"python3", "-m", "pytest", "-v", "{pytest_node}"},
	Regrtest: {"python3", "-m", "test", "-v", "{regrtest_module}", "-m", "{test}"},
	Cargo:    {"cargo", "test", "--{cargo_target}", "{cargo_filter}", "--", "--exact"},
	Node:     {"node", "--test", "--test-name-pattern", "{node_pattern}"},
}

// CommandFor is the command that runs test once in a checkout of the
// repository: the repository's own test_command when it has one, else the
// default for the test's language (the repository's, or the one its id
// shows), never another language's. Placeholders: {test} the test id,
// {name} its last part, and per language {go_package} {go_run}
// {pytest_node} {regrtest_module} {cargo_target} (lib, test=NAME…: write
// --{cargo_target}) {cargo_filter} {node_pattern}. The id goes through campaign.CheckTestID whenever a
// placeholder is used; the test also reaches the command as TRIAGED_TEST.
func (r Repo) CommandFor(test string) ([]string, error) {
	lang := r.Language
	if lang == "" {
		lang = DetectLanguage(test)
	}
	template := r.TestCommand
	if len(template) == 0 {
		if template = defaults[lang]; template == nil {
			return nil, fmt.Errorf("triaged cannot tell how to run %q: register %s with its test command, or its language", test, or(r.Repo, "the repository"))
		}
	}
	vars, err := lang.vars(test, r.Repo)
	if err != nil && len(r.TestCommand) == 0 {
		return nil, err
	}
	return substitute(template, test, vars)
}

func substitute(template []string, test string, vars map[string]string) ([]string, error) {
	return campaign.SubstituteVars(template, test, vars)
}

// allVars names every placeholder, to check a template with.
func allVars() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"go_package", "go_run", "pytest_node", "regrtest_module", "cargo_target", "cargo_filter", "node_pattern"} {
		m[k] = "x"
	}
	return m
}

var (
	// goID is a go test id: import path, ".", the top-level test, and its
	// subtests after "/". The package is optional (plain output of a test
	// binary run by hand).
	goID = regexp.MustCompile(`^(?:([A-Za-z0-9_.~+/-]+)\.)?((?:Test|Example|Fuzz|Benchmark)[A-Za-z0-9_]*)(/.*)?$`)
	// cargoID is a cargo test id: the test binary's source path, "::",
	// libtest's path.
	cargoID = regexp.MustCompile(`^([A-Za-z0-9_./-]+\.rs)::(.+)$`)
	// pyID is a dotted Python id whose last part is a test function.
	pyID = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.test[A-Za-z0-9_]*$`)
)

// DetectLanguage guesses the language from a test id's shape, as the
// report parsers write ids: a Go package path and TestX, a cargo binary's
// source path and "::", a dotted Python id ending in a test function
// (regrtest when it starts with CPython's "test." package, pytest
// otherwise). Anything else, a Node test among them, is "": the
// repository must say.
func DetectLanguage(test string) Language {
	switch {
	case cargoID.MatchString(test):
		return Cargo
	case goID.MatchString(test) && !strings.Contains(strings.SplitN(test, "/", 2)[0], "::"):
		if m := goID.FindStringSubmatch(test); m[1] == "" || !pyID.MatchString(test) {
			return Go
		}
	}
	if pyID.MatchString(test) {
		if strings.HasPrefix(test, "test.") {
			return Regrtest
		}
		return Pytest
	}
	return ""
}

// vars are the per-language placeholders of test.
func (l Language) vars(test, repo string) (map[string]string, error) {
	bad := func(why string) (map[string]string, error) {
		return nil, fmt.Errorf("%q is not a %s test id: %s", test, l, why)
	}
	switch l {
	case Go:
		m := goID.FindStringSubmatch(test)
		if m == nil {
			return bad("want import/path.TestName[/subtest]")
		}
		run := "^" + m[2] + "$"
		for _, sub := range strings.Split(strings.TrimPrefix(m[3], "/"), "/") {
			if sub != "" {
				run += "/^" + regexp.QuoteMeta(sub) + "$"
			}
		}
		return map[string]string{"go_run": run, "go_package": goPackage(m[1], repo)}, nil
	case Pytest, Regrtest:
		mod, rest, err := splitPython(test)
		if err != nil {
			return bad(err.Error())
		}
		if l == Pytest {
			return map[string]string{"pytest_node": strings.ReplaceAll(mod, ".", "/") + ".py::" + strings.Join(rest, "::")}, nil
		}
		return map[string]string{"regrtest_module": strings.TrimPrefix(mod, "test.")}, nil
	case Cargo:
		m := cargoID.FindStringSubmatch(test)
		if m == nil {
			return bad("want src/lib.rs::path::to::test")
		}
		return map[string]string{"cargo_target": cargoTarget(m[1]), "cargo_filter": m[2]}, nil
	case Node:
		if strings.Contains(test, " > ") {
			return bad("a nested test; give the repository a test_command that reads $TRIAGED_TEST")
		}
		return map[string]string{"node_pattern": "^" + regexp.QuoteMeta(test) + "$"}, nil
	}
	return nil, errors.New("unknown language")
}

// goPackage is the package argument for go test: ./path inside the
// repository when the import path is the repository's GitHub module,
// else the import path itself (go test takes both from the module root),
// or every package when the id names none.
func goPackage(importPath, repo string) string {
	switch mod := "github.com/" + repo; {
	case importPath == "":
		return "./..."
	case repo != "" && importPath == mod:
		return "."
	case repo != "" && strings.HasPrefix(importPath, mod+"/"):
		return "./" + strings.TrimPrefix(importPath, mod+"/")
	}
	return importPath
}

// splitPython splits a dotted Python id into its module and the rest:
// classes (capitalised) and the function, which is last.
func splitPython(test string) (module string, rest []string, err error) {
	parts := strings.Split(test, ".")
	if len(parts) < 2 {
		return "", nil, errors.New("want module.[Class.]test_function")
	}
	i := len(parts) - 1 // the function
	for i > 1 && parts[i-1] != "" && parts[i-1][0] >= 'A' && parts[i-1][0] <= 'Z' {
		i--
	}
	return strings.Join(parts[:i], "."), parts[i:], nil
}

// cargoTarget selects the test binary whose source path a cargo test id
// starts with, as the option's name without its dashes (templates write
// --{cargo_target}), so that no placeholder's value starts with '-'.
func cargoTarget(src string) string {
	switch {
	case src == "src/lib.rs":
		return "lib"
	case src == "src/main.rs":
		return "bins"
	case strings.HasPrefix(src, "src/bin/"):
		return "bin=" + strings.TrimSuffix(strings.TrimPrefix(src, "src/bin/"), ".rs")
	case strings.HasPrefix(src, "tests/") && !strings.Contains(strings.TrimPrefix(src, "tests/"), "/"):
		return "test=" + strings.TrimSuffix(strings.TrimPrefix(src, "tests/"), ".rs")
	}
	return "all-targets"
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
