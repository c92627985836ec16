package vcs

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// builderPattern is what a builder may be called: one word that a URL
// path segment, a page and a log line carry as it is.
var builderPattern = regexp.MustCompile(`^[A-Za-z0-9_.:@+=-][A-Za-z0-9_.:@/+=-]{0,199}$`)

// CheckBuilder reports whether s names a builder (the host or CI job that
// ran the tests): 1–200 letters, digits or _.:@/+=-, not starting with '/'.
func CheckBuilder(s string) error {
	if !builderPattern.MatchString(s) {
		return fmt.Errorf("builder %q: want the name of the host or CI job (1-200 letters, digits or _.:@/+=-)", s)
	}
	return nil
}

// CheckOS reports whether s names a runner OS as uploads give it (lower
// case, such as windows, linux or macos): 1–40 printable characters.
func CheckOS(s string) error {
	if s == "" || len(s) > 40 || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return fmt.Errorf("os %q: want the runner's OS in at most 40 characters, e.g. windows, linux or macos", s)
	}
	return nil
}

// CheckJobURL reports whether s links to the CI job or log a batch came
// from: an absolute http or https URL with a host, no user name or
// password, at most 2000 bytes. Pages link to it, so nothing else (no
// javascript:, no relative path) may pass.
func CheckJobURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case len(s) > 2000:
		return fmt.Errorf("url: at most 2000 bytes, got %d", len(s))
	case err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("url %q: want the http or https address of the CI job, e.g. https://github.com/o/r/actions/runs/1", s)
	case u.User != nil:
		return fmt.Errorf("url: leave the user name and password out of a link that every reader sees")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("url: no control characters")
	}
	return nil
}
