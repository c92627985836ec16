package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/campaign"
)

// Signature is a stored failure signature.
type Signature struct {
	ID         int64     `json:"id" db:"id"`
	Algorithm  int       `json:"algorithm" db:"algorithm"`
	Hash       string    `json:"hash" db:"hash"`
	Title      string    `json:"title" db:"title"`
	Normalized string    `json:"normalized" db:"normalized"`
	FirstSeen  time.Time `json:"first_seen" db:"first_seen"`
	LastSeen   time.Time `json:"last_seen" db:"last_seen"`
}

// Example is one real failure of a signature, with its raw text.
type Example struct {
	ResultID  int64     `json:"result_id" db:"result_id"`
	Test      string    `json:"test" db:"test"`
	Builder   string    `json:"builder" db:"builder"`
	Repo      string    `json:"repo" db:"repo"`
	Revision  string    `json:"revision" db:"revision"`
	RunnerOS  string    `json:"runner_os" db:"runner_os"`
	Branch    string    `json:"branch" db:"branch"`
	URL       string    `json:"url" db:"url"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	Text      string    `json:"text" db:"text"`
	Truncated int       `json:"truncated" db:"truncated"`
	// Output is what the failing test printed apart from Text (JUnit
	// system-out, the tail of a stress iteration's output), or "".
	Output string `json:"output" db:"output"`
}

// Count is how often something (a test, a runner, an OS, a revision) was
// run and failed.
type Count struct {
	ID       int64     `json:"id,omitempty" db:"id"`
	Key      string    `json:"key" db:"key"`
	Extra    string    `json:"extra,omitempty" db:"extra"`
	Runs     int       `json:"runs" db:"runs"`
	Failures int       `json:"failures" db:"failures"`
	Seen     time.Time `json:"seen" db:"seen"`
}

// SignatureByID returns one signature.
func (s *Store) SignatureByID(ctx context.Context, id int64) (Signature, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, algorithm, hash, title, normalized, first_seen, last_seen
		FROM signatures WHERE id = $1`, id)
	sig, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Signature])
	if err != nil {
		return Signature{}, fmt.Errorf("signature %d: %w", id, translate(err))
	}
	return sig, nil
}

// SignatureExample returns the newest failure of the signature that kept its
// text, or, once retention dropped the month it came in, the example kept
// for it then. No such failure: ErrNotFound.
func (s *Store) SignatureExample(ctx context.Context, id int64) (Example, error) {
	rows, _ := s.pool.Query(ctx, `
		(SELECT r.id AS result_id, t.name AS test, r.builder, r.repo, r.revision, r.runner_os, coalesce(u.branch, '') AS branch,
		        coalesce(u.url, '') AS url, r.created_at, f.text, f.truncated, coalesce(f.output, '') AS output
		 FROM (SELECT id, batch_id, test_id, builder, repo, revision, runner_os, created_at FROM results
		       WHERE signature_id = $1 ORDER BY created_at DESC LIMIT 50) r
		 JOIN failure_texts f ON f.result_id = r.id AND f.created_at = r.created_at
		 JOIN tests t ON t.id = r.test_id
		 LEFT JOIN upload_batches u ON u.id = r.batch_id
		 ORDER BY r.created_at DESC LIMIT 1)
		UNION ALL
		SELECT e.result_id, e.test, e.builder, e.repo, e.revision, e.runner_os, '', '', e.created_at, e.text, e.truncated, coalesce(e.output, '')
		FROM signature_examples e WHERE e.signature_id = $1
		ORDER BY created_at DESC LIMIT 1`, id)
	ex, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Example])
	if err != nil {
		return Example{}, fmt.Errorf("signature %d example: %w", id, translate(err))
	}
	return ex, nil
}

