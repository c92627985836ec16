package view

import (
	"context"
	"time"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/store"
)

// CampaignList is a page of /campaigns, newest first. JSON:
// {"campaigns": […], "next_cursor": "…"}.
type CampaignList struct {
	Filter     Filter        `json:"-"`
	Campaigns  []CampaignRow `json:"campaigns"`
	NextCursor string        `json:"next_cursor"`
}

// CampaignRow is a campaign in the list with how long it ran (so far, for
// one still running; zero for one not started).
type CampaignRow struct {
	Campaign
	Duration        time.Duration `json:"-"`
	DurationSeconds float64       `json:"duration_seconds"`
}

// Campaigns builds a page of the campaign list.
func (v *Views) Campaigns(ctx context.Context, f Filter) (CampaignList, error) {
	l := CampaignList{Filter: f, Campaigns: []CampaignRow{}}
	c, ok, err := decodeCursor(f, v.now())
	if err != nil {
		return l, err
	}
	if ok && c.ID <= 0 {
		return l, badCursor("a field is out of range")
	}
	sf := store.ListFilter{Q: f.Q, Repo: f.Repo, Branches: v.branches(f.Branch), Builder: f.Builder, OS: f.OS, Since: f.Since, Until: f.Until}
	n := f.limit()
	cs, err := v.store.CampaignList(ctx, sf, f.State, c.ID, n+1)
	if err != nil {
		return l, err
	}
	if len(cs) > n {
		l.NextCursor = cursor{AsOf: v.now().UnixNano(), ID: cs[n-1].ID}.encode(f)
		cs = cs[:n]
	}
	now := v.now()
	for _, c := range cs {
		r := CampaignRow{Campaign: newCampaign(c), Duration: duration(c, now)}
		r.DurationSeconds = r.Duration.Seconds()
		l.Campaigns = append(l.Campaigns, r)
	}
	return l, nil
}

// duration is how long c ran: from its start to its end, or to now while
// it runs.
func duration(c campaign.Campaign, now time.Time) time.Duration {
	switch {
	case c.StartedAt == nil:
		return 0
	case c.FinishedAt != nil:
		return c.FinishedAt.Sub(*c.StartedAt).Round(time.Second)
	}
	return now.Sub(*c.StartedAt).Round(time.Second)
}
