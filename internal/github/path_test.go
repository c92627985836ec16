package github_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// requestLine is the only request the worker may send: a status post on
// one commit of one repository, under the API root.
var requestLine = regexp.MustCompile(`^POST /api/v3/repos/[A-Za-z0-9_-]+/[A-Za-z0-9._-]+/statuses/[0-9a-fA-F]{7,64}$`)

// TestStatusesStayOnTheirPath replays issue #14's attack: an upload token
// sent repo=../.. and revision=../../tokens, and the server posted to
// /tokens with its GitHub token. Uploads refuse such names, and rows that
// hold them anyway (stored before uploads were checked) are never sent:
// the fake GitHub sees only requests to /repos/{owner}/{name}/statuses/{sha}.
func TestStatusesStayOnTheirPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	attacks := []struct{ repo, revision string }{
		{"../..", "../../tokens"},
		{"owner/app", "../../../evil.example/x"},
		{"owner/app", "abc1234/../../../tokens"},
		{"..%2F..", "..%2F..%2Ftokens"},
		{"owner/..", "abc1234"},
		{"owner/app/x", "abc1234"},
		{"owner/app", "abc1234?x=1"},
		{"owner/app", "abc1234#x"},
		{"owner/app", "%2e%2e"},
		{"-owner/app", "abc1234"},
	}
	for _, a := range attacks {
		path := "/api/v1/results?builder=ci&repo=" + url.QueryEscape(a.repo) + "&revision=" + url.QueryEscape(a.revision)
		if code := e.do("POST", path, "application/json", `{"results":[{"test":"t.a","outcome":"fail"}]}`, nil); code != 400 {
			t.Errorf("upload with repo=%q revision=%q: %d, want 400", a.repo, a.revision, code)
		}
	}

	// Rows an older server recorded before it checked uploads.
	ctx := context.Background()
	for _, a := range attacks {
		if _, err := e.store.Pool().Exec(ctx, `INSERT INTO status_outbox (repo, revision, context, state, description)
			VALUES ($1, $2, 'triaged', 'failure', '1 new failure')`, a.repo, a.revision); err != nil {
			t.Fatal(err)
		}
	}
	// And a good one, to show the worker was at work.
	e.upload("abc1234", "good", pass("t.a"))
	waitFor(t, "every row settled", func() bool {
		var open int
		e.store.Pool().QueryRow(ctx, `SELECT count(*) FROM status_outbox WHERE delivered_at IS NULL AND NOT dead`).Scan(&open)
		return open == 0
	})
	for _, line := range e.github.Requests() {
		if !requestLine.MatchString(line) {
			t.Errorf("GitHub got %q, outside /repos/{owner}/{name}/statuses/{sha}", line)
		}
	}
	if got := acceptedFor(e.github, "abc1234"); len(got) != 1 || got[0].Repo != repo {
		t.Errorf("the good status: %+v, want one post for %s", got, repo)
	}
	var dead []string
	rows, _ := e.store.Pool().Query(ctx, `SELECT last_error FROM status_outbox WHERE dead ORDER BY id`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		dead = append(dead, s)
	}
	if len(dead) != len(attacks) {
		t.Fatalf("%d rows given up, want the %d bad ones: %q", len(dead), len(attacks), dead)
	}
	for _, reason := range dead {
		if !strings.HasPrefix(reason, "not sent: ") {
			t.Errorf("a bad row's reason: %q, want it to say it was not sent and why", reason)
		}
	}
}
