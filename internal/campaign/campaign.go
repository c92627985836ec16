package campaign

import (
	"time"

	"github.com/triaged/triaged/internal/checkout"
)

// Kind says what a campaign stresses.
type Kind string

// The kinds of campaign.
const (
	KindScenario Kind = "scenario" // a built-in proactor scenario
	KindExec     Kind = "exec"     // an external test command
)

// State is where a campaign is in its life.
type State string

// The states of a campaign. Queued and Running are active; the others are
// final.
const (
	Queued    State = "queued"
	Running   State = "running"
	Done      State = "done"
	Cancelled State = "cancelled"
	Failed    State = "failed"
)

// Active reports whether a campaign in state s may still run iterations.
func (s State) Active() bool { return s == Queued || s == Running }

// Stop is a stop rule: when a campaign may end before its iteration count.
type Stop string

// The stop rules.
const (
	StopCount        Stop = "count"         // run every iteration
	StopFirstFailure Stop = "first-failure" // stop at the first failing iteration
	// StopConfident stops once the 95% bound on the rate is within the
	// spec's StopTarget (see StopReason).
	StopConfident Stop = "confident"
)

// Params tune a built-in scenario. Zero fields take the scenario's
// defaults. Seed applies to exec campaigns too (TRIAGED_SEED).
type Params struct {
	Packets    int    `json:"packets,omitempty"`
	PacketSize int    `json:"packet_size,omitempty"`
	PauseEvery string `json:"pause_every,omitempty"` // a Go duration, e.g. "100ms"
	// Pauses says where pauses fall besides the start_tls upgrade:
	// "periodic" (default) or "random" (seeded).
	Pauses string `json:"pauses,omitempty"`
	Seed   int64  `json:"seed,omitempty"`
}

// Spec is what a campaign asks for. It is the body of POST
// /api/v1/campaigns, what the campaign form and webhooks build, and what
// the store keeps; Validate checks it and fills in defaults.
type Spec struct {
	Name     string `json:"name" db:"name"`
	Kind     Kind   `json:"kind" db:"kind"`
	Scenario string `json:"scenario" db:"scenario"`
	// Proactor is "fixed" or "legacy" (the pre-fix bpo-33694 behaviour).
	Proactor string `json:"proactor" db:"proactor"`
	// Backend is "emu", "iocp", or empty for the runner's default.
	Backend string   `json:"backend" db:"backend"`
	Params  Params   `json:"params" db:"params"`
	Command []string `json:"command" db:"command"`
	// Format is how an exec campaign's results are read (see ParseFormat).
	Format     string   `json:"format" db:"format"`
	Labels     []string `json:"labels" db:"labels"`
	Iterations int      `json:"iterations" db:"iterations"`
	Parallel   int      `json:"parallel" db:"parallel"`
	Stop       Stop     `json:"stop" db:"stop_rule"`
	StopTarget float64  `json:"stop_target" db:"stop_target"`
	// EachRunner makes every matching runner run all iterations, to
	// compare hosts; otherwise whichever runners lease them share them.
	EachRunner bool   `json:"each_runner" db:"each_runner"`
	Repo       string `json:"repo" db:"repo"`
	Revision   string `json:"revision" db:"revision"`
	// Branch is the branch the revision is on, if known: the campaign's
	// results are filed on it, and the campaign list filters by it.
	Branch string `json:"branch" db:"branch"`
	// CreatedBy names who started the campaign: the server sets it from
	// the caller (a token's or an admin session's principal, or "github
	// webhook"); a request body cannot choose it.
	CreatedBy string `json:"created_by" db:"created_by"`
	// Test is the full id of the test the campaign stresses, when it
	// stresses one. An exec command reads it from $TRIAGED_TEST, which
	// needs no quoting, whatever the id holds.
	Test string `json:"test" db:"test"`
}

// Campaign is a stored campaign with its live figures.
type Campaign struct {
	ID int64 `json:"id" db:"id"`
	Spec
	State  State  `json:"state" db:"state"`
	Reason string `json:"reason" db:"reason"`
	// Planned is the iterations of all its jobs: Iterations, or Iterations
	// times the runners of an each-runner campaign.
	Planned    int        `json:"planned" db:"planned"`
	Runs       int        `json:"runs" db:"runs"`
	Failures   int        `json:"failures" db:"failures"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	StartedAt  *time.Time `json:"started_at" db:"started_at"`
	FinishedAt *time.Time `json:"finished_at" db:"finished_at"`

	// TestedRevision is the commit runners checked out and ran at (git
	// rev-parse HEAD in their worktree); UntestedJobs counts jobs that
	// ran without a checkout although the campaign names a revision (its
	// repo was not registered). See CheckedOut.
	TestedRevision string `json:"tested_revision" db:"tested_revision"`
	UntestedJobs   int    `json:"untested_jobs" db:"untested_jobs"`
}

// CheckedOut reports whether every run of an exec campaign that names a
// revision ran in a checkout of that revision, which is what lets a page
// or a commit status claim the runs tested it. A scenario campaign runs
// triaged's own built-in code, so it needs no checkout; a campaign
// without a revision claims none.
func (c Campaign) CheckedOut() bool {
	if c.Kind != KindExec || c.Revision == "" {
		return true
	}
	return c.UntestedJobs == 0 && (c.TestedRevision != "" || c.Runs == 0)
}

// Seed is the seed of the campaign's first iteration: the one its params
// give, or one derived from its id, so that it is distinct per campaign
// and the same on every runner and every retry of a job.
func (c Campaign) Seed() int64 {
	if c.Params.Seed != 0 {
		return c.Params.Seed
	}
	return c.ID * 1_000_003
}

// JobSize is how many iterations one job holds: small, so that a dead
// runner costs little and work spreads over runners.
const JobSize = 25

// LeaseDuration is how long a job stays with a runner without a
// heartbeat. Runners heartbeat every third of it, so a runner not seen for
// a whole lease is gone.
const LeaseDuration = 60 * time.Second

// Job is a campaign's share for one runner, as a runner leases it.
type Job struct {
	ID             int64     `json:"id"`
	CampaignID     int64     `json:"campaign_id"`
	FirstIteration int       `json:"first_iteration"`
	Iterations     int       `json:"iterations"`
	Attempt        int       `json:"attempt"`
	LeaseExpires   time.Time `json:"lease_expires_at"`
	// Done lists iterations of the job already stored by an earlier
	// attempt; the runner skips them.
	Done     []int    `json:"done_iterations"`
	Campaign Campaign `json:"campaign"`
	// Checkout, when set, is the revision the runner checks out and builds
	// before the first iteration, which then run in that worktree.
	Checkout *checkout.Spec `json:"checkout,omitempty"`
}

// Contains reports whether iteration i belongs to the job.
func (j Job) Contains(i int) bool { return i >= j.FirstIteration && i < j.FirstIteration+j.Iterations }
