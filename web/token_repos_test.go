package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
)

var newTokenPattern = regexp.MustCompile(`<pre id="new-token">(tri_[A-Za-z0-9_-]+)</pre>`)

// TestTokensPageBindsRepos makes a token bound to a repo on the tokens
// page: it uploads for that repo only (issue #14, item 2).
func TestTokensPageBindsRepos(t *testing.T) {
	t.Parallel()
	_, base := bareServer(t, app.Config{})
	c := client(t)
	_, csrf := login(t, c, base, adminToken)
	for _, tc := range []struct {
		kind, repos string
		want        int
		wantText    string
	}{
		{"upload", "../..", http.StatusBadRequest, "Repos: repo &#34;../..&#34;"},
		{"admin", "python/cpython", http.StatusBadRequest, "cannot be bound to repos"},
		{"upload", "python/cpython, python/typeshed", http.StatusCreated, "python/cpython, python/typeshed"},
	} {
		resp, page := fetch(t, c, "POST", base+"/tokens", url.Values{"csrf": {csrf}, "name": {"ci"}, "kind": {tc.kind}, "repos": {tc.repos}})
		if resp.StatusCode != tc.want || !strings.Contains(page, tc.wantText) {
			t.Errorf("kind %s repos %q: %d, want %d with %q", tc.kind, tc.repos, resp.StatusCode, tc.want, tc.wantText)
		}
		if tc.want != http.StatusCreated {
			continue
		}
		m := newTokenPattern.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no token shown")
		}
		body := `{"results":[{"test":"t.a","outcome":"pass"}]}`
		if code := api(t, "POST", base+"/api/v1/results?builder=ci&revision=abc1234&repo=python/typeshed", m[1], body, nil); code != http.StatusOK {
			t.Errorf("upload for a bound repo: %d, want 200", code)
		}
		if code := api(t, "POST", base+"/api/v1/results?builder=ci&revision=abc1234&repo=golang/go", m[1], body, nil); code != http.StatusForbidden {
			t.Errorf("upload for another repo: %d, want 403", code)
		}
	}
}
