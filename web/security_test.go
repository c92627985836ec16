package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// bareServer is a server over an empty database, for tests that need no
// history.
func bareServer(t *testing.T, cfg app.Config) (*store.Store, string) {
	t.Helper()
	st := pgtest.NewStore(t)
	if cfg.AdminToken == "" {
		cfg.AdminToken = adminToken
	}
	cfg.Version, cfg.Log = "test", slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(folding(t, st, app.New(cfg, st).Handler()))
	t.Cleanup(srv.Close)
	return st, srv.URL
}

// multipartBody streams a form with a file of size bytes: above net/http's
// 32 MiB in memory, so a parser that accepted it would spill it to a
// temporary file.
func multipartBody(size int64, fields map[string]string) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		part, _ := mw.CreateFormFile("f", "50MB.bin")
		_, err := io.CopyN(part, zeros{}, size)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestFormsRefuseMultipart posts a large multipart body to /login and to an
// admin route with a valid session and CSRF token: both are refused with
// 415, and no multipart-* temporary file is left behind (the review's disk
// fill without credentials). An oversized urlencoded form gets 413.
func TestFormsRefuseMultipart(t *testing.T) {
	// Not parallel: TMPDIR is per process, and this test must see every
	// temporary file that net/http would create.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, base := bareServer(t, app.Config{})
	c := client(t)
	_, csrf := login(t, c, base, adminToken)
	if csrf == "" {
		t.Fatal("login failed")
	}
	post := func(path, contentType string, body io.Reader) (int, string) {
		req, _ := http.NewRequest("POST", base+path, body)
		req.Header.Set("Content-Type", contentType)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/login", "/tokens", "/login?next=/"} {
		body, ct := multipartBody(40<<20, map[string]string{"csrf": csrf, "token": adminToken, "name": "x", "kind": "admin"})
		code, page := post(path, ct, body)
		if code != http.StatusUnsupportedMediaType || !strings.Contains(page, "form") {
			t.Errorf("multipart POST %s: got %d, want 415 with a page that explains", path, code)
		}
	}
	big := "csrf=" + csrf + "&name=x&kind=admin&pad=" + strings.Repeat("a", 70<<10)
	if code, _ := post("/tokens", "application/x-www-form-urlencoded", strings.NewReader(big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("70 KiB form: got %d, want 413", code)
	}
	// A multipart GET is parsed by FormValue too.
	body, ct := multipartBody(40<<20, nil)
	req, _ := http.NewRequest("GET", base+"/login?next=/runners", body)
	req.Header.Set("Content-Type", ct)
	if resp, err := c.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("multipart GET /login: got %d, want 415", resp.StatusCode)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	if len(left) > 0 {
		var sizes []string
		for _, f := range left {
			if fi, err := os.Stat(f); err == nil {
				sizes = append(sizes, fi.Name()+" "+itoa(fi.Size()))
			}
		}
		t.Errorf("temporary files left in TMPDIR: %v", sizes)
	}
	if code, _ := post("/tokens", "application/x-www-form-urlencoded", strings.NewReader("csrf="+csrf+"&name=after&kind=upload")); code != http.StatusCreated {
		t.Errorf("a normal form after the refusals: got %d, want 201", code)
	}
}

// TestLoginRedirectStaysOnSite logs in with many tricky next values and
// checks where the 303 goes: only a plain path on this site is followed;
// anything a browser could read as another host goes to /.
func TestLoginRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	_, base := bareServer(t, app.Config{})
	tests := []struct {
		name, next, want string
	}{
		{"plain path", "/runners", "/runners"},
		{"path and query", "/signatures?x=1&y=%2F%2F", "/signatures?x=1&y=%2F%2F"},
		{"fragment", "/tests/5#history", "/tests/5#history"},
		{"root", "/", "/"},
		{"empty", "", "/"},
		{"relative", "runners", "/"},
		{"tab after slash", "/\t/evil.example", "/"},
		{"encoded tab", "/%09/evil.example", "/"},
		{"newline", "/\n/evil.example", "/"},
		{"encoded CRLF", "/%0d%0aSet-Cookie:x=1", "/"},
		{"NUL", "/\x00", "/"},
		{"encoded NUL", "/%00", "/"},
		{"DEL", "/\x7f/evil", "/"},
		{"backslash", "/\\evil.example", "/"},
		{"two backslashes", "\\\\evil.example", "/"},
		{"encoded backslash", "/%5Cevil.example", "/"},
		{"protocol-relative", "//evil.example", "/"},
		{"three slashes", "///evil.example", "/"},
		{"encoded slashes", "/%2F%2Fevil.example", "/"},
		{"encoded slash pair later", "/a/%2F/evil", "/"},
		{"dot then slashes", "/.//evil.example", "/"},
		{"dot dot", "/a/../..//evil.example", "/"},
		{"encoded dot dot", "/%2e%2e/evil", "/"},
		{"https", "https://evil.example", "/"},
		{"scheme without slashes", "https:evil.example", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"space", "/ /evil.example", "/"},
		{"leading space", " /runners", "/"},
		{"non-ASCII", "/\u2028/evil.example", "/"},
		{"bad escape", "/%zz", "/"},
		{"user info", "/@evil.example", "/@evil.example"}, // a path on this site
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := client(t)
			_, page := fetch(t, c, "GET", base+"/login", nil)
			m := csrfPattern.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("login page has no form token")
			}
			resp, _ := fetch(t, c, "POST", base+"/login", url.Values{"csrf": {m[1]}, "token": {adminToken}, "next": {tt.next}})
			if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tt.want {
				t.Errorf("next %q: got %d to %q, want 303 to %q", tt.next, resp.StatusCode, got, tt.want)
			}
		})
	}
}

