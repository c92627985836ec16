package github_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/verdict"
	"github.com/triaged/triaged/internal/view"
)

func TestNewFailurePostsOneFailureStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ans := e.upload("c0ffee1", "b1", pass("t.test_a"), pass("t.test_b"), fail("t.test_start_tls_server_1", traceback("AssertionError: 1 != 2")))
	if ans.NewFailures != 1 {
		t.Fatalf("upload answer: %d new failures, want 1", ans.NewFailures)
	}
	waitFor(t, "the status", func() bool { return len(e.github.Calls()) > 0 })

	// A retry of the same batch stores nothing and must post nothing; an
	// upload on another commit, posted after anything enqueued before it,
	// shows that nothing else came.
	if again := e.upload("c0ffee1", "b1", pass("t.test_a"), pass("t.test_b"), fail("t.test_start_tls_server_1", traceback("AssertionError: 1 != 2"))); !again.Duplicate {
		t.Fatalf("retried upload not seen as a duplicate: %+v", again)
	}
	// Another run with the same outcome changes nothing the status says.
	e.upload("c0ffee1", "b1-rerun", fail("t.test_start_tls_server_1", traceback("AssertionError: 1 != 2")))
	e.upload("c0ffee2", "b2", pass("t.test_a"))
	waitFor(t, "the second commit's status", func() bool { return len(acceptedFor(e.github, "c0ffee2")) == 1 })

	want := []call{
		{Auth: "Bearer " + token, Repo: repo, SHA: "c0ffee1", State: "failure", Context: "triaged",
			Desc: "1 new failure", TargetURL: publicURL + "/revisions/c0ffee1?repo=owner/app", Code: http.StatusCreated},
		{Auth: "Bearer " + token, Repo: repo, SHA: "c0ffee2", State: "success", Context: "triaged",
			Desc: "1 test passed", TargetURL: publicURL + "/revisions/c0ffee2?repo=owner/app", Code: http.StatusCreated},
	}
	if diff := cmp.Diff(want, e.github.Calls(), cmpopts.IgnoreFields(call{}, "At")); diff != "" {
		t.Errorf("calls to GitHub (-want +got):\n%s", diff)
	}
	v := e.outbox("revision=c0ffee1")
	if len(v.Statuses) != 1 || v.Statuses[0].Delivery != store.DeliveryPosted || !v.Posting {
		t.Errorf("outbox of c0ffee1: %+v, want one posted status", v)
	}
}

// TestStatusAgreesWithUploadAnswer checks that the status counts failures
// as the upload answer classifies them, as results accumulate on commits.
func TestStatusAgreesWithUploadAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *cfgT) { c.Token = "" }) // record only
	lost := traceback("RuntimeError: Event loop stopped before Future completed.")
	many := func(n int, r func(i int) result) []result {
		var rs []result
		for i := range n {
			rs = append(rs, r(i))
		}
		return rs
	}
	steps := []struct {
		name, sha, batch   string
		results            []result
		wantNew, wantKnown int
		wantInfra          bool
		wantState          string
		wantDesc           string
	}{
		{name: "first failure is new", sha: "aaa1000", batch: "s1",
			results: []result{pass("t.test_ok"), fail("t.S.test_start_tls_server_1", lost)},
			wantNew: 1, wantState: "failure", wantDesc: "1 new failure"},
		{name: "same test passes on the commit: flaky", sha: "aaa1000", batch: "s2",
			results:   []result{pass("t.S.test_start_tls_server_1")},
			wantState: "success", wantDesc: "1 known flaky (test_start_tls_server_1 50%, 95% CI 9.5–91%)"},
		{name: "same signature on the next commit: known; another test is new", sha: "aaa2000", batch: "s3",
			results: []result{fail("t.S.test_start_tls_server_1", lost), fail("t.test_new", traceback("KeyError: 'x'")), pass("t.test_ok")},
			wantNew: 1, wantKnown: 1, wantState: "failure", wantDesc: "1 new failure · 1 known flaky (test_start_tls_server_1 67%, 95% CI 21–94%)"},
		{name: "most of a batch failing is infrastructure", sha: "aaa3000", batch: "s4",
			results: many(10, func(i int) result {
				if i < 7 {
					return fail("t.test_"+string(rune('a'+i)), traceback("OSError: [Errno 28] No space left on device"))
				}
				return pass("t.test_" + string(rune('a'+i)))
			}),
			wantInfra: true, wantState: "error", wantDesc: "7 infra failures"},
	}
	for _, s := range steps {
		ans := e.upload(s.sha, s.batch, s.results...)
		if ans.NewFailures != s.wantNew || ans.KnownFlaky != s.wantKnown || ans.Infra != s.wantInfra {
			t.Errorf("%s: answer new=%d known=%d infra=%v, want %d %d %v", s.name, ans.NewFailures, ans.KnownFlaky, ans.Infra, s.wantNew, s.wantKnown, s.wantInfra)
		}
		v := e.outbox("revision=" + s.sha)
		if len(v.Statuses) == 0 {
			t.Fatalf("%s: no status recorded", s.name)
		}
		got := v.Statuses[0]
		if got.State != s.wantState || got.Description != s.wantDesc || got.Context != "triaged" {
			t.Errorf("%s: status %s %q %q, want %s %q", s.name, got.Context, got.State, got.Description, s.wantState, s.wantDesc)
		}
		if got.Delivery != store.DeliveryPending || v.Posting {
			t.Errorf("%s: without a token the status must stay pending and posting false, got %s %v", s.name, got.Delivery, v.Posting)
		}
	}
	if n := len(e.github.Calls()); n != 0 {
		t.Errorf("without a token GitHub got %d calls, want none", n)
	}
}

