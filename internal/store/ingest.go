package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/verdict"
)

// Batch is one upload: results from one run of one builder on one revision.
type Batch struct {
	// ID is the batch id the uploader chose; Principal names the uploader
	// (a token, a runner). A batch is known by both: another uploader's
	// batch with the same id is another batch.
	ID, Principal string
	// Fingerprint identifies the content (where it came from and the body),
	// so a retry is told from a reuse of the id for something else.
	Fingerprint []byte
	Repo        string
	Revision    string
	Builder     string
	// Branch is the branch the revision was built on, "" when the upload
	// does not say (the branch a webhook recorded for the commit is then
	// taken). URL links to the CI job or log the batch came from.
	Branch     string
	URL        string
	RunnerID   *int64 // set when a registered runner uploads
	RunnerOS   string // "" when unknown
	JobID      *int64 // set for results of a campaign job
	CampaignID *int64 // likewise
	// RuleEpoch is the epoch of the rule set the results' Rules were
	// matched against (RuleSet); 0 when they were not matched. A batch
	// matched against rules that changed since is ErrRulesChanged.
	RuleEpoch int64
	// Infra marks a batch that failed as a whole: its failures are the
	// machine's, not the tests'.
	Infra bool
	// Since is where the history the answer's verdicts read starts.
	Since   time.Time
	Results []ResultRow
}

// key is the batch's idempotency key: its id, scoped to its uploader.
func (b Batch) key() string { return b.Principal + "/" + b.ID }

// ResultRow is one test execution to store.
type ResultRow struct {
	Test        string
	Outcome     string // pass, fail, error, skip
	DurationUS  int64
	Iteration   *int32
	Signature   *SignatureRow // nil for results without a failure
	FailureText string
	Truncated   int // bytes cut from FailureText
	// Output is what the test printed apart from FailureText (JUnit
	// system-out, a stress iteration's output tail); stored only beside a
	// failure text.
	Output   string
	Detector []byte
	// Rules are the rules that match the failure.
	Rules []RuleMatch
}

// RuleMatch names a rule version that matched a result.
type RuleMatch struct {
	RuleID  int64
	Version int
}

// SignatureRow is a failure signature as the signature package computes it.
type SignatureRow struct {
	Algorithm  int
	Hash       string
	Title      string
	Normalized string
}

// Stored tells ingest what the database knew once the batch was written, so
// it can classify each failure inside the same transaction.
type Stored struct {
	// TestIDs and SignatureIDs map the batch's test names and signature
	// hashes to their rows.
	TestIDs, SignatureIDs map[string]int64
	// Histories holds, for each test that failed in the batch (outside an
	// infrastructure batch), its history on the batch's runner OS, this
	// batch included.
	Histories map[int64]verdict.History
	// Quarantines are the quarantines in force on the batch's failing
	// tests and signatures in its repo, and on the rules they matched.
	Quarantines []quarantine.Quarantine
	// Now is the store's clock when the batch was stored.
	Now time.Time
	// Skipped counts results of campaign iterations that were already stored
	// by an earlier attempt of the job and so were not stored again.
	Skipped int
	// Stop is set for a campaign batch when the runner should stop the job:
	// the campaign's stop rule ended it, or it had already ended.
	Stop bool
}

