package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// namePattern is what a builder or batch id may be: one word a URL, a
// page and a log line can carry as it is.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.:@+=-][A-Za-z0-9_.:@/+=-]{0,199}$`)

// UploadResults handles POST /api/v1/results.
func (a *API) UploadResults(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	b, err := uploadMeta(r, p)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	format, err := report.FormatForContentType(r.Header.Get("Content-Type"))
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusUnsupportedMediaType, err.Error(), nil)
		return
	}
	body := sha256.New()
	results, err := a.ingest.Parse(io.TeeReader(http.MaxBytesReader(w, r.Body, a.ingest.Limits().MaxBodyBytes), body), format)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	b.Fingerprint = fingerprint(b, body.Sum(nil))
	answer, dup, err := a.ingest.Store(r.Context(), b, results)
	if err != nil {
		a.writeIngestError(w, r, err)
		return
	}
	writeAnswer(w, answer, map[string]any{"duplicate": dup})
}

// uploadMeta reads and checks where the results come from.
func uploadMeta(r *http.Request, p store.Principal) (store.Batch, error) {
	q := r.URL.Query()
	b := store.Batch{
		ID:        q.Get("batch"),
		Principal: principalKey(p),
		Repo:      q.Get("repo"),
		Revision:  q.Get("revision"),
		Builder:   q.Get("builder"),
		RunnerOS:  strings.ToLower(q.Get("os")),
		Branch:    strings.TrimPrefix(q.Get("branch"), "refs/heads/"),
	}
	if p.Kind == auth.Runner {
		b.RunnerID, b.RunnerOS = &p.RunnerID, p.RunnerOS
		if b.Builder == "" {
			b.Builder = p.Name
		}
	}
	if err := vcs.CheckRepo(b.Repo); err != nil {
		return b, err
	}
	if err := vcs.CheckRevision(b.Revision); err != nil {
		return b, err
	}
	switch {
	case !namePattern.MatchString(b.Builder):
		return b, fmt.Errorf("builder=%q: want the name of the host or CI job (1-200 letters, digits or _.:@/+=-)", b.Builder)
	case b.ID != "" && !namePattern.MatchString(b.ID):
		return b, fmt.Errorf("batch=%q: want 1-200 letters, digits or _.:@/+=-", b.ID)
	case len(b.RunnerOS) > 40:
		return b, fmt.Errorf("os=%q: too long", b.RunnerOS)
	case b.Branch != "" && vcs.CheckBranch(b.Branch) != nil:
		return b, vcs.CheckBranch(b.Branch)
	}
	if b.ID == "" {
		// Without a batch id a retry cannot be recognised; each upload counts.
		buf := make([]byte, 16)
		rand.Read(buf)
		b.ID = "auto-" + hex.EncodeToString(buf)
	}
	return b, nil
}

// principalKey names who uploads, for idempotency: the same batch id from
// two tokens is two batches.
func principalKey(p store.Principal) string {
	switch {
	case p.Kind == auth.Runner:
		return "runner:" + strconv.FormatInt(p.RunnerID, 10)
	case p.TokenID != 0:
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	}
	return p.Kind
}

// fingerprint identifies an upload's content: where it says it came from
// and its body, so a retry is told from another upload under the same id.
func fingerprint(b store.Batch, bodySum []byte) []byte {
	h := sha256.New()
	for _, s := range []string{b.Repo, b.Revision, b.Builder, b.RunnerOS} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(bodySum)
	return h.Sum(nil)
}

// writeAnswer writes a stored upload answer with fields set on top of it.
func writeAnswer(w http.ResponseWriter, raw json.RawMessage, fields map[string]any) {
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for k, v := range fields {
			m[k] = v
		}
		if out, err := json.Marshal(m); err == nil {
			raw = out
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(append(raw, '\n'))
}

// writeIngestError maps an ingest failure to a status: the client's fault is
// a 4xx with the reason, never a 500.
func (a *API) writeIngestError(w http.ResponseWriter, r *http.Request, err error) {
	var maxBytes *http.MaxBytesError
	var perr *report.ParseError
	lim := a.ingest.Limits()
	switch {
	case errors.As(err, &maxBytes), errors.Is(err, report.ErrInputTooLarge):
		jsonapi.Error(w, r, a.log, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; split the upload", lim.MaxBodyBytes), nil)
	case errors.Is(err, report.ErrTooManyResults):
		jsonapi.Error(w, r, a.log, http.StatusRequestEntityTooLarge, fmt.Sprintf("more than %d results in one upload; split it into batches", lim.MaxResults), nil)
	case errors.As(err, &perr):
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, perr.Error(), nil)
	case errors.Is(err, ingest.ErrInvalid):
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
