package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
)

// parseError is the 400 for an expression that does not parse.
type parseError struct {
	Error  string `json:"error"`
	Column int    `json:"column"`
}

// writeParseError answers a *rule.Error, reporting whether err was one.
func writeParseError(w http.ResponseWriter, err error) bool {
	var pe *rule.Error
	if !errors.As(err, &pe) {
		return false
	}
	jsonapi.Write(w, http.StatusBadRequest, parseError{Error: pe.Msg, Column: pe.Column})
	return true
}

// PreviewRule handles POST /api/v1/rules/preview with {"expr"}: what the
// rule would match among the window's failures ({"matches", "tests",
// "signatures", "examples", …}), or 400 {"error", "column"}.
func (a *API) PreviewRule(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Expr string `json:"expr"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	p, err := a.views.RulePreview(r.Context(), req.Expr, a.cfg.RuleWindow)
	if writeParseError(w, err) {
		return
	}
	if !a.viewError(w, r, err, "rule") {
		jsonapi.Write(w, http.StatusOK, p)
	}
}

// ruleRequest is the body of POST /api/v1/rules.
type ruleRequest struct {
	Name   string       `json:"name"`
	Expr   string       `json:"expr"`
	Action *rule.Action `json:"action"`
	Why    string       `json:"why"`
}

// SaveRule handles POST /api/v1/rules with {"name", "expr", "action",
// "why"}: a new rule, or a new version of the rule with that name. The
// action is {"kind": "group", "group"}, {"kind": "infra"} (or "infra"),
// or {"kind": "quarantine", "owner", "reason", "expires_at"}. 201 with
// the version saved; it applies to new results at once and to the
// window's in the background.
func (a *API) SaveRule(w http.ResponseWriter, r *http.Request) {
	var req ruleRequest
	if !a.decode(w, r, &req) {
		return
	}
	rl, err := a.checkRule(r, req)
	if writeParseError(w, err) || a.actError(w, r, err, "rule") {
		return
	}
	rl, err = a.store.SaveRule(r.Context(), rl, a.store.Now().Add(-a.cfg.RuleWindow))
	if a.actError(w, r, err, "rule") {
		return
	}
	a.log.Info("rule saved", "id", rl.ID, "name", rl.Name, "version", rl.Version, "action", rl.Action.Kind, "by", rl.Author)
	jsonapi.Write(w, http.StatusCreated, rl)
}

// checkRule checks a rule as the form and the API send it.
func (a *API) checkRule(r *http.Request, req ruleRequest) (rule.Rule, error) {
	rl := rule.Rule{Name: strings.TrimSpace(req.Name), Expr: req.Expr, Why: strings.TrimSpace(req.Why), Author: change(r, "").Actor}
	switch {
	case rl.Name == "":
		return rl, &quarantine.MissingError{Field: "name"}
	case strings.TrimSpace(rl.Expr) == "":
		return rl, &quarantine.MissingError{Field: "expr"}
	case req.Action == nil:
		return rl, &quarantine.MissingError{Field: "action"}
	}
	if err := rule.CheckName("rule", rl.Name); err != nil {
		return rl, err
	}
	if rl.Why != "" {
		if err := owner.CheckText("why", rl.Why, 1000); err != nil {
			return rl, err
		}
	}
	if _, err := rule.Parse(rl.Expr); err != nil {
		return rl, err
	}
	act, err := req.Action.Check(a.store.Now(), a.cfg.QuarantineMax)
	rl.Action = act
	return rl, err
}

// ListRules handles GET /api/v1/rules.
func (a *API) ListRules(w http.ResponseWriter, r *http.Request) {
	v, err := a.views.Rules(r.Context())
	if !a.viewError(w, r, err, "rule") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// GetRule handles GET /api/v1/rules/{id}: every version, newest first,
// and its applications to stored failures.
func (a *API) GetRule(w http.ResponseWriter, r *http.Request) {
	id, ok := a.pathID(w, r, "rule")
	if !ok {
		return
	}
	v, err := a.views.Rule(r.Context(), id)
	if !a.viewError(w, r, err, "rule") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}

// GetGroup handles GET /api/v1/groups/{name} (routed as {id}, which the
// owner and link routes of a group share).
func (a *API) GetGroup(w http.ResponseWriter, r *http.Request) {
	v, err := a.views.Group(r.Context(), chi.URLParam(r, "id"))
	if !a.viewError(w, r, err, "group") {
		jsonapi.Write(w, http.StatusOK, v)
	}
}
