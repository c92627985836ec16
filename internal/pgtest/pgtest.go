// Package pgtest gives each test its own PostgreSQL database, cloned from a
// template that holds the migrated schema, so tests run in parallel against a
// real server without seeing each other's rows.
//
// The server is, in order: TRIAGED_TEST_DATABASE_URL; the local server at
// 127.0.0.1:5432; a private cluster started for the test process from the
// installed PostgreSQL binaries. When none can be had the test fails: a test
// that needs Postgres never skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triaged/triaged/internal/localpg"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/migrations"
)

const localURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var server struct {
	once     sync.Once
	adminURL string // a maintenance database on the chosen server
	template string // name of the migrated template database
	cluster  *localpg.Cluster
	err      error
}

// NewStore returns a store on a fresh, migrated database of its own, dropped
// when the test ends.
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), NewDatabase(t))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(st.Close)
	return st
}

// BenchStore returns the store benchmarks read: the database at
// TRIAGED_BENCH_DATABASE_URL when set (seed one with "triaged seed"), or
// else a fresh one seeded with a small history of 100,000 results.
func BenchStore(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	if u := os.Getenv("TRIAGED_BENCH_DATABASE_URL"); u != "" {
		st, err := store.Open(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(st.Close)
		return st
	}
	st := NewStore(b)
	if _, err := st.Seed(ctx, store.SeedOptions{Repo: "python/cpython", Results: 100_000, Tests: 400, Signatures: 100,
		Runners: 12, Days: 30, Seed: 1, Now: time.Now()}, nil); err != nil {
		b.Fatal(err)
	}
	return st
}

// NewDatabase creates a fresh, migrated database for the test and returns its
// URL. The database is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, func() string { return server.template })
}

// NewEmptyDatabase creates a database with no schema at all, for tests of
// migrations themselves, and returns its URL. It is dropped when the test ends.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, func() string { return "template0" })
}

func createDatabase(t testing.TB, template func() string) string {
	t.Helper()
	server.once.Do(setup)
	if server.err != nil {
		t.Fatalf("pgtest: no PostgreSQL for tests: %v", server.err)
	}
	ctx := context.Background()
	name := "triaged_test_" + randomHex(8)
	conn, err := pgx.Connect(ctx, server.adminURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template())); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, server.adminURL)
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(server.adminURL, name)
}

// Stop stops the private cluster if this process started one. Call it from
// TestMain after m.Run in packages that may fall back to one.
func Stop() {
	if server.cluster != nil {
		server.cluster.Stop()
	}
}

func setup() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server.adminURL, server.err = chooseServer(ctx)
	if server.err != nil {
		return
	}
	server.template, server.err = ensureTemplate(ctx, server.adminURL)
}

func chooseServer(ctx context.Context) (string, error) {
	if u := os.Getenv("TRIAGED_TEST_DATABASE_URL"); u != "" {
		if err := ping(ctx, u); err != nil {
			return "", fmt.Errorf("TRIAGED_TEST_DATABASE_URL: %w", err)
		}
		return u, nil
	}
	if ping(ctx, localURL) == nil {
		return localURL, nil
	}
	dir, err := os.MkdirTemp("", "triaged-pgtest-")
	if err != nil {
		return "", err
	}
	os.Chmod(dir, 0o711) // the cluster may run as another user when we are root
	c, err := localpg.Start(ctx, localpg.Options{Dir: dir, Fast: true, Log: slog.Default()})
	if err != nil {
		return "", fmt.Errorf("no server at TRIAGED_TEST_DATABASE_URL or 127.0.0.1:5432, and a private cluster failed: %w", err)
	}
	server.cluster = c
	return c.URL("postgres"), nil
}

func ping(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// ensureTemplate builds the template database once per schema: its name
// carries a hash of the migration files, and an advisory lock keeps test
// processes of several packages from building it at the same time.
func ensureTemplate(ctx context.Context, adminURL string) (string, error) {
	name := "triaged_tmpl_" + schemaHash()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7234001)`); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(7234001)`)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, withDatabase(adminURL, building))
	if err != nil {
		return "", err
	}
	_, err = st.Migrate(ctx, slog.New(slog.DiscardHandler))
	st.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

func schemaHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(rawURL, db string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad URL %q: %v", rawURL, err))
	}
	u.Path = "/" + db
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
