package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
)

// TestStressThisRunsTheTestsLanguage: "Stress this" prefills the command
// of the test's own language and repository, never another's (a Go test
// once got python3 -m test -v -m TestDialCancel).
func TestStressThisRunsTheTestsLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	for _, tc := range []struct{ test, repo, want string }{
		{"net.TestDialCancel", "golang/go", `value="go test -v -count=1 -run ^TestDialCancel$ net"`},
		{"src/lib.rs::tests::adds", "o/crate", `value="cargo test --lib tests::adds -- --exact"`},
		{"tests.test_api.TestClient.test_timeout", "o/py", `value="python3 -m pytest -v tests/test_api.py::TestClient::test_timeout"`},
		{flakyTest, repo, `value="python3 -m test -v test_asyncio.test_sslproto -m ` + flakyTest + `"`},
	} {
		_, body := get(t, f.srv.URL+"/campaigns/new?"+url.Values{"test": {tc.test}, "repo": {tc.repo}}.Encode())
		if body = html.UnescapeString(body); !strings.Contains(body, tc.want) {
			t.Errorf("stress %s: the form lacks %s", tc.test, tc.want)
		}
		if strings.Contains(tc.test, "TestDialCancel") && strings.Contains(body, `value="python3`) {
			t.Errorf("a Go test got a Python command")
		}
		if !strings.Contains(body, "is not registered") {
			t.Errorf("stress %s: no word that the repository is not registered, so nothing is checked out", tc.test)
		}
	}
	// A test no language default can run gets no command, and says why.
	_, body := get(t, f.srv.URL+"/campaigns/new?"+url.Values{"test": {"math division throws on zero"}, "repo": {"o/js"}}.Encode())
	if !strings.Contains(body, `id="command" value=""`) || !strings.Contains(body, "TRIAGED_TEST") {
		t.Errorf("a jest test: the form should leave the command empty and point at $TRIAGED_TEST")
	}
}

// TestRegisterARepoAndBisect registers a repository on its page, then
// follows "Find the commit that made this flaky" from the test page to a
// bisection, prefilled from the test's history.
func TestRegisterARepoAndBisect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	base := f.srv.URL
	_, page := get(t, base+"/tests/"+itoa(f.testID))
	link := "/bisections/new?test=" + itoa(f.testID)
	if !strings.Contains(page, `href="`+link+`"`) || !strings.Contains(page, "Find the commit that made this flaky") {
		t.Fatalf("the test page has no bisection link")
	}
	if _, page = get(t, base+"/signatures/"+itoa(f.sigID)); !strings.Contains(page, `href="`+link+`"`) {
		t.Errorf("the signature page has no bisection link")
	}
	_, page = get(t, base+link)
	if !strings.Contains(page, "python/cpython is not registered") || !strings.Contains(page, `value="`+f.revs[0]+`"`) {
		t.Errorf("bisection form before registering: no note, or bad is not %s", f.revs[0][:7])
	}

	// Without a session the form is refused.
	anon := client(t)
	form := url.Values{"repo": {repo}, "clone_url": {"https://github.com/python/cpython.git"}, "build": {"./configure\nmake -j4"}}
	if resp, _ := fetch(t, anon, "POST", base+"/repos", form); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("register without a session: %d", resp.StatusCode)
	}
	c := client(t)
	_, csrf := login(t, c, base, adminToken)
	form.Set("csrf", csrf)
	form.Set("clone_url", "ext::sh -c touch% /tmp/pwned")
	if resp, body := fetch(t, c, "POST", base+"/repos", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "clone_url") {
		t.Errorf("a transport helper as the clone URL: %d", resp.StatusCode)
	}
	form.Set("clone_url", "https://github.com/python/cpython.git")
	form.Set("test_command", "./python\n-m\ntest\n{regrtest_module}\n-m\n{test}")
	if resp, body := fetch(t, c, "POST", base+"/repos", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Saved python/cpython") ||
		!strings.Contains(body, "make -j4") {
		t.Fatalf("register: %d", resp.StatusCode)
	}
	// The "make -j4" line is one argument, as typed.
	var repos struct {
		Repos []struct{ Build []string }
	}
	getJSON(t, base+"/api/v1/repos", &repos)
	if len(repos.Repos) != 1 || len(repos.Repos[0].Build) != 2 || repos.Repos[0].Build[1] != "make -j4" {
		t.Errorf("stored build: %+v", repos.Repos)
	}

	_, page = fetch(t, c, "GET", base+link, nil)
	if !strings.Contains(page, "./python\n-m\ntest\ntest_asyncio.test_sslproto") {
		t.Errorf("bisection form after registering lacks the repository's command")
	}
	bisect := url.Values{"csrf": {csrf}, "repo": {repo}, "test": {flakyTest}, "good": {f.revs[0][:9]}, "bad": {f.revs[5]},
		"command": {""}, "format": {"auto"}, "max_runs_per_step": {"50"}, "parallel": {"1"}}
	resp, _ := fetch(t, c, "POST", base+"/bisections", bisect)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bisections/") {
		t.Fatalf("start a bisection: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = fetch(t, c, "GET", base+resp.Header.Get("Location"), nil)
	if !strings.Contains(page, "bad-end") || !strings.Contains(page, "running") || !strings.Contains(page, "./python -m test test_asyncio.test_sslproto -m") {
		t.Errorf("bisection page:\n%s", page)
	}
}
