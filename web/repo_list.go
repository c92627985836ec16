package web

import (
	"net/http"
	"strings"

	"github.com/triaged/triaged/internal/repo"
)

// repoView is the repositories page: the registered ones, and the form,
// empty or holding the one being edited (or a refused one, as typed).
type repoView struct {
	Repos []repo.Repo
	Form  repoForm
	Error string
	Saved string
}

// repoForm holds the form's fields as typed: argv lists one argument a
// line, so an argument may hold spaces and nothing is split or quoted.
type repoForm struct {
	Repo, CloneURL, Build, BuildTimeout, TestCommand, Language string
}

// Repos lists the registered repositories with a form to register or edit
// one (GET /repos[?edit=owner/name]; JSON at /api/v1/repos).
func (p *Pages) Repos(w http.ResponseWriter, r *http.Request) {
	var v repoView
	if name := r.URL.Query().Get("edit"); name != "" {
		if rp, err := p.store.RepoByName(r.Context(), name); err == nil {
			v.Form = repoForm{Repo: rp.Repo, CloneURL: rp.CloneURL, Build: strings.Join(rp.Build, "\n"), BuildTimeout: rp.BuildTimeout,
				TestCommand: strings.Join(rp.TestCommand, "\n"), Language: string(rp.Language)}
		}
	}
	p.showRepos(w, r, http.StatusOK, v)
}

func (p *Pages) showRepos(w http.ResponseWriter, r *http.Request, status int, v repoView) {
	var err error
	if v.Repos, err = p.store.Repos(r.Context()); err != nil {
		p.serverError(w, r, err)
		return
	}
	p.render(w, r, status, repoListPage(v))
}

// SaveRepo registers a repository or updates it (POST /repos, admin).
func (p *Pages) SaveRepo(w http.ResponseWriter, r *http.Request) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := repoForm{Repo: v("repo"), CloneURL: v("clone_url"), Build: v("build"), BuildTimeout: v("build_timeout"),
		TestCommand: v("test_command"), Language: v("language")}
	rp, err := repo.Repo{Repo: f.Repo, CloneURL: f.CloneURL, Build: lines(f.Build), BuildTimeout: f.BuildTimeout,
		TestCommand: lines(f.TestCommand), Language: repo.Language(f.Language)}.Validate()
	if err != nil {
		p.showRepos(w, r, http.StatusBadRequest, repoView{Form: f, Error: err.Error()})
		return
	}
	saved, created, err := p.store.SaveRepo(r.Context(), rp)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.cfg.Log.Info("repo saved", "repo", saved.Repo, "created", created, "by", sessionFrom(r.Context()).Principal)
	p.showRepos(w, r, http.StatusOK, repoView{Saved: saved.Repo})
}

// lines splits a textarea into its non-blank lines, one argument each.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimRight(l, "\r\n"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// languageDefault says what runs a repository's tests when it has no test
// command of its own.
func languageDefault(l repo.Language) string {
	if l == "" {
		return "the default of each test's language"
	}
	return "the " + string(l) + " default"
}
