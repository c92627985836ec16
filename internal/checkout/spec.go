package checkout

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/vcs"
)

// Bounds of a checkout.
const (
	// MaxHistory is the most commits a bisection may span.
	MaxHistory = 10_000
	// DefaultBuildTimeout bounds a build when the repository does not say.
	DefaultBuildTimeout = 30 * time.Minute
	// MaxBuildTimeout is the longest build a repository may ask for.
	MaxBuildTimeout = 6 * time.Hour
	maxArgs         = 200
	maxArgLen       = 4096
)

// Spec is what a job needs checked out: the server sends it with the
// lease of a job whose campaign names a registered repository and a
// revision.
type Spec struct {
	Repo     string `json:"repo"`
	CloneURL string `json:"clone_url"`
	Revision string `json:"revision"`
	// Build is the argv run in the worktree before any iteration; none: no
	// build step.
	Build               []string `json:"build,omitempty"`
	BuildTimeoutSeconds int      `json:"build_timeout_seconds,omitempty"`
	// HistoryFrom asks for the first-parent history from this revision
	// (excluded) to Revision (included): the range a bisection searches.
	HistoryFrom string `json:"history_from,omitempty"`
}

// Check reports whether the spec is safe to hand to git and to run. The
// server checked it when the repository was registered; the runner checks
// again, since it is the one that runs git.
func (s Spec) Check() error {
	if err := vcs.CheckRepo(s.Repo); err != nil {
		return err
	}
	if err := vcs.CheckCloneURL(s.CloneURL); err != nil {
		return err
	}
	if err := vcs.CheckRevision(s.Revision); err != nil {
		return err
	}
	if s.HistoryFrom != "" {
		if err := vcs.CheckRevision(s.HistoryFrom); err != nil {
			return fmt.Errorf("history from: %w", err)
		}
	}
	if s.BuildTimeoutSeconds < 0 || time.Duration(s.BuildTimeoutSeconds)*time.Second > MaxBuildTimeout {
		return fmt.Errorf("build timeout: at most %v", MaxBuildTimeout)
	}
	return CheckArgv("build", s.Build, true)
}

// BuildTimeout is how long the build may take.
func (s Spec) BuildTimeout() time.Duration {
	if s.BuildTimeoutSeconds <= 0 {
		return DefaultBuildTimeout
	}
	return time.Duration(s.BuildTimeoutSeconds) * time.Second
}

// CheckArgv reports whether argv is a command line triaged may run: at most
// 200 arguments of at most 4096 bytes, no NUL, a program name that is not
// blank. field names it in errors; empty says whether no command at all is
// fine.
func CheckArgv(field string, argv []string, empty bool) error {
	switch {
	case len(argv) == 0 && empty:
		return nil
	case len(argv) == 0 || strings.TrimSpace(argv[0]) == "":
		return fmt.Errorf(`%s: give the command as an argv list, e.g. ["make", "-j4"]`, field)
	case len(argv) > maxArgs:
		return fmt.Errorf("%s: at most %d arguments", field, maxArgs)
	}
	for i, a := range argv {
		if len(a) > maxArgLen || strings.ContainsRune(a, 0) {
			return fmt.Errorf("%s[%d]: at most %d bytes, without NUL", field, i, maxArgLen)
		}
	}
	return nil
}

// Error is a checkout that failed: the repository could not be fetched,
// the revision checked out, or the build failed. It is always the
// infrastructure's failure, never the test's.
type Error struct {
	Stage    string // "fetch", "checkout" or "build"
	Revision string
	Err      error
	// Tail is the end of the build's output, and Log where all of it is
	// kept on the runner.
	Tail string
	Log  string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s failed at %s: %v", e.Stage, vcs.ShortRevision(e.Revision), e.Err)
	if e.Tail != "" {
		msg += "\n" + e.Tail
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNoGit means the runner has no git to check anything out with.
var ErrNoGit = errors.New("git not found")
