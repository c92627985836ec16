package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/verdict"
)

// SeedOptions size a synthetic dataset for benchmarks and demos.
type SeedOptions struct {
	Repo       string
	Results    int // about this many results in total
	Tests      int
	Signatures int
	Runners    int
	Days       int
	Seed       uint64    // makes the dataset reproducible
	Now        time.Time // the last day of the dataset
	// Sign, if set, signs each seeded failure text as ingest would, so the
	// seeded signatures are the product's own (and `triaged resign` finds
	// nothing to do); without it they carry a synthetic key.
	Sign func(text string) SignatureRow
}

// SeedStats says what Seed wrote.
type SeedStats struct {
	Results, Failures, Revisions, Batches, Rollups, RevisionRollups int
}

// Seed writes a synthetic but realistic history into the database: tests,
// signatures and runners, then every result with COPY, together with the
// rollups, revision rollups and failure texts ingest would have written, so
// that pages read exactly what they would read in production. It is meant
// for an empty database; progress, if set, is told about each step.
func (s *Store) Seed(ctx context.Context, o SeedOptions, progress func(string)) (SeedStats, error) {
	if progress == nil {
		progress = func(string) {}
	}
	g := newGenerator(o)
	var st SeedStats
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := g.insertDimensions(ctx, tx); err != nil {
			return err
		}
		progress(fmt.Sprintf("%d tests, %d signatures, %d runners", len(g.tests), len(g.sigs), len(g.runners)))
		var first int64
		if err := tx.QueryRow(ctx, `SELECT setval('results_id_seq', nextval('results_id_seq') + $1) - $1`, int64(o.Results)+int64(o.Results)/4).Scan(&first); err != nil {
			return fmt.Errorf("reserve result ids: %w", err)
		}
		g.nextID = first
		for _, chunk := range g.plan() {
			rows, texts := g.results(chunk)
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"results"}, resultColumns, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy results: %w", err)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"failure_texts"}, failureTextColumns, pgx.CopyFromRows(texts)); err != nil {
				return fmt.Errorf("copy failure texts: %w", err)
			}
			n, err := g.copyRevisionRollups(ctx, tx)
			if err != nil {
				return err
			}
			st.RevisionRollups += n
			st.Results += len(rows)
			st.Failures += len(texts)
			progress(fmt.Sprintf("%d results", st.Results))
		}
		g.revRollups = map[revKey]*revCounts{}
		if err := g.seedCampaign(ctx, tx, &st); err != nil {
			return err
		}
		n, err := g.copyRevisionRollups(ctx, tx)
		if err != nil {
			return err
		}
		st.RevisionRollups += n
		if err := g.copyAggregates(ctx, tx, &st); err != nil {
			return err
		}
		st.Revisions, st.Batches = len(g.revisions), g.batches
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("seed: %w", err)
	}
	// The trigger appended the results' failures per signature and
	// revision; fold them as the server would.
	progress("fold")
	for {
		n, err := s.FoldRollups(ctx)
		if err != nil {
			return st, err
		}
		if n == 0 {
			break
		}
	}
	// Vacuum too, so index-only scans find the visibility map set, as
	// autovacuum would have left it on a live server.
	progress("vacuum analyze")
	if _, err = s.pool.Exec(ctx, `VACUUM ANALYZE results, rollups, revision_rollups, signature_revisions, tests, signatures`); err != nil {
		return st, err
	}
	// The verdicts read what is stored, planned with its statistics.
	progress("verdicts")
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return g.recordVerdicts(ctx, tx) }); err != nil {
		return st, fmt.Errorf("seed verdicts: %w", err)
	}
	_, err = s.pool.Exec(ctx, `ANALYZE test_verdicts, revision_verdicts, upload_batches, revision_branches`)
	return st, err
}

var resultColumns = []string{"id", "batch_id", "test_id", "outcome", "duration_us", "repo", "revision", "builder",
	"runner_id", "runner_os", "signature_id", "created_at"}

