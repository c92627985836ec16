package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/view"
)

// quarantineListView is the quarantines page.
type quarantineListView struct {
	view.QuarantineList
	Ended bool
	Now   time.Time
	Error string
}

// Quarantines lists quarantines (GET /quarantines[?ended=1]; JSON at
// /api/v1/quarantines).
func (p *Pages) Quarantines(w http.ResponseWriter, r *http.Request) {
	ended := r.URL.Query().Get("ended") == "1"
	v, err := p.viewsFor(r).Quarantines(r.Context(), r.URL.Query().Get("repo"), ended)
	if !p.viewError(w, r, err, "quarantine") {
		p.render(w, r, http.StatusOK, quarantineListPage(quarantineListView{QuarantineList: v, Ended: ended, Now: p.store.Now(),
			Error: r.URL.Query().Get("error")}))
	}
}

// CreateQuarantine quarantines a test or a signature from its page's form
// (POST /quarantines, admin): repo, test_id or signature_id, owner,
// reason, and the last day (expires, a date; it ends at that day's end,
// UTC).
func (p *Pages) CreateQuarantine(w http.ResponseWriter, r *http.Request) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	testID, _ := strconv.ParseInt(f("test_id"), 10, 64)
	sigID, _ := strconv.ParseInt(f("signature_id"), 10, 64)
	page := "/quarantines"
	switch {
	case testID > 0:
		page = "/tests/" + strconv.FormatInt(testID, 10)
	case sigID > 0:
		page = "/signatures/" + strconv.FormatInt(sigID, 10)
	default:
		back(w, r, page, "Quarantine a test or a signature from its page.")
		return
	}
	terms := quarantine.Terms{Owner: f("owner"), Reason: f("reason")}
	if day, err := time.Parse(time.DateOnly, f("expires")); err == nil {
		end := day.Add(24*time.Hour - time.Second)
		terms.ExpiresAt = &end
	} else if f("expires") != "" {
		back(w, r, page, "expires: give the last day as YYYY-MM-DD")
		return
	}
	terms, err := terms.Check(p.store.Now(), p.cfg.QuarantineMax)
	if p.formError(w, r, err, page) {
		return
	}
	q := quarantine.Quarantine{Repo: f("repo"), TestID: testID, SignatureID: sigID, Owner: terms.Owner, Reason: terms.Reason, ExpiresAt: *terms.ExpiresAt}
	q, err = p.store.CreateQuarantine(r.Context(), q, change(r))
	if p.formError(w, r, err, page) {
		return
	}
	p.cfg.Log.Info("quarantined", "id", q.ID, "name", q.Name, "owner", q.Owner, "until", q.Until(), "by", sessionFrom(r.Context()).Principal)
	back(w, r, page, "")
}

// LiftQuarantine ends a quarantine early (POST /quarantines/{id}/lift,
// admin), with the form's reason.
func (p *Pages) LiftQuarantine(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "quarantine")
	if !ok {
		return
	}
	page := r.PostFormValue("back")
	if !strings.HasPrefix(page, "/") || strings.HasPrefix(page, "//") {
		page = "/quarantines"
	}
	c := change(r)
	if c.Why == "" {
		c.Why = "lifted early"
	}
	if p.formError(w, r, owner.CheckText("why", c.Why, 1000), page) {
		return
	}
	if _, err := p.store.LiftQuarantine(r.Context(), id, c); p.formError(w, r, err, page) {
		return
	}
	back(w, r, page, "")
}
