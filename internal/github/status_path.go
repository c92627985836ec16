package github

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/triaged/triaged/internal/vcs"
)

// statusPath is the API path of a commit's statuses, relative to the API
// root: repos/{owner}/{name}/statuses/{sha}. The repo and commit id are
// checked by vcs's rules and every part is escaped, so that nothing stored
// in the outbox (a row from before uploads were checked, or a bug) can make
// a request carrying the server's token go anywhere else: not another
// repository, not outside /repos, not another host.
func statusPath(repo, sha string) (string, error) {
	if err := vcs.CheckRepo(repo); err != nil {
		return "", err
	}
	if err := vcs.CheckRevision(sha); err != nil {
		return "", err
	}
	owner, name, _ := strings.Cut(repo, "/")
	return "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/statuses/" + url.PathEscape(sha), nil
}

// checkRequestPath makes sure the request built for rel stays under the
// API root as rel says, after go-github resolved it against its base URL.
func checkRequestPath(base, got *url.URL, rel string) error {
	want := base.EscapedPath() + rel
	if got.Host != base.Host || got.Scheme != base.Scheme || got.EscapedPath() != want {
		return fmt.Errorf("refusing to send a status to %s: want %s", got.Redacted(), want)
	}
	return nil
}
