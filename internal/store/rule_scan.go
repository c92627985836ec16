package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/rule"
)

// Failure is one failing result with the fields a rule tests.
type Failure struct {
	ResultID    int64     `json:"result_id"`
	CreatedAt   time.Time `json:"created_at"`
	Repo        string    `json:"repo"`
	Revision    string    `json:"revision"`
	Branch      string    `json:"branch"`
	Builder     string    `json:"builder"`
	OS          string    `json:"os"`
	TestID      int64     `json:"test_id"`
	Test        string    `json:"test"`
	SignatureID int64     `json:"signature_id"`
	Hash        string    `json:"signature"`
	Title       string    `json:"title"`
	// Text is the failure text when it was asked for.
	Text string `json:"text,omitempty"`
}

// Fields are the failure's fields for a rule; Text is unknown unless
// withText.
func (f Failure) Fields(withText bool) rule.Fields {
	rf := rule.Fields{Repo: f.Repo, Branch: f.Branch, Test: f.Test, Text: f.Text, Builder: f.Builder, OS: f.OS,
		Signature: []string{f.Hash, f.Title}}
	if !withText {
		rf = rf.Without(rule.Text)
	}
	return rf
}

// failureSelect reads failing results through the results_failing index,
// with their test, signature and batch. text is $TEXT's column.
const failureSelect = `
	SELECT r.id, r.created_at, r.repo, r.revision, coalesce(b.branch, ''), r.builder, r.runner_os,
	       r.test_id, t.name, r.signature_id, sg.hash, sg.title, %s
	FROM results r
	JOIN tests t ON t.id = r.test_id
	JOIN signatures sg ON sg.id = r.signature_id
	LEFT JOIN upload_batches b ON b.id = r.batch_id
	%s
	WHERE r.signature_id IS NOT NULL`

// failureQuery reads failures, with their texts or without; rest goes on
// from the WHERE clause.
func failureQuery(withText bool, rest string) string {
	if withText {
		return fmt.Sprintf(failureSelect, "coalesce(ft.text, '')", "LEFT JOIN failure_texts ft ON ft.result_id = r.id") + rest
	}
	return fmt.Sprintf(failureSelect, "''", "") + rest
}

func scanFailure(rows pgx.Rows, f *Failure) error {
	return rows.Scan(&f.ResultID, &f.CreatedAt, &f.Repo, &f.Revision, &f.Branch, &f.Builder, &f.OS,
		&f.TestID, &f.Test, &f.SignatureID, &f.Hash, &f.Title, &f.Text)
}

// ScanFailures calls fn with failing results stored since since, newest
// first, at most limit of them, through an index of failing results only;
// their text is read only withText. fn must not keep f.
func (s *Store) ScanFailures(ctx context.Context, since time.Time, limit int, withText bool, fn func(f *Failure) error) error {
	rows, err := s.pool.Query(ctx, failureQuery(withText, ` AND r.created_at >= $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2`), since, limit)
	if err != nil {
		return fmt.Errorf("scan failures: %w", err)
	}
	defer rows.Close()
	var f Failure
	for rows.Next() {
		if err := scanFailure(rows, &f); err != nil {
			return fmt.Errorf("scan failures: %w", err)
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan failures: %w", err)
	}
	return nil
}

// FailureTexts returns the failure texts of results, by result id.
func (s *Store) FailureTexts(ctx context.Context, ids []int64) (map[int64]string, error) {
	return s.failureTexts(ctx, `SELECT result_id, text FROM failure_texts WHERE result_id = ANY($1)`, ids)
}

// failureTexts reads (result id, text) rows of sql into a map.
func (s *Store) failureTexts(ctx context.Context, sql string, args ...any) (map[int64]string, error) {
	out := map[int64]string{}
	rows, _ := s.pool.Query(ctx, sql, args...)
	var id int64
	var text string
	_, err := pgx.ForEachRow(rows, []any{&id, &text}, func() error { out[id] = text; return nil })
	if err != nil {
		return nil, fmt.Errorf("failure texts: %w", err)
	}
	return out, nil
}

// ApplyRuleStep takes one chunk of one pending rule application (rows of
// other replicas' applications are skipped), reads up to chunk failing
// results after its cursor, asks match which of them the rule matches,
// and stores that: matches of the version added, the rule's older matches
// of those results removed, the cursor moved on, and — for rules that
// change statuses — the commits of the last week's changed matches marked.
// It reports whether there was a step to take.
func (s *Store) ApplyRuleStep(ctx context.Context, chunk int, match func(rule.Rule, []Failure) []int64) (bool, error) {
	worked := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var a struct {
			id, ruleID, upto, cursorID int64
			version                    int
			since                      time.Time
			cursorAt                   *time.Time
		}
		err := tx.QueryRow(ctx, `
			SELECT id, rule_id, version, since, upto_id, cursor_at, cursor_id FROM rule_applications
			WHERE state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`).
			Scan(&a.id, &a.ruleID, &a.version, &a.since, &a.upto, &a.cursorAt, &a.cursorID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		worked = true
		rows, _ := tx.Query(ctx, ruleSelect+` WHERE v.rule_id = $1 AND v.version = $2`, a.ruleID, a.version)
		r, err := pgx.CollectExactlyOneRow(rows, scanRule)
		if err != nil {
			return err
		}
		from := a.since
		if a.cursorAt != nil {
			from = *a.cursorAt
		}
		rows, err = tx.Query(ctx, failureQuery(true, `
			  AND r.created_at >= $1 AND (r.created_at, r.id) > ($2, $3) AND r.id <= $4
			ORDER BY r.created_at, r.id LIMIT $5`), a.since, from, a.cursorID, a.upto, chunk)
		if err != nil {
			return err
		}
		var batch []Failure
		for rows.Next() {
			var f Failure
			if err := scanFailure(rows, &f); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, f)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		matched := match(r, batch)
		if err := storeRuleMatches(ctx, tx, r, batch, matched); err != nil {
			return err
		}
		if len(batch) < chunk {
			_, err = tx.Exec(ctx, `UPDATE rule_applications SET state = 'done', finished_at = $2, scanned = scanned + $3, matched = matched + $4
				WHERE id = $1`, a.id, s.Now(), len(batch), len(matched))
			return err
		}
		last := batch[len(batch)-1]
		_, err = tx.Exec(ctx, `UPDATE rule_applications SET cursor_at = $2, cursor_id = $3, scanned = scanned + $4, matched = matched + $5
			WHERE id = $1`, a.id, last.CreatedAt, last.ResultID, len(batch), len(matched))
		return err
	})
	if err != nil {
		return worked, fmt.Errorf("apply rule: %w", err)
	}
	return worked, nil
}

