// Package vcs holds the rules for the names of things in version control
// and CI that reach triaged from outside: GitHub repositories (owner/name),
// commit ids, branch names, and the builders, runner OSes and CI job links
// uploads name. Every upload, campaign, webhook, form and list filter checks
// its input here where it enters, so that a name can later go into a URL
// path, a git command line or a page without being a path, an option or a
// redirect.
package vcs

import (
	"fmt"
	"strings"
)

// CheckRepo reports whether s is a GitHub repository as owner/name: an
// owner of 1–39 letters, digits, '-' or '_' that does not start with '-',
// and a name of 1–100 letters, digits, '.', '-' or '_' that is not "." or
// "..". Nothing else may appear, so neither part can climb out of a URL
// path.
func CheckRepo(s string) error {
	owner, name, ok := strings.Cut(s, "/")
	switch {
	case !ok:
		return fmt.Errorf("repo %q: want the GitHub owner/name, e.g. python/cpython", s)
	case len(owner) == 0 || len(owner) > 39 || owner[0] == '-' || !all(owner, "-_"):
		return fmt.Errorf("repo %q: the owner must be 1-39 letters, digits, '-' or '_', not starting with '-'", s)
	case len(name) == 0 || len(name) > 100 || name == "." || name == ".." || !all(name, ".-_"):
		return fmt.Errorf("repo %q: the name must be 1-100 letters, digits, '.', '-' or '_' (and not . or ..)", s)
	}
	return nil
}

// CheckRevision reports whether s is a commit id: 7 to 64 hexadecimal
// digits (an abbreviated or full SHA-1, or a SHA-256).
func CheckRevision(s string) error {
	if len(s) < 7 || len(s) > 64 || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return fmt.Errorf("revision %q: want a commit id of 7 to 64 hex digits", s)
	}
	return nil
}

// CheckBranch reports whether s is a branch name git accepts and that is
// safe to show and to pass on: at most 255 bytes, no control characters,
// spaces or any of ~^:?*[\, no "..", "@{" or "//", not starting with '-',
// '/' or '.', and not ending with '/', '.' or ".lock". A leading
// "refs/heads/" is the caller's to strip.
func CheckBranch(s string) error {
	bad := len(s) == 0 || len(s) > 255 || strings.ContainsAny(s, " ~^:?*[\\\x7f") ||
		strings.Contains(s, "..") || strings.Contains(s, "@{") || strings.Contains(s, "//") ||
		strings.Contains(s, "/.") || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") ||
		strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".") || strings.HasSuffix(s, ".lock") || s == "@"
	for _, r := range s {
		if r < 0x20 {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("branch %q: want a git branch name, e.g. main or release/3.13", s)
	}
	return nil
}

// ShortRevision is the first 7 characters of a commit id, as people quote
// one.
func ShortRevision(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

// all reports whether every byte of s is an ASCII letter, a digit or one of
// extra.
func all(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}
