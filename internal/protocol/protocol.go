// Package protocol holds the messages of the runner protocol: what a
// runner agent and the server say to each other under /api/v1/runners and
// /api/v1/jobs. Both sides use these types, so neither guesses the other's
// fields. A leased job is a campaign.Job; job results go up as the native
// report document (package report) and come back as an ingest.Answer.
package protocol

import "time"

// RegisterRequest is what a runner says of itself when it registers
// (POST /api/v1/runners/register, with a registration token).
type RegisterRequest struct {
	Name    string   `json:"name"`
	OS      string   `json:"os"`
	Arch    string   `json:"arch"`
	Labels  []string `json:"labels"`
	Version string   `json:"version"`
}

// Registered is the answer to a registration: the runner as stored and its
// own token, shown this once.
type Registered struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	OS        string    `json:"os"`
	Arch      string    `json:"arch"`
	Labels    []string  `json:"labels"`
	CreatedAt time.Time `json:"created_at"`
	Token     string    `json:"token"`
}

// HeartbeatAnswer tells a runner what changed for it (POST
// /api/v1/runners/heartbeat).
type HeartbeatAnswer struct {
	// StopJobs are jobs it holds that were cancelled or ended by a stop
	// rule.
	StopJobs        []int64 `json:"stop_jobs"`
	LeaseSeconds    int     `json:"lease_seconds"`
	HeartbeatEveryS int     `json:"heartbeat_every_seconds"`
}

// CompleteRequest ends a job the runner holds (POST
// /api/v1/jobs/{id}/complete): done, failed with Error, or handed back to
// the queue unfinished with Release (a runner stopping cleanly), which
// does not count as a failed attempt.
type CompleteRequest struct {
	Error   string `json:"error"`
	Release bool   `json:"release"`
}

// CompleteAnswer says how the job's campaign stands: its final state when
// this job was its last, "" while jobs remain.
type CompleteAnswer struct {
	CampaignState string `json:"campaign_state"`
}

// CheckoutReport is what a runner checked out for a job, sent before the
// job's first iteration (POST /api/v1/jobs/{id}/checkout): the commit its
// worktree is at (git rev-parse HEAD), which is what the job's runs test,
// and for a bisection's bad end the first-parent history the job's
// checkout asked for (checkout.Spec.HistoryFrom), or why there is none.
type CheckoutReport struct {
	Commit       string   `json:"commit"`
	History      []string `json:"history,omitempty"`
	HistoryBase  string   `json:"history_base,omitempty"`
	HistoryError string   `json:"history_error,omitempty"`
	BuildSeconds float64  `json:"build_seconds"`
}
