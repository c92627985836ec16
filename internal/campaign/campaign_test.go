package campaign

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/stress"
)

func TestValidateDefaults(t *testing.T) {
	t.Parallel()
	got, err := Spec{Kind: KindScenario, Scenario: "starttls-server", Iterations: 50, Labels: []string{"local"}}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Name: "starttls-server (fixed) × 50", Kind: KindScenario, Scenario: "starttls-server", Proactor: "fixed",
		Params:  Params{Packets: 100, PacketSize: 1024, PauseEvery: "100ms", Pauses: "periodic"},
		Command: []string{}, Labels: []string{"local"}, Iterations: 50, Parallel: 1, Stop: StopCount, StopTarget: 0.01}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Validate (-want +got):\n%s", d)
	}

	got, err = Spec{Kind: KindExec, Command: []string{"go", "test", "./..."}, Iterations: 3}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != "auto" || got.Name != "go test ./... × 3" || got.Params != (Params{}) {
		t.Errorf("exec defaults: got format %q name %q params %+v", got.Format, got.Name, got.Params)
	}
}

func TestValidateRefuses(t *testing.T) {
	t.Parallel()
	scenario := Spec{Kind: KindScenario, Scenario: "echo-pause", Iterations: 10}
	exec := Spec{Kind: KindExec, Command: []string{"true"}, Iterations: 10}
	with := func(s Spec, f func(*Spec)) Spec { f(&s); return s }
	for _, tc := range []struct {
		name string
		spec Spec
		want string // in the error
	}{
		{"no kind", Spec{Iterations: 1}, "kind"},
		{"zero iterations", with(scenario, func(s *Spec) { s.Iterations = 0 }), "iterations"},
		{"too many iterations", with(scenario, func(s *Spec) { s.Iterations = MaxIterations + 1 }), "iterations"},
		{"parallel", with(scenario, func(s *Spec) { s.Parallel = MaxParallel + 1 }), "parallel"},
		{"negative parallel", with(scenario, func(s *Spec) { s.Parallel = -1 }), "parallel"},
		{"stop", with(scenario, func(s *Spec) { s.Stop = "never" }), "stop"},
		{"stop target", with(scenario, func(s *Spec) { s.StopTarget = 1.5 }), "stop_target"},
		{"unknown scenario", with(scenario, func(s *Spec) { s.Scenario = "nope" }), "unknown scenario"},
		{"proactor", with(scenario, func(s *Spec) { s.Proactor = "broken" }), "proactor"},
		{"backend", with(scenario, func(s *Spec) { s.Backend = "kqueue" }), "backend"},
		{"packets", with(scenario, func(s *Spec) { s.Params.Packets = stress.MaxPackets + 1 }), "packets"},
		{"packet size", with(scenario, func(s *Spec) { s.Params.PacketSize = 1 }), "packet size"},
		{"pause every", with(scenario, func(s *Spec) { s.Params.PauseEvery = "soon" }), "pause_every"},
		{"command on a scenario", with(scenario, func(s *Spec) { s.Command = []string{"x"} }), "command"},
		{"no command", with(exec, func(s *Spec) { s.Command = nil }), "command"},
		{"scenario on exec", with(exec, func(s *Spec) { s.Scenario = "echo-pause" }), "scenario"},
		{"params on exec", with(exec, func(s *Spec) { s.Params.Packets = 3 }), "params"},
		{"format", with(exec, func(s *Spec) { s.Format = "xml" }), "format"},
		{"junit without path", with(exec, func(s *Spec) { s.Format = "junit" }), "junit=PATH"},
		{"junit absolute", with(exec, func(s *Spec) { s.Format = "junit=/etc/passwd" }), "relative"},
		{"junit climbing", with(exec, func(s *Spec) { s.Format = "junit=../x.xml" }), "relative"},
		{"NUL in an argument", with(exec, func(s *Spec) { s.Command = []string{"a\x00b"} }), "NUL"},
		{"label", with(scenario, func(s *Spec) { s.Labels = []string{"a b"} }), "label"},
		{"repo", with(scenario, func(s *Spec) { s.Repo = "../.." }), "repo"},
		{"revision", with(scenario, func(s *Spec) { s.Repo, s.Revision = "a/b", "../../tokens" }), "revision"},
		{"revision without repo", with(scenario, func(s *Spec) { s.Revision = "abc1234" }), "repo"},
		{"test on two lines", with(exec, func(s *Spec) { s.Test = "a\nb" }), "test"},
		{"test with NUL", with(exec, func(s *Spec) { s.Test = "a\x00b" }), "test"},
		{"test too long", with(exec, func(s *Spec) { s.Test = strings.Repeat("t", 5000) }), "test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.spec.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestStopReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		stop             Stop
		failures, runs   int
		want             bool
		wantReasonPrefix string
	}{
		{"count never stops", StopCount, 5, 10, false, ""},
		{"first failure waits", StopFirstFailure, 0, 100, false, ""},
		{"first failure", StopFirstFailure, 1, 7, true, "stopped at the first failure, after 7 runs"},
		{"confident, too few clean runs", StopConfident, 0, 100, false, ""},
		{"confident, enough clean runs", StopConfident, 0, 299, true, "stopped when confident: 0/299"},
		{"confident, wide interval", StopConfident, 5, 50, false, ""},
	} {
		reason, ok := Spec{Stop: tc.stop, StopTarget: 0.01}.StopReason(tc.failures, tc.runs)
		if ok != tc.want || !strings.HasPrefix(reason, tc.wantReasonPrefix) {
			t.Errorf("%s: StopReason(%d, %d) = %q, %v; want %v, %q…", tc.name, tc.failures, tc.runs, reason, ok, tc.want, tc.wantReasonPrefix)
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Format{
		"auto":                      {Report: report.FormatAuto},
		"gotest":                    {Report: report.FormatGoTest},
		"junit=out/{iteration}.xml": {Report: report.FormatJUnit, JUnitPath: "out/{iteration}.xml"},
		"junit=report.xml":          {Report: report.FormatJUnit, JUnitPath: "report.xml"},
		"regrtest":                  {Report: report.FormatRegrtest},
		"json":                      {Report: report.FormatJSON},
	} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("ParseFormat(%q).String() = %q", in, got.String())
		}
	}
}

func TestSeedRule(t *testing.T) {
	t.Parallel()
	if got := (Campaign{ID: 7}).Seed(); got != 7_000_021 {
		t.Errorf("seed of campaign 7 = %d, want 7000021", got)
	}
	if got := (Campaign{ID: 7, Spec: Spec{Params: Params{Seed: 42}}}).Seed(); got != 42 {
		t.Errorf("seed with params.seed 42 = %d", got)
	}
}

// TestIteration builds both kinds of iteration from validated specs, as a
// runner does, and runs one of each.
func TestIteration(t *testing.T) {
	t.Parallel()
	spec, err := Spec{Kind: KindExec, Command: []string{"sh", "-c", `echo "seed=$TRIAGED_SEED it=$TRIAGED_ITERATION"; exit 1`}, Iterations: 2}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	c := Campaign{ID: 3, Spec: spec}
	it, err := c.Iteration(Host{})
	if err != nil {
		t.Fatal(err)
	}
	rec := it(context.Background(), 1)
	if !rec.Failed() || rec.Seed != c.Seed()+1 || !strings.Contains(rec.Results[0].FailureText, "seed=3000010 it=1") {
		t.Errorf("exec iteration: failed %v seed %d text %q", rec.Failed(), rec.Seed, rec.Results[0].FailureText)
	}

	spec, err = Spec{Kind: KindScenario, Scenario: "echo-pause", Backend: "emu", Iterations: 1,
		Params: Params{Packets: 20, PacketSize: 1024, PauseEvery: "5ms"}}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	c = Campaign{ID: 4, Spec: spec}
	it, err = c.Iteration(Host{})
	if err != nil {
		t.Fatal(err)
	}
	rec = it(context.Background(), 0)
	if rec.Failed() || rec.Results[0].Test != "proactor.echo-pause.fixed" || len(rec.Detector) == 0 {
		t.Errorf("scenario iteration: failed %v test %q detector %d bytes", rec.Failed(), rec.Results[0].Test, len(rec.Detector))
	}

	if _, err := (Campaign{Spec: Spec{Kind: KindExec, Command: []string{"no-such-program-here"}}}).Iteration(Host{}); err == nil {
		t.Error("an exec campaign whose program is missing built an iteration")
	}
}

func TestSubstitute(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"go_run": "^TestX$"}
	for _, tc := range []struct {
		name     string
		template []string
		test     string
		want     []string
		err      string
	}{
		{"test and name", []string{"python3", "-m", "test", "-m", "{name}", "{test}"}, "test.test_os.Tests.test_a",
			[]string{"python3", "-m", "test", "-m", "test_a", "test.test_os.Tests.test_a"}, ""},
		{"a var", []string{"go", "test", "-run", "{go_run}"}, "m/p.TestX", []string{"go", "test", "-run", "^TestX$"}, ""},
		{"no placeholder, any id", []string{"./run.sh"}, "a b; rm -rf /", []string{"./run.sh"}, ""},
		{"shell in the id", []string{"x", "{test}"}, "a;rm -rf /", nil, "cannot be put on a command line"},
		{"option as the id", []string{"x", "{name}"}, "--exec=evil", nil, "cannot be put on a command line"},
		{"a var with a bad id", []string{"x", "{go_run}"}, "$(id)", nil, "cannot be put on a command line"},
		{"a last part that is an option", []string{"pytest", "{name}"}, "tests.x.--pdbcls=evil", nil, "read as an option"},
		{"a placeholder nothing fills", []string{"x", "{pytest_node}"}, "m/p.TestX", nil, "{pytest_node} does not apply"},
		{"braces that are no placeholder", []string{"find", ".", "-exec", "echo", "{}", ";"}, "x", []string{"find", ".", "-exec", "echo", "{}", ";"}, ""},
	} {
		got, err := SubstituteVars(tc.template, tc.test, vars)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %q, %v; want an error saying %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

// TestExecSeesTheTest: the test a campaign stresses reaches its command as
// TRIAGED_TEST, whatever the command line says.
func TestExecSeesTheTest(t *testing.T) {
	t.Parallel()
	spec, err := Spec{Kind: KindExec, Command: []string{"sh", "-c", `echo "test=$TRIAGED_TEST dir=$PWD"; exit 1`}, Iterations: 1,
		Test: "pkg.TestX/with space"}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	it, err := (Campaign{ID: 5, Spec: spec}).Iteration(Host{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	rec := it(context.Background(), 0)
	if text := rec.Results[0].FailureText; !strings.Contains(text, "test=pkg.TestX/with space dir="+dir) {
		t.Errorf("the command saw %q", text)
	}
	if _, err := (Spec{Kind: KindExec, Command: []string{"x"}, Iterations: 1, Test: "a\x00b"}).Validate(); err == nil {
		t.Error("a test id with NUL was accepted")
	}
}

func TestCheckedOut(t *testing.T) {
	t.Parallel()
	exec := Spec{Kind: KindExec, Repo: "o/r", Revision: "abc1234"}
	for _, tc := range []struct {
		name string
		c    Campaign
		want bool
	}{
		{"scenario", Campaign{Spec: Spec{Kind: KindScenario, Repo: "o/r", Revision: "abc1234"}, Runs: 5}, true},
		{"no revision", Campaign{Spec: Spec{Kind: KindExec}, Runs: 5}, true},
		{"not started", Campaign{Spec: exec}, true},
		{"tested", Campaign{Spec: exec, Runs: 5, TestedRevision: "abc1234" + strings.Repeat("0", 33)}, true},
		{"ran without a checkout", Campaign{Spec: exec, Runs: 5}, false},
		{"some jobs without", Campaign{Spec: exec, Runs: 5, TestedRevision: "abc1234" + strings.Repeat("0", 33), UntestedJobs: 1}, false},
	} {
		if got := tc.c.CheckedOut(); got != tc.want {
			t.Errorf("%s: CheckedOut() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