// TestNewerStatusCoversOlder records two statuses of one commit before any
// worker runs: only the newer is posted, and the older says why it was not.
func TestNewerStatusCoversOlder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *cfgT) { c.Token = "" })
	e.upload("5eed000", "b1", fail("t.test_a", traceback("ValueError: a")))
	e.upload("5eed000", "b2", pass("t.test_a"))
	runWorker(t, e, fastConfig(e.github))
	waitFor(t, "a status", func() bool { return len(e.github.Accepted()) == 1 })
	waitFor(t, "the older status covered", func() bool {
		return e.outbox("revision=5eed000").Statuses[1].Delivery == store.DeliveryCovered
	})
	got := e.github.Accepted()[0]
	if got.State != "success" || got.Desc != "1 known flaky (test_a 50%, 95% CI 9.5–91%)" {
		t.Errorf("posted %s %q, want the newer status", got.State, got.Desc)
	}
	ss := e.outbox("revision=5eed000").Statuses
	if ss[1].CoveredBy == nil || *ss[1].CoveredBy != ss[0].ID {
		t.Errorf("older status covered by %v, want %d", ss[1].CoveredBy, ss[0].ID)
	}
	if n := len(e.github.Calls()); n != 1 {
		t.Errorf("GitHub got %d calls, want 1", n)
	}
}

// TestStatusAlreadyOnGitHubIsNotPostedAgain: a commit's status goes
// success → pending (a campaign starts) → success (it is cancelled) while
// no worker runs; the final success equals what GitHub shows, so nothing
// is posted for the commit, only the campaign's own status.
func TestStatusAlreadyOnGitHubIsNotPostedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *cfgT) { c.Token, c.PendingWhileCampaign = "", true })
	cfg := fastConfig(e.github)
	cfg.PendingWhileCampaign = true
	e.upload("ab10000", "b1", pass("t.test_a"))
	stop := runWorker(t, e, cfg)
	waitFor(t, "the first status", func() bool { return len(e.github.Accepted()) == 1 })
	stop()

	var c struct{ ID int64 }
	if code := e.do("POST", "/api/v1/campaigns", "application/json",
		`{"kind":"scenario","scenario":"echo-pause","iterations":10,"repo":"owner/app","revision":"ab10000"}`, &c); code != 201 {
		t.Fatalf("create campaign: %d", code)
	}
	e.recorded("ab10000")
	if code := e.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/cancel", c.ID), "", "", nil); code != 200 {
		t.Fatalf("cancel campaign: %d", code)
	}
	e.recorded("ab10000")
	runWorker(t, e, cfg)
	waitFor(t, "the campaign's status", func() bool { return len(e.github.Accepted()) == 2 })
	// GitHub accepts a status before the worker's transaction records it.
	waitFor(t, "the campaign's status recorded as posted", func() bool {
		for _, s := range e.outbox("revision=ab10000").Statuses {
			if s.Context == "triaged/stress" && s.Delivery != store.DeliveryPosted {
				return false
			}
		}
		return true
	})

	var got []string
	for _, c := range e.github.Calls() {
		got = append(got, c.Context+" "+c.State+" "+c.Desc)
	}
	want := []string{"triaged success 1 test passed", "triaged/stress error campaign cancelled before any run"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls to GitHub (-want +got):\n%s", diff)
	}
	want = []string{ // newest first
		"triaged success covered", "triaged/stress error posted", "triaged pending covered", "triaged success posted",
	}
	var deliveries []string
	// GitHub answers before the worker records the answer: wait for it.
	waitFor(t, "the deliveries recorded", func() bool {
		deliveries = deliveries[:0]
		for _, s := range e.outbox("revision=ab10000").Statuses {
			deliveries = append(deliveries, s.Context+" "+s.State+" "+s.Delivery)
		}
		return cmp.Equal(want, deliveries)
	})
}

