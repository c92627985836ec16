package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// TestPagesForgetRevokedTokens revokes a token and disables a runner on the
// pages while the API's authenticator has both cached: the API refuses
// them at once, not up to 5 s later (a disabled runner leased 4 jobs in
// that window). The real server is wired here: the pages and the API share
// one authenticator.
func TestPagesForgetRevokedTokens(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: adminToken, Log: slog.New(slog.DiscardHandler)}, st).Handler())
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
		{"revoked token", "/api/v1/results?repo=o/r&revision=abc1234&builder=b", upload, "/tokens/" + itoa(tok.ID) + "/revoke"},
		{"disabled runner", "/api/v1/runners/heartbeat", runnerSecret, "/runners/" + itoa(rn.ID) + "/disable"},
	} {
		// Accepted (the empty body is refused after the token was).
		if code := api(t, "POST", srv.URL+tt.path, tt.token, "", nil); code == http.StatusUnauthorized || code == http.StatusForbidden {
			t.Fatalf("%s, before: got %d", tt.name, code)
		}
		if resp, _ := fetch(t, c, "POST", srv.URL+tt.action, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: got %d, want 303", tt.action, resp.StatusCode)
		}
		if code := api(t, "POST", srv.URL+tt.path, tt.token, "", nil); code != http.StatusForbidden {
			t.Errorf("%s, right after the page acted: got %d, want 403", tt.name, code)
		}
	}
}
