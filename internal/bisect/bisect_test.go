package bisect

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/campaign"
)

func TestNeeded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ failures, runs, want int }{
		{0, 100, 0},
		{5, 12, 14},  // 42% seen; Wilson low 19%
		{40, 100, 9}, // 40%; low 31%
		{1, 1000, 16_968},
	} {
		if got := Needed(tc.failures, tc.runs); got != tc.want {
			t.Errorf("Needed(%d, %d) = %d, want %d", tc.failures, tc.runs, got, tc.want)
		}
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		s    Step
		want Verdict
	}{
		{"a failure", Step{Role: Midpoint, Needed: 14, Runs: 3, Failures: 1, State: campaign.Done, Tested: sha}, Bad},
		{"a failure while running", Step{Role: Midpoint, Needed: 14, Runs: 3, Failures: 1, State: campaign.Running, Tested: sha}, Bad},
		{"enough clean runs", Step{Role: Midpoint, Needed: 14, Runs: 14, State: campaign.Done, Tested: sha}, Good},
		{"clean so far", Step{Role: Midpoint, Needed: 14, Runs: 5, State: campaign.Running, Tested: sha}, Pending},
		{"not started", Step{Role: Midpoint, Needed: 14, State: campaign.Queued}, Pending},
		{"out of runs", Step{Role: Midpoint, Needed: 300, Runs: 200, State: campaign.Done, Tested: sha}, Undecided},
		{"cancelled", Step{Role: Midpoint, Needed: 14, Runs: 2, State: campaign.Cancelled, Tested: sha}, Undecided},
		{"build failed", Step{Role: Midpoint, Needed: 14, State: campaign.Failed, Reason: "build failed at abc1234: make: exit 2"}, Infra},
		{"ran without a checkout", Step{Role: Midpoint, Needed: 14, Runs: 14, Failures: 3, State: campaign.Done}, Infra},
		{"bad end never failed", Step{Role: BadEnd, Runs: 200, State: campaign.Done, Tested: sha}, Undecided},
		{"bad end running", Step{Role: BadEnd, Runs: 50, State: campaign.Running, Tested: sha}, Pending},
	} {
		if got, why := tc.s.Judge(); got != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.name, got, why, tc.want)
		}
	}
}

// world is a linear history and the failure rate of each commit; play runs
// a bisection over it as the worker and the runners would, each step's
// runs drawn from its commit's rate, and returns how it ended.
type world struct {
	commits []string // commits[0] is the good end
	rate    func(i int) float64
	infra   map[int]bool // commits whose build fails
}

func newWorld(n int, firstBad int, p float64) world {
	w := world{rate: func(i int) float64 {
		if i >= firstBad {
			return p
		}
		return 0
	}, infra: map[int]bool{}}
	for i := range n {
		w.commits = append(w.commits, fmt.Sprintf("%040x", 0xc0ffee000+i))
	}
	return w
}

func (w world) play(t *testing.T, maxRuns int, seed uint64) Bisection {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	b := Bisection{ID: 1, Request: Request{Repo: "o/r", Good: w.commits[0][:7], Bad: w.commits[len(w.commits)-1], Command: []string{"./t.sh"},
		MaxRunsPerStep: maxRuns}, State: Running}
	index := map[string]int{}
	for i, c := range w.commits {
		index[c] = i
	}
	index[b.Bad] = len(w.commits) - 1
	for range 100 {
		d := Next(b)
		switch d.Action {
		case Finish:
			b.State, b.Reason = d.State, d.Reason
			if d.FirstBad != "" {
				b.FirstBad = &d.FirstBad
			}
			b.Judge()
			return b
		case Wait:
			t.Fatalf("Next waits with every step ended: %+v", b.Steps)
		case EndStep:
			for i := range b.Steps {
				if b.Steps[i].CampaignID == d.Step.CampaignID {
					b.Steps[i].State = campaign.Done
				}
			}
			continue
		}
		if err := checkSpec(d.Spec); err != nil {
			t.Fatalf("step %+v: %v", d.Step, err)
		}
		s := d.Step
		s.CampaignID = int64(s.Seq)
		i := index[s.Revision]
		if w.infra[i] {
			s.State, s.Reason = campaign.Failed, "build failed at "+s.Revision[:7]+": exit status 2"
			b.Steps = append(b.Steps, s)
			continue
		}
		s.Tested = w.commits[i]
		// The campaign runs until its stop rule or its count; the bad end
		// runs until the worker ends it (the step stays running).
		s.State = campaign.Running
		for s.Runs < d.Spec.Iterations {
			s.Runs++
			if rng.Float64() < w.rate(i) {
				s.Failures++
				if d.Spec.Stop == campaign.StopFirstFailure {
					break
				}
			}
			if s.Role == BadEnd && s.Failures >= EstimateFailures {
				break
			}
		}
		if s.Role != BadEnd || s.Runs == d.Spec.Iterations {
			s.State = campaign.Done
		}
		if s.Role == BadEnd {
			b.History, b.HistoryBase = w.commits[1:], w.commits[0]
		}
		b.Steps = append(b.Steps, s)
	}
	t.Fatal("no end after 100 decisions")
	return b
}