// IngestBatch stores a batch in one transaction: tests, signatures, results
// (with COPY), failure texts, rollups, and a mark that the commit's status
// must be recomputed. respond builds the upload's answer from what was
// stored; it is saved with the batch, so a retry of the same batch gets the
// same answer and stores nothing (the second return value is then true).
// The same batch id from the same uploader with other content is an
// ErrConflict that says what differs.
func (s *Store) IngestBatch(ctx context.Context, b Batch, respond func(Stored) (any, error)) (json.RawMessage, bool, error) {
	var answer json.RawMessage
	var duplicate bool
	// New tests and signatures are created before the batch's transaction,
	// each statement committing at once: fifty uploads meeting the same new
	// failure then wait for each other for one insert, not for the whole of
	// the first upload's transaction. A batch id already stored is a retry
	// or a conflict and creates nothing; a test or signature created for an
	// upload that then fails on the server's side is kept for its retry.
	var keys batchKeys
	var seen bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM upload_batches WHERE id = $1)`, b.key()).Scan(&seen)
	if err == nil && !seen {
		keys, err = ensureKeys(ctx, s.pool, b)
	}
	if err != nil {
		return nil, false, fmt.Errorf("ingest batch %q: %w", b.ID, translate(err))
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkRuleEpoch(ctx, tx, b.RuleEpoch); err != nil {
			return err
		}
		var failures, skips int
		for _, r := range b.Results {
			switch {
			case r.Outcome == "skip":
				skips++
			case failed(r.Outcome):
				failures++
			}
		}
		// Without a branch of its own, the batch is on the branch a webhook
		// saw the commit on, if any.
		rows, _ := tx.Query(ctx, `
			INSERT INTO upload_batches (id, principal, repo, revision, builder, runner_os, runner_id, job_id, results, fingerprint, response,
				branch, url, failures, skips, infra)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}',
				coalesce(nullif($11, ''), (SELECT branch FROM revisions WHERE repo = $3 AND sha = $4), ''), $12, $13, $14, $15)
			ON CONFLICT (id) DO NOTHING RETURNING branch`,
			b.key(), b.Principal, b.Repo, b.Revision, b.Builder, b.RunnerOS, b.RunnerID, b.JobID, len(b.Results), b.Fingerprint,
			b.Branch, b.URL, failures, skips, b.Infra)
		branches, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("record batch: %w", err)
		}
		if len(branches) == 0 {
			// A concurrent insert of the same id waited for the first to
			// commit, so the stored answer is complete here.
			duplicate = true
			answer, err = sameBatch(ctx, tx, b)
			return err
		}
		b.Branch = branches[0]
		if keys.tests == nil {
			// Stored when looked at, gone since (expired): create the keys
			// here instead.
			if keys, err = ensureKeys(ctx, tx, b); err != nil {
				return err
			}
		}
		stored, err := s.writeBatch(ctx, tx, b, keys)
		if err != nil {
			return err
		}
		v, err := respond(stored)
		if err != nil {
			return err
		}
		if answer, err = json.Marshal(v); err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		if _, err = tx.Exec(ctx, `UPDATE upload_batches SET response = $2 WHERE id = $1`, b.key(), answer); err != nil {
			return err
		}
		if vcs.CheckRevision(b.Revision) != nil {
			return nil // a campaign's own pseudo-revision has no status
		}
		// DO NOTHING takes no lock on a row already there, so uploaders of
		// one commit do not queue here.
		if _, err := tx.Exec(ctx, `INSERT INTO revision_branches (repo, branch, revision) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			b.Repo, b.Branch, b.Revision); err != nil {
			return fmt.Errorf("record branch: %w", err)
		}
		return markDirty(ctx, tx, b.Repo, b.Revision, nil)
	})
	if errors.Is(err, ErrRulesChanged) {
		return nil, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("ingest batch %q: %w", b.ID, translate(err))
	}
	if !duplicate {
		// last_seen is refreshed after the commit, and at most once a
		// minute, so uploads of a common failure never queue on its row.
		if _, err := s.pool.Exec(ctx, `UPDATE signatures SET last_seen = now() WHERE id = ANY($1) AND last_seen < now() - interval '1 minute'`,
			slices.Collect(maps.Values(keys.signatures))); err != nil {
			return nil, false, fmt.Errorf("ingest batch %q: signatures seen: %w", b.ID, err)
		}
	}
	return answer, duplicate, nil
}

// batchKeys are the ids of a batch's tests (by name) and signatures (by
// hash).
type batchKeys struct{ tests, signatures map[string]int64 }

// ensureKeys looks up the batch's tests and signatures, creating those that
// do not exist yet.
func ensureKeys(ctx context.Context, q execQuerier, b Batch) (batchKeys, error) {
	var k batchKeys
	var err error
	if k.tests, err = upsertTests(ctx, q, b.Repo, b.Results); err != nil {
		return k, err
	}
	k.signatures, err = upsertSignatures(ctx, q, b)
	return k, err
}

// sameBatch returns the stored answer of a batch sent again, or an
// ErrConflict naming what differs when the id was reused for something
// else.
func sameBatch(ctx context.Context, tx pgx.Tx, b Batch) (json.RawMessage, error) {
	var repo, revision, builder, os, branch string
	var fp []byte
	var answer json.RawMessage
	err := tx.QueryRow(ctx, `SELECT repo, revision, builder, runner_os, branch, fingerprint, response FROM upload_batches WHERE id = $1`,
		b.key()).Scan(&repo, &revision, &builder, &os, &branch, &fp, &answer)
	if err != nil {
		return nil, err
	}
	var differs string
	switch {
	case repo != b.Repo:
		differs = fmt.Sprintf("repo (%s, now %s)", repo, b.Repo)
	case revision != b.Revision:
		differs = fmt.Sprintf("revision (%s, now %s)", revision, b.Revision)
	case builder != b.Builder:
		differs = fmt.Sprintf("builder (%s, now %s)", builder, b.Builder)
	case os != b.RunnerOS:
		differs = fmt.Sprintf("os (%s, now %s)", os, b.RunnerOS)
	case b.Branch != "" && branch != b.Branch:
		// A retry that names no branch matches whatever was stored.
		differs = fmt.Sprintf("branch (%s, now %s)", branch, b.Branch)
	case fp != nil && b.Fingerprint != nil && !bytes.Equal(fp, b.Fingerprint):
		differs = "body"
	default:
		return answer, nil
	}
	return nil, fmt.Errorf("%w: batch %q was already stored with another %s; a retry must send the same thing, anything else needs a new batch id",
		ErrConflict, b.ID, differs)
}

