//go:build windows

package checkout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These run under Wine (wine_test.go) and on Windows: what a Windows
// runner does with paths and programs, short of running Git for Windows
// itself.

// TestWindowsFindGit finds git.exe on PATH by its name without .exe, and
// where Git for Windows installs it when PATH has none.
func TestWindowsFindGit(t *testing.T) {
	dir := tempDir(t)
	onPath := filepath.Join(dir, "bin")
	installed := filepath.Join(dir, "Program Files", "Git", "cmd")
	for _, d := range []string{onPath, installed} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "git.exe"), []byte("MZ"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", onPath)
	got, err := FindGit("", os.Getenv, "windows")
	if err != nil || !strings.EqualFold(got, filepath.Join(onPath, "git.exe")) {
		t.Errorf("FindGit on PATH = %q, %v", got, err)
	}
	t.Setenv("PATH", dir)
	env := map[string]string{"ProgramFiles": filepath.Join(dir, "Program Files")}
	got, err = FindGit("", func(k string) string { return env[k] }, "windows")
	if err != nil || !strings.EqualFold(got, filepath.Join(installed, "git.exe")) {
		t.Errorf("FindGit in Program Files = %q, %v", got, err)
	}
	if _, err := FindGit("", func(string) string { return "" }, "windows"); !errors.Is(err, ErrNoGit) || !strings.Contains(err.Error(), "Git for Windows") {
		t.Errorf("FindGit with none: %v", err)
	}
}

// TestWindowsBuildInWorktree runs a repository's own build script, named
// relative to the worktree and without its extension, as a build step
// does: it must run in the worktree, see the environment, and its output
// be kept.
func TestWindowsBuildInWorktree(t *testing.T) {
	dir := tempDir(t)
	c, err := Open(Config{Dir: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	wt := filepath.Join(dir, "w t") // a space, as in C:\Program Files
	os.MkdirAll(filepath.Join(wt, "tools"), 0o755)
	bat := "@echo off\r\necho building %TRIAGED_REVISION%\r\necho %TRIAGED_REVISION%> built.txt\r\n"
	if err := os.WriteFile(filepath.Join(wt, "tools", "build.bat"), []byte(bat), 0o644); err != nil {
		t.Fatal(err)
	}
	s := Spec{Repo: "o/r", Revision: "abc1234", Build: []string{`.\tools\build.bat`}}
	log, err := c.build(context.Background(), wt, s, []string{"TRIAGED_REVISION=abc1234"})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(wt, "built.txt")); strings.TrimSpace(string(b)) != "abc1234" {
		t.Errorf("built.txt = %q", b)
	}
	if b, _ := os.ReadFile(log); !strings.Contains(string(b), "building abc1234") {
		t.Errorf("build log %s: %q", log, b)
	}
	// A failing build says so, with its output.
	fail := "@echo off\r\necho link error LNK2019 1>&2\r\nexit /b 2\r\n"
	os.WriteFile(filepath.Join(wt, "fail.bat"), []byte(fail), 0o644)
	_, err = c.build(context.Background(), wt, Spec{Repo: "o/r", Revision: "abc1234", Build: []string{`.\fail.bat`}}, nil)
	var ce *Error
	if !errors.As(err, &ce) || ce.Stage != "build" || !strings.Contains(err.Error(), "LNK2019") {
		t.Errorf("failing build: %v", err)
	}
	// A program of the tree named without its .exe: this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.ReadFile(self)
	if err := os.WriteFile(filepath.Join(wt, "tools", "selftest.exe"), exe, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := c.build(context.Background(), wt, Spec{Repo: "o/r", Revision: "abc1234", Build: []string{`.\tools\selftest`, "-test.run", "^$"}}, nil); err != nil {
		t.Errorf(`.\tools\selftest (an .exe named without its extension): %v`, err)
	}
}

// TestWindowsRemoveReadOnly removes a worktree holding read-only files, as
// git's object files and many build outputs are on Windows.
func TestWindowsRemoveReadOnly(t *testing.T) {
	dir := filepath.Join(tempDir(t), "w")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	p := filepath.Join(dir, "sub", "pack.idx")
	os.WriteFile(p, []byte("x"), 0o444)
	if err := removeAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s survived: %v", dir, err)
	}
}

// tempDir is t.TempDir, removed with removeAll: the testing package's own
// cleanup uses the call Wine lacks (see removeAll).
func tempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "checkout-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeAll(dir); err != nil {
			t.Error(err)
		}
	})
	return dir
}
