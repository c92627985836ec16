package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/issue"
)

// Issue states and wants, as stored.
const (
	IssuePending  = "pending"
	IssueCreating = "creating"
	IssueOpen     = "open"
	IssueClosed   = "closed"
	IssueDead     = "dead"
)

// SignatureIssue is the issue filed (or to be filed) for a signature in a
// tracker.
type SignatureIssue struct {
	ID               int64      `json:"id" db:"id"`
	Tracker          string     `json:"tracker" db:"tracker"`
	Repo             string     `json:"repo" db:"repo"`
	SignatureID      int64      `json:"signature_id" db:"signature_id"`
	State            string     `json:"state" db:"state"`
	Why              string     `json:"why" db:"why"`
	Number           int        `json:"number,omitempty" db:"number"`
	URL              string     `json:"url,omitempty" db:"url"`
	Want             issue.Want `json:"want,omitempty" db:"want"`
	WantComment      string     `json:"-" db:"want_comment"`
	Attempts         int        `json:"attempts" db:"attempts"`
	LastError        string     `json:"last_error,omitempty" db:"last_error"`
	NextAttemptAt    time.Time  `json:"-" db:"next_attempt_at"`
	AttemptStartedAt *time.Time `json:"-" db:"attempt_started_at"`
	OpenedAt         *time.Time `json:"opened_at,omitempty" db:"opened_at"`
	ClosedAt         *time.Time `json:"closed_at,omitempty" db:"closed_at"`
	ClosedBy         string     `json:"closed_by,omitempty" db:"closed_by"`
	LastFailureAt    *time.Time `json:"last_failure_at,omitempty" db:"last_failure_at"`
	SyncedAt         *time.Time `json:"-" db:"synced_at"`
	CheckedAt        *time.Time `json:"-" db:"checked_at"`
	CreatedAt        time.Time  `json:"created_at" db:"created_at"`
}

const issueColumns = `id, tracker, repo, signature_id, state, why, number, url, want, want_comment, attempts, last_error,
	next_attempt_at, attempt_started_at, opened_at, closed_at, closed_by, last_failure_at, synced_at, checked_at, created_at`

// AddIssueRoute files the issues of a repo's signatures into tracker
// from now on (an admin's run-time setting), replacing its tracker if it
// had one, and records the change.
func (s *Store) AddIssueRoute(ctx context.Context, r issue.Route, c Change) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO issue_routes (repo, tracker, added_by, added_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (repo) DO UPDATE SET tracker = excluded.tracker, added_by = excluded.added_by, added_at = excluded.added_at`,
			r.Repo, r.Tracker, c.Actor, s.Now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{Actor: c.Actor, Action: AuditIssueRouteAdded, Repo: r.Repo, Why: c.Why, Detail: "issues go to " + r.Tracker})
	})
	if err != nil {
		return fmt.Errorf("add issue route for %s: %w", r.Repo, err)
	}
	return nil
}

// IssueRoutes lists the routes admins added.
func (s *Store) IssueRoutes(ctx context.Context) ([]issue.Route, error) {
	rows, _ := s.pool.Query(ctx, `SELECT repo, tracker FROM issue_routes ORDER BY repo`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[issue.Route])
	if err != nil {
		return nil, fmt.Errorf("issue routes: %w", err)
	}
	return out, nil
}

// IssueCandidates returns the facts of each signature that failed on a
// commit of a routed repo since since and has no issue in that repo's
// tracker yet: its failing runs and revisions there (outside
// infrastructure batches and campaigns), and whether a test it hits is
// classed broken.
func (s *Store) IssueCandidates(ctx context.Context, routes []issue.Route, since time.Time) ([]issue.Facts, error) {
	if len(routes) == 0 {
		return nil, nil
	}
	repos, trackers := make([]string, len(routes)), make([]string, len(routes))
	for i, r := range routes {
		repos[i], trackers[i] = r.Repo, r.Tracker
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT sr.repo, sr.signature_id,
		       coalesce(sum(sr.failures - sr.infra), 0)::int,
		       count(DISTINCT sr.revision) FILTER (WHERE sr.failures > sr.infra)::int,
		       coalesce(bool_or(tv.class = 'broken' AND sr.failures > sr.infra), false)
		FROM signatures sg
		JOIN signature_revisions sr ON sr.signature_id = sg.id AND sr.last_seen >= $3
		JOIN unnest($1::text[], $2::text[]) AS rt(repo, tracker) ON rt.repo = sr.repo
		LEFT JOIN test_verdicts tv ON tv.test_id = sr.test_id AND tv.runner_os = sr.runner_os
		WHERE sg.last_seen >= $3 AND sg.superseded_by IS NULL AND sr.revision ~ '^[0-9a-fA-F]{7,64}$'
		  AND NOT EXISTS (SELECT 1 FROM signature_issues si WHERE si.tracker = rt.tracker AND si.signature_id = sr.signature_id)
		GROUP BY 1, 2
		ORDER BY 1, 2`, repos, trackers, since)
	var out []issue.Facts
	var f issue.Facts
	_, err := pgx.ForEachRow(rows, []any{&f.Repo, &f.SignatureID, &f.FailingRuns, &f.Revisions, &f.Broken}, func() error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issue candidates: %w", err)
	}
	return out, nil
}

