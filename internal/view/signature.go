package view

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
)

// Bounds of a signature's view: what it lists and how many of the newest
// failures it reads by index for hosts and campaigns.
const (
	sigTests     = 50
	sigRevisions = 40
	sigScan      = 2000
)

// Signature is one failure signature with what it hits.
type Signature struct {
	store.Signature
	Example   *store.Example      `json:"example"`
	Tests     []store.Count       `json:"tests"`
	Runners   []store.Count       `json:"runners"`
	ByOS      []OSRate            `json:"by_os"`
	Revisions []RevisionRate      `json:"revisions"`
	Campaigns []campaign.Campaign `json:"campaigns"`
	Failures  int                 `json:"failures"`
	StressURL string              `json:"stress_url"`
	// Act is its owner, links, issues, quarantines and audit trail.
	Act
}

// SignatureList is a page of /signatures: current signatures with their
// failures in the window under the filter, most first (or newest first).
// JSON: {"signatures": […], "next_cursor": "…"}.
type SignatureList struct {
	Filter     Filter                   `json:"-"`
	Since      time.Time                `json:"since"`
	Until      time.Time                `json:"until"`
	Signatures []store.SignatureListRow `json:"signatures"`
	NextCursor string                   `json:"next_cursor"`
}

// Signatures builds a page of the signature list.
func (v *Views) Signatures(ctx context.Context, f Filter) (SignatureList, error) {
	l := SignatureList{Filter: f, Signatures: []store.SignatureListRow{}}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return l, err
	}
	if ok {
		if err := numericKey(c.Key); err != nil {
			return l, err
		}
	}
	asOf, mark, err := v.firstPage(func() (int64, error) { return v.store.ResultMark(ctx) }, c, ok)
	if err != nil {
		return l, err
	}
	sf, err := v.storeFilter(f, asOf, mark)
	if err != nil {
		return l, err
	}
	l.Since, l.Until = sf.Since, sf.Until
	var after *store.ListKey
	if ok {
		after = c.listKey()
	}
	n := f.limit()
	rows, err := v.store.SignatureList(ctx, sf, f.sort(), after, n+1)
	if err != nil {
		return l, err
	}
	if len(rows) > n {
		last := rows[n-1]
		l.NextCursor = cursor{AsOf: asOf.UnixNano(), Mark: mark, Seg: last.Seg, Key: last.Key, ID: last.ID}.encode(f)
		rows = rows[:n]
	}
	l.Signatures = append(l.Signatures, rows...)
	return l, nil
}

// signature builds the view of signature id.
func (v *Views) signature(ctx context.Context, id int64) (Signature, error) {
	sig, err := v.store.SignatureByID(ctx, id)
	if err != nil {
		return Signature{}, notFound(err)
	}
	s := Signature{Signature: sig}
	switch ex, err := v.store.SignatureExample(ctx, id); {
	case err == nil:
		s.Example = &ex
	case !errors.Is(err, store.ErrNotFound):
		return s, err
	}
	if s.Tests, err = v.store.SignatureTests(ctx, id, sigTests); err != nil {
		return s, err
	}
	if s.Runners, err = v.store.SignatureRunners(ctx, id, sigScan); err != nil {
		return s, err
	}
	byOS, err := v.store.SignatureByOS(ctx, id)
	if err != nil {
		return s, err
	}
	for _, c := range byOS {
		s.ByOS = append(s.ByOS, OSRate{OS: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
		s.Failures += c.Failures
	}
	revs, err := v.store.SignatureRevisions(ctx, id, sigRevisions)
	if err != nil {
		return s, err
	}
	for _, c := range revs {
		s.Revisions = append(s.Revisions, RevisionRate{Repo: c.Extra, Revision: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
	}
	if s.Campaigns, err = v.store.SignatureCampaigns(ctx, id, sigScan); err != nil {
		return s, err
	}
	s.StressURL = stressURL(s)
	s.Act, err = v.signatureAct(ctx, id)
	return s, err
}

// stressURL prefills the campaign form with what the signature hits: its
// test and the OS of the hosts where it fails most.
func stressURL(s Signature) string {
	q := url.Values{"signature": {strconv.FormatInt(s.ID, 10)}}
	if len(s.Tests) > 0 {
		q.Set("test", s.Tests[0].Key)
		q.Set("repo", s.Tests[0].Extra)
		// The newest commit it failed on: a registered repository is
		// checked out there, so the campaign tests that code.
		for i := len(s.Revisions) - 1; i >= 0; i-- {
			if r := s.Revisions[i]; r.Failures > 0 && r.Repo == s.Tests[0].Extra && vcs.CheckRevision(r.Revision) == nil {
				q.Set("revision", r.Revision)
				break
			}
		}
	}
	var best OSRate
	for _, o := range s.ByOS {
		if o.Failures > best.Failures {
			best = o
		}
	}
	if best.OS != "" {
		q.Set("labels", strings.ToLower(best.OS))
	}
	if strings.Contains(strings.ToLower(s.Title+s.Normalized), "lost-bytes") {
		q.Set("kind", string(campaign.KindScenario))
	}
	return "/campaigns/new?" + q.Encode()
}
