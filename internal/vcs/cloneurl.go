package vcs

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// MaxCloneURL bounds a clone URL: long enough for any real host and path.
const MaxCloneURL = 1024

var (
	// hostPattern is a DNS name or an IPv4 address: it cannot start with
	// '-', so it is never read as an option (ssh -oProxyCommand=…).
	hostPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`)
	userPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)
	// scpPattern is git's scp-like ssh form, user@host:path.
	scpPattern = regexp.MustCompile(`^([^@/:]+)@([^@/:]+):(.+)$`)
	// pathPattern is what a repository path may hold: no spaces, quotes,
	// backslashes or characters a shell or git's URL parser treats
	// specially.
	pathPattern = regexp.MustCompile(`^[A-Za-z0-9_./~+%@:-]+$`)
)

// CheckCloneURL reports whether s is a URL a runner may clone with git: an
// https:// URL without credentials, an ssh:// URL or git's scp-like
// user@host:path, or a file:// URL of an absolute path (for tests and
// mirrors on the runner's own disk). Nothing in it can be read as an option
// by git or ssh, and no other transport (ext::, fd::, http://) is
// accepted. Credentials belong in the runner's git credential helper or ssh
// keys, not in a URL that pages show.
func CheckCloneURL(s string) error {
	bad := func(why string) error {
		return fmt.Errorf("clone_url %q: %s; want https://host/owner/name.git, ssh://git@host/owner/name.git, git@host:owner/name.git or file:///path", s, why)
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > MaxCloneURL:
		return bad(fmt.Sprintf("longer than %d bytes", MaxCloneURL))
	case strings.HasPrefix(s, "-"):
		return bad("starts with '-'")
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r > 0x7e }):
		return bad("spaces, control or non-ASCII characters")
	}
	if m := scpPattern.FindStringSubmatch(s); m != nil && !strings.Contains(s, "://") {
		switch {
		case !userPattern.MatchString(m[1]):
			return bad("the user must be letters, digits, '_', '.' or '-'")
		case !hostPattern.MatchString(m[2]):
			return bad("the host must be a name or an address, not starting with '-'")
		case !pathPattern.MatchString(m[3]) || strings.HasPrefix(m[3], "-"):
			return bad("the path holds characters git or a shell would read")
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("not a URL")
	}
	switch u.Scheme {
	case "https", "ssh":
		host := u.Hostname()
		switch {
		case !hostPattern.MatchString(host):
			return bad("the host must be a name or an address, not starting with '-'")
		case u.Scheme == "https" && u.User != nil:
			return bad("credentials in an https URL; use the runner's git credential helper")
		case u.User != nil && !userPattern.MatchString(u.User.Username()):
			return bad("the user must be letters, digits, '_', '.' or '-'")
		case u.User != nil:
			if _, hasPassword := u.User.Password(); hasPassword {
				return bad("a password in the URL; use ssh keys")
			}
		}
		if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
			return bad("the port must be a number")
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return bad("a file URL names a path on the runner: file:///path")
		}
		if !strings.HasPrefix(u.Path, "/") {
			return bad("a file URL needs an absolute path")
		}
	case "http":
		return bad("plain http; use https")
	default:
		return bad("unsupported transport " + u.Scheme)
	}
	switch {
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return bad("a query, fragment or opaque part")
	case u.Path == "" || u.Path == "/":
		return bad("no repository path")
	case !pathPattern.MatchString(u.Path) || strings.Contains(u.Path, "/-"):
		return bad("the path holds characters git or a shell would read")
	}
	return nil
}
