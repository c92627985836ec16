package ingest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/store"
)

// UploadAnswer is the body of a successful upload, and of its retries.
type UploadAnswer struct {
	Batch       string         `json:"batch"`
	Tests       int            `json:"tests"`
	Passed      int            `json:"passed"`
	Failed      int            `json:"failed"`
	Errors      int            `json:"errors"`
	Skipped     int            `json:"skipped"`
	Duplicate   bool           `json:"duplicate"`
	NewFailures int            `json:"new_failures"`
	KnownFlaky  int            `json:"known_flaky"`
	Infra       bool           `json:"infra"`
	Results     []ResultAnswer `json:"results"`
}

// ResultAnswer is what the upload answer says of one result.
type ResultAnswer struct {
	Test      string `json:"test"`
	Outcome   string `json:"outcome"`
	Signature string `json:"signature,omitempty"`
	Title     string `json:"title,omitempty"`
	// Class is set for failures: new, flaky, known or infra.
	Class string `json:"class,omitempty"`
}

var (
	repoPattern  = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_.:@/+=-]{1,200}$`)
)

// UploadResults handles POST /api/v1/results.
func (a *API) UploadResults(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	meta, err := uploadMeta(r, p)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	format, err := report.FormatForContentType(r.Header.Get("Content-Type"))
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusUnsupportedMediaType, err.Error()+
			"; send application/xml (JUnit), application/x-ndjson (go test -json), text/x-regrtest or application/json", nil)
		return
	}
	answer, dup, err := a.ingest(w, r, meta, format)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	if dup {
		answer = markDuplicate(answer)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(append(answer, '\n'))
}

// uploadMeta reads and checks where the results come from.
func uploadMeta(r *http.Request, p store.Principal) (store.Batch, error) {
	q := r.URL.Query()
	b := store.Batch{
		ID:       q.Get("batch"),
		Repo:     q.Get("repo"),
		Revision: q.Get("revision"),
		Builder:  q.Get("builder"),
		RunnerOS: strings.ToLower(q.Get("os")),
	}
	if p.Kind == auth.Runner {
		b.RunnerID, b.RunnerOS = &p.RunnerID, p.RunnerOS
		if b.Builder == "" {
			b.Builder = p.Name
		}
	}
	switch {
	case !repoPattern.MatchString(b.Repo):
		return b, fmt.Errorf("repo=%q: want the GitHub owner/name, e.g. python/cpython", b.Repo)
	case !tokenPattern.MatchString(b.Revision):
		return b, fmt.Errorf("revision=%q: want a commit id (1-200 characters, no spaces)", b.Revision)
	case !tokenPattern.MatchString(b.Builder):
		return b, fmt.Errorf("builder=%q: want the name of the host or CI job (1-200 characters, no spaces)", b.Builder)
	case b.ID != "" && !tokenPattern.MatchString(b.ID):
		return b, fmt.Errorf("batch=%q: want 1-200 characters without spaces", b.ID)
	case len(b.RunnerOS) > 40:
		return b, fmt.Errorf("os=%q: too long", b.RunnerOS)
	}
	if b.ID == "" {
		// Without a batch id a retry cannot be recognised; each upload counts.
		buf := make([]byte, 16)
		rand.Read(buf)
		b.ID = "auto-" + hex.EncodeToString(buf)
	}
	return b, nil
}

// writeIngestError maps an ingest failure to a status: the client's fault is
// a 4xx with the reason, never a 500.
func (a *API) writeIngestError(w http.ResponseWriter, r *http.Request, err error) {
	var maxBytes *http.MaxBytesError
	var perr *report.ParseError
	switch {
	case errors.As(err, &maxBytes), errors.Is(err, report.ErrInputTooLarge):
		jsonapi.Error(w, r, a.log, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; split the upload", a.limits.MaxBodyBytes), nil)
	case errors.Is(err, report.ErrTooManyResults):
		jsonapi.Error(w, r, a.log, http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d results in one upload; split it into batches", a.limits.MaxResults), nil)
	case errors.As(err, &perr):
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, perr.Error(), nil)
	case errors.Is(err, errInvalid):
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
	case errors.Is(err, store.ErrConflict):
		jsonapi.Error(w, r, a.log, http.StatusConflict, err.Error(), nil)
	case r.Context().Err() != nil:
		// The client went away; there is nobody to answer.
	case store.IsUnavailable(err):
		// Nothing was stored; the client should send the same batch again.
		a.log.Warn("database unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "2")
		jsonapi.Error(w, r, a.log, http.StatusServiceUnavailable, "the database is unavailable; retry the same batch shortly", nil)
	default:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
	}
}