// EnqueueIssue writes the key of a signature's issue in a tracker, to be
// filed by the worker, and reports whether it was new: the unique key
// makes every replica and every concurrent upload agree on one row, and
// so on one issue.
func (s *Store) EnqueueIssue(ctx context.Context, r issue.Route, signatureID int64, why string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO signature_issues (tracker, repo, signature_id, why, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (tracker, signature_id) DO NOTHING`, r.Tracker, r.Repo, signatureID, why, s.Now())
	if err != nil {
		return false, fmt.Errorf("enqueue issue for signature %d: %w", signatureID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// DueIssues lists issues with something to do now: to create, or an
// action wanted on them.
func (s *Store) DueIssues(ctx context.Context, limit int) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id FROM signature_issues
		WHERE (state IN ('pending', 'creating') OR want <> '') AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2`, s.Now(), limit)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("due issues: %w", err)
	}
	return ids, nil
}

// ErrBusy means another replica holds the issue.
var ErrBusy = errors.New("busy elsewhere")

// WithIssue runs fn on an issue's row while holding a session-level
// advisory lock on it, on a connection of its own: one replica at a time
// acts on an issue, and a replica that dies mid-call (after GitHub
// created the issue, before the outcome was recorded) releases the lock
// with its connection, so another takes over and first looks for what
// it may have created. Another replica holding it is ErrBusy.
func (s *Store) WithIssue(ctx context.Context, id int64, fn func(SignatureIssue) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("issue %d: %w", id, err)
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended('signature issue ' || $1::bigint, 0))`, id).Scan(&locked); err != nil {
		return fmt.Errorf("lock issue %d: %w", id, err)
	}
	if !locked {
		return ErrBusy
	}
	defer func() {
		// Unlocked even when ctx ended, or the pooled connection would
		// keep the lock.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock(hashtextextended('signature issue ' || $1::bigint, 0))`, id); err != nil {
			conn.Conn().Close(uctx) // closing the session drops the lock
		}
	}()
	rows, _ := conn.Query(ctx, `SELECT `+issueColumns+` FROM signature_issues WHERE id = $1`, id)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SignatureIssue])
	if err != nil {
		return fmt.Errorf("issue %d: %w", id, translate(err))
	}
	return fn(row)
}

// StartIssueAttempt records, before GitHub is called, that an attempt to
// create the issue begins: should the outcome never be recorded, the next
// attempt looks for the issue by its marker before creating one.
func (s *Store) StartIssueAttempt(ctx context.Context, id int64) (time.Time, error) {
	now := s.Now()
	_, err := s.pool.Exec(ctx, `UPDATE signature_issues SET state = 'creating', attempt_started_at = coalesce(attempt_started_at, $2)
		WHERE id = $1 AND state IN ('pending', 'creating')`, id, now)
	if err != nil {
		return now, fmt.Errorf("start issue %d: %w", id, err)
	}
	return now, nil
}

// IssueOutcome is what came of acting on an issue.
type IssueOutcome struct {
	// State is the issue's new state; "" keeps it.
	State  string
	Number int
	URL    string
	// Done clears the action wanted; Synced records that GitHub's state
	// was just read; ClosedBy and ClosedAt describe a close.
	Done     bool
	Synced   bool
	ClosedBy string
	ClosedAt *time.Time
	// LastFailureAt moves the recurrence baseline forward.
	LastFailureAt *time.Time
	// Err is why it failed; Permanent makes a creation dead, RetryAfter
	// is when to try a transient failure again.
	Err        string
	Permanent  bool
	RetryAfter time.Duration
	// Audit, when set, is recorded with Why and Detail.
	Audit, Why, Detail string
}