// SignatureTests counts the signature's failures per test, with the test's
// runs on the runner OSes where the signature appeared.
func (s *Store) SignatureTests(ctx context.Context, id int64, limit int) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH hit AS (
			SELECT test_id, sum(failures)::int AS failures, max(day) AS seen
			FROM rollups WHERE signature_id = $1 AND signature_id <> 0 GROUP BY test_id
			ORDER BY 2 DESC LIMIT $2
		)
		SELECT t.id, t.name AS key, t.repo AS extra,
		       (SELECT coalesce(sum(runs), 0) FROM rollups r WHERE r.test_id = h.test_id)::int AS runs,
		       h.failures, h.seen::timestamptz AS seen
		FROM hit h JOIN tests t ON t.id = h.test_id ORDER BY h.failures DESC, t.name`, id, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("signature %d tests: %w", id, err)
	}
	return out, nil
}

// SignatureByOS returns the signature's rate on each runner OS: its failures
// over the runs there of the tests it hits.
func (s *Store) SignatureByOS(ctx context.Context, id int64) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH f AS (
			SELECT runner_os, sum(failures)::int AS failures, max(day) AS seen
			FROM rollups WHERE signature_id = $1 AND signature_id <> 0 GROUP BY runner_os
		), t AS (SELECT DISTINCT test_id FROM rollups WHERE signature_id = $1 AND signature_id <> 0)
		SELECT 0::bigint AS id, f.runner_os AS key, '' AS extra,
		       (SELECT coalesce(sum(r.runs), 0) FROM rollups r WHERE r.test_id IN (SELECT test_id FROM t) AND r.runner_os = f.runner_os)::int AS runs,
		       f.failures, f.seen::timestamptz AS seen
		FROM f ORDER BY f.runner_os`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("signature %d by OS: %w", id, err)
	}
	return out, nil
}

// SignatureRevisions returns the signature's rate on the latest revisions
// where the tests it hits most ran, oldest first: their runs there and the
// signature's failures among them. Revisions where they ran clean count
// too, which is how a fix shows.
func (s *Store) SignatureRevisions(ctx context.Context, id int64, limit int) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH hit AS (
			SELECT test_id FROM rollups WHERE signature_id = $1 AND signature_id <> 0
			GROUP BY test_id ORDER BY sum(failures) DESC LIMIT 5
		), cells AS (
			SELECT c.* FROM hit, LATERAL (
				SELECT repo, revision, test_id, runs, first_seen FROM revision_rollups rr
				WHERE rr.test_id = hit.test_id ORDER BY last_seen DESC LIMIT $2 * 4) c
		), revs AS (
			SELECT repo, revision, sum(runs)::int AS runs, min(first_seen) AS seen
			FROM cells GROUP BY repo, revision ORDER BY min(first_seen) DESC LIMIT $2
		)
		SELECT 0::bigint AS id, revs.revision AS key, revs.repo AS extra, revs.runs,
		       (SELECT coalesce(sum(sr.failures), 0) FROM signature_revisions sr
		        WHERE sr.signature_id = $1 AND sr.repo = revs.repo AND sr.revision = revs.revision
		          AND sr.test_id IN (SELECT test_id FROM hit))::int AS failures,
		       revs.seen
		FROM revs ORDER BY revs.seen`, id, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("signature %d revisions: %w", id, err)
	}
	return out, nil
}

// SignatureRunners counts the hosts among the signature's latest failures
// (an index lookup bounded by scan).
func (s *Store) SignatureRunners(ctx context.Context, id int64, scan int) ([]Count, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT coalesce(min(runner_id), 0) AS id, builder AS key, min(runner_os) AS extra, 0 AS runs,
		       count(*)::int AS failures, max(created_at) AS seen
		FROM (SELECT runner_id, builder, runner_os, created_at FROM results
		      WHERE signature_id = $1 ORDER BY created_at DESC LIMIT $2) r
		GROUP BY builder ORDER BY 5 DESC, 2`, id, scan)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Count])
	if err != nil {
		return nil, fmt.Errorf("signature %d runners: %w", id, err)
	}
	return out, nil
}

// SignatureCampaigns lists campaigns whose results carry the signature,
// among its latest scan failures.
func (s *Store) SignatureCampaigns(ctx context.Context, id int64, scan int) ([]campaign.Campaign, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id IN (
		SELECT campaign_id FROM (SELECT campaign_id FROM results WHERE signature_id = $1
		ORDER BY created_at DESC LIMIT $2) r WHERE campaign_id IS NOT NULL) ORDER BY id DESC`, id, scan)
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("signature %d campaigns: %w", id, err)
	}
	return cs, nil
}
