package web

import (
	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/owner"
)

// Routes adds every page route to r, in one table. Reading is open unless
// RequireLogin; every write needs an admin session and its CSRF token.
func (p *Pages) Routes(r chi.Router) {
	r.Handle("/static/*", p.Static())
	r.Group(func(r chi.Router) {
		r.Use(p.Session, p.readYourWrites)
		r.Get("/", p.Home)
		r.Get("/login", p.Login)
		r.Post("/login", p.LoginSubmit)
		r.Get("/signatures", p.Signatures)
		r.Get("/signatures/{id}", p.Signature)
		r.Get("/tests", p.Tests)
		r.Get("/tests/{id}", p.Test)
		r.Get("/revisions", p.Revisions)
		r.Get("/revisions/{sha}", p.Revision)
		r.Get("/builders", p.Builders)
		r.Get("/builders/{name}", p.Builder)
		r.Get("/campaigns", p.Campaigns)
		r.Get("/campaigns/new", p.NewCampaign)
		r.Get("/campaigns/{id}", p.Campaign)
		r.Get("/runners", p.Runners)
		r.Get("/repos", p.Repos)
		r.Get("/bisections/new", p.NewBisection)
		r.Get("/bisections/{id}", p.Bisection)
		r.Get("/tokens", p.Tokens)
		r.Get("/quarantines", p.Quarantines)
		r.Get("/rules", p.Rules)
		r.Get("/groups/{name}", p.Group)
		r.Get("/owners", p.Owners)
		r.With(p.Admin).Post("/logout", p.Logout)
		r.With(p.Admin).Post("/campaigns", p.CreateCampaign)
		r.With(p.Admin).Post("/campaigns/{id}/cancel", p.CancelCampaign)
		r.With(p.Admin).Post("/runners/{id}/disable", p.SetRunnerDisabled(true))
		r.With(p.Admin).Post("/runners/{id}/enable", p.SetRunnerDisabled(false))
		r.With(p.Admin).Post("/tokens", p.CreateToken)
		r.With(p.Admin).Post("/repos", p.SaveRepo)
		r.With(p.Admin).Post("/bisections", p.CreateBisection)
		r.With(p.Admin).Post("/tokens/{id}/revoke", p.RevokeToken)
		r.With(p.Admin).Post("/tests/{id}/owner", p.SetOwner(owner.Test))
		r.With(p.Admin).Post("/signatures/{id}/owner", p.SetOwner(owner.Signature))
		r.With(p.Admin).Post("/groups/{id}/owner", p.SetOwner(owner.Group))
		r.With(p.Admin).Post("/tests/{id}/links", p.AddLink(owner.Test))
		r.With(p.Admin).Post("/signatures/{id}/links", p.AddLink(owner.Signature))
		r.With(p.Admin).Post("/groups/{id}/links", p.AddLink(owner.Group))
		r.With(p.Admin).Post("/links/{id}/remove", p.RemoveLink)
		r.With(p.Admin).Post("/quarantines", p.CreateQuarantine)
		r.With(p.Admin).Post("/quarantines/{id}/lift", p.LiftQuarantine)
		r.With(p.Admin).Post("/rules", p.SaveRule)
	})
	r.NotFound(p.NotFound)
}
