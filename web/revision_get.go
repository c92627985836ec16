package web

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

const revisionFailures = 500

// revisionView is what ran on one commit. Its counts are the stable
// /api/v1/revisions/{sha} fields.
type revisionView struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	store.RevisionTotals
	NewFailures int               `json:"new_failures"`
	KnownFlaky  int               `json:"known_flaky"`
	Failures    []revisionFailure `json:"failures"`
}

type revisionFailure struct {
	store.RevisionFailure
	Class string `json:"class"`
}

// Revision shows a commit's results (GET /revisions/{sha}?repo=owner/name),
// the page GitHub statuses link to.
func (p *Pages) Revision(w http.ResponseWriter, r *http.Request) {
	v, status, err := p.revision(r)
	switch {
	case status == http.StatusOK:
		p.render(w, r, status, revisionPage(v))
	case err != nil:
		p.serverError(w, r, err)
	case status == http.StatusBadRequest:
		p.render(w, r, status, errorPage(status, "Name the repository: /revisions/SHA?repo=owner/name."))
	default:
		p.render(w, r, status, errorPage(status, "No results for "+v.Repo+" at "+v.Revision+"."))
	}
}

// RevisionJSON serves the same data (GET /api/v1/revisions/{sha}?repo=).
func (p *Pages) RevisionJSON(w http.ResponseWriter, r *http.Request) {
	v, status, err := p.revision(r)
	switch {
	case status == http.StatusOK:
		jsonapi.Write(w, status, v)
	case err != nil:
		jsonapi.Error(w, r, p.cfg.Log, http.StatusInternalServerError, "", err)
	case status == http.StatusBadRequest:
		jsonapi.Error(w, r, p.cfg.Log, status, "repo: give the GitHub owner/name, e.g. ?repo=python/cpython", nil)
	default:
		jsonapi.Error(w, r, p.cfg.Log, status, "no results for this revision", nil)
	}
}

func (p *Pages) revision(r *http.Request) (revisionView, int, error) {
	v := revisionView{Repo: r.URL.Query().Get("repo"), Revision: chi.URLParam(r, "sha"), Failures: []revisionFailure{}}
	if v.Repo == "" || len(v.Repo) > 201 || len(v.Revision) > 200 {
		return v, http.StatusBadRequest, nil
	}
	var err error
	v.RevisionTotals, err = p.store.RevisionSummary(r.Context(), v.Repo, v.Revision)
	if errors.Is(err, store.ErrNotFound) {
		return v, http.StatusNotFound, nil
	}
	if err != nil {
		return v, 0, err
	}
	fs, err := p.store.RevisionFailures(r.Context(), v.Repo, v.Revision, revisionFailures)
	if err != nil {
		return v, 0, err
	}
	for _, f := range fs {
		rf := revisionFailure{RevisionFailure: f, Class: ingest.ClassNew}
		switch {
		case f.Passes > 0:
			rf.Class = ingest.ClassFlaky
		case f.Elsewhere > 0:
			rf.Class = ingest.ClassKnown
		}
		if rf.Class == ingest.ClassNew {
			v.NewFailures += f.Failures
		} else {
			v.KnownFlaky += f.Failures
		}
		v.Failures = append(v.Failures, rf)
	}
	return v, http.StatusOK, nil
}
