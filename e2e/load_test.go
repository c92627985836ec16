package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/pgtest"
)

// loadShape is who uploads what during a load test.
type loadShape struct {
	name    string
	clients int
	// upload returns client c's b-th upload: its query and body.
	upload func(c, b int) (query, body string)
}

// loadShapes are the two loads the server is held to: fifty CI jobs
// uploading to one commit at once (the worst case for contention on one
// commit's rows), and a day's mix — two hundred builders over twenty
// commits, one upload in ten with hundreds of failures.
var loadShapes = []loadShape{
	{name: "one-commit", clients: 50, upload: func(c, b int) (string, string) {
		return fmt.Sprintf("repo=o/r&revision=10ad000&builder=c%d&batch=load-%d-%d", c, c, b), batch(100, c)
	}},
	{name: "mixed", clients: 200, upload: func(c, b int) (string, string) {
		q := fmt.Sprintf("repo=o/r&revision=3e1%04d&builder=b%d&batch=mixed-%d-%d", c%20, c, c, b)
		if b%10 == c%10 {
			return q, failingBatch(600, 200, c*1000+b)
		}
		return q, batch(200, c+b)
	}},
}

// TestLoad runs each load shape against one server for
// TRIAGED_LOAD_SECONDS (default 30) and reports errors, latency, results/s,
// the CPU the server and the database spent per result, the bytes each
// stored result takes and the server's peak memory. Every acknowledged
// result must be stored, and no request may fail.
func TestLoad(t *testing.T) {
	seconds := 30
	if v, err := strconv.Atoi(os.Getenv("TRIAGED_LOAD_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	for _, shape := range loadShapes {
		t.Run(shape.name, func(t *testing.T) { runLoad(t, shape, time.Duration(seconds)*time.Second) })
	}
}

func runLoad(t *testing.T, shape loadShape, length time.Duration) {
	db := pgtest.NewDatabase(t)
	s := startServer(t, db)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	serverCPU0, dbCPU0 := procCPU(s.cmd.Process.Pid), backendsCPU(t, conn)
	var empty int64
	conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&empty)

	loadCtx, cancel := context.WithTimeout(ctx, length)
	defer cancel()
	var mu sync.Mutex
	var latencies []time.Duration
	var failures, acked, sent atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range shape.clients {
		wg.Go(func() {
			client := &http.Client{Timeout: 60 * time.Second}
			for b := 0; loadCtx.Err() == nil; b++ {
				query, body := shape.upload(c, b)
				t0 := time.Now()
				code := post(ctx, client, s.url("/api/v1/results?"+query), "application/json", body)
				d := time.Since(t0)
				if code != 200 {
					failures.Add(1)
					continue
				}
				acked.Add(1)
				sent.Add(int64(strings.Count(body, `"outcome"`)))
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	// The status and the folded rollups are part of the work: wait for
	// them, so the CPU counted is all that the load cost.
	waitFor(t, 5*time.Minute, "the rollups folded and the statuses recorded", func() bool {
		var pending int
		conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM status_dirty) + (SELECT count(*) FROM rollup_deltas)
			+ (SELECT count(*) FROM revision_rollup_deltas) + (SELECT count(*) FROM signature_revision_deltas)`).Scan(&pending)
		return pending == 0
	})
	drained := time.Since(start)
	serverCPU, dbCPU := procCPU(s.cmd.Process.Pid)-serverCPU0, backendsCPU(t, conn)-dbCPU0
	peak := peakRSS(s.cmd.Process.Pid)

	var rows, failing int
	conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE outcome = 'fail') FROM results`).Scan(&rows, &failing)
	if failures.Load() != 0 {
		t.Errorf("%d requests failed under load", failures.Load())
	}
	if int64(rows) != sent.Load() {
		t.Errorf("stored %d results, acknowledged %d", rows, sent.Load())
	}
	if len(latencies) == 0 {
		t.Fatal("no upload was acknowledged")
	}
	slices.Sort(latencies)
	p := func(q float64) time.Duration {
		return latencies[int(q*float64(len(latencies)-1))].Round(time.Millisecond)
	}
	perResult := func(d time.Duration) string {
		return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/float64(rows))
	}
	sizes := storedBytes(t, conn)
	figure(t, "%s: %d uploaders for %v: %d batches, %d errors; latency p50 %v, p99 %v, max %v; %.0f results/s (%d results, %d failing; folded and judged after %v); CPU per result: server %s, PostgreSQL %s; bytes per result %.0f, per failure text %.0f, whole database per result %.0f; server peak RSS %s",
		shape.name, shape.clients, elapsed.Round(time.Second), acked.Load(), failures.Load(), p(0.5), p(0.99), latencies[len(latencies)-1].Round(time.Millisecond),
		float64(rows)/elapsed.Seconds(), rows, failing, drained.Round(time.Second), perResult(serverCPU), perResult(dbCPU),
		float64(sizes.results)/float64(rows), float64(sizes.texts)/float64(max(failing, 1)), float64(sizes.database-empty)/float64(rows), peak)
}

// failingBatch is an upload of n results of which failing fail, with a few
// distinct failures among them, as when a change breaks a module.
func failingBatch(n, failing, seed int) string {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i < failing {
			fmt.Fprintf(&b, `{"test":"mod.t%03d","outcome":"fail","failure_text":"Traceback (most recent call last):\n  File \"mod.py\", line %d, in t%03d\nConnectionResetError: [Errno 104] reset %d\n"}`, i, 10+i%5, i, seed)
		} else {
			fmt.Fprintf(&b, `{"test":"mod.t%03d","outcome":"pass","duration_seconds":0.02}`, i)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// procCPU is the user and system CPU process pid has used, or zero when it
// cannot be read (another host, another OS).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: utime and stime are the 12th and 13th of them.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ is 100 on Linux
}

// backendsCPU is the CPU used by the PostgreSQL backends serving the
// test's database, when the server runs on this host.
func backendsCPU(t *testing.T, conn *pgx.Conn) time.Duration {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	var sum time.Duration
	for _, pid := range pids {
		sum += procCPU(int(pid))
	}
	return sum
}

type dbSizes struct{ results, texts, database int64 }

// storedBytes measures, after a VACUUM, the results and failure texts
// (every partition, with indexes and TOAST; the table itself where it is
// not partitioned) and the whole database.
func storedBytes(t *testing.T, conn *pgx.Conn) dbSizes {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `VACUUM`); err != nil {
		t.Fatal(err)
	}
	var s dbSizes
	err := conn.QueryRow(ctx, `
		SELECT coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'results'::regclass),
		                pg_total_relation_size('results'))::bigint,
		       coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'failure_texts'::regclass),
		                pg_total_relation_size('failure_texts'))::bigint,
		       pg_database_size(current_database())`).Scan(&s.results, &s.texts, &s.database)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
