package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	RunnerID    *int64 // set when a registered runner uploads
	RunnerOS    string // "" when unknown
	JobID       *int64 // set for results of a campaign job
	CampaignID  *int64 // likewise
	// Branch is the branch the upload named, "" for none.
	Branch string
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
	Detector    []byte
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
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := checkRuleEpoch(ctx, tx, b.RuleEpoch); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO upload_batches (id, principal, repo, revision, builder, runner_os, runner_id, job_id, results, fingerprint, response, branch)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}', $11) ON CONFLICT (id) DO NOTHING`,
			b.key(), b.Principal, b.Repo, b.Revision, b.Builder, b.RunnerOS, b.RunnerID, b.JobID, len(b.Results), b.Fingerprint, b.Branch)
		if err != nil {
			return fmt.Errorf("record batch: %w", err)
		}
		if tag.RowsAffected() == 0 {
			// A concurrent insert of the same id waited for the first to
			// commit, so the stored answer is complete here.
			duplicate = true
			answer, err = sameBatch(ctx, tx, b)
			return err
		}
		stored, err := s.writeBatch(ctx, tx, b)
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
		return markDirty(ctx, tx, b.Repo, b.Revision, nil)
	})
	if errors.Is(err, ErrRulesChanged) {
		return nil, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("ingest batch %q: %w", b.ID, translate(err))
	}
	return answer, duplicate, nil
}

// sameBatch returns the stored answer of a batch sent again, or an
// ErrConflict naming what differs when the id was reused for something
// else.
func sameBatch(ctx context.Context, tx pgx.Tx, b Batch) (json.RawMessage, error) {
	var repo, revision, builder, os string
	var fp []byte
	var answer json.RawMessage
	err := tx.QueryRow(ctx, `SELECT repo, revision, builder, runner_os, fingerprint, response FROM upload_batches WHERE id = $1`,
		b.key()).Scan(&repo, &revision, &builder, &os, &fp, &answer)
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
	case fp != nil && b.Fingerprint != nil && !bytes.Equal(fp, b.Fingerprint):
		differs = "body"
	default:
		return answer, nil
	}
	return nil, fmt.Errorf("%w: batch %q was already stored with another %s; a retry must send the same thing, anything else needs a new batch id",
		ErrConflict, b.ID, differs)
}

func (s *Store) writeBatch(ctx context.Context, tx pgx.Tx, b Batch) (Stored, error) {
	st := Stored{SignatureIDs: map[string]int64{}}
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
	var err error
	if st.TestIDs, err = upsertTests(ctx, tx, b.Repo, b.Results); err != nil {
		return st, err
	}
	if err := upsertSignatures(ctx, tx, b, &st); err != nil {
		return st, err
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
func upsertTests(ctx context.Context, tx pgx.Tx, repo string, rs []ResultRow) (map[string]int64, error) {
	names := make([]string, 0, len(rs))
	for _, r := range rs {
		names = append(names, r.Test)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if _, err := tx.Exec(ctx, `INSERT INTO tests (repo, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, repo, names); err != nil {
		return nil, fmt.Errorf("insert tests: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT name, id FROM tests WHERE repo = $1 AND name = ANY($2)`, repo, names)
	if err != nil {
		return nil, fmt.Errorf("look up tests: %w", err)
	}
	ids := make(map[string]int64, len(names))
	var name string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&name, &id}, func() error { ids[name] = id; return nil })
	return ids, err
}

func upsertSignatures(ctx context.Context, tx pgx.Tx, b Batch, st *Stored) error {
	bySig := map[string]*SignatureRow{}
	for _, r := range b.Results {
		if r.Signature != nil {
			bySig[r.Signature.Hash] = r.Signature
		}
	}
	if len(bySig) == 0 {
		return nil
	}
	hashes := make([]string, 0, len(bySig))
	for h := range bySig {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	algs, titles, norms := make([]int32, len(hashes)), make([]string, len(hashes)), make([]string, len(hashes))
	for i, h := range hashes {
		algs[i], titles[i], norms[i] = int32(bySig[h].Algorithm), bySig[h].Title, bySig[h].Normalized
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO signatures (algorithm, hash, title, normalized, first_repo, first_revision)
		SELECT a, h, t, n, $5, $6 FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS u(a, h, t, n)
		ON CONFLICT (algorithm, hash) DO NOTHING`, algs, hashes, titles, norms, b.Repo, b.Revision); err != nil {
		return fmt.Errorf("insert signatures: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT s.id, s.hash FROM unnest($1::int[], $2::text[]) AS u(a, h)
		JOIN signatures s ON s.algorithm = u.a AND s.hash = u.h`, algs, hashes)
	if err != nil {
		return fmt.Errorf("look up signatures: %w", err)
	}
	var id int64
	var hash string
	ids := make([]int64, 0, len(hashes))
	_, err = pgx.ForEachRow(rows, []any{&id, &hash}, func() error {
		st.SignatureIDs[hash] = id
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return err
	}
	// last_seen is refreshed at most once a minute, so concurrent uploads of
	// a common failure do not queue on the same row lock.
	_, err = tx.Exec(ctx, `UPDATE signatures SET last_seen = now() WHERE id = ANY($1) AND last_seen < now() - interval '1 minute'`, ids)
	return err
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
				texts = append(texts, []any{ids[k], r.FailureText, int32(r.Truncated)})
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
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"failure_texts"}, []string{"result_id", "text", "truncated"}, pgx.CopyFromRows(texts)); err != nil {
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
