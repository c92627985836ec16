package github_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/pgtest"
	registry "github.com/triaged/triaged/internal/repo"
	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/view"
	"github.com/triaged/triaged/stress"
)

const hookSecret = "It's a Secret to Everybody"

func newHookEnv(t *testing.T, hook github.WebhookConfig) *env {
	t.Helper()
	st := pgtest.NewStore(t)
	srv := app.New(app.Config{Version: "test", AdminToken: admin, Log: slog.New(slog.DiscardHandler), Webhook: hook}, st)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, store: st, url: ts.URL}
}

// count runs a counting query.
func (e *env) count(q string) int {
	e.t.Helper()
	var n int
	if err := e.store.Pool().QueryRow(context.Background(), q).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// scenarioRecords runs a built-in scenario for real, as a runner would,
// until it has one passing and one failing iteration: the producer's own
// test id and detector report, not a guess at them.
func scenarioRecords(t *testing.T) (pass, fail stress.Record) {
	t.Helper()
	run := func(every string) stress.Record {
		spec, err := campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Proactor: "legacy", Backend: "emu",
			Iterations: 1, Params: campaign.Params{Packets: 200, PacketSize: 4096, PauseEvery: every}}.Validate()
		if err != nil {
			t.Fatal(err)
		}
		it, err := campaign.Campaign{ID: 1, Spec: spec}.Iteration(campaign.Host{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			if r := it(context.Background(), i); r.Failed() == (every != "1m") {
				return r
			}
		}
		t.Fatalf("echo-pause (legacy, pause every %s) never gave the outcome wanted", every)
		return stress.Record{}
	}
	// Without a pause in the stream the legacy proactor cancels nothing and
	// passes; pausing every millisecond makes it lose data.
	return run("1m"), run("1ms")
}

func sign256(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func sign1(secret, body string) string {
	m := hmac.New(sha1.New, []byte(secret))
	io.WriteString(m, body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// deliver posts a webhook with the given headers and returns the status and
// the answer.
func deliver(t *testing.T, e *env, headers map[string]string, body string) (int, github.WebhookAnswer, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.url+"/webhooks/github", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var ans github.WebhookAnswer
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &ans); err != nil {
			t.Fatalf("answer %s: %v", b, err)
		}
	}
	return resp.StatusCode, ans, string(b)
}

func signed(event, delivery, body string) map[string]string {
	return map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": sign256(hookSecret, body)}
}

func pushBody(repo, sha string, pushedAt time.Time) string {
	return fmt.Sprintf(`{"ref":"refs/heads/fix-proactor","before":"0123","after":%q,
		"repository":{"full_name":%q,"pushed_at":%d},
		"head_commit":{"id":%q,"message":"gh-79014: keep completed reads on pause_reading()","author":{"name":"A. Developer","username":"adev"}},
		"commits":[{"id":%q,"message":"gh-79014: keep completed reads on pause_reading()","author":{"name":"A. Developer","username":"adev"}}]}`,
		sha, repo, pushedAt.Unix(), sha, sha)
}

func prBody(repo, sha string, updatedAt time.Time) string {
	return fmt.Sprintf(`{"action":"opened","number":7,"repository":{"full_name":%q},
		"pull_request":{"number":7,"title":"Fix data loss","updated_at":%q,"user":{"login":"adev"},"head":{"ref":"fix-proactor","sha":%q}}}`,
		repo, updatedAt.UTC().Format(time.RFC3339), sha)
}

func TestWebhookSignatures(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, github.WebhookConfig{Secret: hookSecret})
	ping := `{"zen":"Keep it logically awesome.","hook_id":1}`
	push := pushBody("owner/app", "abc1234", time.Now())
	at := time.Now()
	noTime := strings.Replace(pushBody("owner/app", "abc1235", at), fmt.Sprintf(`,"pushed_at":%d`, at.Unix()), "", 1)
	prNoTime := strings.Replace(prBody("owner/app", "abc1236", at), fmt.Sprintf(`"updated_at":%q,`, at.UTC().Format(time.RFC3339)), "", 1)
	if noTime == pushBody("owner/app", "abc1235", at) || prNoTime == prBody("owner/app", "abc1236", at) {
		t.Fatal("the payloads without a time still have one")
	}
	tests := []struct {
		name     string
		headers  map[string]string
		body     string
		wantCode int
		wantText string
	}{
		{"good ping", signed("ping", "d-1", ping), ping, 200, `"pong"`},
		{"good push", signed("push", "d-2", push), push, 200, `"recorded"`},
		{"replayed push", signed("push", "d-2", push), push, 409, "already received"},
		{"replayed push under a new delivery id", signed("push", "d-2-again", push), push, 409, "same signed body"},
		{"push without its time", signed("push", "d-10", noTime), noTime, 400, "event time"},
		{"pull request without its time", signed("pull_request", "d-11", prNoTime), prNoTime, 400, "event time"},
		{"missing signature", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-3"}, push, 401, "missing X-Hub-Signature-256"},
		{"sha1 only", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-4", "X-Hub-Signature": sign1(hookSecret, push)}, push, 401, "X-Hub-Signature-256 only"},
		{"wrong secret", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-5", "X-Hub-Signature-256": sign256("guess", push)}, push, 401, "does not match"},
		{"body changed", signed("push", "d-6", push), strings.Replace(push, "abc1234", "abc1244", 1), 401, "does not match"},
		{"not hex", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-7", "X-Hub-Signature-256": "sha256=zz"}, push, 401, "does not match"},
		{"other algorithm", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-8", "X-Hub-Signature-256": "md5=00"}, push, 401, "want sha256="},
		{"stale pull request", signed("pull_request", "d-9", prBody("owner/app", "abc1234", time.Now().Add(-30*24*time.Hour))),
			prBody("owner/app", "abc1234", time.Now().Add(-30*24*time.Hour)), 409, "stale delivery"},
		{"no delivery id", map[string]string{"X-GitHub-Event": "ping", "X-Hub-Signature-256": sign256(hookSecret, ping)}, ping, 400, "X-GitHub-Delivery"},
	}
	for _, tt := range tests { // in order: the replay follows the good push
		code, _, body := deliver(t, e, tt.headers, tt.body)
		if code != tt.wantCode || !strings.Contains(body, tt.wantText) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, code, body, tt.wantCode, tt.wantText)
		}
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 2 {
		t.Errorf("%d deliveries remembered, want the 2 accepted", n)
	}
	c, err := e.store.CommitInfo(context.Background(), "owner/app", "abc1234")
	if err != nil || c.Message != "gh-79014: keep completed reads on pause_reading()" || c.Author != "adev" || c.Branch != "fix-proactor" {
		t.Errorf("recorded commit: %+v, %v", c, err)
	}
}

func TestWebhookOffWithoutSecret(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, github.WebhookConfig{})
	ping := `{"zen":"x"}`
	if code, _, body := deliver(t, e, signed("ping", "d-1", ping), ping); code != 404 || !strings.Contains(body, "--github-webhook-secret") {
		t.Errorf("got %d %s, want 404 naming the flag", code, body)
	}
}

func TestWebhookStartsVerificationCampaigns(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, github.WebhookConfig{Secret: hookSecret, Verify: github.VerifyConfig{
		Repos:   []string{"owner/app"},
		Command: []string{"python3", "-m", "test", "test_asyncio", "-m", "{name}"},
		Format:  "regrtest", Iterations: 300, MaxTests: 2,
	}})
	// Flaky on an earlier commit: both passed and failed there. The
	// scenario's results are what a real run of it produced. The third test
	// only failed, so it is not flaky and gets no campaign.
	passed, failed := scenarioRecords(t)
	for i, rec := range []stress.Record{passed, failed} {
		outcome := "pass"
		if rec.Failed() {
			outcome = "fail"
		}
		doc, err := report.EncodeNative(append(rec.Results,
			report.Result{Test: "test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1", Outcome: rec.Outcome,
				FailureText: map[string]string{"pass": "", "fail": "RuntimeError: Event loop stopped before Future completed."}[outcome]},
			report.Result{Test: "test.test_os.test_broken", Outcome: report.Fail, FailureText: "OSError"}))
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/results?repo=owner/app&revision=0da1000&builder=win&batch=f%d", i)
		if code := e.do("POST", path, "application/json", string(doc), nil); code != 200 {
			t.Fatalf("upload: %d", code)
		}
	}
	push := pushBody("owner/app", "f1c5000", time.Now())
	code, ans, body := deliver(t, e, signed("push", "d-1", push), push)
	if code != 200 || len(ans.Campaigns) != 2 {
		t.Fatalf("push: %d %s, want 200 with 2 campaigns", code, body)
	}
	var list struct{ Campaigns []view.Campaign }
	e.do("GET", "/api/v1/campaigns", "", "", &list)
	var got []string
	for _, c := range list.Campaigns {
		if c.Revision != "f1c5000" || c.Repo != "owner/app" || c.Stop != campaign.StopFirstFailure || c.Iterations != 300 ||
			c.CreatedBy != github.CreatedBy || c.Branch != "fix-proactor" {
			t.Errorf("campaign %d: %+v", c.ID, c)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s", c.Name, c.Kind, c.Scenario, c.Proactor, strings.Join(c.Command, " ")))
	}
	slices.Sort(got)
	want := []string{
		"verify echo-pause.legacy @ f1c5000|scenario|echo-pause|legacy|",
		"verify test_start_tls_server_1 @ f1c5000|exec|||python3 -m test test_asyncio -m test_start_tls_server_1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("campaigns:\n got %q\nwant %q", got, want)
	}
	// The pull request for the same commit verifies nothing twice.
	pr := prBody("owner/app", "f1c5000", time.Now())
	if code, ans, body := deliver(t, e, signed("pull_request", "d-2", pr), pr); code != 200 || len(ans.Campaigns) != 0 {
		t.Errorf("pull request: %d %s, want 200 and no new campaign", code, body)
	}
	// A repo not configured gets none.
	other := pushBody("owner/other", "f1c5000", time.Now())
	if code, ans, body := deliver(t, e, signed("push", "d-3", other), other); code != 200 || len(ans.Campaigns) != 0 {
		t.Errorf("push to another repo: %d %s, want no campaign", code, body)
	}
}

// TestWebhookRefusesInjectedTestNames replays issue #14's attack on
// verification campaigns: a flaky test named to run a command in the shell
// form (`m.t; touch …; echo `), and one named to become an option in the
// argv form (`m.--tempdir=/etc`, whose last part {name} stands for). No
// campaign is made for them, so nothing can run; the answer says which
// tests were refused and why. A plain test gets its campaign, carrying its
// id for $TRIAGED_TEST.
func TestWebhookRefusesInjectedTestNames(t *testing.T) {
	t.Parallel()
	pwned := t.TempDir() + "/pwned"
	inject, option, plain := "m.t; touch "+pwned+"; echo ", "m.--tempdir=/etc", "test.test_os.TestX.test_plain"
	for _, tc := range []struct {
		name     string
		command  []string
		refused  []string
		verified []string
	}{
		// In the shell form m.--tempdir=/etc is one word that does not start
		// with '-': the shell passes it on as it is.
		{"shell form", []string{"sh", "-c", "python3 -m test -v {test}"}, []string{inject}, []string{option, plain}},
		{"argv form", []string{"python3", "-m", "test", "-m", "{name}"}, []string{inject, option}, []string{plain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newHookEnv(t, github.WebhookConfig{Secret: hookSecret, Verify: github.VerifyConfig{
				Repos: []string{"owner/app"}, Command: tc.command, Format: "regrtest",
			}})
			for i, outcome := range []string{"pass", "fail"} {
				var rs []string
				for _, name := range []string{inject, option, plain} {
					rs = append(rs, fmt.Sprintf(`{"test":%q,"outcome":%q,"failure_text":"AssertionError"}`, name, outcome))
				}
				path := fmt.Sprintf("/api/v1/results?repo=owner/app&revision=0da1000&builder=ci&batch=f%d", i)
				if code := e.do("POST", path, "application/json", `{"results":[`+strings.Join(rs, ",")+`]}`, nil); code != 200 {
					t.Fatalf("upload: %d", code)
				}
			}
			push := pushBody("owner/app", "f1c5000", time.Now())
			code, ans, body := deliver(t, e, signed("push", "d-1", push), push)
			if code != 200 || len(ans.Campaigns) != len(tc.verified) {
				t.Fatalf("push: %d %s, want 200 and campaigns for %q", code, body, tc.verified)
			}
			refused := map[string]string{}
			for _, r := range ans.Refused {
				refused[r.Test] = r.Reason
			}
			for _, name := range tc.refused {
				if why := refused[name]; !strings.Contains(why, "cannot be put on a command line") || !strings.Contains(why, "TRIAGED_TEST") {
					t.Errorf("test %q: refusal %q, want it to say why and what to do instead", name, why)
				}
				if !slices.Contains(ans.NotVerified, name) {
					t.Errorf("test %q not listed as not verified: %q", name, ans.NotVerified)
				}
				if n := e.count(`SELECT count(*) FROM campaigns WHERE test = '` + strings.ReplaceAll(name, "'", "''") + `'`); n != 0 {
					t.Errorf("%d campaigns for refused test %q, want none", n, name)
				}
			}
			var got []string
			for _, id := range ans.Campaigns {
				var c view.Campaign
				e.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", id), "", "", &c)
				got = append(got, c.Test)
				for _, arg := range c.Command {
					if strings.Contains(arg, "touch") || strings.HasPrefix(arg, "-") && strings.Contains(arg, "tempdir") {
						t.Errorf("campaign %d runs %q", id, c.Command)
					}
				}
			}
			slices.Sort(got)
			if want := slices.Sorted(slices.Values(tc.verified)); !slices.Equal(got, want) {
				t.Errorf("campaigns carry tests %q, want %q", got, want)
			}
			if n := e.count(`SELECT count(*) FROM jobs`); n != len(tc.verified)*8 {
				t.Errorf("%d jobs, want only the verified tests' (8 each)", n)
			}
			if _, err := os.Stat(pwned); err == nil {
				t.Errorf("%s exists", pwned)
			}
		})
	}
}

// TestVerificationUsesTheRegisteredRepo: without --github-verify-command,
// a registered repository's own command for each flaky test is used, and
// the campaign names the test, so its runner checks the pushed commit out
// and the command sees TRIAGED_TEST.
func TestVerificationUsesTheRegisteredRepo(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, github.WebhookConfig{Secret: hookSecret, Verify: github.VerifyConfig{Repos: []string{"owner/app"}, Iterations: 50}})
	if _, _, err := e.store.SaveRepo(context.Background(), registry.Repo{Repo: "owner/app", CloneURL: "https://github.com/owner/app.git",
		Build: []string{}, TestCommand: []string{}}); err != nil {
		t.Fatal(err)
	}
	const test = "github.com/owner/app/net.TestDialCancel"
	for i, outcome := range []string{"pass", "fail"} {
		doc := fmt.Sprintf(`{"results":[{"test":%q,"outcome":%q,"failure_text":"dial: i/o timeout"}]}`, test, outcome)
		if code := e.do("POST", fmt.Sprintf("/api/v1/results?repo=owner/app&revision=0da1000&builder=ci&batch=g%d", i), "application/json", doc, nil); code != 200 {
			t.Fatalf("upload: %d", code)
		}
	}
	push := pushBody("owner/app", "f1c5000", time.Now())
	if code, ans, body := deliver(t, e, signed("push", "d-1", push), push); code != 200 || len(ans.Campaigns) != 1 {
		t.Fatalf("push: %d %s", code, body)
	}
	var list struct{ Campaigns []view.Campaign }
	e.do("GET", "/api/v1/campaigns", "", "", &list)
	if len(list.Campaigns) != 1 {
		t.Fatalf("campaigns: %+v", list.Campaigns)
	}
	c := list.Campaigns[0]
	if got := strings.Join(c.Command, " "); got != "go test -v -count=1 -run ^TestDialCancel$ ./net" || c.Test != test || c.Revision != "f1c5000" {
		t.Errorf("verification campaign: command %q, test %q, revision %q", got, c.Test, c.Revision)
	}
}
