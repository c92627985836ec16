package github_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// clock is a settable clock for quarantine expiry and issue timing. It
// starts at the real time, since results are stored with the real time.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock on by d.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// actConfig is a server configuration that acts fast: workers poll every
// few milliseconds, issues of repo go to tracker.
func actConfig(fake *fakeGitHub, clk *clock) app.Config {
	return app.Config{
		GitHub: fastConfig(fake),
		Issues: githubIssueConfig(),
		Act:    app.ActConfig{Poll: 10 * time.Millisecond},
		Now:    clk.Now,
	}
}

const trackerRepo = "owner/tracker"

func githubIssueConfig() (c github.IssueConfig) {
	c.Routes = []issue.Route{{Repo: repo, Tracker: trackerRepo}}
	c.Poll, c.Check = 5*time.Millisecond, 10*time.Millisecond
	return c
}

// serveOn starts a server replica over st with cfg until the test ends,
// and returns an env talking to it.
func serveOn(t *testing.T, st *store.Store, fake *fakeGitHub, cfg app.Config) *env {
	t.Helper()
	cfg.Version, cfg.AdminToken = "test", admin
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv := app.New(cfg, st)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &env{t: t, store: st, github: fake, url: "http://" + ln.Addr().String()}
}

// newActEnv is one server with a settable clock and issues routed.
func newActEnv(t *testing.T, configure func(*app.Config)) (*env, *clock) {
	t.Helper()
	clk := &clock{}
	fake := newFakeGitHub(t)
	cfg := actConfig(fake, clk)
	if configure != nil {
		configure(&cfg)
	}
	return serveOn(t, pgtest.NewStore(t), fake, cfg), clk
}
