package github

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/triaged/triaged/internal/issue"
	"github.com/triaged/triaged/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// call bounds one GitHub request. Like a status post, it is not cut off
// at shutdown: an issue GitHub created must be recorded.
func (iw *IssueWorker) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), iw.w.cfg.Timeout)
}

// create files the row's issue, first looking for one an unrecorded
// earlier attempt may have created.
func (iw *IssueWorker) create(ctx context.Context, row store.SignatureIssue) (time.Duration, error) {
	owner, name, _ := strings.Cut(row.Tracker, "/")
	r, err := iw.report(ctx, row)
	if err != nil {
		return 0, err
	}
	marker := issue.Marker(row.Tracker, r.Hash)
	if row.State == store.IssueCreating && row.AttemptStartedAt != nil {
		found, resp, err := iw.find(ctx, owner, name, marker, *row.AttemptStartedAt)
		if err != nil {
			return iw.fail(ctx, row, "look for the issue", resp, err)
		}
		if found != nil {
			iw.log.Info("github issue found after an unrecorded attempt", "tracker", row.Tracker, "signature", row.SignatureID, "number", found.GetNumber())
			return 0, iw.opened(ctx, row, found, "found after an attempt whose answer was not recorded")
		}
	}
	if _, err := iw.st.StartIssueAttempt(ctx, row.ID); err != nil {
		return 0, err
	}
	cctx, cancel := iw.call(ctx)
	defer cancel()
	title, body := issue.Title(r), issue.Body(r)
	created, resp, err := iw.w.client.Issues.Create(cctx, owner, name, &gh.IssueRequest{Title: &title, Body: &body})
	if err != nil {
		return iw.fail(ctx, row, "create", resp, err)
	}
	iw.log.Info("github issue opened", "tracker", row.Tracker, "signature", row.SignatureID, "number", created.GetNumber())
	return primaryPause(resp), iw.opened(ctx, row, created, row.Why)
}

func (iw *IssueWorker) opened(ctx context.Context, row store.SignatureIssue, is *gh.Issue, why string) error {
	state := store.IssueOpen
	if is.GetState() == "closed" {
		state = store.IssueClosed
	}
	url := is.GetHTMLURL()
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		url = "" // pages link to it: nothing but a web address
	}
	return iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{State: state, Number: is.GetNumber(), URL: url,
		Synced: true, ClosedBy: "github", ClosedAt: is.ClosedAt.GetTime(), Audit: store.AuditIssueOpen, Why: why,
		Detail: fmt.Sprintf("%s#%d %s", row.Tracker, is.GetNumber(), is.GetHTMLURL())})
}

// findPages bounds the look for an issue created by an unrecorded
// attempt: issues updated since it began, newest first.
const findPages = 5

// find looks for the issue carrying marker among the tracker's issues
// updated since the attempt began (a minute earlier, for clock skew).
func (iw *IssueWorker) find(ctx context.Context, owner, name, marker string, since time.Time) (*gh.Issue, *gh.Response, error) {
	opt := &gh.IssueListByRepoOptions{State: "all", Since: since.Add(-time.Minute), Sort: "created", Direction: "desc",
		ListOptions: gh.ListOptions{PerPage: 100}}
	for range findPages {
		cctx, cancel := iw.call(ctx)
		list, resp, err := iw.w.client.Issues.ListByRepo(cctx, owner, name, opt)
		cancel()
		if err != nil {
			return nil, resp, err
		}
		for _, is := range list {
			if strings.Contains(is.GetBody(), marker) {
				return is, resp, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, resp, nil
		}
		opt.Page = resp.NextPage
	}
	return nil, nil, nil
}

// report gathers what the issue says of the row's signature.
func (iw *IssueWorker) report(ctx context.Context, row store.SignatureIssue) (issue.Report, error) {
	sig, err := iw.st.SignatureByID(ctx, row.SignatureID)
	if err != nil {
		return issue.Report{}, err
	}
	r := issue.Report{Tracker: row.Tracker, Repo: row.Repo, Hash: sig.Hash, Title: sig.Title, Window: iw.cfg.Threshold.Window,
		Why: row.Why, FirstSeen: sig.FirstSeen, Link: iw.link(sig.ID)}
	failures, runs, err := iw.st.SignatureRate(ctx, sig.ID, row.Repo, iw.st.Now().Add(-iw.cfg.Threshold.Window))
	if err != nil {
		return r, err
	}
	r.Rate = statsRate(failures, runs)
	tests, err := iw.st.SignatureTests(ctx, sig.ID, 20)
	if err != nil {
		return r, err
	}
	for _, t := range tests {
		r.Tests = append(r.Tests, issue.Count{Name: t.Key, Failures: t.Failures})
	}
	hosts, err := iw.st.SignatureRunners(ctx, sig.ID, 2000)
	if err != nil {
		return r, err
	}
	for _, h := range hosts {
		r.Hosts = append(r.Hosts, issue.Count{Name: h.Key, Failures: h.Failures})
	}
	switch ex, err := iw.st.SignatureExample(ctx, sig.ID); {
	case err == nil:
		r.Example, r.ExampleTest = ex.Text, ex.Test
	case !errors.Is(err, store.ErrNotFound):
		return r, err
	}
	return r, nil
}

// close comments with the numbers and closes the issue, unless a person
// closed it already.
func (iw *IssueWorker) close(ctx context.Context, row store.SignatureIssue) (time.Duration, error) {
	owner, name, _ := strings.Cut(row.Tracker, "/")
	cur, resp, err := iw.get(ctx, owner, name, row.Number)
	if err != nil {
		return iw.fail(ctx, row, "read", resp, err)
	}
	if cur.GetState() == "closed" {
		return 0, iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{State: store.IssueClosed, ClosedBy: "github",
			ClosedAt: cur.ClosedAt.GetTime(), Done: true, Synced: true})
	}
	if pause, err := iw.comment(ctx, row, owner, name); err != nil || pause < 0 {
		return max(pause, 0), err
	}
	cctx, cancel := iw.call(ctx)
	defer cancel()
	closed, reason := "closed", "completed"
	is, resp, err := iw.w.client.Issues.Edit(cctx, owner, name, row.Number, &gh.IssueRequest{State: &closed, StateReason: &reason})
	if err != nil {
		return iw.fail(ctx, row, "close", resp, err)
	}
	iw.log.Info("github issue closed: the failure is gone", "tracker", row.Tracker, "number", row.Number, "signature", row.SignatureID)
	return primaryPause(resp), iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{State: store.IssueClosed, ClosedBy: "triaged",
		ClosedAt: is.ClosedAt.GetTime(), Done: true, Synced: true, Audit: store.AuditIssueClose,
		Why: "the failure is gone with 95% confidence", Detail: fmt.Sprintf("%s#%d: %s", row.Tracker, row.Number, firstLine(row.WantComment, 3))})
}

