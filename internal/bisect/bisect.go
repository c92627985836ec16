// Package bisect holds the rules of a repro-rate bisection: finding, on
// the first-parent history between a good and a bad commit, the first
// commit where a test fails at the rate the bad end shows. It is pure: the
// store persists a Bisection, a worker asks Next what to do and applies it
// in the same transaction, and each step runs as a campaign at one
// revision.
//
// The rules:
//
//   - The bad end runs first, up to max_runs_per_step times, and stops
//     at its EstimateFailures-th failure: its rate, taken at the lower end
//     of its 95% Wilson interval so that a lucky streak cannot make it
//     look worse than it is, sets how many clean runs make a commit good. The runner that
//     checks it out also lists the history between good and bad.
//   - A commit is bad at its first failure. It is good after
//     stats.RunsToSee(that rate) clean runs: a rate as high as the bad
//     end's would have shown with 95% confidence. A step that reaches
//     neither within max_runs_per_step (or is cancelled) is undecided, and
//     a step whose checkout or build failed is infrastructure: neither is
//     guessed to be good or bad; the search goes round them the way
//     `git bisect skip` does, and names no first bad commit if one of them
//     could be it.
//   - The good end is checked as well; failing there ends the bisection,
//     since the flakiness is older than the range.
//   - The midpoint is the untested commit nearest the middle of the range
//     still open (by position on the first-parent line, not by time),
//     the lower one on a tie.
//   - Before a commit is named, its parent is confirmed with a second set
//     of clean runs (a Confirm step): a single good verdict at 95% is
//     wrong one time in twenty at the bad end's rate, and the parent is
//     the one good verdict the answer rests on. A failure there moves the
//     search below it.
//   - A failure is evidence only from runs in a checkout of the step's
//     revision; runs without one make the step infrastructure.
package bisect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/repo"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/vcs"
)

// Bounds and defaults.
const (
	// EstimateFailures is how many failures of the bad end are enough to
	// estimate its rate. More make the estimate tighter and so, with the
	// rule taking its lower bound, need fewer clean runs per step: in
	// simulation 5, 8 and 10 name the wrong commit about equally rarely.
	EstimateFailures = 5
	// DefaultMaxRunsPerStep is max_runs_per_step when the request does
	// not say.
	DefaultMaxRunsPerStep = 200
	// MaxRunsPerStep bounds it.
	MaxRunsPerStep = 100_000
	// MaxSteps bounds a bisection: log2 of checkout.MaxHistory is 14, and
	// skips add a few.
	MaxSteps = 64
)

// State is where a bisection is.
type State string

// The states of a bisection.
const (
	Running State = "running"
	Done    State = "done"   // the first bad commit is named
	Failed  State = "failed" // it could not be named; Reason says why
)

// Request is the body of POST /api/v1/bisections.
type Request struct {
	Repo string `json:"repo" db:"repo"`
	Good string `json:"good" db:"good"`
	Bad  string `json:"bad" db:"bad"`
	// Command runs the test; Test names it (TRIAGED_TEST), and without a
	// Command the repository's command for that test is used.
	Command        []string `json:"command" db:"command"`
	Test           string   `json:"test" db:"test"`
	Format         string   `json:"format" db:"format"`
	Labels         []string `json:"labels" db:"labels"`
	MaxRunsPerStep int      `json:"max_runs_per_step" db:"max_runs_per_step"`
	Parallel       int      `json:"parallel" db:"parallel"`
}

