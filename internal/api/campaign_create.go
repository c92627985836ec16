package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/store"
)

// Campaign limits: large enough for any real stress run, small enough that a
// typo cannot queue a year of work.
const (
	maxIterations = 1_000_000
	maxParallel   = 64
	jobSize       = 25 // iterations per job: small, so a dead runner costs little and work spreads
)

// Scenarios are the built-in scenarios a campaign may name.
var Scenarios = []string{"echo-pause", "starttls-server", "starttls-client"}

var labelPattern = regexp.MustCompile(`^[A-Za-z0-9_.:=-]{1,64}$`)

// CampaignRequest is the body of POST /api/v1/campaigns.
type CampaignRequest struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Scenario   string          `json:"scenario"`
	Proactor   string          `json:"proactor"`
	Backend    string          `json:"backend"`
	Params     *ScenarioParams `json:"params"`
	Command    []string        `json:"command"`
	Format     string          `json:"format"`
	Labels     []string        `json:"labels"`
	Iterations int             `json:"iterations"`
	Parallel   int             `json:"parallel"`
	Stop       string          `json:"stop"`
	StopTarget float64         `json:"stop_target"`
	EachRunner bool            `json:"each_runner"`
	Repo       string          `json:"repo"`
	Revision   string          `json:"revision"`
}

// ScenarioParams tune a built-in scenario; zero fields take the scenario's
// defaults.
type ScenarioParams struct {
	Packets    int    `json:"packets,omitempty"`
	PacketSize int    `json:"packet_size,omitempty"`
	PauseEvery string `json:"pause_every,omitempty"` // a Go duration, e.g. "100ms"
	Seed       int64  `json:"seed,omitempty"`
}

// CreateCampaign handles POST /api/v1/campaigns.
func (a *API) CreateCampaign(w http.ResponseWriter, r *http.Request) {
	var req CampaignRequest
	if err := decodeJSON(w, r, &req, 256<<10); err != nil {
		jsonapi.Error(w, r, a.log, decodeStatus(err), err.Error(), nil)
		return
	}
	spec, err := req.Validate()
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	c, err := a.store.CreateCampaign(r.Context(), spec, jobSize)
	switch {
	case errors.Is(err, store.ErrNoRunners):
		jsonapi.Error(w, r, a.log, http.StatusConflict, fmt.Sprintf("no enabled runner has the labels %v; register one or change the labels", spec.Labels), nil)
		return
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	a.log.Info("campaign created", "id", c.ID, "name", c.Name, "kind", c.Kind, "iterations", c.Iterations)
	jsonapi.Write(w, http.StatusCreated, a.campaignView(r, c))
}

// Validate checks a campaign request and fills in defaults.
func (req CampaignRequest) Validate() (store.CampaignSpec, error) {
	s := store.CampaignSpec{
		Name: strings.TrimSpace(req.Name), Kind: req.Kind, Scenario: req.Scenario, Proactor: req.Proactor,
		Backend: req.Backend, Command: req.Command, Format: req.Format, Labels: req.Labels,
		Iterations: req.Iterations, Parallel: max(req.Parallel, 1), Stop: req.Stop, StopTarget: req.StopTarget,
		EachRunner: req.EachRunner, Repo: req.Repo, Revision: req.Revision,
	}
	if s.Stop == "" {
		s.Stop = "count"
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
	case len(s.Name) > 200:
		return s, errors.New("name: at most 200 characters")
	case s.Iterations < 1 || s.Iterations > maxIterations:
		return s, fmt.Errorf("iterations: want 1 to %d, got %d", maxIterations, s.Iterations)
	case s.Parallel > maxParallel:
		return s, fmt.Errorf("parallel: want 1 to %d, got %d", maxParallel, s.Parallel)
	case !slices.Contains([]string{"count", "first-failure", "confident"}, s.Stop):
		return s, fmt.Errorf(`stop: want "count", "first-failure" or "confident", got %q`, s.Stop)
	case s.StopTarget <= 0 || s.StopTarget >= 1:
		return s, fmt.Errorf("stop_target: want a rate between 0 and 1, got %v", s.StopTarget)
	case s.Repo != "" && !repoPattern.MatchString(s.Repo):
		return s, fmt.Errorf("repo=%q: want the GitHub owner/name", s.Repo)
	case s.Revision != "" && !tokenPattern.MatchString(s.Revision):
		return s, fmt.Errorf("revision=%q: want a commit id", s.Revision)
	case len(s.Labels) > 20:
		return s, errors.New("labels: at most 20")
	}
	for _, l := range s.Labels {
		if !labelPattern.MatchString(l) {
			return s, fmt.Errorf("label %q: use letters, digits and _.:=- (at most 64)", l)
		}
	}
	var err error
	switch s.Kind {
	case "scenario":
		err = validateScenario(&s, req.Params)
	case "exec":
		err = validateExec(&s, req.Params)
	default:
		err = fmt.Errorf(`kind: want "scenario" or "exec", got %q`, s.Kind)
	}
	if s.Name == "" {
		s.Name = defaultName(s)
	}
	return s, err
}

func validateScenario(s *store.CampaignSpec, p *ScenarioParams) error {
	if !slices.Contains(Scenarios, s.Scenario) {
		return fmt.Errorf("scenario: want one of %s, got %q", strings.Join(Scenarios, ", "), s.Scenario)
	}
	if s.Proactor == "" {
		s.Proactor = "fixed"
	}
	if s.Proactor != "fixed" && s.Proactor != "legacy" {
		return fmt.Errorf(`proactor: want "fixed" or "legacy" (the pre-fix bpo-33694 behaviour), got %q`, s.Proactor)
	}
	if s.Backend != "" && s.Backend != "emu" && s.Backend != "iocp" {
		return fmt.Errorf(`backend: want "emu", "iocp" or empty for the runner's default, got %q`, s.Backend)
	}
	if len(s.Command) > 0 || s.Format != "" {
		return errors.New("command and format are for exec campaigns")
	}
	if p == nil {
		p = &ScenarioParams{}
	}
	if err := p.Check(); err != nil {
		return err
	}
	s.Params, _ = json.Marshal(p)
	return nil
}

func validateExec(s *store.CampaignSpec, p *ScenarioParams) error {
	switch {
	case len(s.Command) == 0 || strings.TrimSpace(s.Command[0]) == "":
		return errors.New("command: give the test command as an argv list, e.g. [\"python3\", \"-m\", \"test\", \"test_asyncio\", \"-v\"]")
	case len(s.Command) > 200:
		return errors.New("command: at most 200 arguments")
	case s.Scenario != "" || s.Proactor != "" || s.Backend != "" || p != nil:
		return errors.New("scenario, proactor, backend and params are for scenario campaigns")
	}
	if s.Format == "" {
		s.Format = "auto"
	}
	name, path, _ := strings.Cut(s.Format, "=")
	if !slices.Contains([]string{"auto", "regrtest", "gotest", "junit", "json"}, name) || (name == "junit") != (path != "") {
		return fmt.Errorf(`format: want auto, regrtest, gotest, json or junit=PATH, got %q`, s.Format)
	}
	s.Params = json.RawMessage(`{}`)
	return nil
}

func defaultName(s store.CampaignSpec) string {
	if s.Kind == "scenario" {
		return fmt.Sprintf("%s (%s) × %d", s.Scenario, s.Proactor, s.Iterations)
	}
	return fmt.Sprintf("%s × %d", strings.Join(s.Command, " "), s.Iterations)
}
