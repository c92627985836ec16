package github

import (
	"cmp"
	"fmt"
	"github.com/triaged/triaged/internal/verdict"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Config is how triaged talks to GitHub.
type Config struct {
	// Token is a personal access token or an installation token with
	// "commit statuses: write". Empty with an empty TokenFile: nothing is
	// posted, statuses are only recorded.
	Token string
	// TokenFile, when set, is read again whenever it changes, so a helper
	// can refresh a short-lived installation token without a restart.
	TokenFile string
	// APIURL is the REST API root of GitHub Enterprise (https://ghe.example.com
	// or https://ghe.example.com/api/v3/) or of a fake; empty: api.github.com.
	APIURL string
	// PublicURL is where people reach triaged; statuses link to its pages.
	PublicURL string
	// Context names the status of a commit's results (default "triaged");
	// campaigns post under Context + "/stress".
	Context string
	// PendingWhileCampaign makes a commit's status "pending" instead of
	// success or error while a campaign on it is queued or running.
	PendingWhileCampaign bool

	// Poll is how often the worker looks for statuses to post (default 2s).
	Poll time.Duration
	// RecordPoll is how often the recorder looks for commits whose status
	// must be recomputed when it found none last time (default 250ms).
	RecordPoll time.Duration
	// Window is how far back verdicts look (default verdict.DefaultWindow).
	Window time.Duration
	// BackoffBase and BackoffMax bound the exponential backoff after a
	// failed attempt (defaults 2s and 10m); tests use milliseconds.
	BackoffBase, BackoffMax time.Duration
	// MaxAge is how long a status may wait to be posted before the worker
	// gives up on it (default 72h): a week-old status helps nobody.
	MaxAge time.Duration
	// Timeout bounds one request to GitHub (default 10s); a shutdown waits
	// for a request in flight.
	Timeout time.Duration
}

// Posting reports whether statuses are posted (a token is configured).
func (c Config) Posting() bool { return c.Token != "" || c.TokenFile != "" }

func (c Config) withDefaults() Config {
	c.Context = cmp.Or(c.Context, "triaged")
	c.Poll = cmp.Or(c.Poll, 2*time.Second)
	c.RecordPoll = cmp.Or(c.RecordPoll, 250*time.Millisecond)
	c.Window = cmp.Or(c.Window, verdict.DefaultWindow)
	c.BackoffBase = cmp.Or(c.BackoffBase, 2*time.Second)
	c.BackoffMax = cmp.Or(c.BackoffMax, 10*time.Minute)
	c.MaxAge = cmp.Or(c.MaxAge, 72*time.Hour)
	c.Timeout = cmp.Or(c.Timeout, 10*time.Second)
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--github-api-url=%q: want an http(s) URL such as https://ghe.example.com/api/v3", c.APIURL)
		}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--public-url=%q: want the http(s) address people open triaged at", c.PublicURL)
		}
	}
	if len(c.Context) > 100 {
		return fmt.Errorf("--github-context: at most 100 characters")
	}
	return nil
}

// newClient returns a go-github client for the configured API with the
// token on every request.
func newClient(c Config) (*gh.Client, error) {
	tok := &tokenSource{token: c.Token, file: c.TokenFile}
	client := gh.NewClient(&http.Client{Transport: &bearer{tok: tok, base: http.DefaultTransport}})
	if c.APIURL == "" {
		return client, nil
	}
	// WithEnterpriseURLs appends /api/v3/ to a bare GHE host, as GHE wants.
	return client.WithEnterpriseURLs(c.APIURL, c.APIURL)
}

// bearer adds the token to each request; go-github's WithAuthToken cannot
// pick up a refreshed token file.
type bearer struct {
	tok  *tokenSource
	base http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	t, err := b.tok.get()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t)
	return b.base.RoundTrip(r)
}

// tokenSource is a fixed token, or one read from a file again when the
// file's modification time changes.
type tokenSource struct {
	mu    sync.Mutex
	token string
	file  string
	mtime time.Time
}

func (s *tokenSource) get() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == "" {
		return s.token, nil
	}
	fi, err := os.Stat(s.file)
	if err != nil {
		return "", fmt.Errorf("github token file: %w", err)
	}
	if s.token == "" || !fi.ModTime().Equal(s.mtime) {
		b, err := os.ReadFile(s.file)
		if err != nil {
			return "", fmt.Errorf("github token file: %w", err)
		}
		s.token, s.mtime = strings.TrimSpace(string(b)), fi.ModTime()
	}
	return s.token, nil
}
