package ingest

import (
	"errors"
	"net/http"
	"time"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// LeaseDuration is how long a job stays with a runner without a heartbeat.
// Runners heartbeat every third of it.
const LeaseDuration = 60 * time.Second

// HeartbeatAnswer tells a runner what changed for it.
type HeartbeatAnswer struct {
	// StopJobs are jobs it holds that were cancelled or ended by a stop rule.
	StopJobs        []int64 `json:"stop_jobs"`
	LeaseSeconds    int     `json:"lease_seconds"`
	HeartbeatEveryS int     `json:"heartbeat_every_seconds"`
}

// Heartbeat handles POST /api/v1/runners/heartbeat.
func (a *API) Heartbeat(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	stop, err := a.store.Heartbeat(r.Context(), p.RunnerID, LeaseDuration)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	if stop == nil {
		stop = []int64{}
	}
	jsonapi.Write(w, http.StatusOK, HeartbeatAnswer{StopJobs: stop, LeaseSeconds: int(LeaseDuration / time.Second), HeartbeatEveryS: int(LeaseDuration / 3 / time.Second)})
}

// LeaseJob handles POST /api/v1/jobs/lease: 200 with a job, or 204 when
// there is nothing for this runner.
func (a *API) LeaseJob(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	job, err := a.store.LeaseJob(r.Context(), p.RunnerID, p.Labels, LeaseDuration)
	switch {
	case errors.Is(err, store.ErrNotFound):
		w.WriteHeader(http.StatusNoContent)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		a.log.Info("job leased", "job", job.ID, "campaign", job.CampaignID, "runner", p.Name, "attempt", job.Attempt)
		jsonapi.Write(w, http.StatusOK, job)
	}
}

// CompleteJob handles POST /api/v1/jobs/{id}/complete with {"error": "",
// "release": false}. A release hands the job back to the queue unfinished (a
// runner stopping cleanly), without counting as a failed attempt.
func (a *API) CompleteJob(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	id, ok := a.idParam(w, r)
	if !ok {
		return
	}
	var req struct {
		Error   string `json:"error"`
		Release bool   `json:"release"`
	}
	if err := decodeJSON(w, r, &req, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, decodeStatus(err), err.Error(), nil)
		return
	}
	if len(req.Error) > 4000 {
		req.Error = req.Error[:4000]
	}
	var state string
	var err error
	if req.Release {
		err = a.store.ReleaseJob(r.Context(), p.RunnerID, id)
	} else {
		state, err = a.store.CompleteJob(r.Context(), p.RunnerID, id, req.Error)
	}
	switch {
	case errors.Is(err, store.ErrNotHeld):
		jsonapi.Error(w, r, a.log, http.StatusConflict, "this runner does not hold job; its lease may have expired", nil)
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	default:
		if state != "" {
			a.log.Info("campaign finished", "job", id, "state", state)
		}
		jsonapi.Write(w, http.StatusOK, map[string]string{"campaign_state": state})
	}
}
