package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/repo"
	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// campaignForm holds the form's fields as typed, so a refused form comes
// back as the person left it.
type campaignForm struct {
	Kind, Name, Scenario, Proactor, Backend       string
	Packets, PacketSize, PauseEvery, Seed         string
	Command, Format, Labels, Iterations, Parallel string
	Stop, StopTarget, Repo, Revision, See, Test   string
	EachRunner                                    bool
	CommandNote                                   string // why no command is prefilled, or where it runs
	Self                                          string // the form's own URL, to come back to after logging in
	Error                                         string
	Needed                                        []runsNeeded
}

// runsNeeded is a row of the "how many runs" table.
type runsNeeded struct {
	Rate  float64
	Runs  int
	Given bool // the rate the person asked about
}

// NewCampaign shows the campaign form (GET /campaigns/new), prefilled from
// the query: a signature's "stress this" passes its test, repo and OS.
func (p *Pages) NewCampaign(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := campaignForm{
		Kind: or(q.Get("kind"), "exec"), Scenario: "echo-pause", Proactor: "fixed", Format: "auto",
		Iterations: "1000", Parallel: "1", Stop: "confident", StopTarget: "0.01",
		Labels: q.Get("labels"), Repo: q.Get("repo"), Revision: q.Get("revision"), Test: q.Get("test"), See: q.Get("see"),
		Self: r.URL.RequestURI(),
	}
	if f.Test != "" {
		var err error
		if f.Command, f.CommandNote, err = p.stressCommand(r, f.Repo, f.Test); err != nil {
			p.serverError(w, r, err)
			return
		}
		if low := strings.ToLower(f.Test); strings.Contains(low, "start_tls") || strings.Contains(low, "starttls") {
			f.Scenario = "starttls-server"
		}
	}
	p.render(w, r, http.StatusOK, campaignNewPage(withNeeded(f)))
}

// CreateCampaign creates a campaign from the form (POST /campaigns, admin).
func (p *Pages) CreateCampaign(w http.ResponseWriter, r *http.Request) {
	f := readCampaignForm(r)
	f.Self = "/campaigns/new"
	spec, err := f.spec()
	spec.CreatedBy = sessionFrom(r.Context()).Principal
	if err == nil {
		spec, err = spec.Validate()
	}
	if err != nil {
		f.Error = err.Error()
		p.render(w, r, http.StatusBadRequest, campaignNewPage(withNeeded(f)))
		return
	}
	c, err := p.store.CreateCampaign(r.Context(), spec)
	if errors.Is(err, store.ErrNoRunners) {
		f.Error = fmt.Sprintf("No enabled runner has the labels %v; register one or change the labels.", spec.Labels)
		p.render(w, r, http.StatusConflict, campaignNewPage(withNeeded(f)))
		return
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.cfg.Log.Info("campaign created", "id", c.ID, "name", c.Name, "by", sessionFrom(r.Context()).Principal)
	http.Redirect(w, r, "/campaigns/"+itoa(c.ID), http.StatusSeeOther)
}

func readCampaignForm(r *http.Request) campaignForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return campaignForm{
		Kind: v("kind"), Name: v("name"), Scenario: v("scenario"), Proactor: v("proactor"), Backend: v("backend"),
		Packets: v("packets"), PacketSize: v("packet_size"), PauseEvery: v("pause_every"), Seed: v("seed"),
		Command: v("command"), Format: v("format"), Labels: v("labels"), Iterations: v("iterations"),
		Parallel: v("parallel"), Stop: v("stop"), StopTarget: v("stop_target"), Repo: v("repo"),
		Revision: v("revision"), See: v("see"), Test: v("test"), EachRunner: r.PostFormValue("each_runner") != "",
	}
}

// spec turns the form into a campaign spec, which the API's code then
// validates, so the form and the API accept the same campaigns.
func (f campaignForm) spec() (campaign.Spec, error) {
	req := campaign.Spec{Name: f.Name, Kind: campaign.Kind(f.Kind), Format: f.Format, Stop: campaign.Stop(f.Stop),
		EachRunner: f.EachRunner, Repo: f.Repo, Revision: f.Revision, Test: f.Test, Labels: config.SplitList(f.Labels)}
	var errs []error
	atoi := func(name, s string, dst *int) {
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want a whole number, got %q", name, s))
		}
		*dst = n
	}
	atoi("iterations", f.Iterations, &req.Iterations)
	atoi("parallel", f.Parallel, &req.Parallel)
	if f.StopTarget != "" {
		t, err := strconv.ParseFloat(strings.TrimSuffix(f.StopTarget, "%"), 64)
		if strings.HasSuffix(f.StopTarget, "%") {
			t /= 100
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("stop target: want a rate such as 0.01 or 1%%, got %q", f.StopTarget))
		}
		req.StopTarget = t
	}
	if f.Kind == "scenario" {
		req.Scenario, req.Proactor, req.Backend, req.Format = f.Scenario, f.Proactor, f.Backend, ""
		sp := campaign.Params{PauseEvery: f.PauseEvery}
		atoi("packets", f.Packets, &sp.Packets)
		atoi("packet size", f.PacketSize, &sp.PacketSize)
		if f.Seed != "" {
			n, err := strconv.ParseInt(f.Seed, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("seed: want a whole number, got %q", f.Seed))
			}
			sp.Seed = n
		}
		req.Params = sp
	} else {
		req.Command = strings.Fields(f.Command)
	}
	return req, errors.Join(errs...)
}

// withNeeded fills the runs-needed table: common rates, and the rate the
// person typed in "see" (a share or a percentage).
func withNeeded(f campaignForm) campaignForm {
	rates := []float64{0.1, 0.01, 0.001, 0.0001}
	given := -1.0
	if s := strings.TrimSpace(f.See); s != "" {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if strings.HasSuffix(s, "%") {
			v /= 100
		}
		if err == nil && v > 0 && v < 1 {
			given = v
		}
	}
	for _, r := range rates {
		f.Needed = append(f.Needed, runsNeeded{Rate: r, Runs: stats.RunsToSee(r)})
	}
	if given > 0 {
		f.Needed = append([]runsNeeded{{Rate: given, Runs: stats.RunsToSee(given), Given: true}}, f.Needed...)
	}
	return f
}

// stressCommand is "Stress this": the command that runs test in repoName,
// from the repository's own template or its test language's default,
// never another language's (repo.Repo.CommandFor). With none, note says
// why.
func (p *Pages) stressCommand(r *http.Request, repoName, test string) (command, note string, err error) {
	rp, err := p.store.RepoByName(r.Context(), repoName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rp = repo.Repo{Repo: repoName}
		note = repoName + " is not registered, so runners will run this in their own working directory, whatever it holds; register it on /repos to test a revision."
	case err != nil:
		return "", "", err
	}
	argv, err := rp.CommandFor(test)
	if err != nil {
		return "", err.Error() + "; the test reaches any command as $TRIAGED_TEST.", nil
	}
	return strings.Join(argv, " "), note, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