// RecordIssue records the outcome of an action on an issue.
func (s *Store) RecordIssue(ctx context.Context, id int64, o IssueOutcome) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		now := s.Now()
		var sig int64
		var repo string
		if err := tx.QueryRow(ctx, `SELECT signature_id, repo FROM signature_issues WHERE id = $1 FOR UPDATE`, id).Scan(&sig, &repo); err != nil {
			return err
		}
		if o.Err != "" {
			state := ""
			if o.Permanent {
				state = IssueDead
			}
			_, err := tx.Exec(ctx, `UPDATE signature_issues SET attempts = attempts + 1, last_error = left($2, 2000),
				next_attempt_at = $3, state = CASE WHEN $4 = '' OR state NOT IN ('pending', 'creating') THEN state ELSE $4 END,
				want = CASE WHEN $5 THEN '' ELSE want END WHERE id = $1`,
				id, o.Err, now.Add(o.RetryAfter), state, o.Permanent)
			return err
		}
		_, err := tx.Exec(ctx, `
			UPDATE signature_issues SET
				state = coalesce(nullif($2, ''), state),
				number = CASE WHEN $3 > 0 THEN $3 ELSE number END,
				url = coalesce(nullif($4, ''), url),
				opened_at = CASE WHEN $2 = 'open' AND opened_at IS NULL THEN $5 ELSE opened_at END,
				closed_at = CASE WHEN $2 = 'closed' THEN coalesce($6, $5) ELSE closed_at END,
				closed_by = CASE WHEN $2 = 'closed' THEN $7 ELSE closed_by END,
				want = CASE WHEN $8 THEN '' ELSE want END,
				want_comment = CASE WHEN $8 THEN '' ELSE want_comment END,
				synced_at = CASE WHEN $9 THEN $5 ELSE synced_at END,
				last_failure_at = coalesce($10, last_failure_at),
				attempts = 0, last_error = '', next_attempt_at = $5
			WHERE id = $1`, id, o.State, o.Number, o.URL, now, o.ClosedAt, o.ClosedBy, o.Done, o.Synced, o.LastFailureAt)
		if err != nil || o.Audit == "" {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{Actor: "triaged", Action: o.Audit, Repo: repo, SignatureID: &sig, Why: o.Why, Detail: o.Detail})
	})
	if err != nil {
		return fmt.Errorf("record issue %d: %w", id, err)
	}
	return nil
}

// IssueCheck is what the numbers say of a filed issue's signature.
type IssueCheck struct {
	Issue SignatureIssue
	// LastFailure is its newest failure in the repo (outside
	// infrastructure batches and campaigns); zero if none is kept.
	LastFailure time.Time
	// FailuresSince counts its failures after the issue was closed and
	// after the last recurrence acted on.
	FailuresSince int
	// Before is its failures over the runs of the tests it hits, in the
	// window up to LastFailure; AfterRuns the runs of those tests on
	// revisions first seen after it.
	BeforeFailures, BeforeRuns, AfterRuns int
}

