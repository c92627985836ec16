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

// namePattern is what a batch id may be: one word a URL, a page and a log
// line can carry as it is.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_.:@+=-][A-Za-z0-9_.:@/+=-]{0,199}$`)

// UploadResults handles POST /api/v1/results.
func (a *API) UploadResults(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	a.allowUploadTime(w)
	b, err := uploadMeta(r, p)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	if !auth.MayWrite(p, b.Repo) {
		a.refuseRepo(w, r, p, b.Repo)
		return
	}
	format, err := report.FormatForContentType(r.Header.Get("Content-Type"))
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusUnsupportedMediaType, err.Error(), nil)
		return
	}
	in, release, ok := a.uploadBody(w, r)
	if !ok {
		return
	}
	defer release()
	body := sha256.New()
	results, err := a.ingest.Parse(io.TeeReader(in, body), format)
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
		URL:       q.Get("url"),
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
	if err := vcs.CheckBuilder(b.Builder); err != nil {
		return b, err
	}
	var err error
	if b.Branch, err = uploadBranch(q.Get("branch"), q.Get("ref")); err != nil {
		return b, err
	}
	switch {
	case b.ID != "" && !namePattern.MatchString(b.ID):
		return b, fmt.Errorf("batch=%q: want 1-200 letters, digits or _.:@/+=-", b.ID)
	case b.RunnerOS != "" && vcs.CheckOS(b.RunnerOS) != nil:
		return b, vcs.CheckOS(b.RunnerOS)
	case b.URL != "" && vcs.CheckJobURL(b.URL) != nil:
		return b, vcs.CheckJobURL(b.URL)
	}
	if b.ID == "" {
		// Without a batch id a retry cannot be recognised; each upload counts.
		buf := make([]byte, 16)
		rand.Read(buf)
		b.ID = "auto-" + hex.EncodeToString(buf)
	}
	return b, nil
}

// uploadBranch reads the branch an upload was built on, from branch= or
// ref= (a full refs/heads/ ref, as CI systems give it); neither is "".
func uploadBranch(branch, ref string) (string, error) {
	switch {
	case branch != "" && ref != "":
		return "", fmt.Errorf("give branch= or ref=, not both")
	case ref != "":
		name, ok := strings.CutPrefix(ref, "refs/heads/")
		if !ok && strings.HasPrefix(ref, "refs/") {
			return "", fmt.Errorf("ref=%q: want a branch (refs/heads/NAME); for a pull request send the head branch (GITHUB_HEAD_REF)", ref)
		}
		branch = name
	case branch == "":
		return "", nil
	}
	branch = strings.TrimPrefix(branch, "refs/heads/")
	return branch, vcs.CheckBranch(branch)
}

// refuseRepo answers 403 to a principal bound to other repos than repo.
func (a *API) refuseRepo(w http.ResponseWriter, r *http.Request, p store.Principal, repo string) {
	a.log.Warn("results refused for a repo the token is not bound to", "principal", p.Name, "repo", repo, "repos", p.Repos)
	jsonapi.Error(w, r, a.log, http.StatusForbidden, fmt.Sprintf("this token may write only %s, not %s; ask an admin for a token bound to %s",
		strings.Join(p.Repos, ", "), repo, repo), nil)
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
	case errors.Is(err, errUploadsBusy):
		a.log.Warn("upload refused: the upload budget is taken", "path", r.URL.Path, "budget", a.cfg.UploadBudget)
		w.Header().Set("Retry-After", "5")
		// The rest of the body is not wanted: answer now and close, rather
		// than read on for net/http to discard it.
		w.Header().Set("Connection", "close")
		jsonapi.Error(w, r, a.log, http.StatusServiceUnavailable, fmt.Sprintf("the server holds %d bytes of uploads already; send the same batch again shortly", a.cfg.UploadBudget), nil)
	case jsonapi.TimedOut(err):
		jsonapi.Error(w, r, a.log, http.StatusRequestTimeout, "the body did not arrive in time; send it again", nil)
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