// api calls the JSON API with a bearer token and decodes the answer into out.
func api(t *testing.T, method, u, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// newAdminToken creates a stored admin token through the API.
func newAdminToken(t *testing.T, base, name string) (id int64, secret string) {
	t.Helper()
	var tok struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if code := api(t, "POST", base+"/api/v1/tokens", adminToken, `{"name":"`+name+`","kind":"admin"}`, &tok); code != http.StatusCreated || tok.Token == "" {
		t.Fatalf("create admin token: got %d", code)
	}
	return tok.ID, tok.Token
}

// createTokenOnPage posts the tokens page's form with a session.
func createTokenOnPage(t *testing.T, c *http.Client, base, csrf string) int {
	t.Helper()
	resp, _ := fetch(t, c, "POST", base+"/tokens", url.Values{"csrf": {csrf}, "name": {"made on the page"}, "kind": {"admin"}})
	return resp.StatusCode
}

// TestRevokedTokenEndsItsSessions logs in with a stored admin token, revokes
// the token through the API or on the tokens page, and checks that the
// session opened with it can no longer act (it could create admin tokens).
func TestRevokedTokenEndsItsSessions(t *testing.T) {
	t.Parallel()
	_, base := bareServer(t, app.Config{})
	revokers := []struct {
		name   string
		revoke func(t *testing.T, id int64)
	}{
		{"API", func(t *testing.T, id int64) {
			if code := api(t, "DELETE", base+"/api/v1/tokens/"+itoa(id), adminToken, "", nil); code != http.StatusNoContent {
				t.Fatalf("DELETE /api/v1/tokens/%d: got %d", id, code)
			}
		}},
		{"page", func(t *testing.T, id int64) {
			c := client(t)
			_, csrf := login(t, c, base, adminToken)
			if resp, _ := fetch(t, c, "POST", base+"/tokens/"+itoa(id)+"/revoke", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("revoke on the page: got %d", resp.StatusCode)
			}
		}},
	}
	for _, rv := range revokers {
		t.Run(rv.name, func(t *testing.T) {
			id, secret := newAdminToken(t, base, "revoked by "+rv.name)
			c := client(t)
			_, csrf := login(t, c, base, secret)
			if code := createTokenOnPage(t, c, base, csrf); code != http.StatusCreated {
				t.Fatalf("create a token with a fresh session: got %d, want 201", code)
			}
			rv.revoke(t, id)
			if code := createTokenOnPage(t, c, base, csrf); code != http.StatusUnauthorized {
				t.Errorf("create a token with a session of the revoked token: got %d, want 401", code)
			}
			if resp, _ := fetch(t, c, "GET", base+"/tokens", nil); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("tokens page with a session of the revoked token: got %d, want 303 to the login", resp.StatusCode)
			}
		})
	}
}

