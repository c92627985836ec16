package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// seedCampaign adds a finished stress campaign of the legacy proactor on the
// Windows runners, whose failing iterations carry detector reports, so the
// campaign page has findings to show.
func (g *generator) seedCampaign(ctx context.Context, tx pgx.Tx, st *SeedStats) error {
	const iterations = 3000
	var windows []seedRunner
	for _, r := range g.runners {
		if r.os == "windows" && len(windows) < 3 {
			windows = append(windows, r)
		}
	}
	if len(windows) == 0 {
		return nil
	}
	sig := g.sigs[min(5, len(g.sigs)-1)] // a lost-bytes signature
	started := g.o.Now.Add(-6 * time.Hour)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO campaigns (name, kind, scenario, proactor, backend, params, labels, iterations, planned,
			stop_rule, state, reason, created_at, started_at, finished_at, created_by)
		VALUES ('starttls-server (legacy) × 3000', 'scenario', 'starttls-server', 'legacy', 'iocp',
			'{"packets": 2000, "packet_size": 4096, "pause_every": "5ms"}', '{windows}', $1, $1, 'count', 'done', '', $2, $2, $3, 'seed')
		RETURNING id`, iterations, started, started.Add(2*time.Hour)).Scan(&id)
	if err != nil {
		return fmt.Errorf("insert campaign: %w", err)
	}
	var test int64
	if err := tx.QueryRow(ctx, `INSERT INTO tests (repo, name) VALUES ('triaged/stress', 'starttls-server') RETURNING id`).Scan(&test); err != nil {
		return fmt.Errorf("insert campaign test: %w", err)
	}
	var rows, texts [][]any
	failures := 0
	for it := range iterations {
		r := windows[it%len(windows)]
		at := started.Add(time.Duration(it) * 2 * time.Second)
		outcome, sigID, detector := "pass", any(nil), any(nil)
		if g.rng.IntN(50) == 0 {
			failures++
			offset := 4096 * (200 + int(g.rng.NormFloat64()*60))
			outcome, sigID = "fail", sig.id
			detector = fmt.Sprintf(`{"anomalies":[{"kind":"lost-bytes","phase":"tls","offset":%d,"length":%d,"received_at":%d,
				"detail":"WSARecv completed with %d bytes after CancelIoEx returned ERROR_NOT_FOUND; the completion was ignored",
				"trace":[{"op":%d,"event":"post WSARecv","size":65536},{"op":%d,"event":"pause_reading","cancel":"ERROR_NOT_FOUND"},
				{"op":%d,"event":"completion","bytes":%d,"state":"cancelled","action":"ignored"}]}],"bytes_sent":8192000}`,
				offset, 1024+g.rng.IntN(3072), offset+4096, 4096, it*7, it*7, it*7, 4096)
			texts = append(texts, []any{g.nextID, "detector: lost-bytes after pause_reading during start_tls", int32(0), at})
		}
		rows = append(rows, []any{g.nextID, fmt.Sprintf("seed-campaign-%d-%d", id, it/25), test, outcome, int64(900_000),
			"triaged/stress", fmt.Sprintf("campaign-%d", id), r.name, r.id, r.os, sigID, at, id, int32(it), detector})
		g.nextID++
		g.count("triaged/stress", fmt.Sprintf("campaign-%d", id), "", at, test, asInt64(sigID), r.os, outcome)
	}
	cols := append(append([]string{}, resultColumns...), "campaign_id", "iteration", "detector")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"results"}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy campaign results: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"failure_texts"}, failureTextColumns, pgx.CopyFromRows(texts)); err != nil {
		return fmt.Errorf("copy campaign failure texts: %w", err)
	}
	st.Results += len(rows)
	st.Failures += len(texts)
	_, err = tx.Exec(ctx, `UPDATE campaigns SET runs = $2, failures = $3 WHERE id = $1`, id, iterations, failures)
	return err
}

func asInt64(v any) int64 {
	if n, ok := v.(int64); ok {
		return n
	}
	return 0
}
