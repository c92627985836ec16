package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Batch is one upload: results from one run of one builder on one revision.
type Batch struct {
	ID         string
	Repo       string
	Revision   string
	Builder    string
	RunnerID   *int64 // set when a registered runner uploads
	RunnerOS   string // "" when unknown
	JobID      *int64 // set for results of a campaign job
	CampaignID *int64 // likewise
	Results    []ResultRow
}

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
	// SignatureIDs maps a signature hash to its row id.
	SignatureIDs map[string]int64
	// KnownElsewhere holds the hashes of signatures already seen in the same
	// repo on another revision: known failures rather than new ones.
	KnownElsewhere map[string]bool
	// Revision maps a test name to its counts on this revision and runner OS,
	// including this batch.
	Revision map[string]RevisionCounts
	// Skipped counts results of campaign iterations that were already stored
	// by an earlier attempt of the job and so were not stored again.
	Skipped int
	// Stop is set for a campaign batch when the runner should stop the job:
	// the campaign's stop rule ended it, or it had already ended.
	Stop bool
}

// RevisionCounts are a test's runs on one revision and runner OS.
type RevisionCounts struct {
	Runs, Passes, Failures int
}

// IngestBatch stores a batch in one transaction: tests, signatures, results
// (with COPY), failure texts, rollups. respond builds the upload's answer
// from what was stored; it is saved with the batch, so a retry of the same
// batch id gets the same answer and stores nothing. The second return value
// is true for such a duplicate.
func (s *Store) IngestBatch(ctx context.Context, b Batch, respond func(Stored) (any, error)) (json.RawMessage, bool, error) {
	var answer json.RawMessage
	var duplicate bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO upload_batches (id, repo, revision, builder, runner_id, job_id, results, response)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '{}') ON CONFLICT (id) DO NOTHING`,
			b.ID, b.Repo, b.Revision, b.Builder, b.RunnerID, b.JobID, len(b.Results))
		if err != nil {
			return fmt.Errorf("record batch: %w", err)
		}
		if tag.RowsAffected() == 0 {
			// A concurrent insert of the same id waited for the first to
			// commit, so the stored answer is complete here.
			duplicate = true
			return tx.QueryRow(ctx, `SELECT response FROM upload_batches WHERE id = $1`, b.ID).Scan(&answer)
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
		if _, err = tx.Exec(ctx, `UPDATE upload_batches SET response = $2 WHERE id = $1`, b.ID, answer); err != nil {
			return err
		}
		// After the answer is stored: the status reads its infra verdict.
		return s.enqueueRevisionStatus(ctx, tx, b)
	})
	if err != nil {
		return nil, false, fmt.Errorf("ingest batch %q: %w", b.ID, translate(err))
	}
	return answer, duplicate, nil
}

func (s *Store) writeBatch(ctx context.Context, tx pgx.Tx, b Batch) (Stored, error) {
	st := Stored{SignatureIDs: map[string]int64{}, KnownElsewhere: map[string]bool{}, Revision: map[string]RevisionCounts{}}
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
	testIDs, err := upsertTests(ctx, tx, b.Repo, b.Results)
	if err != nil {
		return st, err
	}
	if err := upsertSignatures(ctx, tx, b, &st); err != nil {
		return st, err
	}
	if err := copyResults(ctx, tx, b, testIDs, st.SignatureIDs); err != nil {
		return st, err
	}
	if err := addRollups(ctx, tx, b, testIDs, st.SignatureIDs); err != nil {
		return st, err
	}
	return st, addRevisionRollups(ctx, tx, b, testIDs, &st)
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
		SELECT s.id, s.hash, (s.first_repo, s.first_revision) <> ($3, $4)
		FROM unnest($1::int[], $2::text[]) AS u(a, h)
		JOIN signatures s ON s.algorithm = u.a AND s.hash = u.h`, algs, hashes, b.Repo, b.Revision)
	if err != nil {
		return fmt.Errorf("look up signatures: %w", err)
	}
	var id int64
	var hash string
	var known bool
	ids := make([]int64, 0, len(hashes))
	_, err = pgx.ForEachRow(rows, []any{&id, &hash, &known}, func() error {
		st.SignatureIDs[hash] = id
		ids = append(ids, id)
		if known {
			st.KnownElsewhere[hash] = true
		}
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
	// Only results with a failure text need their id known here (to key the
	// text); the others take theirs from the column default inside COPY.
	var withText []int
	for i, r := range b.Results {
		if r.FailureText != "" {
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
		return []any{b.ID, testIDs[r.Test], r.Outcome, r.DurationUS, b.Repo, b.Revision, b.Builder,
			b.RunnerID, b.RunnerOS, b.JobID, b.CampaignID, r.Iteration, sig, det, now}
	}
	columns := []string{"batch_id", "test_id", "outcome", "duration_us", "repo", "revision", "builder",
		"runner_id", "runner_os", "job_id", "campaign_id", "iteration", "signature_id", "detector", "created_at"}
	plain := make([][]any, 0, len(b.Results)-len(withText))
	texted := make([][]any, 0, len(withText))
	texts := make([][]any, 0, len(withText))
	k := 0
	for i, r := range b.Results {
		if k < len(withText) && withText[k] == i {
			texted = append(texted, append([]any{ids[k]}, row(r)...))
			texts = append(texts, []any{ids[k], r.FailureText, int32(r.Truncated)})
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
	return nil
}

func failed(outcome string) bool { return outcome == "fail" || outcome == "error" }
