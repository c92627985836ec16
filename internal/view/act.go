package view

import (
	"context"
	"errors"
	"time"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// auditShown bounds the audit trail a page shows.
const auditShown = 50

// Act is what people did about a test or a signature: who owns it, the
// issues it links to and triaged filed, its quarantines, and the trail of
// every change.
type Act struct {
	Owner       string                  `json:"owner"`
	Links       []owner.Link            `json:"links"`
	Quarantines []quarantine.Quarantine `json:"quarantines"`
	Issues      []store.SignatureIssue  `json:"issues,omitempty"`
	Audit       []store.AuditEntry      `json:"audit"`
	// Release is set for a test under a quarantine of its own: whether it
	// has passed enough runs since its last failure to be judged fixed.
	Release *stats.GoneCheck `json:"release,omitempty"`
}

// InForce returns the quarantine in force, if any.
func (a Act) InForce(now time.Time) *quarantine.Quarantine {
	for i, q := range a.Quarantines {
		if q.InForce(now) {
			return &a.Quarantines[i]
		}
	}
	return nil
}

// testAct builds a test's Act.
func (v *Views) testAct(ctx context.Context, t store.Test) (Act, error) {
	var a Act
	var err error
	if a.Owner, err = v.store.Owner(ctx, owner.Test, t.ID); err != nil {
		return a, err
	}
	if a.Links, err = v.store.Links(ctx, owner.Test, t.ID); err != nil {
		return a, err
	}
	if a.Quarantines, err = v.store.Quarantines(ctx, store.QuarantineFilter{TestID: t.ID, Ended: true, Limit: 20}); err != nil {
		return a, err
	}
	if a.Audit, err = v.store.TestAudit(ctx, t.ID, auditShown); err != nil {
		return a, err
	}
	now := v.store.Now()
	for _, q := range a.Quarantines {
		if q.TestID == t.ID && q.InForce(now) {
			f, err := v.store.TestFixFacts(ctx, t.ID, v.Window)
			if err != nil {
				return a, err
			}
			g := quarantine.ReadyToRelease(f.BeforeFailures, f.BeforeRuns, f.AfterRuns)
			a.Release = &g
			break
		}
	}
	return a, nil
}

// signatureAct builds a signature's Act.
func (v *Views) signatureAct(ctx context.Context, id int64) (Act, error) {
	var a Act
	var err error
	if a.Owner, err = v.store.Owner(ctx, owner.Signature, id); err != nil {
		return a, err
	}
	if a.Links, err = v.store.Links(ctx, owner.Signature, id); err != nil {
		return a, err
	}
	if a.Quarantines, err = v.store.Quarantines(ctx, store.QuarantineFilter{SignatureID: id, Ended: true, Limit: 20}); err != nil {
		return a, err
	}
	if a.Issues, err = v.store.SignatureIssues(ctx, id); err != nil {
		return a, err
	}
	a.Audit, err = v.store.SignatureAudit(ctx, id, auditShown)
	return a, err
}

// QuarantineList is every quarantine in force (and, asked for, ended).
type QuarantineList struct {
	Quarantines []quarantine.Quarantine `json:"quarantines"`
}

// Quarantines lists quarantines, optionally of one repo and with ended
// ones.
func (v *Views) Quarantines(ctx context.Context, repo string, ended bool) (QuarantineList, error) {
	qs, err := v.store.Quarantines(ctx, store.QuarantineFilter{Repo: repo, Ended: ended, Limit: listLimit})
	if qs == nil {
		qs = []quarantine.Quarantine{}
	}
	return QuarantineList{Quarantines: qs}, err
}

// expiringQuarantines lists quarantines ending within a week of now.
func (v *Views) expiringQuarantines(ctx context.Context) ([]quarantine.Quarantine, error) {
	qs, err := v.store.ExpiringQuarantines(ctx, v.store.Now().Add(quarantine.ExpiringSoon), overviewRows)
	if qs == nil {
		qs = []quarantine.Quarantine{}
	}
	return qs, err
}

// OwnedList is the tests and signatures one owner answers for, or those
// nobody does, that failed lately.
type OwnedList struct {
	Owner   string        `json:"owner"`
	Unowned bool          `json:"unowned"`
	Items   []store.Owned `json:"items"`
}

// Owned lists what who owns (or, unowned, what nobody owns) among what
// failed in the window.
func (v *Views) Owned(ctx context.Context, who string, unowned bool) (OwnedList, error) {
	items, err := v.store.OwnedBy(ctx, who, unowned, v.store.Now().Add(-v.Window), listLimit)
	if items == nil {
		items = []store.Owned{}
	}
	return OwnedList{Owner: who, Unowned: unowned, Items: items}, err
}

// Group is a named group of failures: what its rules matched in the
// window, with its rate, owner, links and rules.
type Group struct {
	store.Group
	store.GroupFigures
	Rate  stats.Rate         `json:"rate"`
	Owner string             `json:"owner"`
	Links []owner.Link       `json:"links"`
	Rules []RuleSummary      `json:"rules"`
	Audit []store.AuditEntry `json:"audit"`
	Days  int                `json:"window_days"`
}

// RuleSummary names a rule.
type RuleSummary struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Expr    string `json:"expr"`
}