func checkSpec(s campaign.Spec) error {
	_, err := s.Validate()
	return err
}

// TestFindsTheFirstBadCommit: eight commits, the fifth makes the test fail
// 40% of the time. Over 200 draws the bisection names the fifth every
// time. (It can err: a good verdict is 95% sure, and confirming the
// parent squares the odds; 2,000 draws named the wrong commit 3 times.)
func TestFindsTheFirstBadCommit(t *testing.T) {
	t.Parallel()
	w := newWorld(8, 4, 0.4)
	wrong := 0
	for seed := range uint64(200) {
		b := w.play(t, 200, seed)
		if b.State != Done || b.FirstBad == nil {
			t.Fatalf("seed %d: %s %q; steps %+v", seed, b.State, b.Reason, b.Steps)
		}
		if *b.FirstBad != w.commits[4] {
			wrong++
			t.Logf("seed %d named %s: %+v", seed, *b.FirstBad, b.Steps)
			continue
		}
		a := b.Answer()
		if a == nil || a.FirstBad.Failures == 0 || a.Parent.Revision != w.commits[3] || a.Parent.Failures != 0 || a.Parent.Runs < 2*b.Steps[1].Needed {
			t.Fatalf("seed %d: answer %+v", seed, a)
		}
	}
	if wrong > 1 {
		t.Errorf("%d of 200 bisections named the wrong commit", wrong)
	}
}

// TestRareFailure: a 2% flake over a hundred commits.
func TestRareFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(100, 61, 0.02)
	b := w.play(t, 2000, 7)
	if b.State != Done || *b.FirstBad != w.commits[61] {
		t.Fatalf("%s %q; steps %+v", b.State, b.Reason, b.Steps)
	}
	if len(b.Steps) > 2+8 {
		t.Errorf("%d steps for 99 commits", len(b.Steps))
	}
}

// TestBuildFailureIsNotBad: a commit that cannot be built is skipped, not
// called bad; when it could be the first bad one, no commit is named.
func TestBuildFailureIsNotBad(t *testing.T) {
	t.Parallel()
	w := newWorld(8, 4, 0.4)
	w.infra[2] = true // a midpoint the search meets
	b := w.play(t, 200, 1)
	if b.State != Done || *b.FirstBad != w.commits[4] {
		t.Fatalf("%s %q; steps %+v", b.State, b.Reason, b.Steps)
	}
	for _, s := range b.Steps {
		if s.Revision == w.commits[2] && s.Verdict != Infra {
			t.Errorf("the unbuildable commit's step: %s (%s)", s.Verdict, s.Why)
		}
	}
	w = newWorld(8, 4, 0.4)
	w.infra[3] = true // just before the first bad one
	b = w.play(t, 200, 1)
	if b.State != Failed || b.FirstBad != nil || !strings.Contains(b.Reason, w.commits[3][:7]) || !strings.Contains(b.Reason, w.commits[4][:7]) {
		t.Errorf("%s %q, first bad %v: want no commit named, both candidates said", b.State, b.Reason, b.FirstBad)
	}
}

func TestEndsThatSayNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(8, 0, 0.4) // the good end fails too
	b := w.play(t, 200, 1)
	if b.State != Failed || !strings.Contains(b.Reason, "good end") {
		t.Errorf("failing good end: %s %q", b.State, b.Reason)
	}
	w = newWorld(8, 4, 0) // nothing fails
	b = w.play(t, 50, 1)
	if b.State != Failed || !strings.Contains(b.Reason, "did not fail in 50 runs") {
		t.Errorf("no failure at the bad end: %s %q", b.State, b.Reason)
	}
	w = newWorld(8, 4, 0.4)
	w.infra[7] = true
	b = w.play(t, 50, 1)
	if b.State != Failed || !strings.Contains(b.Reason, "could not be tested") {
		t.Errorf("unbuildable bad end: %s %q", b.State, b.Reason)
	}
}

// TestUndecidedIsNotGuessed: with too few runs allowed to call a commit
// good, clean steps are undecided, and no commit is named on their word.
func TestUndecidedIsNotGuessed(t *testing.T) {
	t.Parallel()
	w := newWorld(8, 4, 0.1)
	b := w.play(t, 12, 3)
	undecided := 0
	for _, s := range b.Steps {
		if s.Verdict == Undecided {
			undecided++
		}
		if s.Verdict == Good {
			t.Errorf("step %s called good after %d runs; %d needed", s.Revision[:7], s.Runs, s.Needed)
		}
	}
	if b.State == Done && *b.FirstBad != w.commits[4] {
		t.Errorf("named %s, a guess", *b.FirstBad)
	}
	if undecided == 0 {
		t.Errorf("no undecided step: %+v", b.Steps)
	}
}

func TestMidpoint(t *testing.T) {
	t.Parallel()
	b := Bisection{Request: Request{Repo: "o/r", Good: "aaaaaaa", Bad: "bbbbbbb", Command: []string{"x"}, MaxRunsPerStep: 100}}
	for i := range 9 {
		b.History = append(b.History, fmt.Sprintf("%040x", i+1))
	}
	b.HistoryBase = fmt.Sprintf("%040x", 0)
	tested := "t"
	b.Steps = []Step{
		{Seq: 1, Role: BadEnd, Runs: 10, Failures: 5, State: campaign.Done, Tested: tested},
		{Seq: 2, Role: GoodEnd, Position: -1, Needed: 14, Runs: 14, State: campaign.Done, Tested: tested},
	}
	// Open range (-1, 8): the middle is 3.
	if d := Next(b); d.Action != Run || d.Step.Position != 3 || d.Step.Revision != b.History[3] || d.Spec.Stop != campaign.StopFirstFailure || d.Spec.Iterations != Needed(5, 10) {
		t.Errorf("first midpoint: %+v", d)
	}
	// 3 could not be built: the nearest other, 2 before 4.
	b.Steps = append(b.Steps, Step{Seq: 3, Role: Midpoint, Position: 3, Revision: b.History[3], Needed: 14, State: campaign.Failed, Reason: "build"})
	if d := Next(b); d.Step.Position != 2 {
		t.Errorf("after a skip: %+v", d.Step)
	}
}

func TestRequestValidate(t *testing.T) {
	t.Parallel()
	ok := Request{Repo: "o/r", Good: "abc1234", Bad: "def5678", Command: []string{"./t.sh"}}
	got, err := ok.Validate()
	if err != nil || got.MaxRunsPerStep != DefaultMaxRunsPerStep || got.Parallel != 1 || got.Format != "auto" {
		t.Fatalf("Validate = %+v, %v", got, err)
	}
	with := func(f func(*Request)) Request { r := ok; f(&r); return r }
	for _, tc := range []struct {
		name string
		r    Request
		want string
	}{
		{"same commit", with(func(r *Request) { r.Bad = "abc1234ff" }), "same commit"},
		{"bad revision", with(func(r *Request) { r.Good = "--all" }), "revision"},
		{"no command", with(func(r *Request) { r.Command = nil }), "command"},
		{"runs", with(func(r *Request) { r.MaxRunsPerStep = -1 }), "max_runs_per_step"},
		{"repo", with(func(r *Request) { r.Repo = "x" }), "repo"},
		{"label", with(func(r *Request) { r.Labels = []string{"a b"} }), "label"},
	} {
		if _, err := tc.r.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.want)
		}
	}
}

