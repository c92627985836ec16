// Command fakegit stands in for Git for Windows, which does not run under
// the Wine the tests use, so that the Windows runner's checkout path can
// run under Wine: it answers the git commands package checkout runs, with
// one commit whose tree is a build script and a test script, and logs
// each command line to FAKEGIT_LOG. It checks what real git would refuse:
// options where a URL, path or revision goes, and paths it cannot use.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// commit is the one commit the fake repository holds.
const commit = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

var files = map[string]string{
	"version":   "7\r\n",
	"build.bat": "@echo off\r\necho building %TRIAGED_REVISION% in %CD%\r\necho built> built.txt\r\n",
	// test.bat logs where and at what it ran to the file named by its
	// first argument; it fails without the build's output.
	"test.bat": "@echo off\r\nif not exist built.txt exit /b 3\r\n" +
		"echo %TRIAGED_REVISION%^|%TRIAGED_REPO%^|%TRIAGED_TEST%^|%CD%>> %1\r\n",
}

func main() {
	args := os.Args[1:]
	if log := os.Getenv("FAKEGIT_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			wd, _ := os.Getwd()
			fmt.Fprintf(f, "%s> git %s\n", wd, strings.Join(args, " "))
			f.Close()
		}
	}
	for len(args) >= 2 && args[0] == "-c" {
		args = args[2:]
	}
	if len(args) == 0 {
		fail("no command")
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "clone": // clone --mirror --quiet -- URL DIR
		url, dir := afterDashes(rest, 2)
		if !strings.HasPrefix(url, "file:///") {
			fail("fakegit clones file:/// URLs only, got " + url)
		}
		must(os.MkdirAll(dir, 0o755))
		must(os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644))
	case "rev-parse": // rev-parse --verify [--quiet --end-of-options] REV^{commit} | HEAD
		rev := rest[len(rest)-1]
		if rev == "HEAD" {
			if _, err := os.Stat("version"); err != nil {
				fail("not in a worktree")
			}
			fmt.Println(commit)
			return
		}
		rev = strings.TrimSuffix(rev, "^{commit}")
		if !strings.HasPrefix(commit, strings.ToLower(rev)) {
			os.Exit(1)
		}
		fmt.Println(commit)
	case "fetch":
	case "worktree":
		switch rest[0] {
		case "add": // worktree add --detach --quiet -- DIR COMMIT
			dir, rev := afterDashes(rest[1:], 2)
			if rev != commit {
				fail("fakegit has no commit " + rev)
			}
			if !filepath.IsAbs(dir) {
				fail("worktree path not absolute: " + dir)
			}
			must(os.MkdirAll(dir, 0o755))
			for name, content := range files {
				must(os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
			}
		case "remove": // worktree remove --force -- DIR
			dir, _ := afterDashes(rest[1:], 1)
			must(os.RemoveAll(dir))
		case "prune":
		default:
			fail("worktree " + rest[0])
		}
	default:
		fail("unexpected command " + sub)
	}
}

// afterDashes returns the arguments after "--", which must be there and be
// n long (the second is "" when n is 1).
func afterDashes(args []string, n int) (string, string) {
	for i, a := range args {
		if a == "--" {
			if len(args)-i-1 != n {
				fail(fmt.Sprintf("want %d arguments after --, got %q", n, args[i+1:]))
			}
			if n == 1 {
				return args[i+1], ""
			}
			return args[i+1], args[i+2]
		}
		if !strings.HasPrefix(a, "-") {
			fail(fmt.Sprintf("%q before --: outside input must follow --", a))
		}
	}
	fail("no -- before the outside input")
	return "", ""
}

func must(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "fakegit:", msg)
	os.Exit(128)
}
