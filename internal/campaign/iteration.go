package campaign

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/stress"
)

// Host is what the host that runs a campaign adds to it.
type Host struct {
	// Dir is where exec commands run: a worktree of the campaign's
	// revision, or "" for the current directory.
	Dir string
	// Env is added to the environment of exec commands.
	Env []string
	// Timeout bounds one exec run (default 30 minutes); the whole process
	// tree is killed after it.
	Timeout time.Duration
	// Limits bound what one exec run's report may hold.
	Limits report.Options
}

// defaultExecTimeout bounds a run of a test command when the host does not
// say: long enough for any single test, short enough that a hang ends.
const defaultExecTimeout = 30 * time.Minute

// Iteration builds the stress iteration that runs one iteration of c on
// this host: its built-in scenario, or its command.
func (c Campaign) Iteration(h Host) (stress.Iteration, error) {
	switch c.Kind {
	case KindScenario:
		sc, err := c.ScenarioConfig()
		if err != nil {
			return nil, err
		}
		return sc.Iteration(), nil
	case KindExec:
		cmd, err := c.ExecCommand(h)
		if err != nil {
			return nil, err
		}
		return cmd.Iteration(c.Seed()), nil
	}
	return nil, fmt.Errorf("campaign %d: unknown kind %q", c.ID, c.Kind)
}

// ScenarioConfig is the normalized configuration of a scenario campaign
// on this host, seeded by the campaign's seed.
func (c Campaign) ScenarioConfig() (stress.ScenarioConfig, error) {
	sc, err := c.scenarioConfig()
	if err != nil {
		return sc, err
	}
	sc.Seed = c.Seed()
	if sc, err = sc.Normalize(); err != nil {
		return sc, fmt.Errorf("on this host: %w", err)
	}
	return sc, nil
}

// ExecCommand is the test command of an exec campaign as this host runs
// it, with the campaign's test in TRIAGED_TEST.
// It fails when the command's program cannot be found here.
func (c Campaign) ExecCommand(h Host) (stress.Command, error) {
	f, err := ParseFormat(cmp.Or(c.Format, string(FormatAuto)))
	if err != nil {
		return stress.Command{}, err
	}
	env := h.Env
	if c.Test != "" {
		env = append(slices.Clip(env), "TRIAGED_TEST="+c.Test)
	}
	cmd := stress.Command{Argv: c.Command, Dir: h.Dir, Env: env, Timeout: cmp.Or(h.Timeout, defaultExecTimeout),
		Format: f.Report, JUnitPath: f.JUnitPath, Limits: h.Limits}
	if f.JUnitPath != "" {
		cmd.Format = ""
	}
	if err := cmd.Check(); err != nil {
		return cmd, fmt.Errorf("on this host: %w", err)
	}
	return cmd, nil
}
