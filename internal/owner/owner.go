// Package owner is who answers for a test, a signature or a group, and
// the links to where they are tracked: an owner is a GitHub login or a
// short free-text name; a link is any tracker's URL, and a GitHub issue's
// URL is recognized so that its state can be shown.
package owner

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/vcs"
)

// Kind is what an owner or a link is attached to.
type Kind string

// The kinds of subject.
const (
	Test      Kind = "test"
	Signature Kind = "signature"
	Group     Kind = "group"
)

// CheckKind reports whether k names a subject.
func CheckKind(k Kind) error {
	switch k {
	case Test, Signature, Group:
		return nil
	}
	return Invalidf("%q is not test, signature or group", k)
}

// ErrInvalid marks an owner, a text or a link that cannot be accepted;
// the error's text says why, without a prefix, so it can be shown as it
// is.
var ErrInvalid = errors.New("invalid")

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns an error that wraps ErrInvalid with the given text.
func Invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// Owner is who answers for a subject.
type Owner struct {
	Kind      Kind      `json:"kind" db:"subject"`
	SubjectID int64     `json:"subject_id" db:"subject_id"`
	Owner     string    `json:"owner" db:"owner"`
	UpdatedBy string    `json:"updated_by" db:"updated_by"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// Link is a subject's link to an issue in some tracker.
type Link struct {
	ID        int64  `json:"id" db:"id"`
	Kind      Kind   `json:"kind" db:"subject"`
	SubjectID int64  `json:"subject_id" db:"subject_id"`
	URL       string `json:"url" db:"url"`
	// GitHubRepo and GitHubNumber are set for a GitHub issue or pull
	// request; State is its state as last read ("open", "closed", or ""
	// when not known yet).
	GitHubRepo     string     `json:"github_repo,omitempty" db:"github_repo"`
	GitHubNumber   int        `json:"github_number,omitempty" db:"github_number"`
	State          string     `json:"state,omitempty" db:"state"`
	StateCheckedAt *time.Time `json:"state_checked_at,omitempty" db:"state_checked_at"`
	CreatedBy      string     `json:"created_by" db:"created_by"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
}

// login is GitHub's rule for a user or organisation login.
var login = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// IsGitHubLogin reports whether s is written as a GitHub login (@ optional).
func IsGitHubLogin(s string) bool { return login.MatchString(strings.TrimPrefix(s, "@")) }

// Check reports whether s can be an owner: 1-100 characters of one line,
// without control or bidirectional-override characters.
func Check(s string) error { return CheckText("owner", s, 100) }

// CheckText reports whether s is one line of 1 to max characters, without
// control or bidirectional-override characters.
func CheckText(field, s string, max int) error {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > max || !utf8.ValidString(s) {
		return Invalidf("%s must be 1-%d characters of text", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return Invalidf("%s must be one line of text, without control characters", field)
		}
	}
	return nil
}

// githubIssuePath is /owner/name/issues/N or /owner/name/pull/N.
var githubIssuePath = regexp.MustCompile(`^/([^/]+/[^/]+)/(?:issues|pull)/([0-9]{1,9})/?$`)

// ParseLink checks a link's URL — http(s), at most 2000 bytes, no
// credentials — and recognizes a GitHub issue or pull request on
// github.com or one of hosts (GitHub Enterprise).
func ParseLink(raw string, hosts ...string) (Link, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return Link{}, Invalidf("url is required")
	case len(raw) > 2000:
		return Link{}, Invalidf("url is longer than 2000 bytes")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return Link{}, Invalidf("url %q: want an http(s) address of an issue", raw)
	case u.User != nil:
		return Link{}, Invalidf("url must not carry credentials")
	}
	if err := CheckText("url", raw, 2000); err != nil {
		return Link{}, err
	}
	l := Link{URL: u.String()}
	host := strings.ToLower(u.Hostname())
	known := host == "github.com" || host == "www.github.com"
	for _, h := range hosts {
		known = known || strings.EqualFold(h, host)
	}
	if m := githubIssuePath.FindStringSubmatch(u.EscapedPath()); known && m != nil && vcs.CheckRepo(m[1]) == nil {
		n, _ := strconv.Atoi(m[2])
		l.GitHubRepo, l.GitHubNumber = m[1], n
	}
	return l, nil
}