// Validate checks a request (with its command resolved) and fills in
// defaults: max_runs_per_step 200, parallel 1, format auto. A step's
// campaign is validated by the campaign rules, so a request is refused
// here for anything a step would be refused for.
func (r Request) Validate() (Request, error) {
	if r.MaxRunsPerStep == 0 {
		r.MaxRunsPerStep = DefaultMaxRunsPerStep
	}
	if r.Labels == nil {
		r.Labels = []string{}
	}
	switch {
	case r.MaxRunsPerStep < 1 || r.MaxRunsPerStep > MaxRunsPerStep:
		return r, fmt.Errorf("max_runs_per_step: want 1 to %d, got %d", MaxRunsPerStep, r.MaxRunsPerStep)
	case r.Good == "" || r.Bad == "":
		return r, errors.New("good and bad: name both ends as commit ids")
	}
	for _, rev := range []string{r.Good, r.Bad} {
		if err := vcs.CheckRevision(rev); err != nil {
			return r, err
		}
	}
	if strings.HasPrefix(strings.ToLower(r.Bad), strings.ToLower(r.Good)) || strings.HasPrefix(strings.ToLower(r.Good), strings.ToLower(r.Bad)) {
		return r, errors.New("good and bad name the same commit")
	}
	spec, err := r.spec(r.Bad, r.MaxRunsPerStep, campaign.StopCount, "").Validate()
	if err != nil {
		return r, err
	}
	r.Format, r.Parallel, r.Command = spec.Format, spec.Parallel, spec.Command
	return r, nil
}

// Resolve validates a request for the registered repository it names:
// without a command, the repository's command for the request's test.
func (r Request) Resolve(rp repo.Repo) (Request, error) {
	if rp.Repo != r.Repo {
		return r, fmt.Errorf("repo %q is not registered", r.Repo)
	}
	if len(r.Command) == 0 && r.Test != "" {
		var err error
		if r.Command, err = rp.CommandFor(r.Test); err != nil {
			return r, fmt.Errorf("command: none given, and %w", err)
		}
	}
	return r.Validate()
}

// spec is the campaign of one step.
func (r Request) spec(revision string, iterations int, stop campaign.Stop, name string) campaign.Spec {
	return campaign.Spec{Name: name, Kind: campaign.KindExec, Command: r.Command, Format: r.Format, Labels: r.Labels,
		Iterations: iterations, Parallel: r.Parallel, Stop: stop, Repo: r.Repo, Revision: revision, Test: r.Test}
}

// Role is what a step is for.
type Role string

// The roles of steps.
const (
	BadEnd   Role = "bad-end"  // measures the rate; its checkout lists the history
	GoodEnd  Role = "good-end" // checks the good end does not fail
	Midpoint Role = "midpoint"
	Confirm  Role = "confirm" // runs the named commit's parent again
)

// Verdict is what a step's runs show.
type Verdict string

// The verdicts of a step.
const (
	Pending   Verdict = "running"
	Bad       Verdict = "bad"
	Good      Verdict = "good"
	Undecided Verdict = "undecided"
	Infra     Verdict = "infra"
)

// Step is one campaign of a bisection, with its campaign's figures.
type Step struct {
	Seq      int    `json:"seq" db:"seq"`
	Role     Role   `json:"role" db:"role"`
	Revision string `json:"revision" db:"revision"`
	// Position is a midpoint's index in the history (oldest first); the
	// good end is -1, and the bad end, whose place is not known when it
	// starts (it is last), -2.
	Position int `json:"position" db:"position"`
	// Needed is how many clean runs make the revision good (0 for the bad
	// end).
	Needed     int   `json:"needed" db:"needed"`
	CampaignID int64 `json:"campaign_id" db:"campaign_id"`

	Runs     int            `json:"runs" db:"runs"`
	Failures int            `json:"failures" db:"failures"`
	State    campaign.State `json:"campaign_state" db:"campaign_state"`
	Reason   string         `json:"campaign_reason" db:"campaign_reason"`
	// Tested is the commit the step's runs ran at.
	Tested string `json:"tested_revision" db:"tested_revision"`

	Verdict Verdict `json:"verdict" db:"-"`
	Why     string  `json:"why" db:"-"`
}

// Judge says what the step's figures show.
func (s Step) Judge() (Verdict, string) {
	switch {
	case s.Runs > 0 && s.Tested == "":
		return Infra, "ran without a checkout of " + vcs.ShortRevision(s.Revision)
	case s.Failures > 0:
		return Bad, fmt.Sprintf("failed %d of %d runs", s.Failures, s.Runs)
	case s.State == campaign.Failed:
		return Infra, "could not run: " + firstLine(s.Reason)
	case s.Role != BadEnd && s.Needed > 0 && s.Runs >= s.Needed:
		return Good, fmt.Sprintf("%d clean runs, enough to have seen the bad end's rate with 95%% confidence", s.Runs)
	case s.State.Active():
		return Pending, fmt.Sprintf("%d clean runs so far", s.Runs)
	case s.Role == BadEnd:
		return Undecided, fmt.Sprintf("no failure in %d runs", s.Runs)
	}
	return Undecided, fmt.Sprintf("%d clean runs of the %d needed to call it good", s.Runs, s.Needed)
}

