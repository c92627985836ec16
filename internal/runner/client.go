package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// client talks to the server's runner protocol.
type client struct {
	base string
	http *http.Client

	mu    sync.Mutex
	token string // changes when the runner registers again
}

func (c *client) setToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
}

func (c *client) bearer() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// apiError is an answer the server gave on purpose: a 4xx or 5xx with its
// reason.
type apiError struct {
	Status     int
	Detail     string
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return fmt.Sprintf("server answered %d: %s", e.Status, e.Detail) }

// retryable says whether trying again later can help: the network, an
// overloaded or restarting server, a database outage.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// unknownToken says the server does not know the token sent: its database
// was reset, restored or swapped since the runner registered.
func unknownToken(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
}

// do sends a request with a JSON (or raw) body and decodes a JSON answer
// into out. It returns the status; non-2xx answers are *apiError.
func (c *client) do(ctx context.Context, method, path string, body any, out any) (int, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if t := c.bearer(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		var p struct{ Error, Detail string }
		json.Unmarshal(data, &p)
		detail := strings.TrimSpace(p.Error + ": " + p.Detail)
		if p.Error == "" {
			detail = strings.TrimSpace(string(data))
		}
		return resp.StatusCode, &apiError{Status: resp.StatusCode, Detail: detail, RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s answer: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}

// backoff is exponential backoff with full jitter, capped, so a fleet of
// runners coming back after an outage does not arrive all at once.
type backoff struct {
	attempt int
	min     time.Duration
	max     time.Duration
}

// next returns how long to wait before the next try; a server's
// Retry-After wins when it asks for longer.
func (b *backoff) next(err error) time.Duration {
	ceil := min(b.max, b.min<<min(b.attempt, 20))
	b.attempt++
	d := time.Duration(rand.Int64N(int64(ceil)) + 1)
	var ae *apiError
	if errors.As(err, &ae) && ae.RetryAfter > d {
		d = ae.RetryAfter
	}
	return d
}

func (b *backoff) reset() { b.attempt = 0 }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