// Group builds the view of the group named name.
func (v *Views) Group(ctx context.Context, name string) (Group, error) {
	g, err := v.store.GroupByName(ctx, name)
	if err != nil {
		return Group{}, notFound(err)
	}
	gv := Group{Group: g, Days: int(v.Window / (24 * time.Hour)), Rules: []RuleSummary{}}
	if gv.GroupFigures, err = v.store.GroupFigures(ctx, g.ID, v.store.Now().Add(-v.Window), previewListed); err != nil {
		return gv, err
	}
	gv.Rate = stats.NewRate(gv.Failures, gv.Runs)
	if gv.Owner, err = v.store.Owner(ctx, owner.Group, g.ID); err != nil {
		return gv, err
	}
	if gv.Links, err = v.store.Links(ctx, owner.Group, g.ID); err != nil {
		return gv, err
	}
	rules, err := v.store.Rules(ctx)
	if err != nil {
		return gv, err
	}
	for _, r := range rules {
		if r.Action.Group == g.Name {
			gv.Rules = append(gv.Rules, RuleSummary{ID: r.ID, Name: r.Name, Version: r.Version, Expr: r.Expr})
		}
	}
	gv.Audit, err = v.store.RuleAudit(ctx, 0, g.ID, auditShown)
	return gv, err
}

// RuleList is every rule, its version in force, and the groups.
type RuleList struct {
	Rules  []RuleView    `json:"rules"`
	Groups []store.Group `json:"groups"`
}

// RuleView is a rule with its versions and applications, newest first.
type RuleView struct {
	Versions     []rule.Rule             `json:"versions"`
	Applications []store.RuleApplication `json:"applications,omitempty"`
}

// Rules lists the rules.
func (v *Views) Rules(ctx context.Context) (RuleList, error) {
	l := RuleList{Rules: []RuleView{}}
	rules, err := v.store.Rules(ctx)
	if err != nil {
		return l, err
	}
	for _, r := range rules {
		l.Rules = append(l.Rules, RuleView{Versions: []rule.Rule{r}})
	}
	if l.Groups, err = v.store.Groups(ctx); l.Groups == nil {
		l.Groups = []store.Group{}
	}
	return l, err
}

// Rule builds the view of one rule: every version and its applications.
func (v *Views) Rule(ctx context.Context, id int64) (RuleView, error) {
	versions, err := v.store.RuleVersions(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return RuleView{}, ErrNotFound
	}
	if err != nil {
		return RuleView{}, err
	}
	rv := RuleView{Versions: versions}
	rv.Applications, err = v.store.RuleApplications(ctx, id, 10)
	return rv, err
}
