package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/jsonapi"
	"github.com/triaged/triaged/internal/protocol"
	"github.com/triaged/triaged/internal/store"
)

var runnerNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)

// RegisterRunner handles POST /api/v1/runners/register.
func (a *API) RegisterRunner(w http.ResponseWriter, r *http.Request) {
	var req protocol.RegisterRequest
	if err := jsonapi.Decode(w, r, &req, 64<<10); err != nil {
		jsonapi.Error(w, r, a.log, jsonapi.DecodeStatus(err), err.Error(), nil)
		return
	}
	nr, err := validateRunner(req)
	if err != nil {
		jsonapi.Error(w, r, a.log, http.StatusBadRequest, err.Error(), nil)
		return
	}
	// A runner writes only where the token that registered it may.
	p, _ := auth.FromContext(r.Context())
	nr.Repos = p.Repos
	token, hash := auth.NewToken()
	runner, err := a.store.RegisterRunner(r.Context(), nr, hash)
	switch {
	case errors.Is(err, store.ErrConflict):
		jsonapi.Error(w, r, a.log, http.StatusConflict, fmt.Sprintf("a runner named %q is already registered; pick another name, or have an admin delete it", nr.Name), nil)
		return
	case err != nil:
		jsonapi.Error(w, r, a.log, http.StatusInternalServerError, "", err)
		return
	}
	a.log.Info("runner registered", "id", runner.ID, "name", runner.Name, "os", runner.OS, "labels", runner.Labels, "repos", runner.Repos)
	jsonapi.Write(w, http.StatusCreated, protocol.Registered{ID: runner.ID, Name: runner.Name, OS: runner.OS, Arch: runner.Arch,
		Labels: runner.Labels, CreatedAt: runner.CreatedAt, Token: token})
}

func validateRunner(req protocol.RegisterRequest) (store.NewRunner, error) {
	nr := store.NewRunner{Name: req.Name, OS: strings.ToLower(req.OS), Arch: strings.ToLower(req.Arch), Version: req.Version}
	switch {
	case !runnerNamePattern.MatchString(nr.Name):
		return nr, fmt.Errorf("name=%q: want 1-100 letters, digits, _.- (starting with a letter or digit)", nr.Name)
	case campaign.CheckLabel(nr.OS) != nil || campaign.CheckLabel(nr.Arch) != nil:
		return nr, errors.New("os and arch: required, e.g. \"windows\" and \"amd64\"")
	case len(nr.Version) > 100:
		return nr, errors.New("version: at most 100 characters")
	case len(req.Labels) > 50:
		return nr, errors.New("labels: at most 50")
	}
	// A runner always carries its OS and architecture as labels, so a
	// campaign can target "windows" without anyone remembering to say so.
	seen := map[string]bool{}
	for _, l := range append([]string{nr.OS, nr.Arch}, req.Labels...) {
		if err := campaign.CheckLabel(l); err != nil {
			return nr, err
		}
		if !seen[l] {
			seen[l] = true
			nr.Labels = append(nr.Labels, l)
		}
	}
	return nr, nil
}
