package checkout

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config configures a Cache.
type Config struct {
	// Dir holds the mirrors, worktrees and build logs.
	Dir string
	// Git is the git to run: a path or a name on PATH; "" finds one
	// (FindGit).
	Git string
	// FetchTimeout bounds a clone or fetch (default 30 minutes).
	FetchTimeout time.Duration
	// KeepLogs is how many build logs are kept (default 50).
	KeepLogs int
	Log      *slog.Logger
}

// Cache is a runner's mirrors and worktrees. It is safe for concurrent
// use: jobs never share a worktree, and git commands that change a mirror
// run one at a time per mirror.
type Cache struct {
	cfg Config

	mu      sync.Mutex
	git     *git // found on first use
	mirrors map[string]*sync.Mutex
}

// Open prepares the cache directory and removes the worktrees an earlier
// run left (it crashed, or was killed mid-job): no job runs yet, so none
// is in use, and they would only hold disk.
func Open(cfg Config) (*Cache, error) {
	cfg.FetchTimeout = cmp.Or(cfg.FetchTimeout, 30*time.Minute)
	cfg.KeepLogs = cmp.Or(cfg.KeepLogs, 50)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{"m", "w", "logs"} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("checkout directory: %w", err)
		}
	}
	c := &Cache{cfg: cfg, mirrors: map[string]*sync.Mutex{}}
	c.removeLeftovers()
	return c, nil
}

// Worktree is a job's checkout: a clean worktree at Commit, built.
type Worktree struct {
	Dir    string
	Commit string // what `git rev-parse HEAD` says in Dir
	// History is the first-parent history the spec asked for, oldest
	// first, from HistoryBase (excluded) to Commit (included); HistoryErr
	// says why there is none.
	History     []string
	HistoryBase string
	HistoryErr  string
	// BuildTime is how long the build took; Log keeps its output.
	BuildTime time.Duration
	Log       string

	mirror string
}

// Prepare makes a clean worktree of s.Revision for one job and builds it,
// with env added to the build's environment. Any failure is an *Error.
// The caller runs the job in w.Dir and then calls Remove.
func (c *Cache) Prepare(ctx context.Context, s Spec, env []string) (*Worktree, error) {
	fail := func(stage string, err error) (*Worktree, error) {
		return nil, &Error{Stage: stage, Revision: s.Revision, Err: err}
	}
	if err := s.Check(); err != nil {
		return fail("checkout", err)
	}
	g, err := c.findGit()
	if err != nil {
		return fail("checkout", err)
	}
	mirror := filepath.Join(c.cfg.Dir, "m", hashName(s.CloneURL))
	lock := c.mirrorLock(mirror)
	lock.Lock()
	commit, err := c.fetch(ctx, g, mirror, s)
	if err != nil {
		lock.Unlock()
		return fail("fetch", err)
	}
	w := &Worktree{Commit: commit, mirror: mirror}
	if s.HistoryFrom != "" {
		w.History, w.HistoryBase, w.HistoryErr = history(ctx, g, mirror, s.HistoryFrom, commit)
	}
	w.Dir, err = c.addWorktree(ctx, g, mirror, commit)
	lock.Unlock()
	if err != nil {
		return fail("checkout", err)
	}
	// What is checked out is what gets reported, not what was asked for.
	head, err := g.run(ctx, w.Dir, "rev-parse", "--verify", "HEAD")
	if head = strings.TrimSpace(head); err != nil || head != commit {
		c.Remove(w)
		return fail("checkout", fmt.Errorf("HEAD is %q after checking out %s: %v", head, commit, err))
	}
	if len(s.Build) > 0 {
		start := time.Now()
		w.Log, err = c.build(ctx, w.Dir, s, env)
		w.BuildTime = time.Since(start)
		if err != nil {
			c.Remove(w)
			return nil, err
		}
	}
	return w, nil
}

// fetch makes sure the mirror has the revision and returns its full commit
// id: a clone the first time, a fetch only when the commit is missing
// (commits never change, so a mirror that has one needs nothing more).
func (c *Cache) fetch(ctx context.Context, g git, mirror string, s Spec) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.FetchTimeout)
	defer cancel()
	if _, err := os.Stat(filepath.Join(mirror, "HEAD")); err != nil {
		// Clone next to the mirror, then rename: a clone cut short leaves
		// no half mirror behind.
		tmp := mirror + ".tmp"
		removeAll(tmp)
		if _, err := g.run(ctx, "", "clone", "--mirror", "--quiet", "--", s.CloneURL, tmp); err != nil {
			removeAll(tmp)
			return "", err
		}
		if err := os.Rename(tmp, mirror); err != nil {
			return "", err
		}
	} else if commit, err := resolve(ctx, g, mirror, s.Revision); err == nil {
		return commit, nil
	} else if _, err := g.run(ctx, mirror, "fetch", "--prune", "--quiet", "origin"); err != nil {
		return "", err
	}
	commit, err := resolve(ctx, g, mirror, s.Revision)
	if err != nil && len(s.Revision) >= 40 {
		// Not under any ref (a force-pushed branch's old head): servers
		// that allow it send a commit asked for by its id.
		if _, ferr := g.run(ctx, mirror, "fetch", "--quiet", "origin", "--", s.Revision); ferr == nil {
			commit, err = resolve(ctx, g, mirror, s.Revision)
		}
	}
	if err != nil {
		return "", fmt.Errorf("revision %s is not in %s", s.Revision, s.CloneURL)
	}
	return commit, nil
}

