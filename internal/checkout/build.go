package checkout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/stress"
)

// build runs the spec's build command in dir under its own timeout, with
// its whole process tree killed at the end. All of its output goes to a
// log file that is kept (the newest KeepLogs of them); a failure carries
// the output's end.
func (c *Cache) build(ctx context.Context, dir string, s Spec, env []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.BuildTimeout())
	defer cancel()
	name := fmt.Sprintf("%s-%s-%s.log", time.Now().UTC().Format("20060102T150405.000"), strings.ReplaceAll(s.Repo, "/", "_"), vcs.ShortRevision(s.Revision))
	logPath := filepath.Join(c.cfg.Dir, "logs", name)
	f, err := os.Create(logPath)
	if err != nil {
		return "", &Error{Stage: "build", Revision: s.Revision, Err: fmt.Errorf("keep the build's output: %w", err)}
	}
	c.pruneLogs()
	last := &lastBytes{max: 4 << 10}
	fmt.Fprintf(f, "$ %s\n", strings.Join(s.Build, " "))
	out := io.MultiWriter(f, last)
	cmd := exec.CommandContext(ctx, s.Build[0], s.Build[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	err = stress.RunTree(cmd)
	f.Close()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("%s timed out after %v; its processes were killed", s.Build[0], s.BuildTimeout())
	case err != nil:
		err = fmt.Errorf("%s: %w", strings.Join(s.Build, " "), err)
	default:
		return logPath, nil
	}
	return logPath, &Error{Stage: "build", Revision: s.Revision, Err: err, Tail: tail(last.String(), 2000), Log: logPath}
}

// pruneLogs keeps the newest KeepLogs build logs.
func (c *Cache) pruneLogs() {
	dir := filepath.Join(c.cfg.Dir, "logs")
	es, err := os.ReadDir(dir)
	if err != nil || len(es) <= c.cfg.KeepLogs {
		return
	}
	names := make([]string, 0, len(es))
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names) // they start with a UTC time
	for _, n := range names[:len(names)-c.cfg.KeepLogs] {
		os.Remove(filepath.Join(dir, n))
	}
}

// lastBytes keeps the last max bytes written to it.
type lastBytes struct {
	buf []byte
	max int
}

func (l *lastBytes) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - l.max; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	return len(p), nil
}

func (l *lastBytes) String() string { return string(l.buf) }