func (s *Store) writeBatch(ctx context.Context, tx pgx.Tx, b Batch, keys batchKeys) (Stored, error) {
	st := Stored{TestIDs: keys.tests, SignatureIDs: keys.signatures}
	if b.CampaignID != nil {
		var err error
		if b, st.Skipped, err = dropStoredIterations(ctx, tx, b); err != nil {
			return st, err
		}
		if st.Stop, err = s.countCampaignRuns(ctx, tx, b); err != nil {
			return st, err
		}
	}
	if len(b.Results) == 0 {
		return st, nil
	}
	if err := copyResults(ctx, tx, b, st.TestIDs, st.SignatureIDs); err != nil {
		return st, err
	}
	if err := addRollups(ctx, tx, b, st.TestIDs, st.SignatureIDs); err != nil {
		return st, err
	}
	if err := addRevisionRollups(ctx, tx, b, st.TestIDs); err != nil {
		return st, err
	}
	var failing []int64
	if !b.Infra {
		for _, r := range b.Results {
			if r.Signature != nil {
				failing = append(failing, st.TestIDs[r.Test])
			}
		}
	}
	var err error
	if st.Histories, err = histories(ctx, tx, b.Repo, b.RunnerOS, failing, b.Since); err != nil {
		return st, err
	}
	st.Now = s.Now()
	var tests, sigs, rules []int64
	for _, r := range b.Results {
		if r.Signature != nil {
			tests, sigs = append(tests, st.TestIDs[r.Test]), append(sigs, st.SignatureIDs[r.Signature.Hash])
			for _, m := range r.Rules {
				rules = append(rules, m.RuleID)
			}
		}
	}
	if len(tests) > 0 {
		st.Quarantines, err = quarantinesInForce(ctx, tx, b.Repo, tests, sigs, rules, st.Now)
	}
	return st, err
}

