package web_test

import (
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/signature"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/stress"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

const (
	adminToken = "tri_test-admin-token"
	repo       = "python/cpython"
	flakyTest  = "test.test_asyncio.test_sslproto.TestSSL.test_start_tls_server_1"
	// xssText is a failure text that would run script if a page did not
	// escape it.
	xssText = "Traceback (most recent call last):\n  File \"/tmp/x/test_sslproto.py\", line 12, in test_start_tls_server_1\n" +
		"AssertionError: <script>document.title='pwned'</script><img src=x onerror=alert(1)> & \"quotes\""
)

// fixture is a server over a fresh database holding a small, realistic
// history: three runners, six revisions of a repository, a flaky test whose
// failure text carries HTML, a steady test, and a new failure on the last
// revision.
type fixture struct {
	st      *store.Store
	srv     *httptest.Server
	runners map[string]int64
	sigID   int64 // the flaky test's signature
	testID  int64
	revs    []string
}

func newFixture(t *testing.T, cfg app.Config) *fixture {
	t.Helper()
	st := pgtest.NewStore(t)
	cfg.Version, cfg.Database, cfg.AdminToken = "test", "pgtest", adminToken
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f := &fixture{st: st, runners: map[string]int64{}}
	f.srv = httptest.NewServer(folding(t, st, app.New(cfg, st).Handler()))
	t.Cleanup(f.srv.Close)
	ctx := context.Background()
	for _, r := range []struct{ name, os string }{{"win-buildbot-1", "windows"}, {"win-buildbot-2", "windows"}, {"linux-1", "linux"}} {
		rn, err := st.RegisterRunner(ctx, store.NewRunner{Name: r.name, OS: r.os, Arch: "amd64", Version: "test",
			Labels: []string{r.os, "x64"}}, []byte("hash-"+r.name))
		if err != nil {
			t.Fatal(err)
		}
		f.runners[r.name] = rn.ID
	}
	// linux-1 stopped heartbeating an hour ago.
	if _, err := st.Pool().Exec(ctx, `UPDATE runners SET last_seen = now() - interval '1 hour' WHERE name = 'linux-1'`); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		rev := fmt.Sprintf("%x", sha1.Sum([]byte{byte(i)}))
		f.revs = append(f.revs, rev)
		for _, host := range []string{"win-buildbot-1", "win-buildbot-2", "linux-1"} {
			os := "windows"
			if host == "linux-1" {
				os = "linux"
			}
			var rows []store.ResultRow
			for it := range 10 {
				rows = append(rows, store.ResultRow{Test: "test.test_os.TestStat.test_stat", Outcome: "pass", DurationUS: 1200})
				outcome := "pass"
				if os == "windows" && (it+i)%4 == 0 {
					outcome = "fail"
				}
				rows = append(rows, result(flakyTest, outcome, xssText))
			}
			if i == 5 && os == "linux" {
				rows = append(rows, result("test.test_json.TestDecode.test_nan", "error",
					"Traceback (most recent call last):\nValueError: NaN is not allowed in strict mode"))
			}
			rows = append(rows, store.ResultRow{Test: "test.test_winreg.TestWinreg.test_keys", Outcome: "skip"})
			f.ingest(t, store.Batch{ID: fmt.Sprintf("b-%d-%s", i, host), Repo: repo, Revision: rev, Builder: host,
				RunnerOS: os, RunnerID: ptr(f.runners[host]), Results: rows})
		}
	}
	// What the server's folder and recorder do shortly after the uploads:
	// rollups for the pages, statuses and the tests' verdicts.
	if _, err := st.FoldRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := github.NewRecorder(st, cfg.GitHub, cfg.Log).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool().QueryRow(ctx, `SELECT s.id, t.id FROM signatures s, tests t
		WHERE s.title LIKE 'AssertionError%' AND t.name = $1`, flakyTest).Scan(&f.sigID, &f.testID); err != nil {
		t.Fatal(err)
	}
	return f
}

func result(test, outcome, text string) store.ResultRow {
	r := store.ResultRow{Test: test, Outcome: outcome, DurationUS: 350_000}
	if outcome == "fail" || outcome == "error" {
		sig := signature.Compute(text)
		r.Signature = &store.SignatureRow{Algorithm: sig.Algorithm, Hash: sig.Hash, Title: sig.Title, Normalized: sig.Normalized}
		r.FailureText = text
	}
	return r
}

func (f *fixture) ingest(t *testing.T, b store.Batch) {
	t.Helper()
	_, _, err := f.st.IngestBatch(context.Background(), b, func(store.Stored) (any, error) { return map[string]any{}, nil })
	if err != nil {
		t.Fatal(err)
	}
}

// stressResults runs iterations of a campaign for real, all at once, as a
// runner on host would, and stores them through the ingest path: the
// detector reports the pages show are what the stress scenarios write.
func (f *fixture) stressResults(t *testing.T, c campaign.Campaign, host string, first, n int) {
	t.Helper()
	it, err := c.Iteration(campaign.Host{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var results []report.Result
	stress.Run(context.Background(), stress.Options{FirstIteration: first, Iterations: n, Parallel: n,
		OnRecord: func(r stress.Record) {
			mu.Lock()
			defer mu.Unlock()
			for _, res := range r.Results {
				res.Iteration, res.Seed = r.Iteration, r.Seed
				results = append(results, res)
			}
		}}, it)
	b := store.Batch{ID: fmt.Sprintf("c%d-%s-%d", c.ID, host, first), Repo: "triaged/stress", Revision: fmt.Sprintf("campaign-%d", c.ID),
		Builder: host, RunnerOS: "windows", RunnerID: ptr(f.runners[host]), CampaignID: &c.ID}
	if _, _, err := ingest.New(f.st, ingest.Limits{}).Store(context.Background(), b, results); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// folding serves h after folding the pending rollups before every read,
// as a server's folder does within a moment of each upload: pages read
// folded rollups.
func folding(t *testing.T, st *store.Store, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if _, err := st.FoldRollups(r.Context()); err != nil {
				t.Errorf("fold: %v", err)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// httpServerOn starts a second server over the fixture's database, as
// another replica behind a load balancer would be.
func httpServerOn(t *testing.T, f *fixture) string {
	t.Helper()
	srv := httptest.NewServer(folding(t, f.st, app.New(app.Config{Version: "test", AdminToken: adminToken,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, f.st).Handler()))
	t.Cleanup(srv.Close)
	return srv.URL
}
