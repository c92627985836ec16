package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/triaged/triaged/internal/stats"
	"github.com/triaged/triaged/internal/store"
)

// Bounds of the signature page: what it lists and how many of the newest
// failures it reads by index for hosts and campaigns.
const (
	sigTests     = 50
	sigRevisions = 40
	sigScan      = 2000
)

type signatureView struct {
	store.Signature
	Example   *store.Example   `json:"example"`
	Tests     []store.Count    `json:"tests"`
	Runners   []store.Count    `json:"runners"`
	ByOS      []osRate         `json:"by_os"`
	Revisions []revisionRate   `json:"revisions"`
	Campaigns []store.Campaign `json:"campaigns"`
	Failures  int              `json:"failures"`
	StressURL string           `json:"stress_url"`
	Chart     rateChart        `json:"-"`
}

type osRate struct {
	OS string `json:"runner_os"`
	stats.Rate
}

type revisionRate struct {
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	stats.Rate
}

// Signature shows one failure signature (GET /signatures/{id}).
func (p *Pages) Signature(w http.ResponseWriter, r *http.Request) {
	showByID(p, w, r, p.signature, signaturePage, "signature")
}

// SignatureJSON serves the same data (GET /api/v1/signatures/{id}).
func (p *Pages) SignatureJSON(w http.ResponseWriter, r *http.Request) {
	jsonByID(p, w, r, p.signature, itself[signatureView], "signature")
}

func (p *Pages) signature(r *http.Request) (signatureView, int, error) {
	ctx := r.Context()
	id, ok := pathID(r)
	if !ok {
		return signatureView{}, http.StatusNotFound, nil
	}
	sig, err := p.store.SignatureByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return signatureView{}, http.StatusNotFound, nil
	}
	if err != nil {
		return signatureView{}, 0, err
	}
	v := signatureView{Signature: sig}
	switch ex, err := p.store.SignatureExample(ctx, id); {
	case err == nil:
		v.Example = &ex
	case !errors.Is(err, store.ErrNotFound):
		return v, 0, err
	}
	if v.Tests, err = p.store.SignatureTests(ctx, id, sigTests); err != nil {
		return v, 0, err
	}
	if v.Runners, err = p.store.SignatureRunners(ctx, id, sigScan); err != nil {
		return v, 0, err
	}
	byOS, err := p.store.SignatureByOS(ctx, id)
	if err != nil {
		return v, 0, err
	}
	for _, c := range byOS {
		v.ByOS = append(v.ByOS, osRate{OS: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
		v.Failures += c.Failures
	}
	revs, err := p.store.SignatureRevisions(ctx, id, sigRevisions)
	if err != nil {
		return v, 0, err
	}
	in := make([]rateInput, len(revs))
	for i, c := range revs {
		v.Revisions = append(v.Revisions, revisionRate{Repo: c.Extra, Revision: c.Key, Rate: stats.NewRate(c.Failures, c.Runs)})
		in[i] = rateInput{Label: short(c.Key), Href: string(revisionPath(c.Extra, c.Key)), Failures: c.Failures, Runs: c.Runs}
	}
	v.Chart = newRateChart("Repro rate on its latest revisions", in)
	if v.Campaigns, err = p.store.SignatureCampaigns(ctx, id, sigScan); err != nil {
		return v, 0, err
	}
	v.StressURL = stressURL(v)
	return v, http.StatusOK, nil
}

// stressURL prefills the campaign form with what the signature hits: its
// test and the OS of the hosts where it fails most.
func stressURL(v signatureView) string {
	q := url.Values{"signature": {itoa(v.ID)}}
	if len(v.Tests) > 0 {
		q.Set("test", v.Tests[0].Key)
		q.Set("repo", v.Tests[0].Extra)
	}
	var best osRate
	for _, o := range v.ByOS {
		if o.Failures > best.Failures {
			best = o
		}
	}
	if best.OS != "" {
		q.Set("labels", strings.ToLower(best.OS))
	}
	if strings.Contains(strings.ToLower(v.Title+v.Normalized), "lost-bytes") {
		q.Set("kind", "scenario")
	}
	return "/campaigns/new?" + q.Encode()
}