// TestBootstrapSessionEndsWithTheToken opens a session with the bootstrap
// admin token, then presents its cookie to servers over the same database
// that run with another bootstrap token, with none, and with the same: only
// the last still honours it.
func TestBootstrapSessionEndsWithTheToken(t *testing.T) {
	t.Parallel()
	st, base := bareServer(t, app.Config{})
	c := client(t)
	_, csrf := login(t, c, base, adminToken)
	replica := func(token string) string {
		srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: token, Log: slog.New(slog.DiscardHandler)}, st).Handler())
		t.Cleanup(srv.Close)
		return srv.URL
	}
	// The cookie jar keys cookies by host, not port, so c presents the
	// session to every replica on 127.0.0.1.
	for _, tt := range []struct {
		name, token string
		want        int
	}{
		{"another token", "tri_another-admin-token", http.StatusUnauthorized},
		{"no token", "", http.StatusUnauthorized},
		{"the same token", adminToken, http.StatusCreated},
	} {
		if code := createTokenOnPage(t, c, replica(tt.token), csrf); code != tt.want {
			t.Errorf("bootstrap session on a server with %s: got %d, want %d", tt.name, code, tt.want)
		}
	}
}

// TestGuessesAreThrottled sends wrong bearer tokens and wrong logins from
// one address: after 20 failures the server answers 429 with Retry-After
// instead of checking more (the review tried 300 in 4 s, and the 301st
// worked). Successful logins do not count.
func TestGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	t.Run("bearer", func(t *testing.T) {
		t.Parallel()
		_, base := bareServer(t, app.Config{})
		for i := range 20 {
			if code := api(t, "GET", base+"/api/v1/tokens", adminToken, "", nil); code != http.StatusOK {
				t.Fatalf("the admin token, before guess %d: got %d, want 200", i, code)
			}
			if code := api(t, "GET", base+"/api/v1/tokens", fmt.Sprintf("tri_guess-%d", i), "", nil); code != http.StatusUnauthorized {
				t.Fatalf("guess %d: got %d, want 401", i, code)
			}
		}
		req, _ := http.NewRequest("GET", base+"/api/v1/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("X-Forwarded-For", "203.0.113.9") // not believed
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("after 20 guesses, even the right token: got %d (Retry-After %q), want 429 with Retry-After",
				resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		_, base := bareServer(t, app.Config{})
		for i := range 19 {
			if resp, _ := login(t, client(t), base, fmt.Sprintf("tri_guess-%d", i)); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong login %d: got %d, want 401", i, resp.StatusCode)
			}
		}
		for range 5 {
			if resp, _ := login(t, client(t), base, adminToken); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("right login between wrong ones: got %d, want 303", resp.StatusCode)
			}
		}
		if resp, _ := login(t, client(t), base, "tri_guess-20"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("20th wrong login: got %d, want 401 (successes must not count)", resp.StatusCode)
		}
		c := client(t)
		_, page := fetch(t, c, "GET", base+"/login", nil)
		m := csrfPattern.FindStringSubmatch(page)
		resp, page := fetch(t, c, "POST", base+"/login", url.Values{"csrf": {m[1]}, "token": {"tri_guess-21"}})
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(page, "Too many") {
			t.Errorf("21st wrong login: got %d (Retry-After %q), want 429 with Retry-After and a page that says why",
				resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
}