// storeRuleMatches records that version r matched the results matched
// among batch, and no longer matches the rest of batch.
func storeRuleMatches(ctx context.Context, tx pgx.Tx, r rule.Rule, batch []Failure, matched []int64) error {
	if len(batch) == 0 {
		return nil
	}
	if matched == nil {
		matched = []int64{} // not NULL: "NOT id = ANY(NULL)" is never true
	}
	ids := make([]int64, len(batch))
	for i, f := range batch {
		ids[i] = f.ResultID
	}
	changesStatus := r.Action.Kind != rule.ActionGroup
	weekAgo := time.Now().Add(-7 * 24 * time.Hour)
	if changesStatus {
		// Commits whose match goes away change status too.
		if _, err := tx.Exec(ctx, `
			INSERT INTO status_dirty (repo, revision)
			SELECT DISTINCT repo, revision FROM rule_matches
			WHERE rule_id = $1 AND result_id = ANY($2) AND NOT result_id = ANY($3) AND created_at >= $4
			  AND revision ~ '^[0-9a-fA-F]{7,64}$'`, r.ID, ids, matched, weekAgo); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM rule_matches WHERE rule_id = $1 AND result_id = ANY($2) AND NOT result_id = ANY($3)`,
		r.ID, ids, matched); err != nil {
		return err
	}
	if len(matched) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO rule_matches (rule_id, result_id, version, repo, revision, test_id, signature_id, created_at)
		SELECT $1, r.id, $2, r.repo, r.revision, r.test_id, r.signature_id, r.created_at
		FROM results r WHERE r.id = ANY($3) ORDER BY r.id
		ON CONFLICT (rule_id, result_id) DO UPDATE SET version = excluded.version`, r.ID, r.Version, matched); err != nil {
		return err
	}
	if changesStatus {
		_, err := tx.Exec(ctx, `
			INSERT INTO status_dirty (repo, revision)
			SELECT DISTINCT repo, revision FROM rule_matches
			WHERE rule_id = $1 AND result_id = ANY($2) AND created_at >= $3 AND revision ~ '^[0-9a-fA-F]{7,64}$'`, r.ID, matched, weekAgo)
		return err
	}
	return nil
}

// FailureGroup is failing results that share every field a rule tests but
// their text: a rule says the same of all of them unless it reads texts.
type FailureGroup struct {
	Repo, Branch, Builder, OS string
	TestID, SignatureID       int64
	// IDs are the results.
	IDs []int64
}

