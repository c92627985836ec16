package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/internal/app"
)

type css = chromedp.CSS

// TestBrowserWalkthrough drives Chromium through what a developer does in a
// red week: overview → signature → "stress this" → log in → create a
// campaign → watch it progress → read the detector's findings; then the
// same pages at phone width. Screenshots of every step go to the artifacts.
func TestBrowserWalkthrough(t *testing.T) {
	f := newFixture(t, app.Config{})
	ctx := newBrowser(t)
	base := f.srv.URL
	sigPath := "/signatures/" + strconv.FormatInt(f.sigID, 10)

	do(t, ctx, "open the overview",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`//h2[contains(., "Top flaky tests")]`),
	)
	screenshot(t, ctx, "01-overview")

	do(t, ctx, "follow the new signature",
		chromedp.Click(css(`section[aria-labelledby="new-sigs"] a[href="`+sigPath+`"]`)),
		chromedp.WaitVisible(css(`pre#example`)),
	)
	example := read(t, ctx, "read the example", chromedp.Text(css(`pre#example`)))
	injected := read(t, ctx, "count elements in the example", chromedp.Evaluate[int](`document.querySelectorAll("pre#example *").length`))
	title := read(t, ctx, "read the title", chromedp.Title())
	if !strings.Contains(example, "<script>document.title='pwned'</script>") || injected != 0 || title == "pwned" {
		t.Errorf("failure text not shown as text: %d elements inside, title %q, text %q", injected, title, example)
	}
	screenshot(t, ctx, "02-signature")

	do(t, ctx, "stress this",
		chromedp.Click(css(`a.button`)),
		chromedp.WaitVisible(css(`#campaign-form`)),
	)
	if loc := read(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "test="+url.QueryEscape(flakyTest)) {
		t.Errorf("stress this: landed on %s, want the form prefilled with the test", loc)
	}
	screenshot(t, ctx, "03-campaign-new-logged-out")

	do(t, ctx, "log in from the form",
		chromedp.Click(css(`#login-link`)),
		chromedp.WaitVisible(css(`#token`)),
		chromedp.SendKeys(css(`#token`), adminToken),
		chromedp.Submit(css(`#token`)),
		chromedp.WaitReady(css(`#campaign-form input[name=csrf]`)),
	)
	formURL := read(t, ctx, "location", chromedp.Location())
	if command := read(t, ctx, "read the command", chromedp.Value(css(`#command`))); !strings.Contains(command, "test_start_tls_server_1") {
		t.Errorf("after login the form lost its prefill: command %q", command)
	}

	fill := chromedp.Steps(
		chromedp.Click(css(`input[name=kind][value=scenario]`)),
		chromedp.SetValue(css(`select[name=scenario]`), "starttls-server"),
		chromedp.SetValue(css(`select[name=proactor]`), "legacy"),
		chromedp.SetValue(css(`#iterations`), "300"),
		chromedp.SetValue(css(`#labels`), "windows"),
		chromedp.SetValue(css(`select[name=stop]`), "count"),
	)
	do(t, ctx, "submit with a forged CSRF token", fill,
		chromedp.SetValue(css(`#campaign-form input[name=csrf]`), "forged"),
		chromedp.Click(css(`#create`)),
		chromedp.WaitVisible(`//h1[contains(., "403")]`),
	)
	if refused := read(t, ctx, "read the refusal", chromedp.Text(css(`main`))); !strings.Contains(refused, "security token") {
		t.Errorf("forged CSRF token: page says %q", refused)
	}
	screenshot(t, ctx, "04-csrf-refused")

	do(t, ctx, "create the campaign",
		chromedp.Navigate(formURL), // a fresh form with the session's real token
		chromedp.WaitReady(css(`#campaign-form input[name=csrf]`)),
		fill,
		chromedp.Click(css(`#create`)),
		chromedp.WaitVisible(css(`#progress`)),
	)
	loc := read(t, ctx, "location", chromedp.Location())
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil {
		t.Fatalf("campaign page at %s: %v", loc, err)
	}
	c, err := f.st.CampaignByID(context.Background(), id)
	if err != nil || c.Scenario != "starttls-server" || c.Proactor != "legacy" || c.Iterations != 300 || c.CreatedBy != "bootstrap admin" {
		t.Fatalf("created campaign: %+v, %v", c, err)
	}
	screenshot(t, ctx, "05-campaign-queued")

	// A runner leases the first job and reports its iterations; the page,
	// left open, picks them up by itself.
	job, err := f.st.LeaseJob(context.Background(), f.runners["win-buildbot-1"], []string{"windows", "x64"}, time.Minute)
	if err != nil {
		t.Fatalf("lease: %v", err)
	}
	f.stressResults(t, job.Campaign, "win-buildbot-1", job.FirstIteration, 6)
	do(t, ctx, "watch the campaign progress", chromedp.WaitVisible(`//h4[contains(., "Example: iteration ")]`))
	progress := read(t, ctx, "read the progress", chromedp.Text(css(`#progress`)))
	// What a real legacy start_tls iteration reports: the loss, where it
	// was found, and what the cancel that lost the race answered (not-found
	// or ok: which one is the race's to decide).
	for _, want := range []string{"running", "lost-bytes", "after pause_reading during start_tls", "found at", "cancel=", "win-buildbot-1"} {
		if !strings.Contains(progress, want) {
			t.Errorf("campaign page lacks %q", want)
		}
	}
	// Where the losses were: a histogram over their offsets, or one
	// sentence when they were all at the same offset (start_tls losses
	// usually are: the first TLS bytes).
	if bars := read(t, ctx, "count bars", chromedp.Evaluate[int](`document.querySelectorAll("figure.chart rect.bar").length`)); bars == 0 &&
		!strings.Contains(progress, "at stream offset") {
		t.Errorf("the campaign page says nothing of where the losses were")
	}
	screenshot(t, ctx, "06-campaign-progress")

	for _, p := range []struct{ name, path string }{
		{"07-test", "/tests/" + strconv.FormatInt(f.testID, 10)},
		{"08-revision", "/revisions/" + f.revs[5] + "?repo=" + url.QueryEscape(repo)},
		{"09-runners", "/runners"},
		{"10-campaigns", "/campaigns"},
		{"10b-tokens", "/tokens"},
	} {
		do(t, ctx, "open "+p.path, chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(`main h1`)))
		screenshot(t, ctx, p.name)
	}

	do(t, ctx, "disable a runner",
		chromedp.Navigate(base+"/runners"),
		chromedp.Click(`//tr[contains(., "linux-1")]//button[contains(., "Disable")]`),
		chromedp.WaitVisible(`//tr[contains(., "linux-1")]//span[contains(., "disabled")]`),
	)

	// Phone width: nothing may overflow the page sideways; wide tables
	// scroll inside their own box.
	do(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	for _, p := range []struct{ name, path string }{
		{"11-phone-overview", "/"},
		{"12-phone-signature", sigPath},
		{"13-phone-campaign", "/campaigns/" + strconv.FormatInt(id, 10)},
		{"14-phone-new-campaign", "/campaigns/new"},
	} {
		do(t, ctx, "open "+p.path+" on a phone", chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(`main h1`)))
		overflow := read(t, ctx, "measure", chromedp.Evaluate[int](`document.documentElement.scrollWidth - 390`))
		if overflow > 0 {
			wide := read(t, ctx, "find wide elements", chromedp.Evaluate[string](`document.documentElement.scrollWidth + " " + Array.from(document.querySelectorAll("body *")).
				filter(e => e.getBoundingClientRect().right > 391 || e.scrollWidth > 391).slice(0, 6).map(e => e.tagName + "." + e.getAttribute("class") + ":" + e.scrollWidth).join(", ")`))
			t.Errorf("%s at 390px: page is %dpx wider than the screen; too wide: %s", p.path, overflow, wide)
		}
		screenshot(t, ctx, p.name)
	}
}
