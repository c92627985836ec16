package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
)

// get requests path with an optional bearer token.
func get(t *testing.T, base, path, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestMetricsNeedWhatTheServerSays: /metrics was open even with
// --require-login (issue #14, item 15). With a metrics token it wants that
// token; with --require-login alone, a login or an API token; otherwise it
// stays open.
func TestMetricsNeedWhatTheServerSays(t *testing.T) {
	t.Parallel()
	const admin, metricsToken = "admin-admin-admin-admin", "scrape-scrape-scrape"
	st := pgtest.NewStore(t)
	for _, tc := range []struct {
		name  string
		cfg   app.Config
		token string
		want  int
	}{
		{"open by default", app.Config{}, "", 200},
		{"require login, no token", app.Config{RequireLogin: true}, "", 401},
		{"require login, unknown token", app.Config{RequireLogin: true}, "tri_nope", 401},
		{"require login, an API token", app.Config{RequireLogin: true}, admin, 200},
		{"metrics token, none sent", app.Config{MetricsToken: metricsToken}, "", 401},
		{"metrics token, wrong one", app.Config{MetricsToken: metricsToken}, "scrape-scrape-scrapE", 401},
		{"metrics token, the admin token", app.Config{MetricsToken: metricsToken, RequireLogin: true}, admin, 401},
		{"metrics token, sent", app.Config{MetricsToken: metricsToken, RequireLogin: true}, metricsToken, 200},
	} {
		cfg := tc.cfg
		cfg.Version, cfg.AdminToken, cfg.Log = "test", admin, slog.New(slog.DiscardHandler)
		ts := httptest.NewServer(app.New(cfg, st).Handler())
		resp, body := get(t, ts.URL, "/metrics", tc.token)
		ts.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if shown := strings.Contains(body, "go_goroutines"); shown != (tc.want == 200) {
			t.Errorf("%s: metrics in the answer: %v, want %v", tc.name, shown, tc.want == 200)
		}
	}
}

// TestStaticServesFilesOnly: /static/ listed its directory, and its files
// came without nosniff (issue #14, item 15).
func TestStaticServesFilesOnly(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(app.New(app.Config{Version: "test", Log: slog.New(slog.DiscardHandler)}, pgtest.NewStore(t)).Handler())
	defer ts.Close()
	for _, path := range []string{"/static/", "/static", "/static/.", "/static/../static/", "/static/%2e%2e/", "/static/nope.css"} {
		resp, body := get(t, ts.URL, path, "")
		if resp.StatusCode == 200 || strings.Contains(body, `<a href="style.css">`) {
			t.Errorf("GET %s: %d, %q; want 404 without a listing", path, resp.StatusCode, body[:min(len(body), 80)])
		}
	}
	for _, path := range []string{"/static/style.css", "/static/live.js"} {
		resp, _ := get(t, ts.URL, path, "")
		if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d, X-Content-Type-Options %q; want 200 with nosniff", path, resp.StatusCode, resp.Header.Get("X-Content-Type-Options"))
		}
	}
}
