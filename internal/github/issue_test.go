package github_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

// post uploads results as batch on sha without waiting for anything, and
// may run on any goroutine.
func (e *env) post(sha, batch string, rs ...result) error {
	var docs []string
	for _, r := range rs {
		outcome := "pass"
		if r.failure != "" {
			outcome = "fail"
		}
		docs = append(docs, fmt.Sprintf(`{"test":%q,"outcome":%q,"failure_text":%q}`, r.test, outcome, r.failure))
	}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/results?repo=%s&revision=%s&builder=ci-windows&os=windows&batch=%s", e.url, repo, sha, batch),
		strings.NewReader(`{"results":[`+strings.Join(docs, ",")+`]}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("upload %s: %d %s", batch, resp.StatusCode, b)
	}
	return nil
}

// issueRows lists the issue rows through the admin API.
func (e *env) issueRows() []store.SignatureIssue {
	e.t.Helper()
	var v struct{ Issues []store.SignatureIssue }
	if code := e.do("GET", "/api/v1/github/issues", "", "", &v); code != 200 {
		e.t.Fatalf("list issues: %d", code)
	}
	return v.Issues
}

// waitIssueState waits until the only issue row has state.
func waitIssueState(t *testing.T, e *env, state string) store.SignatureIssue {
	t.Helper()
	var row store.SignatureIssue
	waitFor(t, "an issue "+state, func() bool {
		rows := e.issueRows()
		if len(rows) == 1 {
			row = rows[0]
		}
		return len(rows) == 1 && rows[0].State == state && rows[0].Want == ""
	})
	return row
}

const dnsText = "Traceback (most recent call last):\n  File \"test_x.py\", line 10, in test\n    run()\n" +
	"OSError: no such host ```\n@octocat <b>bold</b> #1\n"

// TestOneIssueAcrossReplicas uploads failures of one signature through
// two server replicas at once, over one database, both filing issues
// into the fake GitHub: the signature crosses the threshold in both, and
// exactly one issue is created.
func TestOneIssueAcrossReplicas(t *testing.T) {
	t.Parallel()
	clk := &clock{}
	fake := newFakeGitHub(t)
	st := pgtest.NewStore(t)
	replicas := []*env{serveOn(t, st, fake, actConfig(fake, clk)), serveOn(t, st, fake, actConfig(fake, clk))}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sha := fmt.Sprintf("%07x", 0xc0ffe00+i%4)
			errs <- replicas[i%2].post(sha, fmt.Sprintf("b%d", i), fail("t.test_dns", dnsText), pass("t.test_ok"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	row := waitIssueState(t, replicas[0], store.IssueOpen)
	// Let both workers look again a good many times.
	time.Sleep(300 * time.Millisecond)
	if n, issues := fake.Creates(), fake.Issues(); n != 1 || len(issues) != 1 {
		t.Fatalf("GitHub got %d creates and has %d issues, want exactly 1", n, len(issues))
	}
	is := fake.Issues()[0]
	if is.Repo != trackerRepo || row.Number != is.Number || row.Tracker != trackerRepo || !strings.HasPrefix(is.Title, "flaky: OSError: no such host") {
		t.Errorf("issue %+v, row %+v", is, row)
	}
	for _, want := range []string{
		"triaged filed this issue because ", "`t.test_dns`", "95% CI",
		"````text\n" + strings.TrimRight(dnsText, "\n") + "\n````",
		publicURL + "/signatures/", "<!-- triaged:signature " + trackerRepo + " ",
	} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("issue body lacks %q:\n%s", want, is.Body)
		}
	}
}

// TestIssueFoundAgainAfterLostAnswer: GitHub creates the issue but the
// answer never arrives (a crash or a cut connection between the two);
// the next attempt finds the issue by its marker instead of filing
// another.
func TestIssueFoundAgainAfterLostAnswer(t *testing.T) {
	t.Parallel()
	e, _ := newActEnv(t, nil)
	e.github.dropNextCreates(1)
	for i := range 3 {
		e.upload(fmt.Sprintf("%07x", 0xdead000+i), fmt.Sprintf("b%d", i), fail("t.test_dns", dnsText))
	}
	row := waitIssueState(t, e, store.IssueOpen)
	if n, issues := e.github.Creates(), e.github.Issues(); n != 1 || len(issues) != 1 || row.Number != issues[0].Number {
		t.Errorf("%d creates, issues %+v, row %+v: want the one issue found again", n, issues, row)
	}
}

// TestIssueAdoptedAfterCrash: a replica recorded that it began creating
// the issue, GitHub created it, and the replica died before recording the
// answer. Another replica, started later, adopts that issue.
func TestIssueAdoptedAfterCrash(t *testing.T) {
	t.Parallel()
	clk := &clock{}
	fake := newFakeGitHub(t)
	st := pgtest.NewStore(t)
	// A server that files nothing yet: no token.
	first := serveOn(t, st, fake, func() app.Config {
		c := actConfig(fake, clk)
		c.GitHub.Token = ""
		return c
	}())
	first.upload("0c0ffee", "b1", fail("t.test_dns", dnsText))
	ctx := context.Background()
	var sigID int64
	var hash string
	if err := st.Pool().QueryRow(ctx, `SELECT id, hash FROM signatures`).Scan(&sigID, &hash); err != nil {
		t.Fatal(err)
	}
	route := issue.Route{Repo: repo, Tracker: trackerRepo}
	if _, err := st.EnqueueIssue(ctx, route, sigID, "a crash test"); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Issues(ctx, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("issues: %+v %v", rows, err)
	}
	if _, err := st.StartIssueAttempt(ctx, rows[0].ID); err != nil {
		t.Fatal(err)
	}
	number := fake.addIssue(trackerRepo, "flaky: OSError", "created before the crash\n"+issue.Marker(trackerRepo, hash))

	second := serveOn(t, st, fake, actConfig(fake, clk))
	row := waitIssueState(t, second, store.IssueOpen)
	if row.Number != number || fake.Creates() != 0 {
		t.Errorf("row %+v after %d creates: want issue #%d adopted, none created", row, fake.Creates(), number)
	}
}

// TestIssueClosedWhenGoneReopenedWhenBack files an issue for a flaky
// test, then runs it clean enough times to call the failure gone: the
// issue is closed with the numbers. When it fails again, the issue is
// reopened with a comment, and no second issue is filed.
func TestIssueClosedWhenGoneReopenedWhenBack(t *testing.T) {
	t.Parallel()
	e, _ := newActEnv(t, nil)
	e.upload("1000001", "b1", fail("t.test_x", dnsText), fail("t.test_x", dnsText), pass("t.test_x"), pass("t.test_x"))
	e.upload("1000002", "b2", fail("t.test_x", dnsText), pass("t.test_x"))
	row := waitIssueState(t, e, store.IssueOpen)

	// 3 failures in 6 runs: 59 clean runs see a tenth of that rate.
	// 40 are not enough, and nothing closes on a timer.
	clean := make([]result, 40)
	for i := range clean {
		clean[i] = pass("t.test_x")
	}
	e.upload("1000003", "b3", clean...)
	time.Sleep(200 * time.Millisecond)
	if is := e.github.Issues()[0]; is.State != "open" {
		t.Fatalf("closed after 40 clean runs: %+v", is)
	}
	e.upload("1000004", "b4", clean...)
	waitIssueState(t, e, store.IssueClosed)
	if is := e.github.Issues()[0]; is.State != "closed" {
		t.Fatalf("issue on GitHub: %+v, want closed", is)
	}
	comments := e.github.Comments(trackerRepo, row.Number)
	if len(comments) != 1 || !strings.Contains(comments[0], "gone with 95% confidence") ||
		!strings.Contains(comments[0], "3 failures in 6 runs") || !strings.Contains(comments[0], "80 runs since") {
		t.Errorf("closing comment: %q", comments)
	}

	e.upload("1000005", "b5", fail("t.test_x", dnsText))
	waitFor(t, "the issue reopened", func() bool { return e.github.Issues()[0].State == "open" })
	waitIssueState(t, e, store.IssueOpen)
	comments = e.github.Comments(trackerRepo, row.Number)
	if len(comments) != 2 || !strings.Contains(comments[1], "reopens") || !strings.Contains(comments[1], "1 failures since") {
		t.Errorf("comments: %q, want a second one saying it is back", comments)
	}
	if n := e.github.Creates(); n != 1 {
		t.Errorf("%d issues created, want 1", n)
	}
}

// TestIssueCreationHonoursRateLimits: a secondary rate limit on the
// create pauses the worker for Retry-After, then the issue is filed once.
func TestIssueCreationHonoursRateLimits(t *testing.T) {
	t.Parallel()
	e, _ := newActEnv(t, nil)
	e.github.thenIssues(issueAnswer(secondaryLimit(http.StatusForbidden, "1")))
	start := time.Now()
	for i := range 3 {
		e.upload(fmt.Sprintf("%07x", 0xbeef000+i), fmt.Sprintf("b%d", i), fail("t.test_dns", dnsText))
	}
	waitIssueState(t, e, store.IssueOpen)
	issues := e.github.Issues()
	if len(issues) != 1 || e.github.Creates() != 1 {
		t.Fatalf("%d issues after %d creates, want 1", len(issues), e.github.Creates())
	}
	if issues[0].Created.Before(start.Add(time.Second)) {
		t.Errorf("created %s after the limit, want at least Retry-After (1s)", issues[0].Created.Sub(start))
	}
}
