package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// CampaignList lists campaigns newest first, after the campaign with id
// afterID (0: from the newest), narrowed by the filter: name (Q), repo,
// branches, a runner that leased one of its jobs (Builder) or its OS, the
// state, and when it was created (Since, Until).
func (s *Store) CampaignList(ctx context.Context, f ListFilter, state campaign.State, afterID int64, limit int) ([]campaign.Campaign, error) {
	var a sqlArgs
	w := "true"
	if f.Q != "" {
		w += " AND c.name ILIKE " + a.add(likePattern(f.Q))
	}
	if f.Repo != "" {
		w += " AND c.repo = " + a.add(f.Repo)
	}
	if f.Branches != nil {
		w += " AND c.branch = ANY(" + a.add(f.Branches) + "::text[])"
	}
	if state != "" {
		w += " AND c.state = " + a.add(state)
	}
	if !f.Since.IsZero() {
		w += " AND c.created_at >= " + a.add(f.Since)
	}
	if !f.Until.IsZero() {
		w += " AND c.created_at < " + a.add(f.Until)
	}
	if f.Builder != "" || f.OS != "" {
		rw := "true"
		if f.Builder != "" {
			rw += " AND rn.name = " + a.add(f.Builder)
		}
		if f.OS != "" {
			rw += " AND rn.os = " + a.add(f.OS)
		}
		w += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM jobs j JOIN runners rn ON rn.id = coalesce(j.runner_id, j.pinned_runner_id)
			WHERE j.campaign_id = c.id AND %s)`, rw)
	}
	if afterID > 0 {
		w += " AND c.id < " + a.add(afterID)
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns c WHERE `+w+` ORDER BY c.id DESC LIMIT `+a.add(limit), a...)
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return cs, nil
}
