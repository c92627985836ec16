package github_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/quarantine"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

// TestQuarantineKeepsStatusGreenUntilItExpires quarantines a test whose
// failure is new: the commit's status stops failing and says whose
// quarantine it is and until when, the failure is still classed and shown;
// when the (injected) clock passes the expiry, the quarantine lifts itself
// and the status fails again. Every step is on the test's audit trail.
func TestQuarantineKeepsStatusGreenUntilItExpires(t *testing.T) {
	t.Parallel()
	e, clk := newActEnv(t, func(c *app.Config) { c.Issues.Routes = nil })
	e.upload("0a10000", "b1", pass("t.test_ok"), fail("t.test_dns", traceback("OSError: no such host")))
	waitForStatus(t, e, "0a10000", "failure", "1 new failure")

	expires := clk.Now().Add(10 * 24 * time.Hour).UTC().Truncate(time.Second)
	var q quarantine.Quarantine
	body := fmt.Sprintf(`{"repo":%q,"test":"t.test_dns","owner":"octocat","reason":"DNS is down in CI","expires_at":%q}`, repo, expires.Format(time.RFC3339))
	if code := e.do("POST", "/api/v1/quarantines", "application/json", body, &q); code != http.StatusCreated || q.ID == 0 {
		t.Fatalf("quarantine: %d %+v", code, q)
	}
	until := expires.Format(time.DateOnly)
	// The quarantine marks the test's commits: their status is recomputed.
	waitForStatus(t, e, "0a10000", "success", "1 quarantined failure (octocat, until "+until+")")

	// A new commit fails the same way: the test is now broken, and still
	// green, and shown.
	ans := e.upload("0a20000", "b2", fail("t.test_dns", traceback("OSError: no such host")))
	if ans.Quarantined != 1 || ans.NewFailures != 0 || ans.Results[0].Class == "" || ans.Results[0].Quarantine == nil {
		t.Errorf("upload answer: %+v, want the failure classed, quarantined and not new", ans)
	}
	waitForStatus(t, e, "0a20000", "success", "quarantined failure (octocat, until "+until+")")
	var rev view.Revision
	e.do("GET", "/api/v1/revisions/0a20000?repo="+repo, "", "", &rev)
	if rev.Quarantined != 1 || rev.NewFailures != 0 || len(rev.Failures) != 1 || rev.Failures[0].Quarantine == nil || rev.Failures[0].Class != "broken" {
		t.Errorf("revision: %+v, want one failure shown, classed broken and marked quarantined", rev)
	}

	// Nine days on, it is listed as expiring; eleven days on, it is gone.
	clk.Advance(9 * 24 * time.Hour)
	var ov view.Overview
	e.do("GET", "/api/v1/overview", "", "", &ov)
	if len(ov.Expiring) != 1 || ov.Expiring[0].ID != q.ID {
		t.Errorf("overview lists %+v as expiring, want quarantine %d", ov.Expiring, q.ID)
	}
	clk.Advance(2 * 24 * time.Hour)
	waitForStatus(t, e, "0a20000", "failure", "1 test failing since 0a10000")
	var list view.QuarantineList
	e.do("GET", "/api/v1/quarantines?ended=1", "", "", &list)
	if len(list.Quarantines) != 1 || list.Quarantines[0].EndedAt == nil || list.Quarantines[0].EndReason != "expired" {
		t.Errorf("quarantines after expiry: %+v", list.Quarantines)
	}
	var test view.Test
	e.do("GET", fmt.Sprintf("/api/v1/tests/%d", q.TestID), "", "", &test)
	var trail []string
	for _, a := range test.Audit {
		trail = append(trail, a.Actor+" "+a.Action+": "+a.Why)
	}
	want := []string{"triaged " + store.AuditQuarantineEnd + ": its expiry passed", "bootstrap admin " + store.AuditQuarantine + ": DNS is down in CI"}
	if strings.Join(trail, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit trail on the test's page:\n%s\nwant:\n%s", strings.Join(trail, "\n"), strings.Join(want, "\n"))
	}
}

// TestQuarantineAPI checks the shapes: 400 naming the missing field, no
// expiry or one too far ahead refused, GET lists, DELETE lifts early.
func TestQuarantineAPI(t *testing.T) {
	t.Parallel()
	e, clk := newActEnv(t, nil)
	e.upload("0b10000", "b1", fail("t.test_a", traceback("ValueError: a")))
	in := func(d time.Duration) string { return clk.Now().Add(d).UTC().Format(time.RFC3339) }
	for _, tt := range []struct {
		body      string
		wantCode  int
		wantField string
	}{
		{`{"test":"t.test_a","owner":"o","reason":"r","expires_at":"` + in(time.Hour) + `"}`, 400, "repo"},
		{`{"repo":"` + repo + `","owner":"o","reason":"r","expires_at":"` + in(time.Hour) + `"}`, 400, "test or signature"},
		{`{"repo":"` + repo + `","test":"t.test_a","reason":"r","expires_at":"` + in(time.Hour) + `"}`, 400, "owner"},
		{`{"repo":"` + repo + `","test":"t.test_a","owner":"o","expires_at":"` + in(time.Hour) + `"}`, 400, "reason"},
		{`{"repo":"` + repo + `","test":"t.test_a","owner":"o","reason":"r"}`, 400, "expires_at"},
		{`{"repo":"` + repo + `","test":"t.test_a","owner":"o","reason":"r","expires_at":"` + in(91*24*time.Hour) + `"}`, 400, ""},
		{`{"repo":"` + repo + `","test":"t.test_nope","owner":"o","reason":"r","expires_at":"` + in(time.Hour) + `"}`, 404, ""},
		{`{"repo":"` + repo + `","test":"t.test_a","owner":"o","reason":"r","expires_at":"` + in(time.Hour) + `"}`, 201, ""},
	} {
		var out map[string]any
		code := e.do("POST", "/api/v1/quarantines", "application/json", tt.body, &out)
		if code != tt.wantCode || tt.wantField != "" && out["field"] != tt.wantField {
			t.Errorf("POST %s: %d %v, want %d naming %q", tt.body, code, out, tt.wantCode, tt.wantField)
		}
	}
	var list view.QuarantineList
	if code := e.do("GET", "/api/v1/quarantines", "", "", &list); code != 200 || len(list.Quarantines) != 1 {
		t.Fatalf("GET: %d %+v", code, list)
	}
	id := list.Quarantines[0].ID
	if code := e.do("DELETE", fmt.Sprintf("/api/v1/quarantines/%d?reason=fixed", id), "", "", nil); code != 200 {
		t.Errorf("DELETE: %d", code)
	}
	if code := e.do("DELETE", fmt.Sprintf("/api/v1/quarantines/%d", id), "", "", nil); code != 404 {
		t.Errorf("DELETE again: %d, want 404", code)
	}
	e.do("GET", "/api/v1/quarantines", "", "", &list)
	if len(list.Quarantines) != 0 {
		t.Errorf("after DELETE: %+v in force", list.Quarantines)
	}
}

// waitForStatus waits until the newest recorded status of sha has state
// and a description containing desc.
func waitForStatus(t *testing.T, e *env, sha, state, desc string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		rows := e.outbox("revision=" + sha + "&limit=1").Statuses
		if len(rows) > 0 {
			last = rows[0].State + " " + rows[0].Description
			if rows[0].State == state && strings.Contains(rows[0].Description, desc) {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("status of %s: %q, want %s with %q", sha, last, state, desc)
}
