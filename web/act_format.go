package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

// actTarget names the subject an act section's forms change.
type actTarget struct {
	Kind owner.Kind
	ID   int64
	Repo string // the repo a quarantine from this page applies to
	Page string // where the forms come back to
	Now  time.Time
	// Error is a refused form's message, shown once.
	Error string
}

func (t actTarget) path(suffix string) templ.SafeURL {
	return templ.SafeURL("/" + string(t.Kind) + "s/" + strconv.FormatInt(t.ID, 10) + suffix)
}

// actTarget is the target of a page's act forms, with the message of a
// form that was refused.
func (p *Pages) actTarget(r *http.Request, kind owner.Kind, id int64, repo string) actTarget {
	return actTarget{Kind: kind, ID: id, Repo: repo, Page: "/" + string(kind) + "s/" + strconv.FormatInt(id, 10), Now: p.store.Now(),
		Error: r.URL.Query().Get("error")}
}

// signatureRepo is the repo a signature's quarantine form suggests: where
// its example failed, or its first test's.
func signatureRepo(s view.Signature) string {
	switch {
	case s.Example != nil:
		return s.Example.Repo
	case len(s.Tests) > 0:
		return s.Tests[0].Extra
	}
	return ""
}

// quarantineField is the hidden field naming what the quarantine form
// quarantines.
func (t actTarget) quarantineField() string {
	if t.Kind == owner.Test {
		return "test_id"
	}
	return "signature_id"
}

// inForce returns the quarantine in force among qs, if any.
func inForce(qs []quarantine.Quarantine, now time.Time) *quarantine.Quarantine {
	for i, q := range qs {
		if q.InForce(now) {
			return &qs[i]
		}
	}
	return nil
}

// quarantineWhat names what a quarantine covers, for lists.
func quarantineWhat(q quarantine.Quarantine) string {
	switch {
	case q.TestID != 0:
		return "test"
	case q.SignatureID != 0:
		return "signature"
	}
	return "rule"
}

func quarantinePath(q quarantine.Quarantine) templ.SafeURL {
	switch {
	case q.TestID != 0:
		return idPath("/tests/", q.TestID)
	case q.SignatureID != 0:
		return idPath("/signatures/", q.SignatureID)
	}
	return "/rules"
}

// linkState is how a link's issue state reads.
func linkState(l owner.Link) string {
	switch {
	case l.GitHubNumber == 0:
		return ""
	case l.State == "":
		return l.GitHubRepo + "#" + itoa(l.GitHubNumber)
	}
	return l.GitHubRepo + "#" + itoa(l.GitHubNumber) + " · " + l.State
}

// auditSubject names what an audit entry is about, with a link.
func auditPath(e store.AuditEntry) (string, templ.SafeURL) {
	switch {
	case e.TestID != nil:
		return "test", idPath("/tests/", *e.TestID)
	case e.SignatureID != nil:
		return "signature", idPath("/signatures/", *e.SignatureID)
	case e.RuleID != nil:
		return "rule", "/rules"
	}
	return "", ""
}

func groupPath(name string) templ.SafeURL { return templ.SafeURL("/groups/" + url.PathEscape(name)) }

// dateInput is a date for an <input type=date>: today plus days.
func dateInput(now time.Time, days int) string {
	return now.UTC().AddDate(0, 0, days).Format(time.DateOnly)
}

// refusal is the message of a refused form shown on a page: only to an
// admin (who sent the form), and short, so a crafted link cannot put
// paragraphs on someone's page.
func refusal(msg string, admin bool) string {
	if !admin || msg == "" {
		return ""
	}
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return "Not saved: " + msg
}

// caret points at column col (from 1) under an expression.
func caret(col int) string {
	if col < 1 {
		col = 1
	}
	b := make([]byte, 0, col)
	for range col - 1 {
		b = append(b, ' ')
	}
	return string(append(b, '^'))
}