// resolve returns the full id of the commit rev names in the mirror.
func resolve(ctx context.Context, g git, mirror, rev string) (string, error) {
	out, err := g.run(ctx, mirror, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	if id := strings.TrimSpace(out); isCommitID(id) {
		return id, nil
	}
	return "", fmt.Errorf("git rev-parse %s: unexpected %q", rev, out)
}

// history lists the first-parent commits after from up to commit, oldest
// first. from must be an ancestor of commit; otherwise, or when the range
// is empty or too long, the reason is returned instead.
func history(ctx context.Context, g git, mirror, from, commit string) (list []string, base, why string) {
	base, err := resolve(ctx, g, mirror, from)
	if err != nil {
		return nil, "", fmt.Sprintf("revision %s is not in the repository", from)
	}
	if _, err := g.run(ctx, mirror, "merge-base", "--is-ancestor", "--", base, commit); err != nil {
		if exitCode(err) == 1 {
			return nil, base, fmt.Sprintf("%s is not an ancestor of %s", base, commit)
		}
		return nil, base, err.Error()
	}
	out, err := g.run(ctx, mirror, "rev-list", "--first-parent", fmt.Sprintf("--max-count=%d", MaxHistory+1), base+".."+commit, "--")
	if err != nil {
		return nil, base, err.Error()
	}
	for _, line := range strings.Fields(out) {
		if !isCommitID(line) {
			return nil, base, fmt.Sprintf("git rev-list printed %q", line)
		}
		list = append(list, line)
	}
	switch {
	case len(list) == 0:
		return nil, base, fmt.Sprintf("%s and %s are the same commit", base, commit)
	case len(list) > MaxHistory:
		return nil, base, fmt.Sprintf("more than %d commits between %s and %s", MaxHistory, base, commit)
	}
	slices.Reverse(list)
	return list, base, ""
}

// addWorktree checks commit out, detached, in a new directory of its own.
func (c *Cache) addWorktree(ctx context.Context, g git, mirror, commit string) (string, error) {
	var b [4]byte
	rand.Read(b[:])
	// Short names: Windows paths past MAX_PATH trouble tools other than git.
	dir := filepath.Join(c.cfg.Dir, "w", commit[:8]+"-"+hex.EncodeToString(b[:]))
	if _, err := g.run(ctx, mirror, "worktree", "add", "--detach", "--quiet", "--", dir, commit); err != nil {
		removeAll(dir)
		return "", err
	}
	return dir, nil
}

// Remove deletes a job's worktree and git's record of it.
func (c *Cache) Remove(w *Worktree) {
	if w == nil || w.Dir == "" {
		return
	}
	g, gitErr := c.findGit()
	lock := c.mirrorLock(w.mirror)
	lock.Lock()
	defer lock.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// git's own removal first; whatever it leaves (it refuses on some
	// Windows file systems) goes by hand, and prune forgets the rest.
	if gitErr == nil {
		g.run(ctx, w.mirror, "worktree", "remove", "--force", "--", w.Dir)
	}
	if err := removeAll(w.Dir); err != nil {
		c.cfg.Log.Warn("remove worktree", "dir", w.Dir, "err", err)
	}
	if gitErr == nil {
		g.run(ctx, w.mirror, "worktree", "prune")
	}
}

// removeLeftovers removes every worktree and unfinished clone, and makes
// each mirror forget its worktrees.
func (c *Cache) removeLeftovers() {
	wts, _ := os.ReadDir(filepath.Join(c.cfg.Dir, "w"))
	for _, e := range wts {
		p := filepath.Join(c.cfg.Dir, "w", e.Name())
		c.cfg.Log.Info("removing a worktree left by an earlier run", "dir", p)
		if err := removeAll(p); err != nil {
			c.cfg.Log.Warn("remove worktree", "dir", p, "err", err)
		}
	}
	mirrors, _ := os.ReadDir(filepath.Join(c.cfg.Dir, "m"))
	g, gerr := c.findGit()
	for _, e := range mirrors {
		p := filepath.Join(c.cfg.Dir, "m", e.Name())
		if strings.HasSuffix(e.Name(), ".tmp") {
			removeAll(p)
			continue
		}
		if gerr == nil && len(wts) > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			g.run(ctx, p, "worktree", "prune")
			cancel()
		}
	}
}

func (c *Cache) findGit() (git, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.git == nil {
		p, err := FindGit(c.cfg.Git, os.Getenv, runtime.GOOS)
		if err != nil {
			return git{}, err
		}
		c.git = &git{path: p, env: gitEnv(os.Environ())}
	}
	return *c.git, nil
}

func (c *Cache) mirrorLock(dir string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.mirrors[dir]
	if !ok {
		m = &sync.Mutex{}
		c.mirrors[dir] = m
	}
	return m
}

// hashName names a clone URL's mirror: a hash, since repository names may
// be reserved on Windows (con, aux) and URLs hold characters paths cannot.
func hashName(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:8])
}
