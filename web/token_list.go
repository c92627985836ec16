package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/store"
)

type tokenView struct {
	Tokens []store.Token
	// Created is the token just made, shown in clear this once.
	Created *store.Token
	Secret  string
	Error   string
}

// Tokens lists API tokens and offers to create one (GET /tokens, admin
// session).
func (p *Pages) Tokens(w http.ResponseWriter, r *http.Request) {
	if sessionFrom(r.Context()) == nil {
		http.Redirect(w, r, "/login?next=/tokens", http.StatusSeeOther)
		return
	}
	p.showTokens(w, r, http.StatusOK, tokenView{})
}

func (p *Pages) showTokens(w http.ResponseWriter, r *http.Request, status int, v tokenView) {
	var err error
	if v.Tokens, err = p.store.Tokens(r.Context()); err != nil {
		p.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the page may hold a secret
	p.render(w, r, status, tokenListPage(v))
}

// CreateToken makes a token and shows it once (POST /tokens, admin).
func (p *Pages) CreateToken(w http.ResponseWriter, r *http.Request) {
	name, kind := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("kind")
	repos, reposErr := auth.ParseRepos(r.PostFormValue("repos"))
	switch {
	case name == "" || len(name) > 100:
		p.showTokens(w, r, http.StatusBadRequest, tokenView{Error: "Give the token a name of 1 to 100 characters, e.g. the CI job that will use it."})
		return
	case kind != auth.Upload && kind != auth.Register && kind != auth.Admin:
		p.showTokens(w, r, http.StatusBadRequest, tokenView{Error: "Choose what the token may do: upload, register or admin."})
		return
	case reposErr != nil:
		p.showTokens(w, r, http.StatusBadRequest, tokenView{Error: "Repos: " + reposErr.Error() + ". List them as owner/name, separated by commas or spaces."})
		return
	case kind == auth.Admin && len(repos) > 0:
		p.showTokens(w, r, http.StatusBadRequest, tokenView{Error: "An admin token can do everything, so it cannot be bound to repos. Bind an upload or register token."})
		return
	}
	secret, hash := auth.NewToken()
	t, err := p.store.CreateToken(r.Context(), name, kind, hash, repos...)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.cfg.Log.Info("token created", "id", t.ID, "name", t.Name, "kind", t.Kind, "repos", t.Repos, "by", sessionFrom(r.Context()).Principal)
	p.showTokens(w, r, http.StatusCreated, tokenView{Created: &t, Secret: secret})
}

// RevokeToken revokes a token (POST /tokens/{id}/revoke, admin).
func (p *Pages) RevokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "token")
	if !ok {
		return
	}
	err := p.store.RevokeToken(r.Context(), id)
	p.auth.Forget() // refused at once here, not after the cache's 5 s
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.NotFound(w, r)
		return
	case err != nil:
		p.serverError(w, r, err)
		return
	}
	p.cfg.Log.Info("token revoked", "id", id, "by", sessionFrom(r.Context()).Principal)
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
}
