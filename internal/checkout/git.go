package checkout

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// FindGit returns the git to run: explicit when given (a path, or a name
// looked up on PATH), else git on PATH, else on Windows Git for Windows
// where its installer puts it.
func FindGit(explicit string, getenv func(string) string, goos string) (string, error) {
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrNoGit, explicit, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("git"); err == nil {
		return p, nil
	}
	for _, p := range gitCandidates(getenv, goos) {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	hint := "install git"
	if goos == "windows" {
		hint = "install Git for Windows"
	}
	return "", fmt.Errorf("%w on this runner: %s, or pass --git", ErrNoGit, hint)
}

// gitCandidates are where Git for Windows installs git.exe: for all users
// under Program Files, for one user under %LOCALAPPDATA%\Programs.
func gitCandidates(getenv func(string) string, goos string) []string {
	if goos != "windows" {
		return nil
	}
	var out []string
	for _, base := range []string{getenv("ProgramW6432"), getenv("ProgramFiles"), getenv("ProgramFiles(x86)")} {
		if base != "" {
			out = append(out, base+`\Git\cmd\git.exe`)
		}
	}
	if base := getenv("LOCALAPPDATA"); base != "" {
		out = append(out, base+`\Programs\Git\cmd\git.exe`)
	}
	return out
}

// gitEnv is the environment git runs with: the runner's, with prompts off
// (a job must fail, not hang on a password) and only the transports a
// clone URL may use, for submodules too.
func gitEnv(base []string) []string {
	return append(base, "GIT_TERMINAL_PROMPT=0", "GIT_ALLOW_PROTOCOL=https:ssh:file", "GCM_INTERACTIVE=never")
}

// gitArgs is the argv of one git command: configuration every command
// needs first, then args. core.longpaths lets Git for Windows check out
// paths longer than MAX_PATH; other gits ignore it.
func gitArgs(args ...string) []string {
	return append([]string{"-c", "core.longpaths=true", "-c", "advice.detachedHead=false"}, args...)
}

// git runs git commands.
type git struct {
	path string
	env  []string
}

// maxGitOutput bounds what is kept of a git command's output.
const maxGitOutput = 4 << 20

// run runs git with args in dir and returns its standard output. A failure
// carries the end of its standard error.
func (g git) run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.path, gitArgs(args...)...)
	cmd.Dir = dir
	cmd.Env = g.env
	var stdout, stderr capped
	stdout.max, stderr.max = maxGitOutput, 64<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second // an ssh child holding the pipes must not hang us
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return stdout.String(), &gitError{args: args, err: err, stderr: tail(stderr.String(), 1500)}
	}
	return stdout.String(), nil
}

// exitCode is git's exit status in err, or -1 when it did not exit.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

type gitError struct {
	args   []string
	err    error
	stderr string
}

func (e *gitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", strings.Join(e.args, " "), e.err)
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

func (e *gitError) Unwrap() error { return e.err }

// capped keeps the first max bytes written to it.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// tail is the end of s, at most n bytes, from a line start when it can.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return "…" + s
}

// isCommitID reports whether s is a full commit id as git prints one.
func isCommitID(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}

// removeAll removes a directory tree. When the plain removal fails it
// makes every file writable (Windows will not delete read-only files, and
// git's object files are read-only) and removes the tree one entry at a
// time, deepest first: Go's RemoveAll uses a Windows call that Wine does
// not implement, where plain deletes work.
func removeAll(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			os.Chmod(p, 0o700)
			paths = append(paths, p)
		}
		return nil
	})
	for i := len(paths) - 1; i >= 0; i-- {
		os.Remove(paths[i])
	}
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		return fmt.Errorf("remove %s: %w", dir, cmp.Or(err, os.ErrExist))
	}
	return nil
}
