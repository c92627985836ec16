//go:build unix

package checkout_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/gittest"
)

// history makes a repository of n commits; commit k (1-based) writes
// version=k and a build script that records the revision it built.
func history(t *testing.T, n int) (*gittest.Repo, []string) {
	repo := gittest.New(t)
	var shas []string
	for k := 1; k <= n; k++ {
		shas = append(shas, repo.Commit("commit "+itoa(k), map[string]string{
			"version":  itoa(k) + "\n",
			"build.sh": "#!/bin/sh\necho building \"$TRIAGED_REVISION\"\necho \"$TRIAGED_REVISION\" > built\n",
		}))
	}
	return repo, shas
}

func itoa(n int) string { return fmt.Sprintf("%02d", n) }

func open(t *testing.T) (*checkout.Cache, string) {
	dir := t.TempDir()
	c, err := checkout.Open(checkout.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

func TestPrepareChecksOutAndBuilds(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 3)
	c, dir := open(t)
	ctx := context.Background()
	spec := checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[1][:7], Build: []string{"./build.sh"}}
	w, err := c.Prepare(ctx, spec, []string{"TRIAGED_REVISION=" + shas[1]})
	if err != nil {
		t.Fatal(err)
	}
	if w.Commit != shas[1] {
		t.Errorf("commit %s, want %s (the abbreviated revision resolved)", w.Commit, shas[1])
	}
	if v, _ := os.ReadFile(filepath.Join(w.Dir, "version")); string(v) != "02\n" {
		t.Errorf("version file %q, want commit 2's", v)
	}
	if b, _ := os.ReadFile(filepath.Join(w.Dir, "built")); strings.TrimSpace(string(b)) != shas[1] {
		t.Errorf("the build saw TRIAGED_REVISION=%q", b)
	}
	if log, _ := os.ReadFile(w.Log); !strings.Contains(string(log), "building "+shas[1]) {
		t.Errorf("build log %s: %q", w.Log, log)
	}
	// Another job at the same time gets a worktree of its own.
	w2, err := c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[2]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Dir == w.Dir || w2.Commit != shas[2] {
		t.Errorf("second worktree %s at %s; first %s", w2.Dir, w2.Commit, w.Dir)
	}
	c.Remove(w)
	c.Remove(w2)
	if es, _ := os.ReadDir(filepath.Join(dir, "w")); len(es) != 0 {
		t.Errorf("worktrees left after their jobs: %v", es)
	}
	mirrors, _ := os.ReadDir(filepath.Join(dir, "m"))
	if len(mirrors) != 1 {
		t.Errorf("%d mirrors for one repository", len(mirrors))
	}
}

func TestPrepareFetchesNewCommits(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 1)
	c, _ := open(t)
	ctx := context.Background()
	w, err := c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Remove(w)
	// Pushed after the mirror was made: the mirror fetches it.
	next := repo.Commit("later", map[string]string{"version": "later\n"})
	w, err = c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: next}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove(w)
	if w.Commit != next {
		t.Errorf("commit %s, want %s", w.Commit, next)
	}
	// A commit no ref reaches any more is still found by its id.
	repo.Git("reset", "--quiet", "--hard", shas[0])
	lost := next
	w2, err := c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: lost}, nil)
	if err != nil {
		t.Fatalf("a known commit no longer on a branch: %v", err)
	}
	c.Remove(w2)
}

