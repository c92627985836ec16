package repo

import (
	"slices"
	"strings"
	"testing"
)

func TestDetectLanguage(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]Language{
		"net.TestDialCancel":                       Go,
		"github.com/o/r/internal/x.TestA/sub_case": Go,
		"example.com/m/pkg.ExampleParse":           Go,
		"TestBare":                                 Go,
		"test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1": Regrtest,
		"test.test_os.test_broken":               Regrtest,
		"tests.test_api.TestClient.test_timeout": Pytest,
		"pkg.sub.test_mod.test_fn":               Pytest,
		"src/lib.rs::tests::adds":                Cargo,
		"tests/api.rs::api_result":               Cargo,
		"parser > errors > rejects garbage":      "",
		"math division throws on zero":           "",
		"proactor.echo-pause.legacy":             "",
	} {
		if got := DetectLanguage(id); got != want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestCommandFor is "Stress this": each language's test gets its own
// runner's command, never another language's (a Go test once got
// python3 -m test -m TestDialCancel).
func TestCommandFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		repo Repo
		test string
		want string // argv joined by spaces
		err  string
	}{
		{"go stdlib", Repo{Repo: "golang/go"}, "net.TestDialCancel", "go test -v -count=1 -run ^TestDialCancel$ net", ""},
		{"go in the repo", Repo{Repo: "o/app"}, "github.com/o/app/internal/x.TestA/sub.case", `go test -v -count=1 -run ^TestA$/^sub\.case$ ./internal/x`, ""},
		{"go root package", Repo{Repo: "o/app"}, "github.com/o/app.TestRoot", "go test -v -count=1 -run ^TestRoot$ .", ""},
		{"go without a package", Repo{}, "TestBare", "go test -v -count=1 -run ^TestBare$ ./...", ""},
		{"pytest", Repo{Repo: "o/py"}, "tests.test_api.TestClient.test_timeout", "python3 -m pytest -v tests/test_api.py::TestClient::test_timeout", ""},
		{"pytest function", Repo{Repo: "o/py"}, "tests.unit.test_x.test_y", "python3 -m pytest -v tests/unit/test_x.py::test_y", ""},
		{"regrtest", Repo{Repo: "python/cpython"}, "test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1",
			"python3 -m test -v test_asyncio.test_sslproto -m test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1", ""},
		{"cargo lib", Repo{}, "src/lib.rs::tests::adds", "cargo test --lib tests::adds -- --exact", ""},
		{"cargo integration", Repo{}, "tests/api.rs::api_result", "cargo test --test=api api_result -- --exact", ""},
		{"node by the repo's language", Repo{Language: Node}, "adds", "node --test --test-name-pattern ^adds$", ""},
		{"the repo's template wins", Repo{Repo: "python/cpython", TestCommand: []string{"./python", "-m", "test", "{regrtest_module}", "-m", "{name}"}},
			"test.test_os.FileTests.test_write", "./python -m test test_os -m test_write", ""},
		{"a template of another language's placeholder", Repo{TestCommand: []string{"go", "test", "-run", "{go_run}"}},
			"tests.test_x.test_y", "", "{go_run} does not apply"},
		{"unknown language", Repo{Repo: "o/js"}, "math division throws on zero", "", "register o/js with its test command"},
		{"nested node test", Repo{Language: Node}, "parser > errors > rejects garbage", "", "nested test"},
		{"a cargo filter that is an option", Repo{}, "src/lib.rs::--config=build.rustc-wrapper=x", "", "read as an option"},
		{"a last part that is an option", Repo{TestCommand: []string{"pytest", "-k", "{name}"}}, "tests.x.--pdbcls=evil", "", "read as an option"},
		{"an id a shell would read", Repo{Language: Pytest}, "tests.test_x.test_$(id)", "", "cannot be put on a command line"},
		{"an option as the id", Repo{Language: Go}, "-exec.TestX", "", "cannot be put on a command line"},
	} {
		argv, err := tc.repo.CommandFor(tc.test)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %q, %v; want an error saying %q", tc.name, argv, err, tc.err)
			}
			continue
		}
		if got := strings.Join(argv, " "); err != nil || got != tc.want {
			t.Errorf("%s: %q, %v\n want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Repo{Repo: "o/r", CloneURL: "https://github.com/o/r.git"}
	got, err := ok.Validate()
	if err != nil || got.Build == nil || got.TestCommand == nil {
		t.Fatalf("Validate(%+v) = %+v, %v", ok, got, err)
	}
	got, err = Repo{Repo: "o/r", CloneURL: "git@github.com:o/r.git", Build: []string{"make", "-j4"}, BuildTimeout: "90m",
		TestCommand: []string{"./python", "-m", "test", "{regrtest_module}", "-m", "{test}"}, Language: Regrtest}.Validate()
	if err != nil || got.BuildTimeout != "1h30m0s" {
		t.Errorf("a full registration: %+v, %v", got, err)
	}
	if s := got.Checkout("abc1234"); s.BuildTimeoutSeconds != 5400 || !slices.Equal(s.Build, []string{"make", "-j4"}) || s.Revision != "abc1234" {
		t.Errorf("Checkout: %+v", s)
	}
	for _, tc := range []struct {
		name string
		r    Repo
		want string
	}{
		{"repo", Repo{Repo: "../x", CloneURL: ok.CloneURL}, "repo"},
		{"clone url", Repo{Repo: "o/r", CloneURL: "ext::sh -c x"}, "clone_url"},
		{"credentials", Repo{Repo: "o/r", CloneURL: "https://u:p@h/o/r"}, "clone_url"},
		{"build as a string", Repo{Repo: "o/r", CloneURL: ok.CloneURL, Build: []string{""}}, "build"},
		{"timeout", Repo{Repo: "o/r", CloneURL: ok.CloneURL, BuildTimeout: "forever"}, "build_timeout"},
		{"timeout too long", Repo{Repo: "o/r", CloneURL: ok.CloneURL, BuildTimeout: "48h"}, "build_timeout"},
		{"language", Repo{Repo: "o/r", CloneURL: ok.CloneURL, Language: "cobol"}, "language"},
		{"unknown placeholder", Repo{Repo: "o/r", CloneURL: ok.CloneURL, TestCommand: []string{"x", "{tset}"}}, "test_command"},
		{"NUL", Repo{Repo: "o/r", CloneURL: ok.CloneURL, TestCommand: []string{"x\x00"}}, "test_command"},
	} {
		if _, err := tc.r.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.want)
		}
	}
}