// upsertTests returns the id of every test in the batch, creating missing
// ones. Names are sorted so concurrent batches lock rows in the same order.
func upsertTests(ctx context.Context, tx execQuerier, repo string, rs []ResultRow) (map[string]int64, error) {
	names := make([]string, 0, len(rs))
	for _, r := range rs {
		names = append(names, r.Test)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	ids := make(map[string]int64, len(names))
	lookup := func(names []string) error {
		rows, err := tx.Query(ctx, `SELECT name, id FROM tests WHERE repo = $1 AND name = ANY($2)`, repo, names)
		if err != nil {
			return fmt.Errorf("look up tests: %w", err)
		}
		var name string
		var id int64
		_, err = pgx.ForEachRow(rows, []any{&name, &id}, func() error { ids[name] = id; return nil })
		return err
	}
	// Most tests exist already: look them up, and insert only the others
	// (an insert that conflicts costs more than a lookup).
	if err := lookup(names); err != nil || len(ids) == len(names) {
		return ids, err
	}
	var missing []string
	for _, n := range names {
		if _, ok := ids[n]; !ok {
			missing = append(missing, n)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO tests (repo, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, repo, missing); err != nil {
		return nil, fmt.Errorf("insert tests: %w", err)
	}
	return ids, lookup(missing)
}

// upsertSignatures returns the id of every signature in the batch by hash,
// creating missing ones.
func upsertSignatures(ctx context.Context, q execQuerier, b Batch) (map[string]int64, error) {
	bySig := map[string]*SignatureRow{}
	for _, r := range b.Results {
		if r.Signature != nil {
			bySig[r.Signature.Hash] = r.Signature
		}
	}
	ids := make(map[string]int64, len(bySig))
	lookup := func(hashes []string) error {
		algs := make([]int32, len(hashes))
		for i, h := range hashes {
			algs[i] = int32(bySig[h].Algorithm)
		}
		rows, err := q.Query(ctx, `
			SELECT s.id, s.hash FROM unnest($1::int[], $2::text[]) AS u(a, h)
			JOIN signatures s ON s.algorithm = u.a AND s.hash = u.h`, algs, hashes)
		if err != nil {
			return fmt.Errorf("look up signatures: %w", err)
		}
		var id int64
		var hash string
		_, err = pgx.ForEachRow(rows, []any{&id, &hash}, func() error { ids[hash] = id; return nil })
		return err
	}
	hashes := slices.Sorted(maps.Keys(bySig))
	if err := lookup(hashes); err != nil || len(ids) == len(hashes) {
		return ids, err
	}
	var missing []string
	for _, h := range hashes {
		if _, ok := ids[h]; !ok {
			missing = append(missing, h)
		}
	}
	algs, titles, norms := make([]int32, len(missing)), make([]string, len(missing)), make([]string, len(missing))
	for i, h := range missing {
		algs[i], titles[i], norms[i] = int32(bySig[h].Algorithm), bySig[h].Title, bySig[h].Normalized
	}
	if _, err := q.Exec(ctx, `
		INSERT INTO signatures (algorithm, hash, title, normalized, first_repo, first_revision)
		SELECT a, h, t, n, $5, $6 FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS u(a, h, t, n)
		ON CONFLICT (algorithm, hash) DO NOTHING`, algs, missing, titles, norms, b.Repo, b.Revision); err != nil {
		return nil, fmt.Errorf("insert signatures: %w", err)
	}
	return ids, lookup(missing)
}

func copyResults(ctx context.Context, tx pgx.Tx, b Batch, testIDs, sigIDs map[string]int64) error {
	// Only results with a failure text or a rule match need their id
	// known here (to key the text and the match); the others take theirs
	// from the column default inside COPY.
	var withText []int
	for i, r := range b.Results {
		if r.FailureText != "" || len(r.Rules) > 0 {
			withText = append(withText, i)
		}
	}
	ids := make([]int64, 0, len(withText))
	if len(withText) > 0 {
		rows, _ := tx.Query(ctx, `SELECT nextval('results_id_seq') FROM generate_series(1, $1)`, len(withText))
		var err error
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("allocate result ids: %w", err)
		}
	}
	now := time.Now()
	row := func(r ResultRow) []any {
		var sig *int64
		if r.Signature != nil {
			id := sigIDs[r.Signature.Hash]
			sig = &id
		}
		var det any
		if len(r.Detector) > 0 {
			det = string(r.Detector)
		}
		return []any{b.key(), testIDs[r.Test], r.Outcome, r.DurationUS, b.Repo, b.Revision, b.Builder,
			b.RunnerID, b.RunnerOS, b.JobID, b.CampaignID, r.Iteration, sig, det, now, b.Infra}
	}
	columns := []string{"batch_id", "test_id", "outcome", "duration_us", "repo", "revision", "builder",
		"runner_id", "runner_os", "job_id", "campaign_id", "iteration", "signature_id", "detector", "created_at", "infra"}
	var matches [][]any
	plain := make([][]any, 0, len(b.Results)-len(withText))
	texted := make([][]any, 0, len(withText))
	texts := make([][]any, 0, len(withText))
	k := 0
	for i, r := range b.Results {
		if k < len(withText) && withText[k] == i {
			texted = append(texted, append([]any{ids[k]}, row(r)...))
			if r.FailureText != "" {
				var output any
				if r.Output != "" {
					output = r.Output
				}
				texts = append(texts, []any{ids[k], r.FailureText, int32(r.Truncated), now, output})
			}
			for _, m := range r.Rules {
				matches = append(matches, []any{m.RuleID, ids[k], int32(m.Version), b.Repo, b.Revision, testIDs[r.Test],
					sigIDs[r.Signature.Hash], now})
			}
			k++
			continue
		}
		plain = append(plain, row(r))
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"results"}, columns, pgx.CopyFromRows(plain)); err != nil {
		return fmt.Errorf("copy results: %w", err)
	}
	if len(texted) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"results"}, append([]string{"id"}, columns...), pgx.CopyFromRows(texted)); err != nil {
		return fmt.Errorf("copy failing results: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"failure_texts"}, append(failureTextColumns, "output"), pgx.CopyFromRows(texts)); err != nil {
		return fmt.Errorf("copy failure texts: %w", err)
	}
	if len(matches) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"rule_matches"},
		[]string{"rule_id", "result_id", "version", "repo", "revision", "test_id", "signature_id", "created_at"}, pgx.CopyFromRows(matches)); err != nil {
		return fmt.Errorf("copy rule matches: %w", err)
	}
	return nil
}

func failed(outcome string) bool { return outcome == "fail" || outcome == "error" }

// failureTextColumns are what a failure text is written with: its
// result's id and time (the partition both are in), the text, and how many
// bytes were cut from it.
var failureTextColumns = []string{"result_id", "text", "truncated", "created_at"}
