package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
)

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// client is a browser-like HTTP client: cookies kept, redirects not followed.
func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// login logs c in with token and returns the session's CSRF token.
func login(t *testing.T, c *http.Client, base, token string) (*http.Response, string) {
	t.Helper()
	_, page := fetch(t, c, "GET", base+"/login", nil)
	m := csrfPattern.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("login page has no form token")
	}
	resp, _ := fetch(t, c, "POST", base+"/login", url.Values{"csrf": {m[1]}, "token": {token}, "next": {"/runners"}})
	_, page = fetch(t, c, "GET", base+"/runners", nil)
	if m := csrfPattern.FindStringSubmatch(page); m != nil {
		return resp, m[1]
	}
	return resp, ""
}

func TestLoginAndCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	base := f.srv.URL
	disable := base + "/runners/" + itoa(f.runners["linux-1"]) + "/disable"

	anon := client(t)
	if resp, _ := fetch(t, anon, "POST", disable, url.Values{}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disable without a session: got %d, want 401", resp.StatusCode)
	}
	if resp, _ := login(t, anon, base, "tri_wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login with a wrong token: got %d, want 401", resp.StatusCode)
	}
	// A login post that did not come from our form (no matching cookie).
	if resp, _ := fetch(t, client(t), "POST", base+"/login", url.Values{"csrf": {"x"}, "token": {adminToken}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without the form's token: got %d, want 403", resp.StatusCode)
	}

	c := client(t)
	resp, csrf := login(t, c, base, adminToken)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/runners" || csrf == "" {
		t.Fatalf("login: got %d to %q (csrf %q), want 303 to /runners with a form token", resp.StatusCode, resp.Header.Get("Location"), csrf)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "triaged_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure {
		t.Errorf("session cookie: got %+v, want HttpOnly, SameSite=Lax, not Secure over plain HTTP", sess)
	}
	for _, token := range []string{"", "forged", csrf[:len(csrf)-1]} {
		if resp, body := fetch(t, c, "POST", disable, url.Values{"csrf": {token}}); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
			t.Errorf("disable with csrf %q: got %d, want 403", token, resp.StatusCode)
		}
	}
	if rn, _ := f.st.RunnerByID(t.Context(), f.runners["linux-1"]); rn.Disabled {
		t.Fatalf("a refused request disabled the runner")
	}
	if resp, _ := fetch(t, c, "POST", disable, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disable with the session's token: got %d, want 303", resp.StatusCode)
	}
	if rn, _ := f.st.RunnerByID(t.Context(), f.runners["linux-1"]); !rn.Disabled {
		t.Errorf("the runner is still enabled")
	}
	// Another replica sees the same session: it lives in Postgres.
	other := httpServerOn(t, f)
	if _, page := fetch(t, c, "GET", other+"/runners", nil); !strings.Contains(page, "Log out") {
		t.Errorf("a second server over the same database does not know the session")
	}
	// An admin token made on the tokens page opens a session too.
	resp, page := fetch(t, c, "POST", base+"/tokens", url.Values{"csrf": {csrf}, "name": {"second admin"}, "kind": {"admin"}})
	m := regexp.MustCompile(`<pre id="new-token">(tri_[A-Za-z0-9_-]+)</pre>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("create token: got %d without the new token", resp.StatusCode)
	}
	if resp, _ := login(t, client(t), base, m[1]); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login with a stored admin token: got %d, want 303", resp.StatusCode)
	}
	if resp, _ := fetch(t, c, "POST", base+"/tokens", url.Values{"name": {"x"}, "kind": {"admin"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("create token without the CSRF token: got %d, want 403", resp.StatusCode)
	}
	if resp, _ := fetch(t, c, "POST", base+"/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: got %d, want 303", resp.StatusCode)
	}
	if resp, _ := fetch(t, c, "POST", disable, url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: got %d, want 401", resp.StatusCode)
	}
}

func TestRequireLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{RequireLogin: true})
	c := client(t)
	resp, _ := fetch(t, c, "GET", f.srv.URL+"/signatures?x=1", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsignatures%3Fx%3D1" {
		t.Errorf("page without login: got %d to %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	login(t, c, f.srv.URL, adminToken)
	if resp, _ := fetch(t, c, "GET", f.srv.URL+"/signatures", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("page after login: got %d, want 200", resp.StatusCode)
	}
}

func TestRequireLoginGuardsTheJSON(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{RequireLogin: true})
	for _, path := range []string{"/api/v1/signatures", "/api/v1/overview", "/api/v1/runners"} {
		if code, _ := get(t, f.srv.URL+path); code != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: got %d, want 401", path, code)
		}
		req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a token: got %d, want 200", path, resp.StatusCode)
		}
	}
	if code, _ := get(t, newFixture(t, app.Config{}).srv.URL+"/api/v1/signatures"); code != http.StatusOK {
		t.Errorf("without --require-login the JSON is open: got %d", code)
	}
}

func TestSessionCookieSecureBehindTLS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{SecureCookies: true}) // --public-url https://…
	resp, _ := login(t, client(t), f.srv.URL, adminToken)
	for _, ck := range resp.Cookies() {
		if ck.Name == "triaged_session" && !ck.Secure {
			t.Errorf("session cookie of an https server is not Secure")
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Errorf("login set no cookie")
	}
}
