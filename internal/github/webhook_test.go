package ingest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/server"
)

const hookSecret = "It's a Secret to Everybody"

func newHookEnv(t *testing.T, hook ingest.WebhookConfig) *env {
	t.Helper()
	st := pgtest.NewStore(t)
	srv := server.New(server.Config{Version: "test", AdminToken: admin, Log: testLogger(t), Webhook: hook}, st)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, store: st, url: ts.URL}
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
func deliver(t *testing.T, e *env, headers map[string]string, body string) (int, ingest.WebhookAnswer, string) {
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
	var ans ingest.WebhookAnswer
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
	e := newHookEnv(t, ingest.WebhookConfig{Secret: hookSecret})
	ping := `{"zen":"Keep it logically awesome.","hook_id":1}`
	push := pushBody("owner/app", "abc123", time.Now())
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
		{"missing signature", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-3"}, push, 401, "missing X-Hub-Signature-256"},
		{"sha1 only", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-4", "X-Hub-Signature": sign1(hookSecret, push)}, push, 401, "X-Hub-Signature-256 only"},
		{"wrong secret", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-5", "X-Hub-Signature-256": sign256("guess", push)}, push, 401, "does not match"},
		{"body changed", signed("push", "d-6", push), strings.Replace(push, "abc123", "abc124", 1), 401, "does not match"},
		{"not hex", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-7", "X-Hub-Signature-256": "sha256=zz"}, push, 401, "does not match"},
		{"other algorithm", map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-8", "X-Hub-Signature-256": "md5=00"}, push, 401, "want sha256="},
		{"stale pull request", signed("pull_request", "d-9", prBody("owner/app", "abc123", time.Now().Add(-30*24*time.Hour))),
			prBody("owner/app", "abc123", time.Now().Add(-30*24*time.Hour)), 409, "stale delivery"},
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
	c, err := e.store.CommitInfo(context.Background(), "owner/app", "abc123")
	if err != nil || c.Message != "gh-79014: keep completed reads on pause_reading()" || c.Author != "adev" || c.Branch != "fix-proactor" {
		t.Errorf("recorded commit: %+v, %v", c, err)
	}
}

func TestWebhookOffWithoutSecret(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, ingest.WebhookConfig{})
	ping := `{"zen":"x"}`
	if code, _, body := deliver(t, e, signed("ping", "d-1", ping), ping); code != 404 || !strings.Contains(body, "--github-webhook-secret") {
		t.Errorf("got %d %s, want 404 naming the flag", code, body)
	}
}

func TestWebhookStartsVerificationCampaigns(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t, ingest.WebhookConfig{Secret: hookSecret, Verify: ingest.VerifyConfig{
		Repos:   []string{"owner/app"},
		Command: []string{"python3", "-m", "test", "test_asyncio", "-m", "{name}"},
		Format:  "regrtest", Iterations: 300, MaxTests: 2,
	}})
	// Flaky on an earlier commit: both passed and failed there. The third
	// test only failed, so it is not flaky and gets no campaign.
	for i, outcome := range []string{"pass", "fail"} {
		body := fmt.Sprintf(`{"results":[
			{"test":"test.test_asyncio.test_sslproto.SelectorStartTLSTests.test_start_tls_server_1","outcome":%q,"failure_text":"RuntimeError: Event loop stopped before Future completed."},
			{"test":"scenario/echo-pause","outcome":%q,"failure_text":"lost bytes"},
			{"test":"test.test_os.test_broken","outcome":"fail","failure_text":"OSError"}]}`, outcome, outcome)
		if code, _ := upload(e, fmt.Sprintf("repo=owner/app&revision=old1&builder=win&batch=f%d", i), "application/json", body); code != 200 {
			t.Fatalf("upload: %d", code)
		}
	}
	push := pushBody("owner/app", "fix1", time.Now())
	code, ans, body := deliver(t, e, signed("push", "d-1", push), push)
	if code != 200 || len(ans.Campaigns) != 2 {
		t.Fatalf("push: %d %s, want 200 with 2 campaigns", code, body)
	}
	var list struct{ Campaigns []ingest.CampaignView }
	e.do("GET", "/api/v1/campaigns", "", "", nil, &list)
	var got []string
	for _, c := range list.Campaigns {
		if c.Revision != "fix1" || c.Repo != "owner/app" || c.Stop != "first-failure" || c.Iterations != 300 {
			t.Errorf("campaign %d: %+v", c.ID, c)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%s", c.Name, c.Kind, c.Scenario, strings.Join(c.Command, " ")))
	}
	slices.Sort(got)
	want := []string{
		"verify scenario/echo-pause @ fix1|scenario|echo-pause|",
		"verify test_start_tls_server_1 @ fix1|exec||python3 -m test test_asyncio -m test_start_tls_server_1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("campaigns:\n got %q\nwant %q", got, want)
	}
	// The pull request for the same commit verifies nothing twice.
	pr := prBody("owner/app", "fix1", time.Now())
	if code, ans, body := deliver(t, e, signed("pull_request", "d-2", pr), pr); code != 200 || len(ans.Campaigns) != 0 {
		t.Errorf("pull request: %d %s, want 200 and no new campaign", code, body)
	}
	// A repo not configured gets none.
	other := pushBody("owner/other", "fix1", time.Now())
	if code, ans, body := deliver(t, e, signed("push", "d-3", other), other); code != 200 || len(ans.Campaigns) != 0 {
		t.Errorf("push to another repo: %d %s, want no campaign", code, body)
	}
}