// FailureGroups reads the newest limit failing results stored since
// since, grouped by the fields a rule tests, from the index of failing
// results alone (and the upload batches, withBranch). It returns the
// groups and whether the window held more than limit failures.
func (s *Store) FailureGroups(ctx context.Context, since time.Time, limit int, withBranch bool) ([]FailureGroup, bool, error) {
	branch, join := "''", ""
	if withBranch {
		branch, join = "coalesce(b.branch, '')", "LEFT JOIN upload_batches b ON b.id = r.batch_id"
	}
	var out []FailureGroup
	n := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// The planner expects few rows from the window and sorts them all
		// to group them; hashing them into the few groups there are is
		// about twice as fast at 200,000 failures.
		if _, err := tx.Exec(ctx, `SET LOCAL enable_sort = off`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, fmt.Sprintf(`
			SELECT r.repo, %s, r.builder, r.runner_os, r.test_id, r.signature_id, array_agg(r.id)
			FROM (SELECT id, created_at, repo, builder, runner_os, test_id, signature_id, batch_id FROM results
			      WHERE signature_id IS NOT NULL AND created_at >= $1 ORDER BY created_at DESC, id DESC LIMIT $2) r
			%s
			GROUP BY 1, 2, 3, 4, 5, 6`, branch, join), since, limit+1)
		var g FailureGroup
		_, err := pgx.ForEachRow(rows, []any{&g.Repo, &g.Branch, &g.Builder, &g.OS, &g.TestID, &g.SignatureID, &g.IDs}, func() error {
			n += len(g.IDs)
			out = append(out, g)
			g.IDs = nil // a fresh slice for the next row
			return nil
		})
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("failure groups: %w", err)
	}
	if n <= limit {
		return out, false, nil
	}
	// One result too many was read, to tell: drop the oldest (the
	// smallest id, ids growing with time).
	oldest, at := 0, int64(1<<62)
	for i, g := range out {
		for _, id := range g.IDs {
			if id < at {
				oldest, at = i, id
			}
		}
	}
	ids := out[oldest].IDs
	out[oldest].IDs = slices.DeleteFunc(ids, func(id int64) bool { return id == at })
	return out, true, nil
}

// likeAny turns literals into LIKE patterns that match a text containing
// one of them.
func likeAny(lits []string) []string {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	out := make([]string, len(lits))
	for i, l := range lits {
		out[i] = "%" + esc.Replace(l) + "%"
	}
	return out
}

// FailureTextsContaining returns the texts of results, by id, that contain
// one of lits (all of them when lits is empty): the database searches
// the texts, and only those that may match are sent.
func (s *Store) FailureTextsContaining(ctx context.Context, ids []int64, lits []string) (map[int64]string, error) {
	if len(lits) == 0 {
		return s.FailureTexts(ctx, ids)
	}
	return s.failureTexts(ctx, `SELECT result_id, text FROM failure_texts WHERE result_id = ANY($1) AND text LIKE ANY($2)`, ids, likeAny(lits))
}

// WindowTextsContaining returns the texts, by result id, of the failing
// results stored since since that contain one of lits (which must not be
// empty): one search of the window's texts by the database, cheaper than
// asking by id when most of the window needs its text.
func (s *Store) WindowTextsContaining(ctx context.Context, since time.Time, lits []string) (map[int64]string, error) {
	out := map[int64]string{}
	rows, _ := s.pool.Query(ctx, `SELECT r.id, ft.text FROM results r JOIN failure_texts ft ON ft.result_id = r.id
		WHERE r.signature_id IS NOT NULL AND r.created_at >= $1 AND ft.text LIKE ANY($2)`, since, likeAny(lits))
	var id int64
	var text string
	_, err := pgx.ForEachRow(rows, []any{&id, &text}, func() error { out[id] = text; return nil })
	if err != nil {
		return nil, fmt.Errorf("window texts: %w", err)
	}
	return out, nil
}

// Named are the names of tests and signatures, by id.
type Named struct {
	Tests      map[int64]string
	Signatures map[int64][2]string // hash, title
}

// Names reads the names of tests and signatures.
func (s *Store) Names(ctx context.Context, tests, sigs []int64) (Named, error) {
	n := Named{Tests: map[int64]string{}, Signatures: map[int64][2]string{}}
	rows, _ := s.pool.Query(ctx, `SELECT id, name FROM tests WHERE id = ANY($1)`, tests)
	var id int64
	var a, b string
	if _, err := pgx.ForEachRow(rows, []any{&id, &a}, func() error { n.Tests[id] = a; return nil }); err != nil {
		return n, fmt.Errorf("test names: %w", err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT id, hash, title FROM signatures WHERE id = ANY($1)`, sigs)
	if _, err := pgx.ForEachRow(rows, []any{&id, &a, &b}, func() error { n.Signatures[id] = [2]string{a, b}; return nil }); err != nil {
		return n, fmt.Errorf("signature names: %w", err)
	}
	return n, nil
}

// FailuresByID reads failing results by id, newest first, with their
// texts.
func (s *Store) FailuresByID(ctx context.Context, ids []int64) ([]Failure, error) {
	rows, err := s.pool.Query(ctx, failureQuery(true, ` AND r.id = ANY($1) ORDER BY r.created_at DESC, r.id DESC`), ids)
	if err != nil {
		return nil, fmt.Errorf("failures: %w", err)
	}
	defer rows.Close()
	var out []Failure
	for rows.Next() {
		var f Failure
		if err := scanFailure(rows, &f); err != nil {
			return nil, fmt.Errorf("failures: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
