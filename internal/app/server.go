// Package server assembles triaged's HTTP surface — health and metrics, the
// JSON API, the web pages — over one store, and serves it with a graceful
// shutdown.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/api"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
	"github.com/triaged/triaged/web"
)

// Config is what the server needs besides its store.
type Config struct {
	Version    string
	Database   string // where the data lives, for people: shown on pages
	AdminToken string // bootstrap admin token; empty: only stored tokens work
	Limits     ingest.Limits
	Log        *slog.Logger
	// RequireLogin makes the pages ask for an admin login even to read,
	// and /metrics want a login or a token unless MetricsToken is set.
	RequireLogin bool
	// MetricsToken, when set, is the bearer token /metrics wants.
	MetricsToken string
	// SecureCookies marks session cookies Secure on plain-HTTP requests too
	// (the public URL is https behind a proxy).
	SecureCookies bool
	// GitHub words commit statuses and, with a token, posts them.
	GitHub github.Config
	// Webhook configures POST /webhooks/github.
	Webhook github.WebhookConfig
	// Retention says how long history is kept (zero: forever).
	Retention Retention
	// Reader, if set, is a read-only copy of the store (a streaming
	// standby) that the pages and the JSON views read from; writes, logins
	// and the runner protocol stay on the store.
	Reader *store.Store
	// DefaultBranch is what the overview shows unless asked for another
	// branch (default main).
	DefaultBranch string
	// BodyTimeout bounds how long any request's body may take to arrive
	// (default DefaultBodyTimeout); UploadTimeout is what authenticated
	// result uploads get instead (default api.DefaultUploadTimeout).
	BodyTimeout, UploadTimeout time.Duration
	// UploadBudget bounds the bytes of upload bodies held at once (default
	// api.UploadBudgetFor the largest upload).
	UploadBudget int64
	// Issues configures filing GitHub issues for signatures (with a
	// token).
	Issues github.IssueConfig
	// Act configures quarantines and rules.
	Act ActConfig
	// Now is the clock of quarantine expiry and issue timing; nil:
	// time.Now. Tests move it.
	Now func() time.Time
}

// Server is triaged's HTTP application.
type Server struct {
	cfg     Config
	store   *store.Store
	metrics *prometheus.Registry
	handler http.Handler
}

// New builds the server and its routes.
func New(cfg Config, st *store.Store) *Server {
	// One window for every verdict: the upload's answer and the status.
	cfg.GitHub.Window = cmp.Or(cfg.Limits.Window, ingest.DefaultLimits.Window)
	cfg.Issues.Window = cfg.GitHub.Window
	cfg.Act = cfg.Act.withDefaults()
	if cfg.Now != nil {
		st = st.WithClock(cfg.Now)
	}
	s := &Server{cfg: cfg, store: st, metrics: prometheus.NewRegistry()}
	s.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.handler = s.routes()
	return s
}

// Handler returns the root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// routes assembles the server's surfaces: the process's own endpoints
// here, then the webhook receiver, the JSON API and the pages, each of
// which lists its routes in one table of its own.
func (s *Server) routes() http.Handler {
	log := s.cfg.Log
	authn := auth.New(s.cfg.AdminToken, s.store, log)
	views := view.New(s.store, s.cfg.Version, s.cfg.Database, s.cfg.GitHub.Window).WithReader(s.cfg.Reader)
	views.DefaultBranch = cmp.Or(s.cfg.DefaultBranch, view.DefaultBranch)
	pages := web.New(web.Config{Log: log, Auth: authn, RequireLogin: s.cfg.RequireLogin, SecureCookies: s.cfg.SecureCookies,
		QuarantineMax: s.cfg.Act.QuarantineMax, RuleWindow: s.cfg.Act.RuleWindow}, s.store, views)
	jsonAPI := api.New(api.Config{Limits: s.cfg.Limits, PostingStatuses: s.cfg.GitHub.Posting(), Read: pages.ReadAPI, Log: log,
		UploadTimeout: s.cfg.UploadTimeout, UploadBudget: s.cfg.UploadBudget,
		QuarantineMax: s.cfg.Act.QuarantineMax, RuleWindow: s.cfg.Act.RuleWindow}, s.store, authn, views)

	r := chi.NewRouter()
	r.Use(middleware.RequestID, newRecoverer(log), newBodyDeadline(cmp.Or(s.cfg.BodyTimeout, DefaultBodyTimeout)), newRequestMetrics(s.metrics))
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.With(s.metricsGuard(pages.ReadAPI)).Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{Registry: s.metrics}))
	// Authenticated by its HMAC signature, not a token.
	r.Post("/webhooks/github", github.NewWebhooks(s.store, s.cfg.Webhook, log).Receive)
	r.Mount("/api/v1", jsonAPI.Handler())
	pages.Routes(r)
	return r
}

// Serve listens on addr until ctx ends, then stops taking connections and
// lets requests in flight finish for up to drain.
func (s *Server) Serve(ctx context.Context, addr string, drain time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return s.ServeListener(ctx, ln, drain)
}

// ServeListener is Serve on a listener the caller opened.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener, drain time.Duration) error {
	var worker *github.Worker
	var issues *github.IssueWorker
	if s.cfg.GitHub.Posting() {
		var err error
		if worker, err = github.NewWorker(s.store, s.cfg.GitHub, s.cfg.Log); err != nil {
			return fmt.Errorf("github: %w", err)
		}
		if issues, err = github.NewIssueWorker(s.store, s.cfg.GitHub, s.cfg.Issues, s.cfg.Log); err != nil {
			return fmt.Errorf("github issues: %w", err)
		}
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	// Partitions for this month and the next exist before the first
	// upload: before the server takes a request.
	if _, err := s.store.EnsurePartitions(ctx, time.Now(), partitionsAhead); err != nil {
		ln.Close()
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("create partitions: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	reaped := make(chan struct{})
	go func() { defer close(reaped); s.reapLeases(ctx) }()
	defer func() { <-reaped }()
	maintained := make(chan struct{})
	go func() { defer close(maintained); s.maintain(ctx) }()
	defer func() { <-maintained }()
	folded := make(chan struct{})
	go func() { defer close(folded); s.foldRollups(ctx) }()
	defer func() { <-folded }()
	bisected := make(chan struct{})
	go func() { defer close(bisected); s.advanceBisections(ctx) }()
	defer func() { <-bisected }()
	recorded := make(chan struct{})
	go func() { defer close(recorded); github.NewRecorder(s.store, s.cfg.GitHub, s.cfg.Log).Run(ctx) }()
	defer func() { <-recorded }()
	if worker != nil {
		posted := make(chan struct{})
		go func() { defer close(posted); worker.Run(ctx) }()
		defer func() { <-posted }()
		filed := make(chan struct{})
		go func() { defer close(filed); issues.Run(ctx) }()
		defer func() { <-filed }()
	}
	acted := make(chan struct{})
	go func() { defer close(acted); s.act(ctx) }()
	defer func() { <-acted }()
	s.cfg.Log.Info("serving", "addr", "http://"+ln.Addr().String(), "version", s.cfg.Version)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.cfg.Log.Info("shutting down", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
