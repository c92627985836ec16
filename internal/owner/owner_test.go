package owner

import (
	"errors"
	"testing"
)

func TestParseLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url      string
		wantRepo string
		wantNum  int
		wantErr  bool
	}{
		{"https://github.com/golang/go/issues/72731", "golang/go", 72731, false},
		{"https://github.com/python/cpython/pull/4 ", "python/cpython", 4, false},
		{"https://ghe.example.com/team/app/issues/9", "team/app", 9, false},
		{"https://bugs.python.org/issue33694", "", 0, false},
		{"https://github.com/golang/go/issues", "", 0, false},
		{"javascript:alert(1)", "", 0, true},
		{"https://user:pw@github.com/a/b/issues/1", "", 0, true},
		{"", "", 0, true},
		{"https://github.com/a/b/issues/1\n", "a/b", 1, false},
		{"https://exa\u202emple.com/", "", 0, true},
	}
	for _, tt := range tests {
		l, err := ParseLink(tt.url, "ghe.example.com")
		if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("ParseLink(%q): err %v, want error %v", tt.url, err, tt.wantErr)
			continue
		}
		if l.GitHubRepo != tt.wantRepo || l.GitHubNumber != tt.wantNum {
			t.Errorf("ParseLink(%q) = %s #%d, want %s #%d", tt.url, l.GitHubRepo, l.GitHubNumber, tt.wantRepo, tt.wantNum)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"octocat", "@octocat", "Team Networking", "Zoë"} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "two\nlines", "a\x00b", string(make([]byte, 101)), "evil\u202egnp.exe"} {
		if err := Check(bad); err == nil {
			t.Errorf("Check(%q) accepted it", bad)
		}
	}
	if !IsGitHubLogin("@octo-cat") || IsGitHubLogin("octo--cat") || IsGitHubLogin("Team Networking") {
		t.Errorf("IsGitHubLogin disagrees with GitHub's rule")
	}
}
