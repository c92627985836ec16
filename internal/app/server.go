// Package server assembles triaged's HTTP surface — health and metrics, the
// JSON API, the web pages — over one store, and serves it with a graceful
// shutdown.
package server

import (
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
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/web"
)

// Config is what the server needs besides its store.
type Config struct {
	Version    string
	Database   string // where the data lives, for people: shown on pages
	AdminToken string // bootstrap admin token; empty: only stored tokens work
	Limits     ingest.Limits
	Log        *slog.Logger
	// RequireLogin makes the pages ask for an admin login even to read.
	RequireLogin bool
	// SecureCookies marks session cookies Secure on plain-HTTP requests too
	// (the public URL is https behind a proxy).
	SecureCookies bool
	// GitHub words commit statuses and, with a token, posts them.
	GitHub github.Config
	// Webhook configures POST /webhooks/github.
	Webhook ingest.WebhookConfig
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
	// Every write path records the GitHub statuses it changes.
	st = st.WithStatuses(github.NewStatuses(cfg.GitHub))
	s := &Server{cfg: cfg, store: st, metrics: prometheus.NewRegistry()}
	s.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.handler = s.routes()
	return s
}

// Handler returns the root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// routes lists every route of the server in one table.
func (s *Server) routes() http.Handler {
	log := s.cfg.Log
	authn := auth.New(s.cfg.AdminToken, s.store, log)
	api := ingest.New(s.store, authn, s.cfg.Limits, log)
	pages := web.New(web.Config{Version: s.cfg.Version, Database: s.cfg.Database, Log: log, AdminToken: s.cfg.AdminToken,
		RequireLogin: s.cfg.RequireLogin, SecureCookies: s.cfg.SecureCookies}, s.store)
	admin, runner := authn.Require(auth.Admin), authn.RequireRunner()
	read := pages.ReadAPI // open unless --require-login

	r := chi.NewRouter()
	r.Use(middleware.RequestID, newRecoverer(log), newRequestMetrics(s.metrics))

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{Registry: s.metrics}))
	// Authenticated by its HMAC signature, not a token.
	r.Post("/webhooks/github", ingest.NewWebhooks(s.store, s.cfg.Webhook, log).Receive)

	r.Route("/api/v1", func(r chi.Router) {
		r.With(authn.Require(auth.Upload, auth.Runner)).Post("/results", api.UploadResults)

		r.With(admin).Post("/campaigns", api.CreateCampaign)
		r.With(read).Get("/campaigns", api.ListCampaigns)
		r.With(read).Get("/campaigns/{id}", api.GetCampaign)
		r.With(admin).Post("/campaigns/{id}/cancel", api.CancelCampaign)

		r.With(read).Get("/runners", api.ListRunners)
		r.With(authn.Require(auth.Register)).Post("/runners/register", api.RegisterRunner)
		r.With(runner).Post("/runners/heartbeat", api.Heartbeat)
		r.With(admin).Post("/runners/{id}/disable", api.SetRunnerDisabled(true))
		r.With(admin).Post("/runners/{id}/enable", api.SetRunnerDisabled(false))
		r.With(runner).Post("/jobs/lease", api.LeaseJob)
		r.With(runner).Post("/jobs/{id}/results", api.UploadJobResults)
		r.With(runner).Post("/jobs/{id}/complete", api.CompleteJob)

		r.With(admin).Post("/tokens", api.CreateToken)
		r.With(admin).Get("/tokens", api.ListTokens)
		r.With(admin).Delete("/tokens/{id}", api.RevokeToken)
		r.With(admin).Get("/github/statuses", github.ListStatuses(s.store, s.cfg.GitHub, log))
		r.With(read).Get("/overview", pages.OverviewJSON)
		r.With(read).Get("/signatures", pages.SignaturesJSON)
		r.With(read).Get("/signatures/{id}", pages.SignatureJSON)
		r.With(read).Get("/tests/{id}", pages.TestJSON)
		r.With(read).Get("/revisions/{sha}", pages.RevisionJSON)
		r.With(read).Get("/campaigns/{id}/findings", pages.CampaignFindingsJSON)
		r.NotFound(apiNotFound(log))
		r.MethodNotAllowed(apiMethodNotAllowed(log))
	})

	r.Handle("/static/*", pages.Static())
	r.Group(func(r chi.Router) {
		r.Use(pages.Session)
		r.Get("/", pages.Home)
		r.Get("/login", pages.Login)
		r.Post("/login", pages.LoginSubmit)
		r.Get("/signatures", pages.Signatures)
		r.Get("/signatures/{id}", pages.Signature)
		r.Get("/tests/{id}", pages.Test)
		r.Get("/revisions/{sha}", pages.Revision)
		r.Get("/campaigns", pages.Campaigns)
		r.Get("/campaigns/new", pages.NewCampaign)
		r.Get("/campaigns/{id}", pages.Campaign)
		r.Get("/runners", pages.Runners)
		r.With(pages.Admin).Post("/logout", pages.Logout)
		r.With(pages.Admin).Post("/campaigns", pages.CreateCampaign)
		r.With(pages.Admin).Post("/campaigns/{id}/cancel", pages.CancelCampaign)
		r.With(pages.Admin).Post("/runners/{id}/disable", pages.SetRunnerDisabled(true))
		r.With(pages.Admin).Post("/runners/{id}/enable", pages.SetRunnerDisabled(false))
		r.Get("/tokens", pages.Tokens)
		r.With(pages.Admin).Post("/tokens", pages.CreateToken)
		r.With(pages.Admin).Post("/tokens/{id}/revoke", pages.RevokeToken)
	})
	r.NotFound(pages.NotFound)
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
	if s.cfg.GitHub.Posting() {
		var err error
		if worker, err = github.NewWorker(s.store, s.cfg.GitHub, s.cfg.Log); err != nil {
			return fmt.Errorf("github: %w", err)
		}
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	reaped := make(chan struct{})
	go func() { defer close(reaped); s.reapLeases(ctx) }()
	defer func() { <-reaped }()
	if worker != nil {
		posted := make(chan struct{})
		go func() { defer close(posted); worker.Run(ctx) }()
		defer func() { <-posted }()
	}
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
