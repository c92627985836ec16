package ingest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// UploadJobResults handles POST /api/v1/jobs/{id}/results?batch=ID: the
// native JSON document of finished iterations of a job the runner holds. The
// answer is the upload answer with "stop": true when the runner should stop
// the job (a stop rule ended the campaign, or it was cancelled).
func (a *API) UploadJobResults(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	id, ok := a.idParam(w, r)
	if !ok {
		return
	}
	job, err := a.store.HeldJob(r.Context(), p.RunnerID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such job", nil)
		return
	case errors.Is(err, store.ErrNotHeld):
		jsonapi.Error(w, r, a.log, http.StatusConflict, "this runner does not hold the job; its lease expired and the job went back to the queue", nil)
		return
	case err != nil:
		a.writeIngestError(w, r, err)
		return
	}
	c, err := a.store.CampaignByID(r.Context(), job.CampaignID)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	batchID := r.URL.Query().Get("batch")
	if !tokenPattern.MatchString(batchID) {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "batch: a job upload needs a batch id, so a retry is stored once", nil)
		return
	}
	body := http.MaxBytesReader(w, r.Body, a.limits.MaxBodyBytes)
	results, err := report.Parse(body, report.FormatJSON, report.Options{MaxResults: a.limits.MaxResults, MaxFailureText: a.limits.MaxFailureText})
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	for _, res := range results {
		if res.Iteration < job.FirstIteration || res.Iteration >= job.FirstIteration+job.Iterations {
			jsonapi.Error(w, r, a.log, http.StatusBadRequest, fmt.Sprintf("iteration %d is outside job %d (iterations %d to %d)",
				res.Iteration, job.ID, job.FirstIteration, job.FirstIteration+job.Iterations-1), nil)
			return
		}
	}
	repo, revision := c.Repo, c.Revision
	if repo == "" {
		repo = "triaged/stress"
	}
	if revision == "" {
		revision = "campaign-" + strconv.FormatInt(c.ID, 10)
	}
	b := store.Batch{ID: "job" + strconv.FormatInt(job.ID, 10) + "-" + batchID, Repo: repo, Revision: revision, Builder: p.Name,
		RunnerID: &p.RunnerID, RunnerOS: p.RunnerOS, JobID: &job.ID, CampaignID: &c.ID}
	raw, dup, err := a.Store(r, b, results)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	stop, err := a.applyStopRule(r, c.ID)
	if err != nil {
		a.log.Warn("stop rule", "campaign", c.ID, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(append(withFields(raw, map[string]any{"duplicate": dup, "stop": stop}), '\n'))
}

// applyStopRule ends the campaign when its stop rule is met and reports
// whether runners should stop.
func (a *API) applyStopRule(r *http.Request, id int64) (bool, error) {
	c, err := a.store.CampaignByID(r.Context(), id)
	if err != nil {
		return false, err
	}
	if c.State != "queued" && c.State != "running" {
		return true, nil
	}
	var reason string
	switch {
	case c.Stop == "first-failure" && c.Failures > 0:
		reason = fmt.Sprintf("stopped at the first failure, after %d runs", c.Runs)
	case c.Stop == "confident" && stats.Confident(c.Failures, c.Runs, c.StopTarget):
		reason = fmt.Sprintf("stopped when confident: %d/%d failed, 95%% bound within %.3g", c.Failures, c.Runs, c.StopTarget)
	default:
		return false, nil // a count campaign ends when its last job completes
	}
	_, err = a.store.FinishCampaign(r.Context(), id, "done", reason)
	return true, err
}
