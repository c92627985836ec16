package web_test

import (
	"context"
	"crypto/sha1"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/store"
)

const handshakeTest = "test.test_ssl.ThreadedTests.test_handshake_timeout::case[tls1.3]"

// TestBrowserFindAnything drives Chromium through what a triager does to
// find things: search a test by part of its name from the overview, open
// it, follow its latest failure to the CI job; then narrow the overview
// to a branch and an OS, and page through the lists.
func TestBrowserFindAnything(t *testing.T) {
	f := newFixture(t, app.Config{})
	ci := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><title>CI</title><h1>CI job %s</h1>", strings.TrimPrefix(r.URL.Path, "/job/"))
	}))
	t.Cleanup(ci.Close)
	ctx := context.Background()
	// The flaky test failed again on main, in a CI job with a link; a test
	// is flaky only on a feature branch, on Linux.
	rev := func(i int) string { return fmt.Sprintf("%x", sha1.Sum([]byte{byte(i)})) }
	f.ingest(t, store.Batch{ID: "main-7", Repo: repo, Revision: rev(7), Builder: "win-buildbot-1", RunnerOS: "windows", Branch: "main",
		URL: ci.URL + "/job/42", RunnerID: ptr(f.runners["win-buildbot-1"]),
		Results: []store.ResultRow{result(flakyTest, "fail", xssText), result(flakyTest, "pass", "")}})
	f.ingest(t, store.Batch{ID: "tls-8", Repo: repo, Revision: rev(8), Builder: "linux-1", RunnerOS: "linux", Branch: "feature/tls",
		URL: ci.URL + "/job/77", RunnerID: ptr(f.runners["linux-1"]),
		Results: []store.ResultRow{result(handshakeTest, "fail", "Traceback (most recent call last):\nssl.SSLError: handshake timed out"),
			result(handshakeTest, "pass", ""), result("test.test_os.TestStat.test_stat", "pass", "")}})
	if _, err := f.st.FoldRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := github.NewRecorder(f.st, github.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil))).Once(ctx); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t)
	base := f.srv.URL
	do(t, b, "open the overview", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`#search`)))
	do(t, b, "search by part of a name",
		chromedp.SendKeys(css(`#search`), "START_TLS_server"),
		chromedp.Click(css(`#search-submit`)),
		chromedp.WaitVisible(css(`table#tests`)),
	)
	if rows := read(t, b, "count rows", chromedp.Evaluate[int](`document.querySelectorAll("table#tests tbody tr").length`)); rows != 1 {
		t.Errorf("search: %d rows, want the one test", rows)
	}
	if text := read(t, b, "read the row", chromedp.Text(css(`table#tests tbody tr`))); !strings.Contains(text, "flaky") || !strings.Contains(text, "win-buildbot-1") {
		t.Errorf("search row: %q", text)
	}
	screenshot(t, b, "20-find-search")

	do(t, b, "open the test",
		chromedp.Click(css(`table#tests tbody tr td.name a`)),
		chromedp.WaitVisible(css(`table#failures`)),
	)
	if loc := read(t, b, "location", chromedp.Location()); !strings.HasSuffix(loc, fmt.Sprintf("/tests/%d", f.testID)) {
		t.Errorf("opened %s, want test %d", loc, f.testID)
	}
	screenshot(t, b, "21-find-test-failures")
	do(t, b, "follow its latest failure to the CI job",
		chromedp.Click(css(`table#failures tbody tr:first-child a.ci`)),
		chromedp.WaitVisible(`//h1[contains(., "CI job")]`),
	)
	if loc := read(t, b, "location", chromedp.Location()); loc != ci.URL+"/job/42" {
		t.Errorf("CI link went to %s, want %s/job/42", loc, ci.URL)
	}
	screenshot(t, b, "22-find-ci-job")

	// The overview shows main: the flaky test of Windows, not the
	// feature branch's.
	do(t, b, "open the overview again", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`#filter-branch`)))
	top := read(t, b, "read the overview", chromedp.Text(css(`main`)))
	if !strings.Contains(top, "test_start_tls_server_1") || strings.Contains(top, "test_handshake_timeout") {
		t.Errorf("overview on main shows the wrong tests:\n%s", top)
	}
	do(t, b, "narrow the overview to a branch and an OS",
		chromedp.SendKeys(css(`#filter-branch`), "feature/tls"),
		chromedp.SendKeys(css(`#filter-os`), "linux"),
		chromedp.Click(css(`#filter-submit`)),
		chromedp.WaitVisible(`//h1[contains(., "feature/tls")]`),
	)
	loc := read(t, b, "location", chromedp.Location())
	if u, err := url.Parse(loc); err != nil || u.Query().Get("branch") != "feature/tls" || u.Query().Get("os") != "linux" {
		t.Errorf("the filters are not in the URL: %s", loc)
	}
	narrowed := read(t, b, "read the narrowed overview", chromedp.Text(css(`main`)))
	if !strings.Contains(narrowed, "test_handshake_timeout") || strings.Contains(narrowed, "test_start_tls_server_1") || !strings.Contains(narrowed, "SSLError") {
		t.Errorf("overview on feature/tls, linux:\n%s", narrowed)
	}
	screenshot(t, b, "23-find-overview-branch-os")
	do(t, b, "see all flaky tests there",
		chromedp.Click(`//a[contains(., "all flaky tests")]`),
		chromedp.WaitVisible(css(`table#tests`)),
	)
	if text := read(t, b, "read the list", chromedp.Text(css(`table#tests`))); !strings.Contains(text, "test_handshake_timeout") || strings.Contains(text, "test_start_tls") {
		t.Errorf("all flaky tests on feature/tls, linux: %q", text)
	}

	// Pages of two through the tests, then the other lists.
	do(t, b, "page through the tests",
		chromedp.Navigate(base+"/tests?limit=2&sort=name"),
		chromedp.WaitVisible(css(`#next-page`)),
		chromedp.Click(css(`#next-page`)),
		chromedp.WaitVisible(`//a[contains(., "First page")]`),
	)
	screenshot(t, b, "24-find-tests-page-2")
	for _, p := range []struct{ name, path, sel string }{
		{"25-find-builders", "/builders", `table#builders`},
		{"26-find-builder", "/builders/linux-1", `table#batches`},
		{"27-find-revisions", "/revisions?branch=*", `table#revisions`},
		{"28-find-signatures", "/signatures?os=windows", `main table`},
		{"29-find-campaigns", "/campaigns?state=done", `main h1`},
		{"30-find-revision", "/revisions/" + rev(8) + "?repo=" + url.QueryEscape(repo), `table#batches`},
	} {
		do(t, b, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(p.sel)))
		screenshot(t, b, p.name)
	}
	if text := read(t, b, "read the revision", chromedp.Text(css(`main`))); !strings.Contains(text, "feature/tls") || !strings.Contains(text, "CI job") {
		t.Errorf("revision page lacks its branch or CI link:\n%s", text)
	}

	// On a phone the long test id wraps at its separators, never inside a
	// word, and nothing overflows; badges stay whole.
	do(t, b, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	for _, p := range []struct{ name, path string }{
		{"31-phone-builders", "/builders"},
		{"32-phone-tests", "/tests?q=handshake&branch=*"},
	} {
		do(t, b, "open "+p.path+" on a phone", chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(`main h1`)))
		if overflow := read(t, b, "measure", chromedp.Evaluate[int](`document.documentElement.scrollWidth - 390`)); overflow > 0 {
			t.Errorf("%s at 390px: %dpx too wide", p.path, overflow)
		}
		screenshot(t, b, p.name)
	}
	// Each part of the id sits on one line: its box is one line high.
	broken := read(t, b, "measure the id's lines", chromedp.Evaluate[string](`(() => {
		const span = document.querySelector("table#tests .tid");
		if (!span) return "no id";
		const lines = new Set(Array.from(span.getClientRects()).map(r => Math.round(r.top)));
		const badge = document.querySelector("table#tests .badge").getClientRects().length;
		return lines.size + " lines, badge in " + badge;
	})()`))
	if !strings.HasSuffix(broken, "badge in 1") || strings.HasPrefix(broken, "1 lines") || broken == "no id" {
		t.Errorf("long id on a phone: %s (want it wrapped over lines, the badge whole)", broken)
	}
	words := read(t, b, "read the parts", chromedp.Evaluate[bool](`(() => {
		const range = document.createRange();
		for (const n of document.querySelector("table#tests .tid").childNodes) {
			if (n.nodeType !== 3) continue;
			range.selectNodeContents(n);
			if (range.getClientRects().length > 1) return false;
		}
		return true;
	})()`))
	if !words {
		t.Errorf("a part of the long id broke inside a word")
	}
}
