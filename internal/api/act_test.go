package api_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/rule"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

// newServing is a server running its background work (rules applied to
// history every few milliseconds), as in production.
func newServing(t *testing.T) *env {
	t.Helper()
	st := pgtest.NewStore(t)
	srv := app.New(app.Config{Version: "test", AdminToken: admin, Log: testLogger(t), Act: app.ActConfig{Poll: 10 * time.Millisecond}}, st)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &env{t: t, store: st, url: "http://" + ln.Addr().String()}
}

// failing is a failure of test with text, for uploadRun.
type failing struct{ test, text string }

// uploadRun uploads a CI run of sha on branch: the failures and a pass.
func uploadRun(e *env, sha, batch, branch string, fs ...failing) ingest.Answer {
	e.t.Helper()
	docs := []string{`{"test":"t.TestFine","outcome":"pass"}`}
	for _, f := range fs {
		docs = append(docs, fmt.Sprintf(`{"test":%q,"outcome":"fail","failure_text":%q}`, f.test, f.text))
	}
	q := fmt.Sprintf("repo=golang/go&revision=%s&builder=linux-amd64&os=linux&batch=%s&branch=%s", sha, batch, branch)
	code, ans := upload(e, q, "application/json", `{"results":[`+strings.Join(docs, ",")+`]}`)
	if code != http.StatusOK {
		e.t.Fatalf("upload %s: %d", batch, code)
	}
	return ans
}

var (
	lookupHost = failing{"net.TestLookupHost", "--- FAIL: TestLookupHost\n    lookup golang.org on 127.0.0.53:53: no such host"}
	lookupPort = failing{"net.TestLookupPort", "--- FAIL: TestLookupPort\n    lookup tcp/http: no such host"}
	dialRefuse = failing{"net.TestDialTimeout", "--- FAIL: TestDialTimeout\n    dial tcp 127.0.0.1:9: connect: connection refused"}
	statDenied = failing{"os.TestStat", "--- FAIL: TestStat\n    stat /tmp/x: permission denied"}
)

// history uploads three revisions on main and one on a release branch.
func history(e *env) {
	e.t.Helper()
	uploadRun(e, "aaa0001", "b1", "main", lookupHost, lookupPort, dialRefuse)
	uploadRun(e, "aaa0002", "b2", "main", lookupHost, statDenied)
	uploadRun(e, "aaa0003", "b3", "main", lookupPort, dialRefuse)
	uploadRun(e, "aaa0004", "b4", "release-branch.go1.26", lookupHost)
}

func preview(e *env, expr string) (int, view.RulePreview, map[string]any) {
	e.t.Helper()
	var raw map[string]any
	var p view.RulePreview
	body := fmt.Sprintf(`{"expr":%q}`, expr)
	code := e.do("POST", "/api/v1/rules/preview", admin, "application/json", strings.NewReader(body), &raw)
	if code == 200 {
		e.do("POST", "/api/v1/rules/preview", admin, "application/json", strings.NewReader(body), &p)
	}
	return code, p, raw
}

func TestRulePreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	history(e)
	code, p, raw := preview(e, `test ~ "^net\.TestLookup" && text ~ "no such host"`)
	if code != 200 || p.Matches != 5 || len(p.Tests) != 2 || len(p.Sigs) == 0 || len(p.Examples) != 5 || p.Scanned != 8 {
		t.Fatalf("preview: %d %+v", code, p)
	}
	for _, k := range []string{"matches", "tests", "signatures", "examples"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("preview answer lacks %q: %v", k, raw)
		}
	}
	if p.Tests[0].Name != "net.TestLookupHost" || p.Tests[0].Matches != 3 || !strings.Contains(p.Examples[0].Text, "no such host") {
		t.Errorf("preview counts or examples: %+v", p)
	}
	// Only the texts of the tests the rule names were read.
	if p.TextsRead != 5 {
		t.Errorf("read %d failure texts, want only the 5 of net.TestLookup*", p.TextsRead)
	}
	if _, p, _ := preview(e, `branch == "release-branch.go1.26"`); p.Matches != 1 || p.TextsRead != 0 {
		t.Errorf("branch preview: %+v", p)
	}
	if _, p, _ := preview(e, `!(os == "linux")`); p.Matches != 0 {
		t.Errorf("negation preview: %+v", p)
	}
	for _, tt := range []struct {
		expr string
		col  float64
	}{
		{`test ~ "^net\.TestLookup" && txt ~ "x"`, 30},
		{`test ~ "(unclosed"`, 8},
		{`test = "x"`, 6},
	} {
		code, _, raw := preview(e, tt.expr)
		if code != 400 || raw["column"] != tt.col || raw["error"] == "" {
			t.Errorf("preview %s: %d %v, want 400 at column %v", tt.expr, code, raw, tt.col)
		}
	}
}

func saveRule(e *env, body string) (int, rule.Rule, map[string]any) {
	e.t.Helper()
	var raw map[string]any
	var r rule.Rule
	code := e.do("POST", "/api/v1/rules", admin, "application/json", strings.NewReader(body), &raw)
	if code == 201 {
		r.ID, r.Version = int64(raw["id"].(float64)), int(raw["version"].(float64))
	}
	return code, r, raw
}