// TestConfirmation: the parent of the commit about to be named runs
// again; a failure there moves the search below it rather than naming a
// commit on one lucky verdict.
func TestConfirmation(t *testing.T) {
	t.Parallel()
	b := Bisection{Request: Request{Repo: "o/r", Good: "aaaaaaa", Bad: "bbbbbbb", Command: []string{"x"}, MaxRunsPerStep: 100}}
	for i := range 7 {
		b.History = append(b.History, fmt.Sprintf("%040x", i+1))
	}
	b.HistoryBase = fmt.Sprintf("%040x", 0)
	const tested = "t"
	n := Needed(5, 12)
	b.Steps = []Step{
		{Seq: 1, Role: BadEnd, Runs: 12, Failures: 5, State: campaign.Done, Tested: tested},
		{Seq: 2, Role: GoodEnd, Position: -1, Needed: n, Runs: n, State: campaign.Done, Tested: tested},
		{Seq: 3, Role: Midpoint, Position: 2, Revision: b.History[2], Needed: n, Runs: n, State: campaign.Done, Tested: tested},
		{Seq: 4, Role: Midpoint, Position: 4, Revision: b.History[4], Needed: n, Runs: 2, Failures: 1, State: campaign.Done, Tested: tested},
		{Seq: 5, Role: Midpoint, Position: 3, Revision: b.History[3], Needed: n, Runs: n, State: campaign.Done, Tested: tested}, // lucky
	}
	d := Next(b)
	if d.Action != Run || d.Step.Role != Confirm || d.Step.Position != 3 {
		t.Fatalf("before naming %s: %+v, want its parent confirmed", b.History[4][:7], d)
	}
	b.Steps = append(b.Steps, Step{Seq: 6, Role: Confirm, Position: 3, Revision: b.History[3], Needed: n, Runs: 4, Failures: 1, State: campaign.Done, Tested: tested})
	d = Next(b)
	if d.Action != Run || d.Step.Role != Confirm || d.Step.Position != 2 {
		t.Fatalf("after the parent failed: %+v, want position 2 confirmed next", d)
	}
	b.Steps = append(b.Steps, Step{Seq: 7, Role: Confirm, Position: 2, Revision: b.History[2], Needed: n, Runs: n, State: campaign.Done, Tested: tested})
	d = Next(b)
	if d.Action != Finish || d.State != Done || d.FirstBad != b.History[3] {
		t.Errorf("after confirming position 2: %+v, want %s named", d, b.History[3][:7])
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	h := []RevisionRuns{
		{Revision: "aaaaaaa", Runs: 40, FirstSeen: day(1)},
		{Revision: "bbbbbbb", Runs: 3, FirstSeen: day(2)}, // clean, but too few runs to say
		{Revision: "campaign-7", Runs: 500, Failures: 9, FirstSeen: day(2)},
		{Revision: "ddddddd", Runs: 10, Failures: 2, FirstSeen: day(4)},
		{Revision: "ccccccc", Runs: 10, Failures: 0, FirstSeen: day(3)},
		{Revision: "eeeeeee", Runs: 10, Failures: 5, FirstSeen: day(5)},
	}
	// From ddddddd on: 7 of 20 failed; 35% is seen within 7 runs.
	if good, bad := Suggest(h); good != "ccccccc" || bad != "ddddddd" {
		t.Errorf("Suggest = %q, %q; want ccccccc, ddddddd", good, bad)
	}
	h[4].Runs = 2
	if good, bad := Suggest(h); good != "aaaaaaa" || bad != "ddddddd" {
		t.Errorf("with ccccccc barely run: %q, %q; want aaaaaaa, ddddddd", good, bad)
	}
	if good, bad := Suggest(h[:2]); good != "" || bad != "" {
		t.Errorf("no failures: %q, %q", good, bad)
	}
}
