package checkout

import (
	"slices"
	"testing"

	"github.com/triaged/triaged/internal/gittest"
)

// TestGitCommandLines checks the argv git gets: fixed configuration first,
// then the subcommand, with "--" before anything that came from outside.
func TestGitCommandLines(t *testing.T) {
	t.Parallel()
	got := gitArgs("clone", "--mirror", "--quiet", "--", "https://h/o/r.git", `C:\triaged\checkout\m\0123`)
	want := []string{"-c", "core.longpaths=true", "-c", "advice.detachedHead=false", "clone", "--mirror", "--quiet", "--", "https://h/o/r.git", `C:\triaged\checkout\m\0123`}
	if !slices.Equal(got, want) {
		t.Errorf("gitArgs = %q, want %q", got, want)
	}
	env := gitEnv([]string{"PATH=/bin"})
	for _, v := range []string{"GIT_TERMINAL_PROMPT=0", "GIT_ALLOW_PROTOCOL=https:ssh:file"} {
		if !slices.Contains(env, v) {
			t.Errorf("git's environment lacks %s: %q", v, env)
		}
	}
}

// TestGitForWindowsCandidates: where Git for Windows installs git.exe, for
// all users and for one.
func TestGitForWindowsCandidates(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ProgramW6432": `C:\Program Files`, "ProgramFiles": `C:\Program Files`, "LOCALAPPDATA": `C:\Users\ci\AppData\Local`}
	got := gitCandidates(func(k string) string { return env[k] }, "windows")
	want := []string{`C:\Program Files\Git\cmd\git.exe`, `C:\Program Files\Git\cmd\git.exe`, `C:\Users\ci\AppData\Local\Programs\Git\cmd\git.exe`}
	if !slices.Equal(got, want) {
		t.Errorf("candidates %q, want %q", got, want)
	}
	if got := gitCandidates(func(string) string { return "/x" }, "linux"); got != nil {
		t.Errorf("candidates on linux: %q", got)
	}
}

func TestFileURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/tmp/repo":         "file:///tmp/repo",
		`C:/Users/ci/repo`:  "file:///C:/Users/ci/repo",
		"/tmp/with space/r": "file:///tmp/with%20space/r",
	} {
		if got := gittest.FileURL(in); got != want {
			t.Errorf("FileURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMirrorNames(t *testing.T) {
	t.Parallel()
	a, b := hashName("https://github.com/o/con.git"), hashName("https://github.com/o/aux.git")
	if a == b || len(a) != 16 {
		t.Errorf("mirror names %q and %q", a, b)
	}
}