// FuzzCommandFor checks that whatever command a test id gets, the id
// never brings an option, a shell character or a new argument into it:
// each argument a placeholder filled starts as its template argument
// does, and holds only what test ids may.
func FuzzCommandFor(f *testing.F) {
	for _, s := range []string{"net.TestDialCancel", "src/lib.rs::tests::adds", "tests.test_x.TestC.test_y", "test.test_os.T.test_a",
		"src/lib.rs::--config=x", "a.--help", "TestX/--v", "x y", "a;b"} {
		f.Add(s)
	}
	template := []string{"run", "{test}", "{name}", "-k={name}"}
	f.Fuzz(func(t *testing.T, id string) {
		for _, lang := range append(Languages, "") {
			for _, r := range []Repo{{Repo: "o/r", Language: lang}, {Repo: "o/r", Language: lang, TestCommand: template}} {
				argv, err := r.CommandFor(id)
				if err != nil {
					continue
				}
				tmpl := r.TestCommand
				if len(tmpl) == 0 {
					tmpl = defaults[r.Language]
					if r.Language == "" {
						tmpl = defaults[DetectLanguage(id)]
					}
				}
				if len(argv) != len(tmpl) {
					t.Fatalf("%q in %s: %d arguments from a template of %d", id, lang, len(argv), len(tmpl))
				}
				for i, a := range argv {
					if a == tmpl[i] {
						continue
					}
					if strings.HasPrefix(a, "-") != strings.HasPrefix(tmpl[i], "-") || strings.ContainsAny(a, " \t\n;|&`'\"<>()*?~#!") {
						t.Errorf("%q (%s): argument %q from template %q", id, lang, a, tmpl[i])
					}
				}
			}
		}
	})
}
