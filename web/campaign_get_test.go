package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/browsertest"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/stats"
)

// legacyCampaign runs a finished 50-iteration legacy echo-pause campaign
// for real (small streams, frequent pauses: nearly every iteration loses
// bytes) and stores it as a runner would.
func legacyCampaign(t *testing.T, f *fixture) campaign.Campaign {
	t.Helper()
	spec, err := campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Proactor: "legacy", Backend: "emu",
		Params: campaign.Params{Packets: 200, PacketSize: 8192, PauseEvery: "5ms"}, Labels: []string{"windows"}, Iterations: 50}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.st.CreateCampaign(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	for first := 0; first < 50; first += 10 {
		f.stressResults(t, c, "win-buildbot-1", first, 10)
	}
	if _, err := f.st.FinishCampaign(context.Background(), c.ID, campaign.Done, "all iterations ran"); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCampaignPageGroupsFindings: a finished legacy campaign's page groups
// its failures by kind and phase with counts, shows one example of each in
// full and the rest on demand, says what its loss histogram shows, never
// says "no failure yet", and agrees with its JSON twin.
func TestCampaignPageGroupsFindings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	c := legacyCampaign(t, f)
	var findings struct {
		Findings []map[string]any
		Groups   []struct {
			Kind, Phase, Title string
			Count              int
			Iterations         []int
		}
		LossOffsets []int64 `json:"loss_offsets"`
	}
	getJSON(t, f.srv.URL+"/api/v1/campaigns/"+itoa(c.ID)+"/findings", &findings)
	if len(findings.Findings) < 10 || len(findings.Groups) == 0 {
		t.Fatalf("findings: %d in %d groups; want a legacy campaign's many losses", len(findings.Findings), len(findings.Groups))
	}
	total := 0
	for _, g := range findings.Groups {
		total += g.Count
		if g.Count != len(g.Iterations) {
			t.Errorf("group %s %s: count %d, %d iterations", g.Kind, g.Phase, g.Count, len(g.Iterations))
		}
	}
	if total != len(findings.Findings) {
		t.Errorf("groups hold %d findings, the list %d", total, len(findings.Findings))
	}

	code, page := get(t, f.srv.URL+"/campaigns/"+itoa(c.ID))
	if code != 200 {
		t.Fatalf("GET campaign page: %d", code)
	}
	if n := strings.Count(page, `<article class="finding">`); n != len(findings.Groups) {
		t.Errorf("page shows %d examples in full, want one per group (%d)", n, len(findings.Groups))
	}
	for _, g := range findings.Groups {
		head := regexp.MustCompile(regexp.QuoteMeta(g.Kind) + `</span>\s*` + regexp.QuoteMeta(g.Phase) + `\s*<span class="pill">` + itoa(int64(g.Count)) + `<`)
		if !head.MatchString(page) {
			t.Errorf("page lacks the group heading %q %q with its count %d", g.Kind, g.Phase, g.Count)
		}
		if g.Count > 1 && !strings.Contains(page, itoa(int64(g.Count-1))+" more like this") {
			t.Errorf("group %s %s: the other %d are not offered on demand", g.Kind, g.Phase, g.Count-1)
		}
	}
	for _, bad := range []string{"no failure yet", "No failing iteration yet"} {
		if strings.Contains(page, bad) {
			t.Errorf("a finished campaign's page says %q", bad)
		}
	}
	if len(findings.LossOffsets) > 0 && !strings.Contains(page, "Stream offset of each of "+itoa(int64(len(findings.LossOffsets)))+" losses") &&
		!strings.Contains(page, "at stream offset") {
		t.Errorf("the loss histogram does not say what it shows")
	}
	if !strings.Contains(page, "delivered to their readers") {
		t.Errorf("the example does not say what was delivered to whom")
	}
}

