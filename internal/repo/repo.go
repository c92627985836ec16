// Package repo is the registered repository: where runners clone it from,
// how they build it, and how one of its tests is run. An admin registers
// it (POST /api/v1/repos, the /repos page); a campaign that names it and a
// revision then runs in a worktree of that revision (package checkout),
// and "Stress this", verification campaigns and bisections build their
// command for a test with CommandFor.
package repo

import (
	"fmt"
	"time"

	"github.com/triaged/triaged/internal/checkout"
	"github.com/triaged/triaged/internal/vcs"
)

// Repo is a registered repository. It is the body of POST /api/v1/repos
// and what the store keeps.
type Repo struct {
	Repo     string `json:"repo" db:"repo"`
	CloneURL string `json:"clone_url" db:"clone_url"`
	// Build is the argv run in a fresh worktree before any test; none: no
	// build step.
	Build []string `json:"build" db:"build"`
	// BuildTimeout is a Go duration ("20m"); empty: 30 minutes.
	BuildTimeout string `json:"build_timeout" db:"build_timeout"`
	// TestCommand is the argv that runs one test, with placeholders (see
	// CommandFor); empty: the default for the test's language.
	TestCommand []string `json:"test_command" db:"test_command"`
	// Language says how the repository's tests run when TestCommand is
	// empty; empty: guessed from each test id.
	Language  Language  `json:"language" db:"language"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// Validate checks a registration where it enters and fills in defaults
// (empty lists rather than nil). Errors name the field and what it wants.
func (r Repo) Validate() (Repo, error) {
	if r.Build == nil {
		r.Build = []string{}
	}
	if r.TestCommand == nil {
		r.TestCommand = []string{}
	}
	if err := vcs.CheckRepo(r.Repo); err != nil {
		return r, err
	}
	if err := vcs.CheckCloneURL(r.CloneURL); err != nil {
		return r, err
	}
	if err := checkout.CheckArgv("build", r.Build, true); err != nil {
		return r, err
	}
	if err := checkout.CheckArgv("test_command", r.TestCommand, true); err != nil {
		return r, err
	}
	if r.BuildTimeout != "" {
		d, err := time.ParseDuration(r.BuildTimeout)
		if err != nil || d < time.Second || d > checkout.MaxBuildTimeout {
			return r, fmt.Errorf("build_timeout: want a duration from 1s to %v, e.g. 20m; got %q", checkout.MaxBuildTimeout, r.BuildTimeout)
		}
		r.BuildTimeout = d.String()
	}
	if r.Language != "" && !r.Language.known() {
		return r, fmt.Errorf("language: want one of %v, or none to guess from each test id; got %q", Languages, r.Language)
	}
	if len(r.TestCommand) > 0 {
		// A placeholder no language fills would refuse every test later.
		if _, err := substitute(r.TestCommand, "pkg.TestName", allVars()); err != nil {
			return r, fmt.Errorf("test_command: %w", err)
		}
	}
	return r, nil
}

// Checkout is what a runner needs to test revision of the repository.
func (r Repo) Checkout(revision string) checkout.Spec {
	s := checkout.Spec{Repo: r.Repo, CloneURL: r.CloneURL, Revision: revision, Build: r.Build}
	if d, err := time.ParseDuration(r.BuildTimeout); err == nil {
		s.BuildTimeoutSeconds = int(d / time.Second)
	}
	return s
}
