package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/verdict"
)

// CampaignFacts is what a campaign's status is computed from.
type CampaignFacts struct {
	Campaign campaign.Campaign
	// Tests are the distinct tests the campaign ran.
	Tests []string
	// BeforeRuns and BeforeFailures count the same tests in the same repo on
	// other commits, from before the campaign was created: the rate a fix is
	// measured against.
	BeforeRuns, BeforeFailures int
}

func campaignFacts(ctx context.Context, tx pgx.Tx, id int64) (CampaignFacts, error) {
	var f CampaignFacts
	rows, _ := tx.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err != nil {
		return f, fmt.Errorf("campaign %d: %w", id, err)
	}
	f.Campaign = c
	if c.Repo == "" || c.Revision == "" {
		return f, nil
	}
	var testIDs []int64
	rows, _ = tx.Query(ctx, `
		SELECT t.id, t.name FROM tests t
		WHERE t.id IN (SELECT DISTINCT test_id FROM results WHERE campaign_id = $1) ORDER BY t.name`, id)
	var tid int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&tid, &name}, func() error {
		testIDs = append(testIDs, tid)
		f.Tests = append(f.Tests, name)
		return nil
	})
	if err != nil {
		return f, fmt.Errorf("campaign %d tests: %w", id, err)
	}
	err = tx.QueryRow(ctx, `
		SELECT coalesce(sum(runs), 0)::int, coalesce(sum(failures), 0)::int FROM revision_rollups
		WHERE repo = $1 AND revision <> $2 AND test_id = ANY($3) AND first_seen < $4`,
		c.Repo, c.Revision, testIDs, c.CreatedAt).Scan(&f.BeforeRuns, &f.BeforeFailures)
	if err != nil {
		return f, fmt.Errorf("campaign %d baseline: %w", id, err)
	}
	return f, nil
}

// CommitFacts reads what a commit's status is computed from, as of now,
// for pages that show what the status says.
func (s *Store) CommitFacts(ctx context.Context, repo, revision string, window time.Duration) (verdict.Commit, error) {
	now := s.Now()
	return commitFacts(ctx, s.pool, repo, revision, now.Add(-window), now)
}
