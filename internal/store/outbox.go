package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/verdict"
)

// StatusWriter turns what the database knows about a commit into the GitHub
// commit statuses to post for it. The github package implements it; the
// status worker passes it to RecordStatus.
type StatusWriter interface {
	// RevisionStatus describes a commit's test results.
	RevisionStatus(verdict.Commit) OutboxStatus
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

// markDirty records that the status of a commit may have changed: results
// arrived, or a campaign on it started (campaignID nil) or ended. Writers
// only append, so concurrent uploads to one commit never wait for one
// another here; the status worker recomputes the commit from committed
// data.
func markDirty(ctx context.Context, tx pgx.Tx, repo, revision string, campaignID *int64) error {
	if repo == "" || revision == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO status_dirty (repo, revision, campaign_id) VALUES ($1, $2, $3)`,
		repo, revision, campaignID); err != nil {
		return fmt.Errorf("mark %s@%s for a new status: %w", repo, revision, err)
	}
	return nil
}

// markCampaignEnded records that a campaign on a commit ended, so the
// worker posts its status and the commit's own again (which may have said
// "pending" while it ran). A bisection's steps post no status of their
// own: they test old commits, which nobody is looking at on GitHub.
func markCampaignEnded(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO status_dirty (repo, revision, campaign_id)
		SELECT repo, revision, id FROM campaigns WHERE id = $1 AND repo <> '' AND revision <> ''
		  AND NOT EXISTS (SELECT 1 FROM bisection_steps WHERE campaign_id = $1)`, id)
	if err != nil {
		return fmt.Errorf("mark campaign %d ended: %w", id, err)
	}
	return nil
}

// DirtyCommit is a commit whose status must be recomputed.
type DirtyCommit struct {
	Repo     string `db:"repo"`
	Revision string `db:"revision"`
}

// DirtyCommits lists commits waiting for their status to be recomputed,
// the longest waiting first.
func (s *Store) DirtyCommits(ctx context.Context, limit int) ([]DirtyCommit, error) {
	rows, _ := s.pool.Query(ctx, `SELECT repo, revision FROM status_dirty GROUP BY repo, revision ORDER BY min(id) LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[DirtyCommit])
	if err != nil {
		return nil, fmt.Errorf("dirty commits: %w", err)
	}
	return out, nil
}

// RecordStatus recomputes a dirty commit in one transaction: it takes the
// commit's marks, reads the facts from committed data, records the statuses
// w says (the commit's, and each ended campaign's) in the outbox, and
// stores what the classifier says of each test the commit concerns. A
// replica that finds the commit being recomputed elsewhere skips it
// (false); marks added meanwhile stay for the next round, so the newest
// row always describes everything committed before it.
func (s *Store) RecordStatus(ctx context.Context, c DirtyCommit, window time.Duration, w StatusWriter) (bool, error) {
	done := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('commit status ' || $1 || ' ' || $2, 0))`,
			c.Repo, c.Revision).Scan(&locked); err != nil || !locked {
			return err
		}
		rows, _ := tx.Query(ctx, `DELETE FROM status_dirty WHERE repo = $1 AND revision = $2 RETURNING campaign_id`, c.Repo, c.Revision)
		marks, err := pgx.CollectRows(rows, pgx.RowTo[*int64])
		if err != nil || len(marks) == 0 {
			return err
		}
		done = true
		ended := map[int64]bool{}
		for _, id := range marks {
			if id != nil && !ended[*id] {
				ended[*id] = true
				facts, err := campaignFacts(ctx, tx, *id)
				if err != nil {
					return err
				}
				if err := insertStatus(ctx, tx, c.Repo, c.Revision, w.CampaignStatus(facts)); err != nil {
					return err
				}
			}
		}
		// The commit's pages read its rollups: fold its pending deltas now.
		if err := foldCommit(ctx, tx, c.Repo, c.Revision); err != nil {
			return err
		}
		now := s.Now()
		facts, err := commitFacts(ctx, tx, c.Repo, c.Revision, now.Add(-window), now)
		if err != nil {
			return err
		}
		status := w.RevisionStatus(facts)
		if err := insertStatus(ctx, tx, c.Repo, c.Revision, status); err != nil {
			return err
		}
		if err := saveRevisionVerdict(ctx, tx, facts, status.State); err != nil {
			return err
		}
		return saveTestVerdicts(ctx, tx, facts.TestVerdicts())
	})
	if err != nil {
		return false, fmt.Errorf("record status of %s@%s: %w", c.Repo, c.Revision, err)
	}
	return done, nil
}

// saveRevisionVerdict stores what the classifier says of a commit as a
// whole and the state of its status, for the list of revisions.
func saveRevisionVerdict(ctx context.Context, tx pgx.Tx, c verdict.Commit, state string) error {
	n := c.Counts()
	_, err := tx.Exec(ctx, `
		INSERT INTO revision_verdicts (repo, revision, status, tests, new, broken, flaky, known, infra, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
		ON CONFLICT (repo, revision) DO UPDATE SET status = excluded.status, tests = excluded.tests, new = excluded.new,
			broken = excluded.broken, flaky = excluded.flaky, known = excluded.known, infra = excluded.infra, updated_at = now()`,
		c.Repo, c.Revision, state, c.Ran, n.New, n.Broken, n.Flaky, n.Known, n.Infra)
	if err != nil {
		return fmt.Errorf("save verdict of %s@%s: %w", c.Repo, c.Revision, err)
	}
	return nil
}

// saveTestVerdicts stores what the classifier says of tests as a whole,
// for the lists that filter by it. Keys are written in order, so two
// workers never deadlock on them.
func saveTestVerdicts(ctx context.Context, tx pgx.Tx, vs map[verdict.TestKey]verdict.Verdict) error {
	if len(vs) == 0 {
		return nil
	}
	var ids []int64
	var oses, classes, since, why []string
	for k, v := range vs {
		ids, oses = append(ids, k.TestID), append(oses, k.OS)
		classes, since, why = append(classes, string(v.Class)), append(since, v.Since), append(why, v.Why)
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO test_verdicts AS tv (test_id, runner_os, class, since_revision, why, updated_at)
		SELECT t, o, c, s, w, now() FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(t, o, c, s, w)
		ORDER BY t, o
		ON CONFLICT (test_id, runner_os) DO UPDATE
		SET class = excluded.class, since_revision = excluded.since_revision, why = excluded.why, updated_at = now()`,
		ids, oses, classes, since, why)
	if err != nil {
		return fmt.Errorf("save test verdicts: %w", err)
	}
	return nil
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
