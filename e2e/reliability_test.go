package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/localpg"
	"github.com/triaged/triaged/internal/pgtest"
)

// figure records a measured figure for docs/RELIABILITY.md.
func figure(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	if path := os.Getenv("TRIAGED_FIGURES"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s\t%s\n", t.Name(), line)
			f.Close()
		}
	}
}

func countResults(t *testing.T, dbURL, revision string) (rows, batches int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT batch_id) FROM results WHERE revision = $1`, revision).Scan(&rows, &batches); err != nil {
		t.Fatal(err)
	}
	return rows, batches
}

// uploaders runs n clients that each send batches batches of size results
// (batch ids unique per client and batch) until every one is stored.
func uploaders(t *testing.T, base func() string, revision string, n, batches, size int) (retries int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var extra atomic.Int64
	errs := make(chan error, n)
	for c := range n {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for b := range batches {
				q := fmt.Sprintf("repo=o/r&revision=%s&builder=c%d&batch=%s-%d-%d", revision, c, revision, c, b)
				tries, err := uploadUntilStored(ctx, client, base, q, batch(size, c*1000+b))
				if err != nil {
					errs <- fmt.Errorf("client %d batch %d: %w", c, b, err)
					return
				}
				extra.Add(int64(tries - 1))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return extra.Load()
}

// TestServerKilledDuringUploads kills the server with SIGKILL while clients
// upload, restarts it, and lets the clients retry with the same batch ids:
// every batch is stored exactly once.
func TestServerKilledDuringUploads(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	s := startServer(t, db)
	const clients, batches, size = 10, 15, 200
	go func() {
		time.Sleep(700 * time.Millisecond)
		s.kill()
		time.Sleep(300 * time.Millisecond)
		s.start()
	}()
	retries := uploaders(t, func() string { return "http://" + s.addr }, "dead9000", clients, batches, size)
	rows, stored := countResults(t, db, "dead9000")
	if rows != clients*batches*size || stored != clients*batches {
		t.Errorf("stored %d results in %d batches, want %d in %d", rows, stored, clients*batches*size, clients*batches)
	}
	figure(t, "server killed (SIGKILL) and restarted during uploads: %d batches of %d results sent by %d clients with %d retries; stored %d results, %d batches: none lost, none twice",
		clients*batches, size, clients, retries, rows, stored)
}

// TestPostgresRestartDuringUploadsAndLeases restarts the database under a
// server while clients upload and a runner works a campaign: nothing is
// lost, nothing counted twice, and nobody needs a manual step.
func TestPostgresRestartDuringUploadsAndLeases(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "pgr")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o711) // the cluster runs as another user when tests run as root
	defer os.RemoveAll(dir)
	opts := localpg.Options{Dir: filepath.Join(dir, "d"), Fast: false}
	cluster, err := localpg.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cluster.Stop() }()
	db := cluster.URL(localpg.Database)
	s := startServer(t, db)

	// A campaign for a runner to work on through the outage.
	code := post(context.Background(), http.DefaultClient, s.url("/api/v1/campaigns"), "application/json",
		`{"kind":"exec","command":["sh","-c","sleep 0.02"],"iterations":150,"parallel":2}`)
	if code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	runner := startRunner(t, s.url(""), "r1")

	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		time.Sleep(800 * time.Millisecond)
		if err := cluster.Stop(); err != nil {
			t.Errorf("stop postgres: %v", err)
		}
		time.Sleep(1500 * time.Millisecond)
		c, err := localpg.Start(context.Background(), opts)
		if err != nil {
			t.Errorf("restart postgres: %v", err)
			return
		}
		cluster = c
	}()
	retries := uploaders(t, func() string { return "http://" + s.addr }, "9e57a47", 8, 12, 200)
	<-restarted
	rows, stored := countResults(t, db, "9e57a47")
	if rows != 8*12*200 || stored != 8*12 {
		t.Errorf("stored %d results in %d batches, want %d in %d", rows, stored, 8*12*200, 8*12)
	}
	defer func() {
		if t.Failed() {
			t.Logf("runner log:\n%s\nserver log:\n%s", runner.stderr, s.stderr)
		}
	}()
	waitCampaignDone(t, db, 2*time.Minute)
	var runs, distinct, total int
	conn, _ := pgx.Connect(context.Background(), db)
	conn.QueryRow(context.Background(), `SELECT c.runs, (SELECT count(DISTINCT iteration) FROM results r WHERE r.campaign_id = c.id),
		(SELECT count(*) FROM results r WHERE r.campaign_id = c.id) FROM campaigns c`).Scan(&runs, &distinct, &total)
	conn.Close(context.Background())
	if runs != 150 || distinct != 150 || total != 150 {
		t.Errorf("campaign: %d runs, %d distinct iterations, %d results; want 150 each", runs, distinct, total)
	}
	runner.stop(t)
	figure(t, "PostgreSQL stopped for 1.5 s and restarted during uploads and leases: %d batches with %d retries all stored once (%d results); the campaign finished with exactly %d iterations; no manual step",
		stored, retries, rows, runs)
}

func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
