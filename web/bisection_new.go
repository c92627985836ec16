package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/triaged/triaged/internal/bisect"
	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/view"
)

// bisectionForm holds the form's fields as typed; the command is one
// argument a line.
type bisectionForm struct {
	Repo, Good, Bad, Test, Command, Format, Labels, MaxRuns, Parallel string
	Note, Error                                                       string
	Self                                                              string // to come back to after logging in
}

// NewBisection shows the bisection form (GET /bisections/new), prefilled
// for ?test=ID from its history: the last revision with enough clean runs,
// the first with failures, and the repository's command for the test.
func (p *Pages) NewBisection(w http.ResponseWriter, r *http.Request) {
	f := bisectionForm{Format: "auto", MaxRuns: strconv.Itoa(bisect.DefaultMaxRunsPerStep), Parallel: "1", Self: r.URL.RequestURI()}
	if s := r.URL.Query().Get("test"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			p.NotFound(w, r)
			return
		}
		d, err := p.viewsFor(r).BisectionDraft(r.Context(), id)
		if errors.Is(err, view.ErrNotFound) {
			p.render(w, r, http.StatusNotFound, errorPage(http.StatusNotFound, "There is no test "+s+"."))
			return
		}
		if err != nil {
			p.serverError(w, r, err)
			return
		}
		f.Repo, f.Good, f.Bad, f.Test, f.Command, f.Note = d.Repo, d.Good, d.Bad, d.Test, strings.Join(d.Command, "\n"), d.Note
	}
	p.render(w, r, http.StatusOK, bisectionNewPage(f))
}

// CreateBisection starts a bisection from the form (POST /bisections,
// admin) and shows it.
func (p *Pages) CreateBisection(w http.ResponseWriter, r *http.Request) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := bisectionForm{Repo: v("repo"), Good: v("good"), Bad: v("bad"), Test: v("test"), Command: v("command"), Format: v("format"),
		Labels: v("labels"), MaxRuns: v("max_runs_per_step"), Parallel: v("parallel"), Self: "/bisections/new"}
	req := bisect.Request{Repo: f.Repo, Good: f.Good, Bad: f.Bad, Test: f.Test, Command: lines(f.Command), Format: f.Format,
		Labels: config.SplitList(f.Labels)}
	var err error
	if req.MaxRunsPerStep, err = atoiField("max runs per step", f.MaxRuns); err == nil {
		req.Parallel, err = atoiField("parallel", f.Parallel)
	}
	if err == nil {
		var rp, lookupErr = p.store.RepoByName(r.Context(), req.Repo)
		switch {
		case errors.Is(lookupErr, store.ErrNotFound):
			err = fmt.Errorf("%s is not registered: register it on /repos so runners can check its commits out", req.Repo)
		case lookupErr != nil:
			p.serverError(w, r, lookupErr)
			return
		default:
			req, err = req.Resolve(rp)
		}
	}
	if err != nil {
		f.Error = err.Error()
		p.render(w, r, http.StatusBadRequest, bisectionNewPage(f))
		return
	}
	by := sessionFrom(r.Context()).Principal
	id, err := p.store.CreateBisection(r.Context(), req, by)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.cfg.Log.Info("bisection created", "id", id, "repo", req.Repo, "good", req.Good, "bad", req.Bad, "by", by)
	http.Redirect(w, r, "/bisections/"+itoa(id), http.StatusSeeOther)
}

func atoiField(name, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%s: want a whole number, got %q", name, s)
	}
	return n, nil
}

// Bisection shows a bisection's steps and answer (GET /bisections/{id};
// JSON at /api/v1/bisections/{id}).
func (p *Pages) Bisection(w http.ResponseWriter, r *http.Request) {
	pageByID(p, w, r, "bisection", func(r *http.Request, id int64) (view.Bisection, error) {
		return p.viewsFor(r).Bisection(r.Context(), id)
	}, bisectionPage)
}
