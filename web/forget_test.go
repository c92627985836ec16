package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/web"
)

// TestPagesForgetRevokedTokens revokes a token and disables a runner on the
// pages while the API's authenticator has both cached: the API refuses
// them at once, not up to 5 s later (a disabled runner leased 4 jobs in
// that window). The pages and the API share one authenticator, wired here
// as internal/server wires them.
func TestPagesForgetRevokedTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := pgtest.NewStore(t)
	log := slog.New(slog.DiscardHandler)
	authn := auth.New(adminToken, st, log)
	pages := web.New(web.Config{Version: "test", Log: log, Auth: authn}, st)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r := chi.NewRouter()
	r.With(authn.Require(auth.Upload)).Get("/api/upload", ok)
	r.With(authn.RequireRunner()).Get("/api/runner", ok)
	r.Group(func(r chi.Router) {
		r.Use(pages.Session)
		r.Get("/login", pages.Login)
		r.Post("/login", pages.LoginSubmit)
		r.Get("/runners", pages.Runners)
		r.With(pages.Admin).Post("/tokens/{id}/revoke", pages.RevokeToken)
		r.With(pages.Admin).Post("/runners/{id}/disable", pages.SetRunnerDisabled(true))
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	upload, hash := auth.NewToken()
	tok, err := st.CreateToken(ctx, "ci", auth.Upload, hash)
	if err != nil {
		t.Fatal(err)
	}
	runnerSecret, hash := auth.NewToken()
	rn, err := st.RegisterRunner(ctx, store.NewRunner{Name: "win-1", OS: "windows", Arch: "amd64", Version: "test", Labels: []string{"windows"}}, hash)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t)
	_, csrf := login(t, c, srv.URL, adminToken)
	for _, tt := range []struct {
		name, path, token, action string
	}{
		{"revoked token", "/api/upload", upload, "/tokens/" + itoa(tok.ID) + "/revoke"},
		{"disabled runner", "/api/runner", runnerSecret, "/runners/" + itoa(rn.ID) + "/disable"},
	} {
		if code := api(t, "GET", srv.URL+tt.path, tt.token, "", nil); code != http.StatusNoContent {
			t.Fatalf("%s, before: got %d, want 204", tt.name, code)
		}
		if resp, _ := fetch(t, c, "POST", srv.URL+tt.action, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: got %d, want 303", tt.action, resp.StatusCode)
		}
		if code := api(t, "GET", srv.URL+tt.path, tt.token, "", nil); code != http.StatusForbidden {
			t.Errorf("%s, right after the page acted: got %d, want 403", tt.name, code)
		}
	}
}