func (g *generator) insertDimensions(ctx context.Context, tx pgx.Tx) error {
	names := make([]string, len(g.tests))
	for i, t := range g.tests {
		names[i] = t.name
	}
	rows, _ := tx.Query(ctx, `INSERT INTO tests (repo, name, created_at) SELECT $1, n, $3 FROM unnest($2::text[]) n RETURNING id`,
		g.o.Repo, names, g.start)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("insert tests: %w", err)
	}
	for i := range g.tests {
		g.tests[i].id = ids[i]
	}
	// Texts the algorithm keys alike share one signature, as they would
	// after ingest.
	algorithm := int32(1)
	var algs []int32
	var hashes, titles, norms []string
	var firsts []time.Time
	index := map[string]int{}
	for i := range g.sigs {
		sg := &g.sigs[i]
		if g.o.Sign != nil {
			row := g.o.Sign(sg.text)
			algorithm, sg.hash, sg.title, sg.normalized = int32(row.Algorithm), row.Hash, row.Title, row.Normalized
		}
		if k, ok := index[sg.hash]; ok {
			if sg.first.Before(firsts[k]) {
				firsts[k] = sg.first
			}
			continue
		}
		index[sg.hash] = len(hashes)
		algs, hashes, titles, norms, firsts = append(algs, algorithm), append(hashes, sg.hash), append(titles, sg.title),
			append(norms, sg.normalized), append(firsts, sg.first)
	}
	rows, _ = tx.Query(ctx, `INSERT INTO signatures (algorithm, hash, title, normalized, first_seen, last_seen)
		SELECT a, h, t, n, f, $6 FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS u(a, h, t, n, f, o)
		ORDER BY o RETURNING id`,
		algs, hashes, titles, norms, firsts, g.o.Now)
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return fmt.Errorf("insert signatures: %w", err)
	}
	for i := range g.sigs {
		g.sigs[i].id = ids[index[g.sigs[i].hash]]
	}
	for i := range g.runners {
		r := &g.runners[i]
		hash := make([]byte, 32)
		rand.Read(hash)
		err := tx.QueryRow(ctx, `INSERT INTO runners (name, os, arch, labels, version, token_hash, last_seen, created_at)
			VALUES ($1, $2, 'amd64', $3, 'seed', $4, $5, $6) RETURNING id`,
			r.name, r.os, []string{r.os, "x64"}, hash, r.lastSeen, g.start).Scan(&r.id)
		if err != nil {
			return fmt.Errorf("insert runner: %w", err)
		}
	}
	return nil
}

// seedJudged is how many of the newest revisions the seed judges.
const seedJudged = 100

// recordVerdicts stores what the classifier says of every seeded test on
// every OS and of every revision, as the status recorder would have after
// the uploads: the lists filter and sort by it.
func (g *generator) recordVerdicts(ctx context.Context, tx pgx.Tx) error {
	ids := make([]int64, len(g.tests))
	for i, t := range g.tests {
		ids[i] = t.id
	}
	vs := map[verdict.TestKey]verdict.Verdict{}
	for _, os := range []string{"windows", "linux", "macos"} {
		hs, err := histories(ctx, tx, g.o.Repo, os, ids, g.o.Now.Add(-verdict.DefaultWindow))
		if err != nil {
			return err
		}
		for id, h := range hs {
			if len(h.Revisions) > 0 {
				vs[verdict.TestKey{TestID: id, OS: os}] = verdict.OfTest(h)
			}
		}
	}
	if err := saveTestVerdicts(ctx, tx, vs); err != nil {
		return err
	}
	// And of its newest revisions as a whole, for the list of revisions
	// (older ones read as not judged, as on a server upgraded to keep
	// them); the state of a status is the GitHub package's to say, so it
	// stays empty.
	for _, r := range g.revisions[max(0, len(g.revisions)-seedJudged):] {
		facts, err := commitFacts(ctx, tx, g.o.Repo, r.sha, g.o.Now.Add(-verdict.DefaultWindow), g.o.Now)
		if err != nil {
			return err
		}
		if err := saveRevisionVerdict(ctx, tx, facts, ""); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) copyAggregates(ctx context.Context, tx pgx.Tx, st *SeedStats) error {
	roll := make([][]any, 0, len(g.rollups))
	for k, c := range g.rollups {
		roll = append(roll, []any{k.day, k.test, k.sig, k.os, k.branch, c[0], c[1]})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"rollups"}, []string{"day", "test_id", "signature_id", "runner_os", "branch", "runs", "failures"}, pgx.CopyFromRows(roll)); err != nil {
		return fmt.Errorf("copy rollups: %w", err)
	}
	st.Rollups = len(roll)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"upload_batches"},
		[]string{"id", "repo", "revision", "builder", "runner_id", "results", "response", "created_at", "branch", "url", "failures", "skips"},
		pgx.CopyFromRows(g.batchRows)); err != nil {
		return fmt.Errorf("copy upload batches: %w", err)
	}
	branches := make([][]any, len(g.revisions))
	for i, r := range g.revisions {
		branches[i] = []any{g.o.Repo, r.branch, r.sha, r.at}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"revision_branches"}, []string{"repo", "branch", "revision", "first_seen"}, pgx.CopyFromRows(branches)); err != nil {
		return fmt.Errorf("copy revision branches: %w", err)
	}
	return nil
}

// copyRevisionRollups writes the revision rollups of the chunk just
// generated; a chunk holds whole revisions, so they are complete.
func (g *generator) copyRevisionRollups(ctx context.Context, tx pgx.Tx) (int, error) {
	rev := make([][]any, 0, len(g.revRollups))
	for k, c := range g.revRollups {
		rev = append(rev, []any{k.repo, k.rev, k.test, k.os, c.runs, c.passes, c.failures, c.first, c.last})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"revision_rollups"},
		[]string{"repo", "revision", "test_id", "runner_os", "runs", "passes", "failures", "first_seen", "last_seen"}, pgx.CopyFromRows(rev)); err != nil {
		return 0, fmt.Errorf("copy revision rollups: %w", err)
	}
	return len(rev), nil
}
