package github

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/triaged/triaged/internal/store"
)

// failure turns a failed post into what to record and how long every post
// must now wait. GitHub's rate-limit answers say exactly how long; other
// transient failures (5xx, 401 while a token is rotated, network) back off
// exponentially with jitter, so replicas do not retry in step. Any other
// 4xx (404: no such repo or no access; 422: unknown commit or a bad field)
// cannot succeed by retrying and is kept as permanent with its reason.
func (w *Worker) failure(resp *gh.Response, err error, attempts int) (store.Delivery, time.Duration) {
	var primary *gh.RateLimitError
	var secondary *gh.AbuseRateLimitError
	var answer *gh.ErrorResponse
	switch {
	case errors.As(err, &primary):
		wait := time.Until(primary.Rate.Reset.Time) + w.jitter()
		return transient(fmt.Sprintf("primary rate limit exhausted until %s", primary.Rate.Reset.UTC().Format(time.RFC3339)), wait)
	case errors.As(err, &secondary):
		// Without Retry-After GitHub asks for at least a minute.
		wait := max(w.backoff(attempts), min(time.Minute, w.cfg.BackoffMax))
		if secondary.RetryAfter != nil {
			wait = *secondary.RetryAfter + w.jitter()
		}
		return transient("secondary rate limit: "+secondary.Message, wait)
	case errors.As(err, &answer) && answer.Response != nil:
		return w.answerFailure(answer, attempts)
	case errors.Is(err, context.DeadlineExceeded):
		return transient(fmt.Sprintf("no answer within %s", w.cfg.Timeout), w.backoff(attempts))
	}
	return transient("request failed: "+err.Error(), w.backoff(attempts))
}

func (w *Worker) answerFailure(e *gh.ErrorResponse, attempts int) (store.Delivery, time.Duration) {
	h, code := e.Response.Header, e.Response.StatusCode
	reason := fmt.Sprintf("GitHub answered %d %s", code, describe(e))
	switch {
	case code == http.StatusTooManyRequests || (code == http.StatusForbidden && h.Get("Retry-After") != ""):
		// A secondary limit not recognised by go-github (429, or a 403
		// without its documentation URL).
		if wait, ok := retryAfter(h); ok {
			return transient(reason, wait+w.jitter())
		}
		if reset, ok := primaryReset(h); ok {
			return transient(reason, time.Until(reset)+w.jitter())
		}
		return transient(reason, max(w.backoff(attempts), min(time.Minute, w.cfg.BackoffMax)))
	case code == http.StatusUnauthorized, code == http.StatusRequestTimeout, code == http.StatusConflict, code >= 500:
		return transient(reason, w.backoff(attempts))
	}
	return store.Delivery{Err: reason, Permanent: true}, 0
}

// transient is a failure worth retrying after wait, which also pauses the
// worker: GitHub is down or limiting this token, not just this status.
func transient(reason string, wait time.Duration) (store.Delivery, time.Duration) {
	wait = max(wait, 0)
	return store.Delivery{Err: reason, RetryAfter: wait}, wait
}

// primaryPause is how long to wait after a successful post that used up the
// primary rate limit.
func primaryPause(resp *gh.Response) time.Duration {
	if resp == nil || resp.Response == nil || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		return 0
	}
	if reset, ok := primaryReset(resp.Header); ok {
		return max(time.Until(reset), 0)
	}
	return 0
}

func primaryReset(h http.Header) (time.Time, bool) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t), true
	}
	return 0, false
}

// backoff is BackoffBase·2^attempts capped at BackoffMax, with "equal
// jitter": half fixed, half random.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.cfg.BackoffBase << min(attempts, 30)
	if d <= 0 || d > w.cfg.BackoffMax {
		d = w.cfg.BackoffMax
	}
	return d/2 + rand.N(d/2+1)
}

// jitter spreads the replicas that waited for the same reset.
func (w *Worker) jitter() time.Duration {
	return rand.N(min(w.cfg.BackoffBase, time.Second) + 1)
}

func describe(e *gh.ErrorResponse) string {
	parts := []string{e.Message}
	for _, fe := range e.Errors {
		parts = append(parts, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", fe.Resource, fe.Field, fe.Code, fe.Message)))
	}
	s := strings.Join(parts, "; ")
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}
