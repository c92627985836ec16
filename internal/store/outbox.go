package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// StatusWriter turns what the database knows about a commit into the GitHub
// commit status to post for it. The github package implements it; the store
// calls it inside the transaction that changed the numbers, so a status is
// recorded exactly when the results it describes are.
type StatusWriter interface {
	// RevisionStatus describes a commit's test results.
	RevisionStatus(CommitFacts) OutboxStatus
	// CampaignStatus describes a campaign on a commit that has just ended.
	CampaignStatus(CampaignFacts) OutboxStatus
}

// OutboxStatus is one status to post. A zero Context means there is nothing
// to say.
type OutboxStatus struct {
	Context     string
	State       string // pending, success, failure or error
	Description string // at most 140 characters
	TargetURL   string
}

// WithStatuses returns a store over the same pool that records a commit
// status in status_outbox whenever results or a campaign change what a
// commit's status says. Statuses are always recorded; whether they are posted
// is the delivery worker's business (none runs without a GitHub token), so
// the outbox doubles as a log of what triaged would say.
func (s *Store) WithStatuses(w StatusWriter) *Store {
	c := *s
	c.statuses = w
	return &c
}

// enqueueRevisionStatus records the status of the batch's commit after the
// batch. Campaign batches are skipped: a campaign reports once, when it ends.
func (s *Store) enqueueRevisionStatus(ctx context.Context, tx pgx.Tx, b Batch) error {
	if s.statuses == nil || b.CampaignID != nil {
		return nil
	}
	return enqueueCommitStatus(ctx, tx, s.statuses, b.Repo, b.Revision)
}

// enqueueCommitStatus computes a commit's status and records it when it
// differs from the last one recorded. The advisory lock serialises writers
// of the same commit until they commit: the second one then sees the
// first's results, so the newest row always describes everything stored.
func enqueueCommitStatus(ctx context.Context, tx pgx.Tx, w StatusWriter, repo, revision string) error {
	if err := lockCommitStatus(ctx, tx, repo, revision); err != nil {
		return err
	}
	facts, err := commitFacts(ctx, tx, repo, revision)
	if err != nil {
		return err
	}
	return insertStatus(ctx, tx, repo, revision, w.RevisionStatus(facts))
}

// lockCommitStatus takes the transaction-scoped lock that orders status
// writers of one commit. It is always the last lock an ingest or campaign
// transaction takes, so waiting for it cannot deadlock.
func lockCommitStatus(ctx context.Context, tx pgx.Tx, repo, revision string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('commit status ' || $1 || ' ' || $2, 0))`, repo, revision); err != nil {
		return fmt.Errorf("lock commit status: %w", err)
	}
	return nil
}

// enqueueCampaignEnd records the status of a campaign that has just ended,
// and the commit's own status again, which may have said "pending" while
// the campaign ran.
func (s *Store) enqueueCampaignEnd(ctx context.Context, tx pgx.Tx, campaignID int64) error {
	if s.statuses == nil {
		return nil
	}
	facts, err := campaignFacts(ctx, tx, campaignID)
	if err != nil || facts.Campaign.Repo == "" || facts.Campaign.Revision == "" {
		return err
	}
	if err := lockCommitStatus(ctx, tx, facts.Campaign.Repo, facts.Campaign.Revision); err != nil {
		return err
	}
	if err := insertStatus(ctx, tx, facts.Campaign.Repo, facts.Campaign.Revision, s.statuses.CampaignStatus(facts)); err != nil {
		return err
	}
	return enqueueCommitStatus(ctx, tx, s.statuses, facts.Campaign.Repo, facts.Campaign.Revision)
}

// enqueueCampaignStart records the commit's status when a campaign on it
// starts, for writers that say "pending" while one runs.
func (s *Store) enqueueCampaignStart(ctx context.Context, tx pgx.Tx, c campaign.Campaign) error {
	if s.statuses == nil || c.Repo == "" || c.Revision == "" {
		return nil
	}
	return enqueueCommitStatus(ctx, tx, s.statuses, c.Repo, c.Revision)
}

// insertStatus adds st to the outbox unless the newest row for the same
// commit and context already says the same thing: a retried or repeated
// upload that changes nothing posts nothing.
func insertStatus(ctx context.Context, tx pgx.Tx, repo, revision string, st OutboxStatus) error {
	if st.Context == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO status_outbox (repo, revision, context, state, description, target_url)
		SELECT $1, $2, $3, $4, $5, $6
		WHERE NOT EXISTS (
			SELECT 1 FROM (
				SELECT state, description, target_url FROM status_outbox
				WHERE repo = $1 AND revision = $2 AND context = $3 ORDER BY id DESC LIMIT 1
			) last WHERE last.state = $4 AND last.description = $5 AND last.target_url = $6)`,
		repo, revision, st.Context, st.State, st.Description, st.TargetURL)
	if err != nil {
		return fmt.Errorf("enqueue status %s for %s@%s: %w", st.Context, repo, revision, err)
	}
	return nil
}