// Bisection is a bisection with its steps.
type Bisection struct {
	ID int64 `json:"id" db:"id"`
	Request
	State    State   `json:"state" db:"state"`
	Reason   string  `json:"reason" db:"reason"`
	FirstBad *string `json:"first_bad" db:"first_bad"`
	// History is the first-parent history from HistoryBase (good, as a
	// full id; excluded) to bad (included), oldest first; nil until the
	// bad end's runner listed it, or HistoryError says why it could not.
	History      []string   `json:"-" db:"history"`
	HistoryBase  string     `json:"good_commit" db:"history_base"`
	HistoryError string     `json:"history_error" db:"history_error"`
	CreatedBy    string     `json:"created_by" db:"created_by"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	FinishedAt   *time.Time `json:"finished_at" db:"finished_at"`
	Steps        []Step     `json:"steps" db:"-"`
}

// Judge fills in each step's verdict.
func (b *Bisection) Judge() {
	for i := range b.Steps {
		b.Steps[i].Verdict, b.Steps[i].Why = b.Steps[i].Judge()
	}
}

// Needed is how many clean runs make a commit good: enough to see the bad
// end's rate, at the low end of its 95% interval, with 95% confidence.
// It is 0 while the bad end has not failed.
func Needed(badFailures, badRuns int) int {
	if badFailures <= 0 || badRuns <= 0 {
		return 0
	}
	low, _ := stats.Wilson(badFailures, badRuns)
	return stats.RunsToSee(low)
}

// Action is what the worker does next.
type Action int

// The actions.
const (
	Wait    Action = iota // a step is running
	Run                   // start the step in Decision.Step
	EndStep               // end the running step's campaign: it has said enough
	Finish                // end the bisection with Decision.State
)

// Decision is what Next decides.
type Decision struct {
	Action Action
	// Step is the step to start (Run: Role, Revision, Position, Needed)
	// or to end (EndStep: CampaignID).
	Step Step
	// Spec is the campaign of a step to start.
	Spec campaign.Spec
	// For Finish.
	State    State
	FirstBad string
	Reason   string
}

// Next decides the bisection's next move from its steps' figures.
func Next(b Bisection) Decision {
	b.Judge()
	byRole := func(r Role) *Step {
		for i := range b.Steps {
			if b.Steps[i].Role == r {
				return &b.Steps[i]
			}
		}
		return nil
	}
	fail := func(format string, args ...any) Decision {
		return Decision{Action: Finish, State: Failed, Reason: fmt.Sprintf(format, args...)}
	}
	bad := byRole(BadEnd)
	if bad == nil {
		return b.run(Step{Role: BadEnd, Revision: b.Bad, Position: -2}, b.MaxRunsPerStep, campaign.StopCount)
	}
	if bad.State.Active() {
		if bad.Failures >= EstimateFailures && bad.Tested != "" {
			return Decision{Action: EndStep, Step: *bad, Reason: fmt.Sprintf("%d failures: enough to estimate the rate", bad.Failures)}
		}
		return Decision{Action: Wait}
	}
	switch bad.Verdict {
	case Infra:
		return fail("the bad end %s could not be tested: %s", vcs.ShortRevision(b.Bad), bad.Why)
	case Undecided:
		return fail("the bad end %s did not fail in %d runs: nothing to bisect (raise max_runs_per_step for a rarer failure)", vcs.ShortRevision(b.Bad), bad.Runs)
	}
	switch {
	case b.HistoryError != "":
		return fail("history between %s and %s: %s", vcs.ShortRevision(b.Good), vcs.ShortRevision(b.Bad), b.HistoryError)
	case len(b.History) == 0:
		return fail("the runner that tested %s did not list the history from %s", vcs.ShortRevision(b.Bad), vcs.ShortRevision(b.Good))
	}
	needed := Needed(bad.Failures, bad.Runs)
	iterations := min(needed, b.MaxRunsPerStep)
	good := byRole(GoodEnd)
	if good == nil {
		return b.run(Step{Role: GoodEnd, Revision: b.HistoryBase, Position: -1, Needed: needed}, iterations, campaign.StopFirstFailure)
	}
	if good.Verdict == Pending {
		return Decision{Action: Wait}
	}
	if good.Verdict == Bad {
		return fail("the good end %s fails too (%d of %d runs): the flakiness is older than this range; start from an earlier good commit",
			vcs.ShortRevision(b.HistoryBase), good.Failures, good.Runs)
	}
	lo, hi, skipped, pending := b.bounds()
	if pending {
		return Decision{Action: Wait}
	}
	var open []int
	for p := lo + 1; p < hi; p++ {
		if !skipped[p] {
			open = append(open, p)
		}
	}
	if len(open) == 0 {
		var unknown []string
		for p := lo + 1; p < hi; p++ {
			unknown = append(unknown, vcs.ShortRevision(b.History[p]))
		}
		if len(unknown) > 0 {
			return fail("the first bad commit is %s or an earlier one back to %s, which could not be told good or bad (see the steps)",
				vcs.ShortRevision(b.History[hi]), strings.Join(unknown, ", "))
		}
		if b.cleanRuns(lo) < 2*needed && b.confirmable(lo) {
			parent := b.HistoryBase
			if lo >= 0 {
				parent = b.History[lo]
			}
			return b.run(Step{Role: Confirm, Revision: parent, Position: lo, Needed: needed}, iterations, campaign.StopFirstFailure)
		}
		return Decision{Action: Finish, State: Done, FirstBad: b.History[hi],
			Reason: fmt.Sprintf("%s is the first commit that fails; its parent passed %d runs", vcs.ShortRevision(b.History[hi]), b.cleanRuns(lo))}
	}
	if len(b.Steps) >= MaxSteps {
		return fail("stopped after %d steps", MaxSteps)
	}
	mid := (lo + hi) / 2 // lo+1 <= mid < hi, as hi-lo >= 2 here
	pick := open[0]
	for _, p := range open {
		if abs(p-mid) < abs(pick-mid) {
			pick = p
		}
	}
	return b.run(Step{Role: Midpoint, Revision: b.History[pick], Position: pick, Needed: needed}, iterations, campaign.StopFirstFailure)
}

// bounds is the open range of the search: hi the first position known
// bad (the bad end at first), lo the last known good before it (-1, the
// good end, at first), the positions skipped as undecided or
// infrastructure, and whether a step is still running. A position with a
// bad verdict is bad, whatever good verdicts it also has.
func (b Bisection) bounds() (lo, hi int, skipped map[int]bool, pending bool) {
	lo, hi, skipped = -1, len(b.History)-1, map[int]bool{}
	for _, s := range b.Steps {
		if s.Role == BadEnd {
			continue
		}
		switch s.Verdict {
		case Pending:
			pending = true
		case Bad:
			hi = min(hi, s.Position)
		case Undecided, Infra:
			skipped[s.Position] = true
		}
	}
	for _, s := range b.Steps {
		if s.Role != BadEnd && s.Verdict == Good && s.Position < hi {
			lo = max(lo, s.Position)
		}
	}
	for p := range skipped {
		if p <= lo || p >= hi {
			delete(skipped, p)
		}
	}
	return lo, hi, skipped, pending
}

// confirmable reports whether position p can still be confirmed: not if a
// confirmation there could not run, nor at a good end that never ran (the
// request's word stands for it, as it does in git bisect).
func (b Bisection) confirmable(p int) bool {
	for _, s := range b.Steps {
		switch {
		case s.Role == Confirm && s.Position == p && (s.Verdict == Infra || s.Verdict == Undecided):
			return false
		case s.Role == GoodEnd && p == -1 && s.Verdict != Good:
			return false
		}
	}
	return true
}

// cleanRuns counts the runs of the good verdicts at position p.
func (b Bisection) cleanRuns(p int) int {
	n := 0
	for _, s := range b.Steps {
		if s.Role != BadEnd && s.Position == p && s.Verdict == Good {
			n += s.Runs
		}
	}
	return n
}

// run is the decision to start a step: a campaign at the step's revision.
func (b Bisection) run(s Step, iterations int, stop campaign.Stop) Decision {
	s.Seq = len(b.Steps) + 1
	name := fmt.Sprintf("bisect #%d: %s %s", b.ID, s.Role, vcs.ShortRevision(s.Revision))
	return Decision{Action: Run, Step: s, Spec: b.spec(s.Revision, max(iterations, 1), stop, name)}
}

// Checkout adds to a bad end's checkout the history the bisection needs.
func (b Bisection) Checkout(s checkout.Spec) checkout.Spec {
	s.HistoryFrom = b.Good
	return s
}

// Figures are a commit's runs and failures as the answer quotes them.
type Figures struct {
	Revision string `json:"revision"`
	stats.Rate
}

// Answer is the first bad commit with its figures and its parent's.
type Answer struct {
	FirstBad Figures `json:"first_bad"`
	Parent   Figures `json:"parent"`
}

// Answer quotes the figures of the first bad commit and its parent, from
// the steps that tested them; nil until the bisection is done.
func (b Bisection) Answer() *Answer {
	if b.State != Done || b.FirstBad == nil {
		return nil
	}
	i := slices.Index(b.History, *b.FirstBad)
	if i < 0 {
		return nil
	}
	parent := b.HistoryBase
	if i > 0 {
		parent = b.History[i-1]
	}
	var runs, fails [2]int
	for _, s := range b.Steps {
		switch s.Revision {
		case *b.FirstBad:
			runs[0], fails[0] = runs[0]+s.Runs, fails[0]+s.Failures
		case parent:
			runs[1], fails[1] = runs[1]+s.Runs, fails[1]+s.Failures
		}
	}
	return &Answer{FirstBad: Figures{Revision: *b.FirstBad, Rate: stats.NewRate(fails[0], runs[0])},
		Parent: Figures{Revision: parent, Rate: stats.NewRate(fails[1], runs[1])}}
}

// Rate is the bad end's measured rate, once it ran.
func (b Bisection) Rate() (stats.Rate, bool) {
	for _, s := range b.Steps {
		if s.Role == BadEnd && s.Runs > 0 {
			return stats.NewRate(s.Failures, s.Runs), true
		}
	}
	return stats.Rate{}, false
}

func abs(n int) int { return int(math.Abs(float64(n))) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// RevisionRuns is a test's runs and failures on one revision, and when
// the revision was first seen: what a test's history offers to start a
// bisection from.
type RevisionRuns struct {
	Revision  string
	Runs      int
	Failures  int
	FirstSeen time.Time
}

// Suggest picks the ends of a bisection from a test's history, in the
// order revisions were first seen (the history holds no commit graph):
// bad is the first revision with failures, good the last one before it
// with enough clean runs to have seen, with 95% confidence, the rate the
// revisions from bad on show. Either is "" when the history has none;
// revisions that are not commit ids (a campaign's own) are left out.
func Suggest(history []RevisionRuns) (good, bad string) {
	h := slices.Clone(history)
	h = slices.DeleteFunc(h, func(r RevisionRuns) bool { return vcs.CheckRevision(r.Revision) != nil })
	slices.SortStableFunc(h, func(a, b RevisionRuns) int { return a.FirstSeen.Compare(b.FirstSeen) })
	first := slices.IndexFunc(h, func(r RevisionRuns) bool { return r.Failures > 0 })
	if first < 0 {
		return "", ""
	}
	var runs, fails int
	for _, r := range h[first:] {
		runs, fails = runs+r.Runs, fails+r.Failures
	}
	enough := stats.RunsToSee(float64(fails) / float64(runs))
	for i := first - 1; i >= 0; i-- {
		if h[i].Failures == 0 && h[i].Runs >= enough {
			return h[i].Revision, h[first].Revision
		}
	}
	return "", h[first].Revision
}
