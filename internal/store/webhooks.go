package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// ErrReplayed is returned for a webhook delivery whose id, or body, was
// already received.
var ErrReplayed = errors.New("webhook delivery already received")

// Commit is a commit as GitHub webhooks describe it.
type Commit struct {
	Repo        string    `json:"repo" db:"repo"`
	SHA         string    `json:"sha" db:"sha"`
	Message     string    `json:"message" db:"message"`
	Author      string    `json:"author" db:"author"`
	Branch      string    `json:"branch" db:"branch"`
	PullRequest *int      `json:"pull_request" db:"pull_request"`
	ReceivedAt  time.Time `json:"received_at" db:"received_at"`
}

// WebhookDelivery is one delivery of a GitHub webhook and what it asks for.
type WebhookDelivery struct {
	ID    string // X-GitHub-Delivery
	Event string // X-GitHub-Event
	// BodySHA256 is the hash of the signed body: a delivery with the same
	// body under another id is a replay as well.
	BodySHA256 []byte
	// Commits to record; a known commit keeps the fields already known and
	// takes the ones it lacked.
	Commits []Commit
	// Campaigns to create. One with the name, repo and revision of an
	// existing campaign is skipped, so a push and a pull request for the same
	// commit verify it once.
	Campaigns []campaign.Spec
}

// ReceiveWebhook stores a delivery in one transaction: its id and body
// hash (so a replay of either is refused with ErrReplayed and stores
// nothing), its commits and its
// campaigns, split into jobs of jobSize iterations. Delivery ids older than
// remember are forgotten on the way. It returns the campaigns created.
func (s *Store) ReceiveWebhook(ctx context.Context, d WebhookDelivery, remember time.Duration) ([]campaign.Campaign, error) {
	var created []campaign.Campaign
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE received_at < now() - $1::interval`, remember); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (id, event, body_sha256) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			d.ID, d.Event, d.BodySHA256)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrReplayed
		}
		for _, c := range d.Commits {
			if _, err := tx.Exec(ctx, `
				INSERT INTO revisions AS r (repo, sha, message, author, branch, pull_request) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (repo, sha) DO UPDATE SET
					message = CASE WHEN r.message = '' THEN excluded.message ELSE r.message END,
					author = CASE WHEN r.author = '' THEN excluded.author ELSE r.author END,
					branch = CASE WHEN r.branch = '' THEN excluded.branch ELSE r.branch END,
					pull_request = coalesce(r.pull_request, excluded.pull_request)`,
				c.Repo, c.SHA, c.Message, c.Author, c.Branch, c.PullRequest); err != nil {
				return fmt.Errorf("record commit %s: %w", c.SHA, err)
			}
			if c.Branch != "" {
				if _, err := tx.Exec(ctx, `INSERT INTO revision_branches (repo, branch, revision) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
					c.Repo, c.Branch, c.SHA); err != nil {
					return fmt.Errorf("record branch of %s: %w", c.SHA, err)
				}
			}
		}
		for _, spec := range d.Campaigns {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE repo = $1 AND revision = $2 AND name = $3)`,
				spec.Repo, spec.Revision, spec.Name).Scan(&exists); err != nil || exists {
				if err != nil {
					return err
				}
				continue
			}
			c, err := s.createCampaign(ctx, tx, spec)
			if err != nil {
				return fmt.Errorf("create campaign %q: %w", spec.Name, err)
			}
			created = append(created, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("webhook delivery %s: %w", d.ID, translate(err))
	}
	return created, nil
}

// CommitInfo returns what webhooks said about a commit.
func (s *Store) CommitInfo(ctx context.Context, repo, sha string) (Commit, error) {
	rows, _ := s.pool.Query(ctx, `SELECT repo, sha, message, author, branch, pull_request, received_at
		FROM revisions WHERE repo = $1 AND sha = $2`, repo, sha)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Commit])
	if err != nil {
		return Commit{}, fmt.Errorf("commit %s@%s: %w", repo, sha, translate(err))
	}
	return c, nil
}

// FlakyTest is a test that both passed and failed on one commit and runner
// OS, with its counts over the commits where it did.
type FlakyTest struct {
	Name     string `db:"name"`
	Runs     int    `db:"runs"`
	Failures int    `db:"failures"`
}

// FlakyTests lists the tests of a repo that were flaky on a commit seen since
// since, most failures first.
func (s *Store) FlakyTests(ctx context.Context, repo string, since time.Time, limit int) ([]FlakyTest, error) {
	// What uploads appended counts too: fold it first (nothing to do most
	// of the time, since the server's folder keeps up).
	if _, err := s.FoldRollups(ctx); err != nil {
		return nil, err
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT t.name, sum(rr.runs)::int AS runs, sum(rr.failures)::int AS failures
		FROM revision_rollups rr JOIN tests t ON t.id = rr.test_id
		WHERE rr.repo = $1 AND rr.last_seen >= $2 AND rr.passes > 0 AND rr.failures > 0
		GROUP BY t.name ORDER BY 3 DESC, 1 LIMIT $3`, repo, since, limit)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[FlakyTest])
	if err != nil {
		return nil, fmt.Errorf("flaky tests of %s: %w", repo, err)
	}
	return ts, nil
}
