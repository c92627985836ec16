package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/view"
)

// ruleForm is the rule form as typed, so a refused form comes back as
// the person left it.
type ruleForm struct {
	Name, Expr, Kind, Group, Owner, Reason, Expires, Why string
}

// rulePageView is the rules page: the rules, the form and, once an
// expression is given, its preview or where it stops parsing.
type rulePageView struct {
	view.RuleList
	Form    ruleForm
	Preview *view.RulePreview
	Error   string
	Column  int // of a parse error, from 1
}

func readRuleForm(get func(string) string) ruleForm {
	f := func(k string) string { return strings.TrimSpace(get(k)) }
	return ruleForm{Name: f("name"), Expr: get("expr"), Kind: or(f("kind"), "group"), Group: f("group"), Owner: f("owner"),
		Reason: f("reason"), Expires: f("expires"), Why: f("why")}
}

// Rules lists the rules, with the form for a new one for admins (GET
// /rules; JSON at /api/v1/rules).
func (p *Pages) Rules(w http.ResponseWriter, r *http.Request) {
	v := rulePageView{Form: ruleForm{Kind: "group"}}
	var err error
	if v.RuleList, err = p.viewsFor(r).Rules(r.Context()); p.viewError(w, r, err, "rule") {
		return
	}
	p.render(w, r, http.StatusOK, rulesPage(v))
}

// SaveRule previews or saves the rule of the form (POST /rules, admin;
// the button pressed says which): a new rule, or a new version of the one
// with that name. Previewing and saving need no script.
func (p *Pages) SaveRule(w http.ResponseWriter, r *http.Request) {
	f := readRuleForm(r.PostFormValue)
	if r.PostFormValue("do") == "preview" {
		p.previewRule(w, r, f)
		return
	}
	rl, err := p.checkRule(f, sessionFrom(r.Context()).Principal)
	if err == nil {
		rl, err = p.store.SaveRule(r.Context(), rl, p.store.Now().Add(-p.cfg.RuleWindow))
	}
	if err != nil {
		v := rulePageView{Form: f, Error: err.Error()}
		var pe *rule.Error
		if errors.As(err, &pe) {
			v.Column = pe.Column
		}
		if !errors.As(err, &pe) && !errors.Is(err, rule.ErrInvalid) && !errors.As(err, new(*quarantine.MissingError)) {
			p.serverError(w, r, err)
			return
		}
		if v.RuleList, err = p.viewsFor(r).Rules(r.Context()); p.viewError(w, r, err, "rule") {
			return
		}
		p.render(w, r, http.StatusBadRequest, rulesPage(v))
		return
	}
	p.cfg.Log.Info("rule saved", "id", rl.ID, "name", rl.Name, "version", rl.Version, "by", rl.Author)
	http.Redirect(w, r, "/rules", http.StatusSeeOther)
}

// checkRule turns the form into a rule, checked as the API checks one.
func (p *Pages) checkRule(f ruleForm, author string) (rule.Rule, error) {
	rl := rule.Rule{Name: f.Name, Expr: f.Expr, Why: f.Why, Author: author}
	switch {
	case rl.Name == "":
		return rl, &quarantine.MissingError{Field: "name"}
	case strings.TrimSpace(rl.Expr) == "":
		return rl, &quarantine.MissingError{Field: "expr"}
	}
	if err := rule.CheckName("rule", rl.Name); err != nil {
		return rl, err
	}
	if _, err := rule.Parse(rl.Expr); err != nil {
		return rl, err
	}
	a := rule.Action{Kind: rule.ActionKind(f.Kind), Group: f.Group}
	if a.Kind == rule.ActionQuarantine {
		a.Owner, a.Reason = f.Owner, f.Reason
		if day, err := time.Parse(time.DateOnly, f.Expires); err == nil {
			end := day.Add(24*time.Hour - time.Second)
			a.ExpiresAt = &end
		}
	}
	var err error
	rl.Action, err = a.Check(p.store.Now(), p.cfg.QuarantineMax)
	return rl, err
}

// previewRule shows the form with what its expression would match, or
// where it stops parsing.
func (p *Pages) previewRule(w http.ResponseWriter, r *http.Request, f ruleForm) {
	v := rulePageView{Form: f}
	var err error
	if v.RuleList, err = p.viewsFor(r).Rules(r.Context()); p.viewError(w, r, err, "rule") {
		return
	}
	status := http.StatusOK
	pv, err := p.viewsFor(r).RulePreview(r.Context(), f.Expr, p.cfg.RuleWindow)
	var pe *rule.Error
	switch {
	case errors.As(err, &pe):
		v.Error, v.Column, status = pe.Error(), pe.Column, http.StatusBadRequest
	case err != nil:
		p.serverError(w, r, err)
		return
	default:
		v.Preview = &pv
	}
	p.render(w, r, status, rulesPage(v))
}