// recur says the failure is back: reopens the issue with a comment, or
// only comments, as configured.
func (iw *IssueWorker) recur(ctx context.Context, row store.SignatureIssue) (time.Duration, error) {
	owner, name, _ := strings.Cut(row.Tracker, "/")
	now := iw.st.Now()
	if pause, err := iw.comment(ctx, row, owner, name); err != nil || pause < 0 {
		return max(pause, 0), err
	}
	if iw.cfg.OnRecur == issue.Comment {
		return 0, iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{Done: true, LastFailureAt: &now,
			Audit: store.AuditIssueComment, Why: "the failure is back", Detail: fmt.Sprintf("%s#%d", row.Tracker, row.Number)})
	}
	cctx, cancel := iw.call(ctx)
	defer cancel()
	open := "open"
	_, resp, err := iw.w.client.Issues.Edit(cctx, owner, name, row.Number, &gh.IssueRequest{State: &open})
	if err != nil {
		return iw.fail(ctx, row, "reopen", resp, err)
	}
	iw.log.Info("github issue reopened: the failure is back", "tracker", row.Tracker, "number", row.Number, "signature", row.SignatureID)
	return primaryPause(resp), iw.st.RecordIssue(ctx, row.ID, store.IssueOutcome{State: store.IssueOpen, Done: true, Synced: true,
		LastFailureAt: &now, Audit: store.AuditIssueRecur, Why: "the failure is back", Detail: fmt.Sprintf("%s#%d", row.Tracker, row.Number)})
}

// sync reads the issue's state: a person may have closed or reopened it.
func (iw *IssueWorker) sync(ctx context.Context, row store.SignatureIssue) (time.Duration, error) {
	owner, name, _ := strings.Cut(row.Tracker, "/")
	cur, resp, err := iw.get(ctx, owner, name, row.Number)
	if err != nil {
		return iw.fail(ctx, row, "read", resp, err)
	}
	o := store.IssueOutcome{State: store.IssueOpen, Done: true, Synced: true}
	if cur.GetState() == "closed" {
		o.State, o.ClosedBy, o.ClosedAt = store.IssueClosed, "github", cur.ClosedAt.GetTime()
	}
	return primaryPause(resp), iw.st.RecordIssue(ctx, row.ID, o)
}

func (iw *IssueWorker) get(ctx context.Context, owner, name string, number int) (*gh.Issue, *gh.Response, error) {
	cctx, cancel := iw.call(ctx)
	defer cancel()
	return iw.w.client.Issues.Get(cctx, owner, name, number)
}

// comment posts the row's wanted comment. A failure is recorded and
// returned as a pause, or as -1 when there is none, so the caller stops.
func (iw *IssueWorker) comment(ctx context.Context, row store.SignatureIssue, owner, name string) (time.Duration, error) {
	if row.WantComment == "" {
		return 0, nil
	}
	cctx, cancel := iw.call(ctx)
	defer cancel()
	_, resp, err := iw.w.client.Issues.CreateComment(cctx, owner, name, row.Number, &gh.IssueComment{Body: &row.WantComment})
	if err != nil {
		pause, err := iw.fail(ctx, row, "comment", resp, err)
		if err == nil && pause == 0 {
			pause = -1
		}
		return pause, err
	}
	return 0, nil
}

func firstLine(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], " ")
}