// IssuesToCheck returns up to limit open or closed issues whose numbers
// were looked at longest ago (or never), with their numbers over window,
// and marks them checked.
func (s *Store) IssuesToCheck(ctx context.Context, window time.Duration, limit int) ([]IssueCheck, error) {
	var out []IssueCheck
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		now := s.Now()
		rows, _ := tx.Query(ctx, `SELECT `+issueColumns+` FROM signature_issues
			WHERE state IN ('open', 'closed') AND want = '' ORDER BY checked_at NULLS FIRST, id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		issues, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureIssue])
		if err != nil {
			return err
		}
		for _, is := range issues {
			c := IssueCheck{Issue: is}
			var last *time.Time
			if err := tx.QueryRow(ctx, `SELECT max(created_at) FROM results
				WHERE signature_id = $1 AND repo = $2 AND NOT infra AND campaign_id IS NULL`, is.SignatureID, is.Repo).Scan(&last); err != nil {
				return err
			}
			if last != nil {
				c.LastFailure = *last
			}
			if is.State == IssueClosed && is.ClosedAt != nil {
				base := *is.ClosedAt
				if is.LastFailureAt != nil && is.LastFailureAt.After(base) {
					base = *is.LastFailureAt
				}
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM results
					WHERE signature_id = $1 AND repo = $2 AND created_at > $3 AND NOT infra AND campaign_id IS NULL`,
					is.SignatureID, is.Repo, base).Scan(&c.FailuresSince); err != nil {
					return err
				}
			}
			if is.State == IssueOpen && !c.LastFailure.IsZero() {
				err := tx.QueryRow(ctx, `
					WITH hit AS (SELECT DISTINCT test_id FROM signature_revisions WHERE signature_id = $1 AND repo = $2)
					SELECT
					  (SELECT coalesce(sum(failures - infra), 0)::int FROM signature_revisions
					   WHERE signature_id = $1 AND repo = $2 AND last_seen >= $3 AND revision ~ '^[0-9a-fA-F]{7,64}$'),
					  (SELECT coalesce(sum(runs), 0)::int FROM revision_rollups
					   WHERE repo = $2 AND test_id IN (SELECT test_id FROM hit) AND last_seen >= $3 AND first_seen <= $4),
					  (SELECT coalesce(sum(runs), 0)::int FROM revision_rollups
					   WHERE repo = $2 AND test_id IN (SELECT test_id FROM hit) AND first_seen > $4)`,
					is.SignatureID, is.Repo, c.LastFailure.Add(-window), c.LastFailure).Scan(&c.BeforeFailures, &c.BeforeRuns, &c.AfterRuns)
				if err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE signature_issues SET checked_at = $2 WHERE id = $1`, is.ID, now); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issues to check: %w", err)
	}
	return out, nil
}

// WantIssue asks the worker to act on an issue: close it, say the failure
// recurred, or read its state on GitHub, with the comment to post.
func (s *Store) WantIssue(ctx context.Context, id int64, want issue.Want, comment string) error {
	_, err := s.pool.Exec(ctx, `UPDATE signature_issues SET want = $2, want_comment = $3, next_attempt_at = $4
		WHERE id = $1 AND want = ''`, id, want, comment, s.Now())
	if err != nil {
		return fmt.Errorf("want %s of issue %d: %w", want, id, err)
	}
	return nil
}

// SignatureIssues lists the issues filed for a signature.
func (s *Store) SignatureIssues(ctx context.Context, signatureID int64) ([]SignatureIssue, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+issueColumns+` FROM signature_issues WHERE signature_id = $1 ORDER BY id`, signatureID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureIssue])
	if err != nil {
		return nil, fmt.Errorf("issues of signature %d: %w", signatureID, err)
	}
	return out, nil
}

// Issues lists every issue, newest first.
func (s *Store) Issues(ctx context.Context, limit int) ([]SignatureIssue, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+issueColumns+` FROM signature_issues ORDER BY id DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignatureIssue])
	if err != nil {
		return nil, fmt.Errorf("issues: %w", err)
	}
	return out, nil
}

// SignatureRate counts a signature's failures in repo since since
// (outside infrastructure batches, on commits) over the runs of the tests
// it hits there.
func (s *Store) SignatureRate(ctx context.Context, signatureID int64, repo string, since time.Time) (failures, runs int, err error) {
	err = s.pool.QueryRow(ctx, `
		WITH hit AS (SELECT DISTINCT test_id FROM signature_revisions WHERE signature_id = $1 AND repo = $2 AND last_seen >= $3)
		SELECT
		  (SELECT coalesce(sum(failures - infra), 0)::int FROM signature_revisions
		   WHERE signature_id = $1 AND repo = $2 AND last_seen >= $3 AND revision ~ '^[0-9a-fA-F]{7,64}$'),
		  (SELECT coalesce(sum(runs), 0)::int FROM revision_rollups
		   WHERE repo = $2 AND test_id IN (SELECT test_id FROM hit) AND last_seen >= $3)`,
		signatureID, repo, since).Scan(&failures, &runs)
	if err != nil {
		return 0, 0, fmt.Errorf("rate of signature %d: %w", signatureID, err)
	}
	return failures, runs, nil
}
