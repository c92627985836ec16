package github_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeGitHub is a local stand-in for the GitHub REST API's commit status
// endpoint, served under /api/v3/ as GitHub Enterprise serves it. It records
// every call and answers each with the next scripted answer, or accepts it.
type fakeGitHub struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []call
	script []answer
	// requests is every request line the fake received, status posts or
	// not, as sent (escaped), e.g. "POST /api/v3/tokens".
	requests []string
	// The issues API (fake_issues_test.go).
	tracker tracker
}

// call is one request the fake received.
type call struct {
	At                   time.Time
	Auth                 string
	Repo, SHA            string
	State, Context, Desc string
	TargetURL            string
	Code                 int // what the fake answered
}

// answer writes a scripted response.
type answer func(w http.ResponseWriter)

var statusPath = regexp.MustCompile(`^/api/v3/repos/([^/]+/[^/]+)/statuses/([^/]+)$`)

func newFakeGitHub(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.RequestURI)
	f.mu.Unlock()
	if f.serveIssues(w, r) {
		return
	}
	m := statusPath.FindStringSubmatch(r.URL.Path)
	if r.Method != http.MethodPost || m == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"Not Found %s %s"}`, r.Method, r.URL.Path)
		return
	}
	var body struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := call{At: time.Now(), Auth: r.Header.Get("Authorization"), Repo: m[1], SHA: m[2],
		State: body.State, Context: body.Context, Desc: body.Description, TargetURL: body.TargetURL}
	rec := httptest.NewRecorder()
	if len(f.script) > 0 {
		f.script[0](rec)
		f.script = f.script[1:]
	} else {
		rec.Header().Set("X-RateLimit-Limit", "5000")
		rec.Header().Set("X-RateLimit-Remaining", "4999")
		rec.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		rec.WriteHeader(http.StatusCreated)
		fmt.Fprintf(rec, `{"id":%d,"state":%q,"context":%q,"description":%q}`, len(f.calls)+1, body.State, body.Context, body.Description)
	}
	c.Code = rec.Code
	f.calls = append(f.calls, c)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// then scripts the answers to the next calls, in order.
func (f *fakeGitHub) then(as ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, as...)
}

// Calls returns every call so far.
func (f *fakeGitHub) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// Requests returns every request line received so far.
func (f *fakeGitHub) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// Accepted returns the calls answered 201.
func (f *fakeGitHub) Accepted() []call {
	var out []call
	for _, c := range f.Calls() {
		if c.Code == http.StatusCreated {
			out = append(out, c)
		}
	}
	return out
}

func serverError(code int) answer {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		fmt.Fprint(w, `{"message":"Server Error"}`)
	}
}

// primaryLimit answers as GitHub does when the hourly quota is used up.
func primaryLimit(reset time.Time) answer {
	return func(w http.ResponseWriter) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
	}
}

// secondaryLimit answers as GitHub does when requests come too fast.
func secondaryLimit(code int, retryAfter string) answer {
	return func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", retryAfter)
		w.WriteHeader(code)
		fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	}
}

func unprocessable(message string) answer {
	return func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"message":%q,"documentation_url":"https://docs.github.com/rest/commits/statuses#create-a-commit-status"}`, message)
	}
}
