package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/store"
)

// Where results of a campaign without a repo and revision are filed: each
// campaign is its own revision of a pseudo-repository.
const (
	stressRepo     = "triaged/stress"
	stressRevision = "campaign-"
)

// UploadJobResults handles POST /api/v1/jobs/{id}/results?batch=ID: the
// native JSON document of finished iterations of a job the runner holds.
// The answer is the upload answer with "stop": true when the runner should
// stop the job (its stop rule ended the campaign, or it was cancelled),
// decided in the transaction that stored the results.
func (a *API) UploadJobResults(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	a.allowUploadTime(w)
	id, ok := a.pathID(w, r, "job")
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
	if c.Repo != "" && !auth.MayWrite(p, c.Repo) {
		// Leases skip such campaigns; a job leased before the runner was
		// bound, or a bug, must not write there either.
		a.refuseRepo(w, r, p, c.Repo)
		return
	}
	batchID := r.URL.Query().Get("batch")
	if !namePattern.MatchString(batchID) {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, "batch: a job upload needs a batch id, so a retry is stored once", nil)
		return
	}
	in, release, ok := a.uploadBody(w, r)
	if !ok {
		return
	}
	defer release()
	body := sha256.New()
	results, err := a.ingest.Parse(io.TeeReader(in, body), report.FormatJSON)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	for _, res := range results {
		if !job.Contains(res.Iteration) {
			jsonapi.Error(w, r, a.log, http.StatusBadRequest, fmt.Sprintf("iteration %d is outside job %d (iterations %d to %d)",
				res.Iteration, job.ID, job.FirstIteration, job.FirstIteration+job.Iterations-1), nil)
			return
		}
	}
	repo, revision := c.Repo, c.Revision
	if repo == "" {
		repo = stressRepo
	}
	if revision == "" {
		revision = stressRevision + strconv.FormatInt(c.ID, 10)
	}
	b := store.Batch{ID: "job" + strconv.FormatInt(job.ID, 10) + "-" + batchID, Principal: principalKey(p), Repo: repo, Revision: revision,
		Branch: c.Branch, Builder: p.Name, RunnerID: &p.RunnerID, RunnerOS: p.RunnerOS, JobID: &job.ID, CampaignID: &c.ID}
	b.Fingerprint = fingerprint(b, body.Sum(nil))
	raw, dup, err := a.ingest.Store(r.Context(), b, results)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	writeAnswer(w, raw, map[string]any{"duplicate": dup})
}
