package campaign

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress"
)

// Bounds of a campaign: large enough for any real stress run, small enough
// that a typo cannot queue a year of work.
const (
	MaxIterations = 1_000_000
	MaxParallel   = 256
	MaxLabels     = 20
	MaxArgs       = 200
	maxName       = 200
	maxArgLen     = 4096
)

var labelPattern = regexp.MustCompile(`^[A-Za-z0-9_.:=-]{1,64}$`)

// Validate checks a spec and returns it with its defaults filled in: stop
// rule count, stop target 1%, parallel 1, proactor fixed, format auto, a
// name that says what runs. Every way a campaign is created (the API, the
// form, webhooks, `triaged stress`) validates here, so they accept and
// refuse the same things. Errors name the field and what it wants.
func (s Spec) Validate() (Spec, error) {
	s.Name = strings.TrimSpace(s.Name)
	s.Parallel = max(s.Parallel, 1)
	if s.Stop == "" {
		s.Stop = StopCount
	}
	if s.StopTarget == 0 {
		s.StopTarget = 0.01
	}
	if s.Labels == nil {
		s.Labels = []string{}
	}
	if s.Command == nil {
		s.Command = []string{}
	}
	switch {
	case len(s.Name) > maxName:
		return s, fmt.Errorf("name: at most %d characters", maxName)
	case s.Iterations < 1 || s.Iterations > MaxIterations:
		return s, fmt.Errorf("iterations: want 1 to %d, got %d", MaxIterations, s.Iterations)
	case s.Parallel > MaxParallel:
		return s, fmt.Errorf("parallel: want 1 to %d, got %d", MaxParallel, s.Parallel)
	case s.Stop != StopCount && s.Stop != StopFirstFailure && s.Stop != StopConfident:
		return s, fmt.Errorf(`stop: want "count", "first-failure" or "confident", got %q`, s.Stop)
	case !(s.StopTarget > 0 && s.StopTarget < 1):
		return s, fmt.Errorf("stop_target: want a rate between 0 and 1, got %v", s.StopTarget)
	case len(s.Labels) > MaxLabels:
		return s, fmt.Errorf("labels: at most %d", MaxLabels)
	case s.Revision != "" && s.Repo == "":
		return s, errors.New("revision: name the repo it belongs to as well")
	case len(s.Test) > report.MaxTestIDLen || !utf8.ValidString(s.Test) || strings.ContainsFunc(s.Test, unicode.IsControl):
		return s, fmt.Errorf("test: a test id of at most %d bytes, without control characters", report.MaxTestIDLen)
	}
	if s.Repo != "" {
		if err := vcs.CheckRepo(s.Repo); err != nil {
			return s, err
		}
	}
	if s.Revision != "" {
		if err := vcs.CheckRevision(s.Revision); err != nil {
			return s, err
		}
	}
	for _, l := range s.Labels {
		if !labelPattern.MatchString(l) {
			return s, fmt.Errorf("label %q: use letters, digits and _.:=- (at most 64)", l)
		}
	}
	var err error
	switch s.Kind {
	case KindScenario:
		err = s.validateScenario()
	case KindExec:
		err = s.validateExec()
	default:
		err = fmt.Errorf(`kind: want "scenario" or "exec", got %q`, s.Kind)
	}
	if err != nil {
		return s, err
	}
	if s.Name == "" {
		s.Name = s.defaultName()
	}
	return s, nil
}

func (s *Spec) validateScenario() error {
	if s.Proactor == "" {
		s.Proactor = proactor.Fixed.String()
	}
	if len(s.Command) > 0 || s.Format != "" {
		return errors.New("command and format are for exec campaigns")
	}
	sc, err := s.scenarioConfig()
	if err != nil {
		return err
	}
	if sc, err = sc.Check(); err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	// The stored params say what will run, defaults included.
	s.Params = Params{Packets: sc.Packets, PacketSize: sc.PacketSize, PauseEvery: sc.PauseEvery.String(),
		Pauses: sc.Pauses, Seed: s.Params.Seed}
	return nil
}

// scenarioConfig is the stress configuration the spec asks for, before
// defaults and checks.
func (s Spec) scenarioConfig() (stress.ScenarioConfig, error) {
	mode, err := proactor.ParseMode(s.Proactor)
	if err != nil {
		return stress.ScenarioConfig{}, fmt.Errorf(`proactor: want "fixed" or "legacy" (the pre-fix bpo-33694 behaviour), got %q`, s.Proactor)
	}
	sc := stress.ScenarioConfig{Name: s.Scenario, Mode: mode, Backend: s.Backend, Packets: s.Params.Packets,
		PacketSize: s.Params.PacketSize, Pauses: s.Params.Pauses, Seed: s.Params.Seed}
	if p := s.Params.PauseEvery; p != "" {
		if sc.PauseEvery, err = time.ParseDuration(p); err != nil {
			return sc, fmt.Errorf("params.pause_every: want a duration from 1ms to 1m, got %q", p)
		}
	}
	return sc, nil
}

func (s *Spec) validateExec() error {
	switch {
	case len(s.Command) == 0 || strings.TrimSpace(s.Command[0]) == "":
		return errors.New(`command: give the test command as an argv list, e.g. ["python3", "-m", "test", "test_asyncio", "-v"]`)
	case len(s.Command) > MaxArgs:
		return fmt.Errorf("command: at most %d arguments", MaxArgs)
	case s.Scenario != "" || s.Proactor != "" || s.Backend != "":
		return errors.New("scenario, proactor and backend are for scenario campaigns")
	case s.Params != (Params{Seed: s.Params.Seed}):
		return errors.New("params: only seed applies to exec campaigns")
	}
	for i, arg := range s.Command {
		if len(arg) > maxArgLen || strings.ContainsRune(arg, 0) {
			return fmt.Errorf("command[%d]: at most %d bytes, without NUL", i, maxArgLen)
		}
	}
	if s.Format == "" {
		s.Format = string(FormatAuto)
	}
	_, err := ParseFormat(s.Format)
	return err
}

func (s Spec) defaultName() string {
	if s.Kind == KindScenario {
		return fmt.Sprintf("%s (%s) × %d", s.Scenario, s.Proactor, s.Iterations)
	}
	name := fmt.Sprintf("%s × %d", strings.Join(s.Command, " "), s.Iterations)
	if len(name) > maxName {
		name = name[:maxName-len("…")] + "…"
	}
	return strings.ToValidUTF8(name, "")
}

// CheckLabel reports whether l can be a runner label: 1–64 letters,
// digits or _.:=-.
func CheckLabel(l string) error {
	if !labelPattern.MatchString(l) {
		return fmt.Errorf("label %q: use letters, digits and _.:=- (at most 64)", l)
	}
	return nil
}