// applied waits until the rule's newest application is done.
func applied(e *env, id int64, version int) view.RuleView {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v view.RuleView
		e.do("GET", fmt.Sprintf("/api/v1/rules/%d", id), "", "", nil, &v)
		if len(v.Applications) > 0 && v.Applications[0].Version == version && v.Applications[0].State == "done" {
			return v
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("rule %d v%d not applied: %+v", id, version, v)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRuleAppliedToHistoryAndAtIngest saves a group rule: it is applied
// to the failures already stored, in the background, and new failures
// are matched as they are uploaded; a new version replaces the old one's
// matches and keeps the old version with its author.
func TestRuleAppliedToHistoryAndAtIngest(t *testing.T) {
	t.Parallel()
	e := newServing(t)
	history(e)
	code, r, raw := saveRule(e, `{"name":"DNS lookups","expr":"test ~ \"^net\\.TestLookup\" && text ~ \"no such host\"","action":{"kind":"group","group":"dns"},"why":"one cause"}`)
	if code != 201 || r.Version != 1 {
		t.Fatalf("save: %d %v", code, raw)
	}
	if v := applied(e, r.ID, 1); v.Applications[0].Matched != 5 {
		t.Errorf("applied to history: %+v, want 5 matched", v.Applications[0])
	}
	group := func() view.Group {
		var g view.Group
		if code := e.do("GET", "/api/v1/groups/dns", "", "", nil, &g); code != 200 {
			t.Fatalf("group: %d", code)
		}
		return g
	}
	if g := group(); g.Failures != 5 || len(g.Tests) != 2 || g.Runs == 0 || len(g.Rules) != 1 {
		t.Errorf("group after application: %+v", g)
	}
	uploadRun(e, "aaa0005", "b5", "main", lookupPort)
	if g := group(); g.Failures != 6 {
		t.Errorf("group after an upload: %d failures, want 6 (matched at ingest)", g.Failures)
	}

	code, r2, _ := saveRule(e, `{"name":"DNS lookups","expr":"test == \"net.TestLookupHost\"","action":"group:dns","why":"narrower"}`)
	if code != 201 || r2.ID != r.ID || r2.Version != 2 {
		t.Fatalf("new version: %d %+v", code, r2)
	}
	v := applied(e, r.ID, 2)
	if g := group(); g.Failures != 3 || len(g.Tests) != 1 {
		t.Errorf("group after v2: %+v, want the 3 failures of TestLookupHost", g)
	}
	if len(v.Versions) != 2 || v.Versions[1].Version != 1 || v.Versions[1].Author != "bootstrap admin" || v.Versions[1].Why != "one cause" {
		t.Errorf("versions: %+v", v.Versions)
	}
}

// TestRuleActionsReachTheVerdict: an infra rule classes its failures
// infra, a quarantining rule quarantines them, on the revision page and
// its JSON, once applied to history.
func TestRuleActionsReachTheVerdict(t *testing.T) {
	t.Parallel()
	e := newServing(t)
	history(e)
	expires := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	for _, body := range []string{
		`{"name":"refused","expr":"text ~ \"connection refused\"","action":"infra"}`,
		`{"name":"stat","expr":"test == \"os.TestStat\"","action":{"kind":"quarantine","owner":"gopher","reason":"tmp is odd","expires_at":"` + expires + `"}}`,
	} {
		code, r, raw := saveRule(e, body)
		if code != 201 {
			t.Fatalf("save %s: %d %v", body, code, raw)
		}
		applied(e, r.ID, 1)
	}
	classes := func(sha string) map[string]string {
		var rv view.Revision
		e.do("GET", "/api/v1/revisions/"+sha+"?repo=golang/go", "", "", nil, &rv)
		out := map[string]string{}
		for _, f := range rv.Failures {
			c := string(f.Class)
			if f.Quarantine != nil {
				c += " quarantined by " + f.Quarantine.Owner
			}
			out[f.Test] = c
		}
		return out
	}
	if got := classes("aaa0001")["net.TestDialTimeout"]; got != "infra" {
		t.Errorf("TestDialTimeout on aaa0001: %q, want infra", got)
	}
	if got := classes("aaa0002")["os.TestStat"]; !strings.HasSuffix(got, "quarantined by gopher") {
		t.Errorf("TestStat on aaa0002: %q, want quarantined", got)
	}
	// New uploads get the same, in their answer.
	ans := uploadRun(e, "aaa0006", "b6", "main", dialRefuse, statDenied)
	for _, r := range ans.Results {
		switch r.Test {
		case "net.TestDialTimeout":
			if r.Class != "infra" || !strings.Contains(r.Why, "refused") {
				t.Errorf("upload answer for %s: %+v", r.Test, r)
			}
		case "os.TestStat":
			if r.Quarantine == nil || r.Quarantine.Owner != "gopher" {
				t.Errorf("upload answer for %s: %+v", r.Test, r)
			}
		}
	}
	if ans.NewFailures != 0 {
		t.Errorf("upload answer: %d new failures, want none", ans.NewFailures)
	}
}

func TestRuleSaveRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	for _, tt := range []struct {
		body      string
		wantCode  int
		wantField string
	}{
		{`{"expr":"os == \"linux\"","action":"infra"}`, 400, "name"},
		{`{"name":"x","action":"infra"}`, 400, "expr"},
		{`{"name":"x","expr":"os == \"linux\""}`, 400, "action"},
		{`{"name":"x","expr":"os == \"linux\"","action":"group"}`, 400, "action.group"},
		{`{"name":"x","expr":"os == \"linux\"","action":{"kind":"quarantine","owner":"o","reason":"r"}}`, 400, "action.expires_at"},
		{`{"name":"x","expr":"os = \"linux\"","action":"infra"}`, 400, ""},
		{`{"name":"<x>","expr":"os == \"linux\"","action":"infra"}`, 400, ""},
		{`{"name":"x","expr":"os == \"linux\"","action":"delete"}`, 400, ""},
		{`{"name":"x","expr":"os == \"linux\"","action":"infra"}`, 201, ""},
	} {
		code, _, raw := saveRule(e, tt.body)
		if code != tt.wantCode || tt.wantField != "" && raw["field"] != tt.wantField {
			t.Errorf("POST %s: %d %v, want %d naming %q", tt.body, code, raw, tt.wantCode, tt.wantField)
		}
	}
	if code, _, raw := saveRule(e, `{"name":"y","expr":"os == \"linux\" &&","action":"infra"}`); code != 400 || raw["column"] != float64(17) {
		t.Errorf("a rule that does not parse: %d %v, want 400 at column 17", code, raw)
	}
}

func TestOwnersAndLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	history(e)
	testID := int64(e.count(`SELECT id FROM tests WHERE name = 'net.TestLookupHost'`))
	sigID := int64(e.count(`SELECT signature_id FROM results WHERE signature_id IS NOT NULL ORDER BY id LIMIT 1`))
	put := func(path, body string) int {
		return e.do("PUT", path, admin, "application/json", strings.NewReader(body), nil)
	}
	if code := put(fmt.Sprintf("/api/v1/tests/%d/owner", testID), `{"owner":"octocat","why":"I wrote it"}`); code != 200 {
		t.Fatalf("set owner: %d", code)
	}
	if code := put(fmt.Sprintf("/api/v1/tests/%d/owner", testID), `{"owner":"two\nlines"}`); code != 400 {
		t.Errorf("an owner on two lines: %d, want 400", code)
	}
	if code := put("/api/v1/tests/999999/owner", `{"owner":"x"}`); code != 404 {
		t.Errorf("owner of no test: %d, want 404", code)
	}
	var l struct {
		ID           int64
		GitHubRepo   string `json:"github_repo"`
		GitHubNumber int    `json:"github_number"`
	}
	link := fmt.Sprintf("/api/v1/signatures/%d/links", sigID)
	if code := e.do("POST", link, admin, "application/json", strings.NewReader(`{"url":"https://github.com/golang/go/issues/72731"}`), &l); code != 201 ||
		l.GitHubRepo != "golang/go" || l.GitHubNumber != 72731 {
		t.Errorf("link: %d %+v", code, l)
	}
	if code := e.do("POST", link, admin, "application/json", strings.NewReader(`{"url":"https://github.com/golang/go/issues/72731"}`), nil); code != 409 {
		t.Errorf("the same link twice: %d, want 409", code)
	}
	if code := e.do("POST", link, admin, "application/json", strings.NewReader(`{"url":"javascript:alert(1)"}`), nil); code != 400 {
		t.Errorf("a javascript: link: %d, want 400", code)
	}
	var tv view.Test
	e.do("GET", fmt.Sprintf("/api/v1/tests/%d", testID), "", "", nil, &tv)
	if tv.Owner != "octocat" || len(tv.Audit) == 0 || tv.Audit[len(tv.Audit)-1].Why != "I wrote it" {
		t.Errorf("test view: owner %q, audit %+v", tv.Owner, tv.Audit)
	}
	var mine, unowned view.OwnedList
	e.do("GET", "/api/v1/owners?owner=octocat", "", "", nil, &mine)
	e.do("GET", "/api/v1/owners?unowned=1", "", "", nil, &unowned)
	if len(mine.Items) != 1 || mine.Items[0].ID != testID || mine.Items[0].Kind != "test" {
		t.Errorf("owned by octocat: %+v", mine.Items)
	}
	for _, it := range unowned.Items {
		if it.Kind == "test" && it.ID == testID {
			t.Errorf("an owned test listed as unowned")
		}
	}
	if code := e.do("DELETE", fmt.Sprintf("/api/v1/links/%d", l.ID), admin, "", nil, nil); code != 204 {
		t.Errorf("remove link: %d", code)
	}
	var sv view.Signature
	e.do("GET", fmt.Sprintf("/api/v1/signatures/%d", sigID), "", "", nil, &sv)
	if len(sv.Links) != 0 || len(sv.Audit) != 2 || sv.Audit[0].Action != store.AuditLinkRemove {
		t.Errorf("signature after removing its link: links %+v, audit %+v", sv.Links, sv.Audit)
	}
}
