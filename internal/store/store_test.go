package store_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

var quiet = slog.New(slog.DiscardHandler)

func openEmpty(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openEmpty(t)
	first, err := st.Migrate(ctx, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if first.Current != first.Latest || first.Latest < 1 {
		t.Fatalf("after first migrate: got %+v, want current = latest >= 1", first)
	}
	second, err := st.Migrate(ctx, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("second migrate: got %+v, want %+v", second, first)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewEmptyDatabase(t)
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			st, err := store.Open(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			_, errs[i] = st.Migrate(ctx, quiet)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	if _, err := st.Pool().Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	_, err := st.Migrate(ctx, quiet)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("got %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenUnreachableNamesHost(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	var cfg *store.ConfigError
	if !errors.As(err, &cfg) {
		t.Fatalf("got %v, want a ConfigError", err)
	}
	if got := err.Error(); !strings.Contains(got, "127.0.0.1:1") {
		t.Errorf("error %q does not name the host", got)
	}
}

func TestOpenMalformedURLHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := store.Open(context.Background(), "postgres://user:s3cret@host:notaport/db")
	if err == nil {
		t.Fatal("got nil error for a malformed URL")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q leaks the password", err)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	t.Parallel()
	sum, err := pgtest.NewStore(t).Summarize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum != (store.Summary{}) {
		t.Errorf("got %+v, want all zero", sum)
	}
}