// TestCampaignPageZeroFailures: without failures the page names the bound
// it shows, and the JSON gives the same bound.
func TestCampaignPageZeroFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	spec, err := campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Proactor: "fixed", Backend: "emu",
		Params: campaign.Params{Packets: 50, PacketSize: 4096}, Labels: []string{"windows"}, Iterations: 12}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.st.CreateCampaign(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	f.stressResults(t, c, "win-buildbot-1", 0, 12)
	_, running := get(t, f.srv.URL+"/campaigns/"+itoa(c.ID))
	if _, err := f.st.FinishCampaign(context.Background(), c.ID, campaign.Done, "all iterations ran"); err != nil {
		t.Fatal(err)
	}
	_, done := get(t, f.srv.URL+"/campaigns/"+itoa(c.ID))
	var v struct {
		Runs     int
		Failures int
		High     float64 `json:"ci95_high"`
		Interval string
	}
	getJSON(t, f.srv.URL+"/api/v1/campaigns/"+itoa(c.ID), &v)
	if v.Runs != 12 || v.Failures != 0 || v.High != stats.ZeroFailureUpper(12) || v.Interval != stats.IntervalExactOneSided {
		t.Errorf("JSON: got %+v, want 0/12 with the exact one-sided bound %v", v, stats.ZeroFailureUpper(12))
	}
	want := "95% upper bound 22.1%, exact one-sided" // 1 − 0.05^(1/12)
	for name, page := range map[string]string{"running": running, "done": done} {
		if !strings.Contains(page, want) {
			t.Errorf("%s page lacks %q", name, want)
		}
	}
	if !strings.Contains(running, "no failure yet") {
		t.Errorf("the running campaign's page does not say no failure yet")
	}
	if strings.Contains(done, "no failure yet") || !strings.Contains(done, "no failure in 12 runs") {
		t.Errorf("the finished campaign's page should say %q, not %q", "no failure in 12 runs", "no failure yet")
	}
}

// TestBrowserCampaignPageIsShort: the 50-iteration legacy campaign page
// that was 6,655 px tall as 20 expanded cards fits in a few screens.
func TestBrowserCampaignPageIsShort(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	c := legacyCampaign(t, f)
	ctx := browsertest.New(t)
	do(t, ctx, "open the campaign page", chromedp.Navigate(f.srv.URL+"/campaigns/"+itoa(c.ID)), chromedp.WaitVisible(`//h2[contains(., "Failures by kind and phase")]`))
	screenshot(t, ctx, "campaign-legacy-50")
	if h := read(t, ctx, "measure the page", chromedp.Evaluate[int](`document.documentElement.scrollHeight`)); h > 2600 {
		t.Errorf("the campaign page is %d px tall; want it to fit in a few screens (≤ 2600 px)", h)
	}
}

// TestQueuedCampaignSaysWhyItWaits: a queued campaign whose labels no
// runner covers says so on the overview, its page and their JSON; one
// whose runners are all offline says that instead.
func TestQueuedCampaignSaysWhyItWaits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	create := func(labels ...string) campaign.Campaign {
		spec, err := campaign.Spec{Kind: campaign.KindExec, Command: []string{"true"}, Labels: labels, Iterations: 5}.Validate()
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.st.CreateCampaign(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	nobody, offline, fine := create("macos"), create("linux"), create("windows")
	var o struct {
		Active []struct {
			ID      int64
			Waiting string
		} `json:"campaigns_running"`
	}
	getJSON(t, f.srv.URL+"/api/v1/overview", &o)
	want := map[int64]string{
		nobody.ID:  "no runner can take this campaign's labels (labels macos)",
		offline.ID: "no runner that can take this campaign's labels (labels linux) is online",
		fine.ID:    "",
	}
	for _, a := range o.Active {
		if w, ok := want[a.ID]; ok && !strings.HasPrefix(a.Waiting, w) || (w == "") != (a.Waiting == "") {
			t.Errorf("campaign %d waiting %q, want %q", a.ID, a.Waiting, w)
		}
	}
	_, home := get(t, f.srv.URL+"/")
	if !strings.Contains(home, "no runner can take this campaign&#39;s labels (labels macos)") {
		t.Errorf("the overview does not say why the macos campaign waits")
	}
	_, page := get(t, f.srv.URL+"/campaigns/"+itoa(nobody.ID))
	if !strings.Contains(page, "no runner can take this campaign&#39;s labels") {
		t.Errorf("the campaign page does not say why it waits")
	}
}