func TestPrepareFailures(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 2)
	c, dir := open(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		spec  checkout.Spec
		stage string
		text  string
	}{
		{"unknown revision", checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: "abcdef1234"}, "fetch", "not in"},
		{"no repository", checkout.Spec{Repo: "o/r", CloneURL: gittest.FileURL(filepath.Join(dir, "none")), Revision: shas[0]}, "fetch", "git clone"},
		{"build fails", checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[0], Build: []string{"sh", "-c", "echo compiling; echo 'error: no' >&2; exit 3"}},
			"build", "error: no"},
		{"build times out", checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[0], Build: []string{"sleep", "30"}, BuildTimeoutSeconds: 1},
			"build", "timed out after 1s"},
		{"option as a revision", checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: "--upload-pack=touch"}, "checkout", "revision"},
		{"option as a URL", checkout.Spec{Repo: "o/r", CloneURL: "--upload-pack=touch /tmp/x", Revision: shas[0]}, "checkout", "clone_url"},
		{"transport helper", checkout.Spec{Repo: "o/r", CloneURL: "ext::sh -c touch% /tmp/x", Revision: shas[0]}, "checkout", "clone_url"},
	} {
		start := time.Now()
		w, err := c.Prepare(ctx, tc.spec, nil)
		var ce *checkout.Error
		if !errors.As(err, &ce) || ce.Stage != tc.stage || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v (%+v), want a %s error saying %q", tc.name, err, w, tc.stage, tc.text)
		}
		if time.Since(start) > 20*time.Second {
			t.Errorf("%s took %v", tc.name, time.Since(start))
		}
	}
	if es, _ := os.ReadDir(filepath.Join(dir, "w")); len(es) != 0 {
		t.Errorf("failed checkouts left worktrees: %v", es)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 5)
	// A side branch merged into main: first-parent history skips its commits.
	repo.Git("checkout", "--quiet", "-b", "side", shas[2])
	side := repo.Commit("side", map[string]string{"side": "x"})
	repo.Git("checkout", "--quiet", "main")
	repo.Git("merge", "--quiet", "--no-ff", "-m", "merge side", "side")
	merge := repo.Git("rev-parse", "HEAD")
	c, _ := open(t)
	ctx := context.Background()
	w, err := c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: merge, HistoryFrom: shas[1][:8]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove(w)
	want := []string{shas[2], shas[3], shas[4], merge}
	if !slices.Equal(w.History, want) || w.HistoryBase != shas[1] || w.HistoryErr != "" {
		t.Errorf("history %v base %s (%s), want %v from %s", w.History, w.HistoryBase, w.HistoryErr, want, shas[1])
	}
	w2, err := c.Prepare(ctx, checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[3], HistoryFrom: side}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove(w2)
	if w2.History != nil || !strings.Contains(w2.HistoryErr, "not an ancestor") {
		t.Errorf("history from a commit off the line: %v, %q", w2.History, w2.HistoryErr)
	}
}

// TestConcurrentJobs prepares one revision for several jobs at once: each
// gets a worktree of its own, and the mirror is cloned once.
func TestConcurrentJobs(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 2)
	c, dir := open(t)
	var wg sync.WaitGroup
	dirs := make([]string, 4)
	for i := range dirs {
		wg.Go(func() {
			w, err := c.Prepare(context.Background(), checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[1], Build: []string{"./build.sh"}}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			dirs[i] = w.Dir
			if err := os.WriteFile(filepath.Join(w.Dir, "mine"), []byte(w.Dir), 0o644); err != nil {
				t.Error(err)
			}
			time.Sleep(50 * time.Millisecond)
			if b, _ := os.ReadFile(filepath.Join(w.Dir, "mine")); string(b) != w.Dir {
				t.Errorf("worktree %s was shared: %q", w.Dir, b)
			}
			c.Remove(w)
		})
	}
	wg.Wait()
	slices.Sort(dirs)
	if len(slices.Compact(dirs)) != len(dirs) {
		t.Errorf("jobs shared worktrees: %v", dirs)
	}
	if es, _ := os.ReadDir(filepath.Join(dir, "m")); len(es) != 1 {
		t.Errorf("%d mirrors, want 1", len(es))
	}
}

// TestOpenRemovesLeftovers: a runner killed mid-job leaves its worktree;
// the next start removes it.
func TestOpenRemovesLeftovers(t *testing.T) {
	t.Parallel()
	repo, shas := history(t, 1)
	c, dir := open(t)
	w, err := c.Prepare(context.Background(), checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// No Remove: the runner died.
	if _, err := checkout.Open(checkout.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Dir); !os.IsNotExist(err) {
		t.Errorf("worktree %s survived a restart: %v", w.Dir, err)
	}
	// And the mirror still checks the commit out again.
	c2, _ := checkout.Open(checkout.Config{Dir: dir})
	w2, err := c2.Prepare(context.Background(), checkout.Spec{Repo: "o/r", CloneURL: repo.URL(), Revision: shas[0]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c2.Remove(w2)
}
