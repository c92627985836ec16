package vcs

import "testing"

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
