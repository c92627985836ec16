package campaign

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSubstituteRefusesWhatAShellOrParserReads replays issue #14's test
// names: none is put on a command line, in either placeholder.
func TestSubstituteRefusesWhatAShellOrParserReads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		template []string
		test     string
		want     []string // nil: refused
	}{
		{[]string{"python3", "-m", "test", "{test}"}, "test.test_os.TestX.test_y", []string{"python3", "-m", "test", "test.test_os.TestX.test_y"}},
		{[]string{"python3", "-m", "test", "-m", "{name}"}, "test.test_os.TestX.test_y", []string{"python3", "-m", "test", "-m", "test_y"}},
		{[]string{"go", "test", "-run", "^{name}$"}, "net/http:TestServe", []string{"go", "test", "-run", "^TestServe$"}},
		{[]string{"sh", "-c", "python3 -m test -v {test}"}, "m.t; touch /tmp/pwned; echo ", nil},
		{[]string{"python3", "-m", "test", "{test}"}, "m.t; touch /tmp/pwned; echo ", nil},
		{[]string{"python3", "-m", "test", "-m", "{name}"}, "m.--tempdir=/etc", nil},
		{[]string{"python3", "-m", "test", "{test}"}, "--tempdir=/etc", nil},
		{[]string{"pytest", "{test}"}, "t.$(id)", nil},
		{[]string{"pytest", "{test}"}, "t.`id`", nil},
		{[]string{"pytest", "{test}"}, "t.a*", nil},
		{[]string{"pytest", "{test}"}, "t.a\nb", nil},
		// Without a placeholder the id is not on the command line at all.
		{[]string{"sh", "-c", `python3 -m test -v "$TRIAGED_TEST"`}, "m.t; touch /tmp/pwned; echo ", []string{"sh", "-c", `python3 -m test -v "$TRIAGED_TEST"`}},
	} {
		got, err := Substitute(tc.template, tc.test)
		switch {
		case tc.want == nil && err == nil:
			t.Errorf("Substitute(%q, %q) = %q, want a refusal", tc.template, tc.test, got)
		case tc.want == nil && !strings.Contains(err.Error(), "TRIAGED_TEST"):
			t.Errorf("Substitute(%q, %q): %v, want the refusal to say to read $TRIAGED_TEST", tc.template, tc.test, err)
		case tc.want != nil && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("Substitute(%q, %q) = %q, %v; want %q", tc.template, tc.test, got, err, tc.want)
		}
	}
}

// TestExecGetsTheTestInItsEnvironment runs an exec campaign whose test id
// is the review's shell injection: the command reads it from $TRIAGED_TEST
// as one word, and nothing in it runs.
func TestExecGetsTheTestInItsEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	test := "m.t; touch " + pwned + "; echo "
	spec, err := Spec{Kind: KindExec, Command: []string{"sh", "-c", `printf '%s' "$TRIAGED_TEST" > "$OUT"`}, Iterations: 1, Test: test}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	it, err := Campaign{ID: 1, Spec: spec}.Iteration(Host{Env: []string{"OUT=" + filepath.Join(dir, "out")}})
	if err != nil {
		t.Fatal(err)
	}
	if rec := it(context.Background(), 0); rec.Failed() {
		t.Fatalf("the command failed: %+v", rec.Results)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out"))
	if err != nil || string(got) != test {
		t.Errorf("$TRIAGED_TEST = %q (%v), want %q", got, err, test)
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Errorf("%s exists: the test id ran as a command", pwned)
	}
}
