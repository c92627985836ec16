package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/vcs"
)

// quarantineRequest is the body of POST /api/v1/quarantines. test and
// signature name what to quarantine: a test by its full id (or its number
// on triaged), a signature by its hash (or its number).
type quarantineRequest struct {
	Repo      string          `json:"repo"`
	Test      json.RawMessage `json:"test"`
	Signature json.RawMessage `json:"signature"`
	Owner     string          `json:"owner"`
	Reason    string          `json:"reason"`
	ExpiresAt *time.Time      `json:"expires_at"`
}

// CreateQuarantine handles POST /api/v1/quarantines: 201 with the
// quarantine (and its id); 400 naming a missing field, or saying what is
// wrong; 404 for a test or signature triaged does not know.
func (a *API) CreateQuarantine(w http.ResponseWriter, r *http.Request) {
	var req quarantineRequest
	if !a.decode(w, r, &req) {
		return
	}
	ctx := r.Context()
	q, err := a.quarantineOf(r, req)
	if a.actError(w, r, err, "test or signature") {
		return
	}
	q, err = a.store.CreateQuarantine(ctx, q, change(r, q.Reason))
	if a.actError(w, r, err, "test or signature in this repo") {
		return
	}
	a.log.Info("quarantined", "id", q.ID, "repo", q.Repo, "name", q.Name, "owner", q.Owner, "until", q.Until(), "by", change(r, "").Actor)
	jsonapi.Write(w, http.StatusCreated, q)
}

// quarantineOf checks a request, in the order its fields are documented,
// and resolves what it names.
func (a *API) quarantineOf(r *http.Request, req quarantineRequest) (quarantine.Quarantine, error) {
	var q quarantine.Quarantine
	q.Repo = strings.TrimSpace(req.Repo)
	test, sig := strings.TrimSpace(string(req.Test)), strings.TrimSpace(string(req.Signature))
	switch {
	case q.Repo == "":
		return q, &quarantine.MissingError{Field: "repo"}
	case test == "" && sig == "" || test == "null" && sig == "null":
		return q, &quarantine.MissingError{Field: "test or signature"}
	case test != "" && test != "null" && sig != "" && sig != "null":
		return q, owner.Invalidf("give test or signature, not both")
	}
	if err := vcs.CheckRepo(q.Repo); err != nil {
		return q, owner.Invalidf("%v", err)
	}
	terms, err := quarantine.Terms{Owner: req.Owner, Reason: req.Reason, ExpiresAt: req.ExpiresAt}.Check(a.store.Now(), a.cfg.QuarantineMax)
	if err != nil {
		return q, err
	}
	q.Owner, q.Reason, q.ExpiresAt = terms.Owner, terms.Reason, *terms.ExpiresAt
	ctx := r.Context()
	if test != "" && test != "null" {
		q.TestID, err = resolve(req.Test, "test", func(name string) (int64, error) { return a.store.TestIDByName(ctx, q.Repo, name) })
	} else {
		q.SignatureID, err = resolve(req.Signature, "signature", func(hash string) (int64, error) { return a.store.SignatureIDByHash(ctx, hash) })
	}
	return q, err
}

// resolve reads a JSON number as an id, or a string through byName.
func resolve(raw json.RawMessage, field string, byName func(string) (int64, error)) (int64, error) {
	var id int64
	if json.Unmarshal(raw, &id) == nil {
		if id <= 0 {
			return 0, owner.Invalidf("%s: want a positive id or a name", field)
		}
		return id, nil
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil || strings.TrimSpace(name) == "" || len(name) > 2000 {
		return 0, owner.Invalidf("%s: want a name (string) or an id (number)", field)
	}
	return byName(strings.TrimSpace(name))
}

// ListQuarantines handles GET /api/v1/quarantines[?repo=R][&ended=1].
func (a *API) ListQuarantines(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, err := a.views.Quarantines(r.Context(), q.Get("repo"), q.Get("ended") == "1" || q.Get("ended") == "true")
	if !a.viewError(w, r, err, "quarantine") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// LiftQuarantine handles DELETE /api/v1/quarantines/{id}[?reason=…]: the
// quarantine ends now. 200 with it as it ended.
func (a *API) LiftQuarantine(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "quarantine")
	if !ok {
		return
	}
	why := strings.TrimSpace(r.URL.Query().Get("reason"))
	if why == "" {
		why = "lifted early"
	}
	if a.actError(w, r, owner.CheckText("reason", why, 1000), "quarantine") {
		return
	}
	q, err := a.store.LiftQuarantine(r.Context(), id, change(r, why))
	if a.actError(w, r, err, "quarantine in force #"+strconv.FormatInt(id, 10)) {
		return
	}
	a.log.Info("quarantine lifted", "id", q.ID, "name", q.Name, "by", change(r, "").Actor)
	jsonapi.Write(w, http.StatusOK, q)
}
