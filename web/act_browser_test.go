package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/store"
)

// TestBrowserActOnFindings drives Chromium through acting on a flaky
// test: log in, take ownership, link the upstream issue, quarantine it
// (and see the overview warn that it expires soon), lift it from the
// quarantines page; then write a rule, get its parse error pointed at,
// preview it, save it into a group and open the group. Failure text and
// names stay text throughout.
func TestBrowserActOnFindings(t *testing.T) {
	f := newFixture(t, app.Config{})
	ctx := newBrowser(t)
	base := f.srv.URL
	testPath := "/tests/" + strconv.FormatInt(f.testID, 10)

	do(t, ctx, "log in",
		chromedp.Navigate(base+"/login?next="+testPath),
		chromedp.WaitVisible(css(`#token`)),
		chromedp.SendKeys(css(`#token`), adminToken),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitVisible(css(`#act`)),
	)
	do(t, ctx, "take ownership",
		chromedp.Click(css(`#act details.forms summary`)),
		chromedp.SetValue(css(`#owner-form input[name=owner]`), "octocat <script>alert(1)</script>"),
		chromedp.SetValue(css(`#owner-form input[name=why]`), "I maintain asyncio on Windows"),
		chromedp.Submit(css(`#owner-form input[name=owner]`)),
		chromedp.WaitVisible(`//span[@id="owner"][contains(., "octocat")]`),
	)
	if n := read(t, ctx, "count injected", chromedp.Evaluate[int](`document.querySelectorAll("#act script").length`)); n != 0 {
		t.Errorf("owner name rendered as markup")
	}
	do(t, ctx, "link the issue",
		chromedp.Click(css(`#act details.forms summary`)),
		chromedp.SetValue(css(`#link-form input[name=url]`), "https://github.com/python/cpython/issues/78880"),
		chromedp.Submit(css(`#link-form input[name=url]`)),
		chromedp.WaitVisible(`//ul[contains(@class, "links")]//span[contains(., "python/cpython#78880")]`),
	)
	do(t, ctx, "quarantine it for five days",
		chromedp.Click(css(`#act details.forms summary`)),
		chromedp.SetValue(css(`#quarantine-form input[name=reason]`), "bpo-33694: fix under review"),
		chromedp.SetValue(css(`#quarantine-form input[name=expires]`), time.Now().UTC().AddDate(0, 0, 5).Format(time.DateOnly)),
		chromedp.Submit(css(`#quarantine-form input[name=reason]`)),
		chromedp.WaitVisible(css(`#quarantine`)),
	)
	notice := read(t, ctx, "read the quarantine", chromedp.Text(css(`#quarantine`)))
	if !strings.Contains(notice, "octocat") || !strings.Contains(notice, "bpo-33694") || !strings.Contains(notice, "expires soon") {
		t.Errorf("quarantine notice: %q", notice)
	}
	trail := read(t, ctx, "read the audit trail", chromedp.Text(css(`#audit`)))
	for _, want := range []string{"quarantined", "link added", "owner", "I maintain asyncio on Windows", "bootstrap admin"} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, trail)
		}
	}
	screenshot(t, ctx, "act-01-test-quarantined")

	do(t, ctx, "see it expiring on the overview",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`//h2[@id="expiring"]`),
	)
	screenshot(t, ctx, "act-02-overview-expiring")
	do(t, ctx, "lift it from the quarantines page",
		chromedp.Navigate(base+"/quarantines"),
		chromedp.WaitVisible(css(`#quarantines`)),
		chromedp.Click(`//table[@id="quarantines"]//button[contains(., "Lift")]`),
		chromedp.WaitVisible(`//p[contains(., "Nothing is quarantined")]`),
	)

	do(t, ctx, "write a rule that does not parse",
		chromedp.Navigate(base+"/rules"),
		chromedp.WaitVisible(css(`#rule-form`)),
		chromedp.SetValue(css(`#expr`), `test ~ "start_tls" && txt ~ "pwned"`),
		chromedp.Click(css(`#preview`)),
		chromedp.WaitVisible(css(`#rule-error`)),
	)
	if msg := read(t, ctx, "read the error", chromedp.Text(css(`#rule-error`))); !strings.Contains(msg, "column 23") || !strings.Contains(msg, `unknown field "txt"`) {
		t.Errorf("parse error: %q", msg)
	}
	screenshot(t, ctx, "act-03-rule-error")
	do(t, ctx, "preview the fixed rule",
		chromedp.SetValue(css(`#expr`), `test ~ "start_tls" && text ~ "pwned"`),
		chromedp.Click(css(`#preview`)),
		chromedp.WaitVisible(css(`#rule-preview`)),
	)
	preview := read(t, ctx, "read the preview", chromedp.Text(css(`#rule-preview`)))
	title := read(t, ctx, "read the title", chromedp.Title())
	if !strings.Contains(preview, "Would match") || !strings.Contains(preview, "test_start_tls_server_1") || title == "pwned" ||
		!strings.Contains(preview, "<script>document.title='pwned'</script>") {
		t.Errorf("preview: %q (title %q)", preview, title)
	}
	screenshot(t, ctx, "act-04-rule-preview")
	do(t, ctx, "save it into a group",
		chromedp.SetValue(css(`#rule-name`), "start_tls pwned"),
		chromedp.SetValue(css(`#rule-group`), "tls-data-loss"),
		chromedp.Click(css(`#save`)),
		chromedp.WaitVisible(`//table[@id="rules"]//a[contains(., "tls-data-loss")]`),
	)
	// The server's background worker applies it to history; here, at once.
	if _, err := ingest.New(f.st, ingest.Limits{}).ApplyRules(context.Background()); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "open the group",
		chromedp.Click(`//table[@id="rules"]//a[contains(., "tls-data-loss")]`),
		chromedp.WaitVisible(`//h1[contains(., "tls-data-loss")]`),
	)
	if page := read(t, ctx, "read the group", chromedp.Text(css(`main`))); !strings.Contains(page, "test_start_tls_server_1") || !strings.Contains(page, "30 matched failures") {
		t.Errorf("group page: %q", page)
	}
	screenshot(t, ctx, "act-05-group")
	// An issue triaged filed for the signature shows on its page.
	bg := context.Background()
	if _, err := f.st.EnqueueIssue(bg, issue.Route{Repo: repo, Tracker: "python/flakes"}, f.sigID, "it failed 30 runs on 6 revisions in 7 days"); err != nil {
		t.Fatal(err)
	}
	rows, err := f.st.Issues(bg, 1)
	if err != nil || len(rows) != 1 {
		t.Fatalf("issues: %v %v", rows, err)
	}
	if err := f.st.RecordIssue(bg, rows[0].ID, store.IssueOutcome{State: store.IssueOpen, Number: 7, URL: "https://github.com/python/flakes/issues/7"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "see the issue on the signature's page",
		chromedp.Navigate(base+"/signatures/"+strconv.FormatInt(f.sigID, 10)),
		chromedp.WaitVisible(`//a[@href="https://github.com/python/flakes/issues/7"][contains(., "python/flakes#7")]`),
		chromedp.WaitVisible(`//span[contains(., "filed by triaged · open")]`),
	)
	screenshot(t, ctx, "act-06-signature-issue")
	do(t, ctx, "find what octocat owns",
		chromedp.Navigate(base+"/owners?owner=octocat%20%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
		chromedp.WaitVisible(css(`#owned`)),
	)
}
