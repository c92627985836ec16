package github_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// tracker is the fake's issues API: issues and comments of every repo,
// every create call, and scripted answers for the next issue calls.
type tracker struct {
	issues   []*fakeIssue
	comments []fakeComment
	creates  int
	script   []issueAnswer
	// dropCreate makes the next creates create the issue and then cut
	// the connection, as a crash or a network failure after GitHub
	// accepted the request would look to the caller.
	dropCreate int
}

type fakeIssue struct {
	Repo     string
	Number   int
	Title    string
	Body     string
	State    string
	ClosedAt *time.Time
	Created  time.Time
	Updated  time.Time
}

type fakeComment struct {
	Repo   string
	Number int
	Body   string
}

// issueAnswer writes a scripted response instead of serving the call.
type issueAnswer func(w http.ResponseWriter)

var (
	issuesPath  = regexp.MustCompile(`^/api/v3/repos/([^/]+/[^/]+)/issues$`)
	issuePath   = regexp.MustCompile(`^/api/v3/repos/([^/]+/[^/]+)/issues/([0-9]+)$`)
	commentPath = regexp.MustCompile(`^/api/v3/repos/([^/]+/[^/]+)/issues/([0-9]+)/comments$`)
)

func (f *fakeGitHub) serveIssues(w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	if !issuesPath.MatchString(p) && !issuePath.MatchString(p) && !commentPath.MatchString(p) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &f.tracker
	if len(t.script) > 0 {
		a := t.script[0]
		t.script = t.script[1:]
		a(w)
		return true
	}
	var body struct {
		Title, Body, State string
	}
	json.NewDecoder(r.Body).Decode(&body)
	now := time.Now().UTC()
	switch m := issuesPath.FindStringSubmatch(p); {
	case m != nil && r.Method == http.MethodPost:
		t.creates++
		is := &fakeIssue{Repo: m[1], Number: len(t.issues) + 1, Title: body.Title, Body: body.Body, State: "open", Created: now, Updated: now}
		t.issues = append(t.issues, is)
		if t.dropCreate > 0 {
			t.dropCreate--
			if hj, ok := w.(http.Hijacker); ok {
				conn, _, _ := hj.Hijack()
				conn.Close()
				return true
			}
		}
		writeJSON(w, http.StatusCreated, issueJSON(f.URL, is))
		return true
	case m != nil && r.Method == http.MethodGet:
		since, _ := time.Parse(time.RFC3339, r.URL.Query().Get("since"))
		var out []map[string]any
		for i := len(t.issues) - 1; i >= 0; i-- {
			if is := t.issues[i]; is.Repo == m[1] && !is.Updated.Before(since) {
				out = append(out, issueJSON(f.URL, is))
			}
		}
		writeJSON(w, http.StatusOK, out)
		return true
	}
	if m := commentPath.FindStringSubmatch(p); m != nil && r.Method == http.MethodPost {
		n, _ := strconv.Atoi(m[2])
		if f.issue(m[1], n) == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return true
		}
		t.comments = append(t.comments, fakeComment{Repo: m[1], Number: n, Body: body.Body})
		writeJSON(w, http.StatusCreated, map[string]any{"id": len(t.comments), "body": body.Body})
		return true
	}
	m := issuePath.FindStringSubmatch(p)
	n, _ := strconv.Atoi(m[2])
	is := f.issue(m[1], n)
	if is == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return true
	}
	if r.Method == http.MethodPatch && body.State != "" && body.State != is.State {
		is.State, is.Updated = body.State, now
		is.ClosedAt = nil
		if body.State == "closed" {
			is.ClosedAt = &now
		}
	}
	writeJSON(w, http.StatusOK, issueJSON(f.URL, is))
	return true
}

// issue finds an issue; the caller holds f.mu.
func (f *fakeGitHub) issue(repo string, n int) *fakeIssue {
	for _, is := range f.tracker.issues {
		if is.Repo == repo && is.Number == n {
			return is
		}
	}
	return nil
}

func issueJSON(base string, is *fakeIssue) map[string]any {
	m := map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State,
		"html_url": fmt.Sprintf("%s/%s/issues/%d", base, is.Repo, is.Number), "created_at": is.Created, "updated_at": is.Updated}
	if is.ClosedAt != nil {
		m["closed_at"] = is.ClosedAt
	}
	return m
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// Issues returns a copy of every issue.
func (f *fakeGitHub) Issues() []fakeIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeIssue
	for _, is := range f.tracker.issues {
		out = append(out, *is)
	}
	return out
}

// Creates counts the create calls the fake received.
func (f *fakeGitHub) Creates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tracker.creates
}

// Comments returns the comments on an issue.
func (f *fakeGitHub) Comments(repo string, n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.tracker.comments {
		if c.Repo == repo && c.Number == n {
			out = append(out, c.Body)
		}
	}
	return out
}

// thenIssues scripts the answers to the next issue calls.
func (f *fakeGitHub) thenIssues(as ...issueAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tracker.script = append(f.tracker.script, as...)
}

// dropNextCreates makes the next n creates succeed on the fake but cut
// the connection before the answer.
func (f *fakeGitHub) dropNextCreates(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tracker.dropCreate += n
}

// addIssue files an issue directly, as if created earlier.
func (f *fakeGitHub) addIssue(repo, title, body string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC()
	is := &fakeIssue{Repo: repo, Number: len(f.tracker.issues) + 1, Title: title, Body: body, State: "open", Created: now, Updated: now}
	f.tracker.issues = append(f.tracker.issues, is)
	return is.Number
}
