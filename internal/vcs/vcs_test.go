package vcs

import (
	"strings"
	"testing"
)

func TestCheckRepo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"python/cpython", true},
		{"golang/go", true},
		{"a-b_c/x.y-z_1", true},
		{"o/.github", true},
		{"", false},
		{"python", false},
		{"../..", false},
		{"python/..", false},
		{"python/.", false},
		{"-x/y", false},
		{"a/b/c", false},
		{"a/b?x=1", false},
		{"a/b#c", false},
		{"a/b%2F", false},
		{"a /b", false},
		{"a/\u202eb", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b", false}, // 40-character owner
	} {
		if err := CheckRepo(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckRepo(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestCheckRevision(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"abc1234", true},
		{"0123456789abcdef0123456789abcdef01234567", true},
		{"ABCDEF0", true},
		{"abc123", false},
		{"../../tokens", false},
		{"main", false},
		{"abc1234/../x", false},
		{"g123456", false},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", false}, // 65
	} {
		if err := CheckRevision(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckRevision(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestCheckBranch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"main", true},
		{"release/3.13", true},
		{"feature/x-y_z", true},
		{"", false},
		{"../main", false},
		{"a..b", false},
		{"-rf", false},
		{"/abs", false},
		{"x/", false},
		{"x.lock", false},
		{"a b", false},
		{"a\tb", false},
		{"a:b", false},
		{"a//b", false},
		{"a/.b", false},
		{"@", false},
	} {
		if err := CheckBranch(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckBranch(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func FuzzCheckRepo(f *testing.F) {
	f.Add("python/cpython")
	f.Add("../..")
	f.Fuzz(func(t *testing.T, s string) {
		if CheckRepo(s) != nil {
			return
		}
		// Whatever passes is one owner, one name, nothing a URL path could
		// take as more.
		for _, r := range s {
			if r == '%' || r == '?' || r == '#' || r == '\\' || r < 0x21 || r > 0x7e {
				t.Fatalf("CheckRepo accepted %q", s)
			}
		}
	})
}

func TestCheckCI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		check func(string) error
		in    string
		ok    bool
	}{
		{"builder", CheckBuilder, "win-buildbot-1", true},
		{"builder with a slash", CheckBuilder, "gha/windows-2022", true},
		{"builder starting with a slash", CheckBuilder, "/etc", false},
		{"builder with a space", CheckBuilder, "a b", false},
		{"empty builder", CheckBuilder, "", false},
		{"os", CheckOS, "windows", true},
		{"os with a space", CheckOS, "windows server 2022", true},
		{"empty os", CheckOS, "", false},
		{"os with a newline", CheckOS, "linux\n", false},
		{"long os", CheckOS, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"https url", CheckJobURL, "https://github.com/python/cpython/actions/runs/1?check_suite_focus=true", true},
		{"http url", CheckJobURL, "http://buildbot.python.org/#/builders/1/builds/2", true},
		{"javascript url", CheckJobURL, "javascript:alert(1)", false},
		{"data url", CheckJobURL, "data:text/html,<script>", false},
		{"relative url", CheckJobURL, "/builds/1", false},
		{"scheme-relative url", CheckJobURL, "//evil.example/x", false},
		{"url without a host", CheckJobURL, "https:///x", false},
		{"url with a password", CheckJobURL, "https://user:secret@ci.example/1", false},
		{"url with a newline", CheckJobURL, "https://ci.example/1\n", false},
		{"ftp url", CheckJobURL, "ftp://ci.example/log", false},
	} {
		if err := tc.check(tc.in); (err == nil) != tc.ok {
			t.Errorf("%s: check(%q) = %v, want ok=%v", tc.name, tc.in, err, tc.ok)
		}
	}
}

func TestCheckCloneURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"https://github.com/python/cpython.git", true},
		{"https://github.com/python/cpython", true},
		{"https://ghe.example.com:8443/org/repo.git", true},
		{"ssh://git@github.com/python/cpython.git", true},
		{"ssh://github.com:2222/python/cpython.git", true},
		{"git@github.com:python/cpython.git", true},
		{"file:///tmp/repo", true},
		{"file:///C:/Users/ci/repo.git", true},
		{"file://localhost/srv/git/repo.git", true},
		{"", false},
		{"http://github.com/python/cpython.git", false},
		{"https://user:token@github.com/o/r.git", false},
		{"https://token@github.com/o/r.git", false},
		{"ssh://-oProxyCommand=touch%20x/o/r", false},
		{"ssh://git@-oProxyCommand=x/o/r", false},
		{"ssh://-oProxyCommand=x@github.com/o/r", false},
		{"ssh://git:pw@github.com/o/r", false},
		{"-u/x@host:path", false},
		{"--upload-pack=touch /tmp/x", false},
		{"git@-oProxyCommand=x:o/r", false},
		{"-oProxyCommand=x@host:o/r", false},
		{"git@github.com:-o/r", false},
		{"ext::sh -c touch% /tmp/pwned", false},
		{"ext::sh", false},
		{"fd::3", false},
		{"file://host/repo", false},
		{"file:relative/repo", false},
		{"https://github.com/o/r.git?x=1", false},
		{"https://github.com/o/r.git#main", false},
		{"https://github.com/", false},
		{"https://github.com/o/r .git", false},
		{"https://github.com/o/r\n.git", false},
		{"https://github.com/o/$(id).git", false},
		{"https://github.com/o/-r.git", false},
		{"https://github.com:x/o/r.git", false},
		{"/tmp/repo", false},
	} {
		if err := CheckCloneURL(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckCloneURL(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

// FuzzCheckCloneURL checks that whatever CheckCloneURL accepts can be
// handed to git after "--" without being an option, a transport helper or
// a credential.
func FuzzCheckCloneURL(f *testing.F) {
	for _, s := range []string{"https://github.com/o/r.git", "git@h:o/r", "ssh://git@h/o", "file:///x", "ext::sh", "ssh://-o/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckCloneURL(s) != nil {
			return
		}
		if strings.HasPrefix(s, "-") || strings.Contains(s, "::") && !strings.Contains(s, "://") || strings.ContainsAny(s, " \t\n\"'`$;|&<>\\") {
			t.Errorf("accepted %q", s)
		}
		for _, p := range []string{"https://", "ssh://", "file://"} {
			if rest, ok := strings.CutPrefix(s, p); ok && (strings.HasPrefix(rest, "-") || strings.Contains(rest, "@-")) {
				t.Errorf("accepted %q: an option where the host goes", s)
			}
		}
	})
}