// TestConsistentFailuresAreBroken replays a real go test -json run of Go's
// net package on a host without DNS, uploaded for three commits in a row:
// the tests fail on every run, so the first commit has new failures and the
// next two say the tests are failing since the first. A test that never
// passed is never called a known flake, and no commit goes green. The
// revision and test pages say what the status says.
func TestConsistentFailuresAreBroken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	run, err := os.ReadFile("testdata/go-net-nodns.json")
	if err != nil {
		t.Fatal(err)
	}
	shas := []string{"0e7c0001", "0e7c0002", "0e7c0003"}
	for i, sha := range shas {
		var ans ingest.Answer
		path := fmt.Sprintf("/api/v1/results?repo=%s&revision=%s&builder=linux-nodns&os=linux&batch=net-%d", repo, sha, i)
		if code := e.do("POST", path, "application/x-ndjson", string(run), &ans); code != 200 {
			t.Fatalf("upload %d: %d", i, code)
		}
		e.recorded(sha)
		want := verdict.New
		if i > 0 {
			want = verdict.Broken
		}
		for _, r := range ans.Results {
			if r.Class != "" && (r.Class != want || i > 0 && r.Since != shas[0]) {
				t.Errorf("commit %d: %s is %s since %q, want %s since %s", i+1, r.Test, r.Class, r.Since, want, shas[0])
			}
		}
		if ans.Failed != 12 || ans.Skipped != 8 || ans.Passed != 173 || ans.KnownFlaky != 0 || ans.NewFailures != 12 {
			t.Errorf("commit %d: answer %d passed %d failed %d skipped, %d new %d known", i+1, ans.Passed, ans.Failed, ans.Skipped, ans.NewFailures, ans.KnownFlaky)
		}
	}
	waitFor(t, "three statuses", func() bool { return len(e.github.Accepted()) == 3 })
	wantDesc := []string{"12 new failures · 8 tests skipped", "12 tests failing since 0e7c000 · 8 tests skipped", "12 tests failing since 0e7c000 · 8 tests skipped"}
	for i, sha := range shas {
		calls := acceptedFor(e.github, sha)
		if len(calls) != 1 || calls[0].State != "failure" || calls[0].Desc != wantDesc[i] {
			t.Errorf("status of commit %d: %+v, want failure %q", i+1, calls, wantDesc[i])
		}
	}

	// The pages judge with the same function.
	var rev view.Revision
	if code := e.do("GET", "/api/v1/revisions/"+shas[2]+"?repo="+repo, "", "", &rev); code != 200 {
		t.Fatalf("revision: %d", code)
	}
	if rev.NewFailures != 12 || rev.Broken != 12 || rev.KnownFlaky != 0 || rev.Skipped != 8 || rev.Passed != 173 {
		t.Errorf("revision page: %+v", rev.RevisionTotals)
	}
	for _, f := range rev.Failures {
		if f.Class != verdict.Broken || f.Since != shas[0] {
			t.Errorf("revision page: %s is %s since %q", f.Test, f.Class, f.Since)
		}
	}
	var tv view.Test
	if code := e.do("GET", fmt.Sprintf("/api/v1/tests/%d", rev.Failures[0].TestID), "", "", &tv); code != 200 {
		t.Fatalf("test: %d", code)
	}
	if tv.Class != verdict.Broken || tv.Since != shas[0] {
		t.Errorf("test page: %s since %q (%s), want broken since %s", tv.Class, tv.Since, tv.Why, shas[0])
	}
	e.folded()
	var ov view.Overview
	e.do("GET", "/api/v1/overview", "", "", &ov)
	if len(ov.TopFlaky) != 0 || len(ov.Broken) == 0 {
		t.Errorf("overview: %d flaky, %d broken; want none flaky and the broken ones listed", len(ov.TopFlaky), len(ov.Broken))
	}
}
