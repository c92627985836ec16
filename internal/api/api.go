// Package api serves triaged's JSON API under /api/v1: result uploads,
// campaigns, runners and the runner protocol, tokens, GitHub statuses, and
// the read-only twins of every page (built by package view, so a page and
// its JSON cannot disagree). Every route is in the table in Handler; every
// error goes out through jsonapi with one shape, and bad input is a 4xx
// that says what to fix, never a 500.
package api

import (
	"cmp"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

// Config is what the API needs besides its store.
type Config struct {
	Limits ingest.Limits
	// PostingStatuses says whether a GitHub token is set, so statuses are
	// posted rather than only recorded (GET /github/statuses).
	PostingStatuses bool
	// Read guards the read-only routes: open by default, a login or token
	// with --require-login.
	Read func(http.Handler) http.Handler
	Log  *slog.Logger
	// UploadTimeout is how long an authenticated upload's body may take to
	// arrive (default 10 minutes), instead of the server's deadline for
	// bodies.
	UploadTimeout time.Duration
	// UploadBudget bounds the bytes of upload bodies held at once, server
	// wide (default 4 × Limits.MaxBodyBytes); an upload that does not fit
	// gets 503 with Retry-After.
	UploadBudget int64
	// QuarantineMax is how far ahead a quarantine may expire.
	QuarantineMax time.Duration
	// RuleWindow is how far back rules are previewed and applied.
	RuleWindow time.Duration
	// GitHubHosts are GitHub Enterprise hosts whose issue links are
	// recognized, besides github.com.
	GitHubHosts []string
}

// DefaultUploadTimeout is how long an upload's body may take by default:
// 32 MiB at half a megabit per second.
const DefaultUploadTimeout = 10 * time.Minute

// API serves /api/v1.
type API struct {
	cfg    Config
	store  *store.Store
	ingest *ingest.Ingester
	budget *bodyBudget
	auth   *auth.Authenticator
	views  *view.Views
	log    *slog.Logger
}

// New returns the API over st.
func New(cfg Config, st *store.Store, authn *auth.Authenticator, views *view.Views) *API {
	if cfg.Read == nil {
		cfg.Read = func(h http.Handler) http.Handler { return h }
	}
	cfg.UploadTimeout = cmp.Or(cfg.UploadTimeout, DefaultUploadTimeout)
	cfg.QuarantineMax = cmp.Or(cfg.QuarantineMax, quarantine.DefaultMaxAhead)
	cfg.RuleWindow = cmp.Or(cfg.RuleWindow, 30*24*time.Hour)
	in := ingest.New(st, cfg.Limits)
	cfg.UploadBudget = cmp.Or(cfg.UploadBudget, UploadBudgetFor(in.Limits().MaxBodyBytes))
	return &API{cfg: cfg, store: st, ingest: in, budget: newBodyBudget(cfg.UploadBudget), auth: authn, views: views, log: cfg.Log}
}

// UploadBudgetFor is the default budget of upload bytes held at once:
// room for four of the largest uploads.
func UploadBudgetFor(maxBodyBytes int64) int64 {
	return 4 * maxBodyBytes
}

// Handler returns every route of /api/v1, to be mounted there.
func (a *API) Handler() http.Handler {
	admin, runner, read := a.auth.Require(auth.Admin), a.auth.RequireRunner(), a.cfg.Read
	r := chi.NewRouter()

	r.With(a.auth.Require(auth.Upload, auth.Runner)).Post("/results", a.UploadResults)

	r.With(read).Get("/overview", a.Overview)
	r.With(read).Get("/signatures", a.Signatures)
	r.With(read).Get("/signatures/{id}", a.Signature)
	r.With(read).Get("/tests", a.ListTests)
	r.With(read).Get("/tests/{id}", a.Test)
	r.With(admin).Post("/tests/{id}/flaky", a.MarkFlaky)
	r.With(admin).Delete("/tests/{id}/flaky/{signature}", a.UnmarkFlaky)
	r.With(read).Get("/revisions", a.ListRevisions)
	r.With(read).Get("/revisions/{sha}", a.Revision)
	r.With(read).Get("/builders", a.ListBuilders)
	r.With(read).Get("/builders/{name}", a.GetBuilder)

	r.With(admin).Post("/campaigns", a.CreateCampaign)
	r.With(read).Get("/campaigns", a.ListCampaigns)
	r.With(read).Get("/campaigns/{id}", a.GetCampaign)
	r.With(read).Get("/campaigns/{id}/findings", a.CampaignFindings)
	r.With(admin).Post("/campaigns/{id}/cancel", a.CancelCampaign)

	r.With(admin).Post("/repos", a.SaveRepo)
	r.With(read).Get("/repos", a.ListRepos)
	r.With(admin).Post("/bisections", a.CreateBisection)
	r.With(read).Get("/bisections", a.ListBisections)
	r.With(read).Get("/bisections/{id}", a.GetBisection)

	r.With(read).Get("/runners", a.ListRunners)
	r.With(admin).Post("/runners/{id}/disable", a.SetRunnerDisabled(true))
	r.With(admin).Post("/runners/{id}/enable", a.SetRunnerDisabled(false))

	// The runner protocol.
	r.With(a.auth.Require(auth.Register)).Post("/runners/register", a.RegisterRunner)
	r.With(runner).Post("/runners/heartbeat", a.Heartbeat)
	r.With(runner).Post("/jobs/lease", a.LeaseJob)
	r.With(runner).Post("/jobs/{id}/checkout", a.ReportCheckout)
	r.With(runner).Post("/jobs/{id}/results", a.UploadJobResults)
	r.With(runner).Post("/jobs/{id}/complete", a.CompleteJob)

	r.With(admin).Post("/tokens", a.CreateToken)
	r.With(admin).Get("/tokens", a.ListTokens)
	r.With(admin).Delete("/tokens/{id}", a.RevokeToken)
	r.With(admin).Get("/github/statuses", a.GitHubStatuses)

	// Acting on findings: owners and links, quarantines, rules, issues.
	r.With(admin).Put("/tests/{id}/owner", a.SetOwner(owner.Test))
	r.With(admin).Put("/signatures/{id}/owner", a.SetOwner(owner.Signature))
	r.With(admin).Put("/groups/{id}/owner", a.SetOwner(owner.Group))
	r.With(admin).Post("/tests/{id}/links", a.AddLink(owner.Test))
	r.With(admin).Post("/signatures/{id}/links", a.AddLink(owner.Signature))
	r.With(admin).Post("/groups/{id}/links", a.AddLink(owner.Group))
	r.With(admin).Delete("/links/{id}", a.RemoveLink)
	r.With(read).Get("/owners", a.Owned)
	r.With(admin).Post("/quarantines", a.CreateQuarantine)
	r.With(read).Get("/quarantines", a.ListQuarantines)
	r.With(admin).Delete("/quarantines/{id}", a.LiftQuarantine)
	r.With(admin).Post("/rules/preview", a.PreviewRule)
	r.With(admin).Post("/rules", a.SaveRule)
	r.With(read).Get("/rules", a.ListRules)
	r.With(read).Get("/rules/{id}", a.GetRule)
	r.With(read).Get("/groups/{id}", a.GetGroup) // {id}: the group's name
	r.With(admin).Get("/github/issues", a.GitHubIssues)
	r.With(admin).Get("/github/issue-routes", a.IssueRoutes)
	r.With(admin).Post("/github/issue-routes", a.AddIssueRoute)

	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no API endpoint "+r.URL.Path, nil)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		jsonapi.Error(w, r, a.log, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path, nil)
	})
	return r
}

// allowUploadTime gives an authenticated upload's body longer to arrive
// than the server's deadline for bodies, which is short so that callers
// without a token cannot hold connections open.
func (a *API) allowUploadTime(w http.ResponseWriter) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.cfg.UploadTimeout))
}

// pathID reads the {id} of a route. Anything but a positive number names
// nothing, so it is answered like a missing thing: 404 with the noun.
func (a *API) pathID(w http.ResponseWriter, r *http.Request, noun string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		jsonapi.Error(w, r, a.log, http.StatusNotFound, "no such "+noun, nil)
		return 0, false
	}
	return id, true
}
