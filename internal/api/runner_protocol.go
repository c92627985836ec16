package api

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/store"
)

// Heartbeat handles POST /api/v1/runners/heartbeat.
func (a *API) Heartbeat(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	stop, err := a.store.Heartbeat(r.Context(), p.RunnerID, campaign.LeaseDuration)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	if stop == nil {
		stop = []int64{}
	}
	jsonapi.Write(w, http.StatusOK, protocol.HeartbeatAnswer{StopJobs: stop, LeaseSeconds: int(campaign.LeaseDuration / time.Second), HeartbeatEveryS: int(campaign.LeaseDuration / 3 / time.Second)})
}

// LeaseJob handles POST /api/v1/jobs/lease: 200 with a job, or 204 when
// there is nothing for this runner.
func (a *API) LeaseJob(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	job, err := a.store.LeaseJob(r.Context(), p.RunnerID, p.Labels, campaign.LeaseDuration)
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
	id, ok := a.pathID(w, r, "job")
	if !ok {
		return
	}
	var req protocol.CompleteRequest
	if err := jsonapi.Decode(w, r, &req, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	req.Error = clipUTF8(req.Error, 4000)
	var state campaign.State
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
		jsonapi.Write(w, http.StatusOK, protocol.CompleteAnswer{CampaignState: string(state)})
	}
}

// clipUTF8 cuts s to at most n bytes on a character boundary, so a long
// error text from a runner is stored rather than refused as invalid UTF-8.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.ToValidUTF8(s[:n], "\uFFFD")
}
