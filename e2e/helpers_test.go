package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/proctest"
)

const admin = "e2e-admin-token-0123456789"

// server is a `triaged serve` process.
type server struct {
	t      *testing.T
	addr   string
	args   []string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lastBytes is the end of a log, for a failure message.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string { return proctest.FreeAddr(t) }

// startServer runs `triaged serve` on dbURL and waits until it is ready.
func startServer(t *testing.T, dbURL string, extra ...string) *server {
	t.Helper()
	s := &server{t: t, addr: freeAddr(t), stderr: &lockedBuffer{}}
	s.args = append([]string{"serve", "--addr", s.addr, "--database-url", dbURL, "--local-runner=false"}, extra...)
	s.start()
	t.Cleanup(s.kill)
	return s
}

func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(binary, s.args...)
	s.cmd.Env = append(os.Environ(), "TRIAGED_ADMIN_TOKEN="+admin)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url("/readyz")); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-s.done:
			s.t.Fatalf("server exited before ready:\n%s", s.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	s.t.Fatalf("server not ready after 60s:\n%s", s.stderr)
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

// kill sends SIGKILL, as a crash or an OOM killer would.
func (s *server) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
	}
}

// post sends an authenticated request and returns the status (0 when the
// request did not get an answer at all).
func post(ctx context.Context, client *http.Client, url, contentType, body string) int {
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// batch is a native-JSON upload of n results, a tenth of them failing.
func batch(n, seed int) string {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if (i+seed)%10 == 0 {
			fmt.Fprintf(&b, `{"test":"test.t%03d","outcome":"fail","failure_text":"Traceback (most recent call last):\n  File \"t.py\", line %d, in t%03d\nAssertionError: %d\n"}`, i, i+seed, i, seed)
		} else {
			fmt.Fprintf(&b, `{"test":"test.t%03d","outcome":"pass","duration_seconds":0.01}`, i)
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// uploadUntilStored sends one batch until the server acknowledges it,
// retrying with the same batch id through errors, 5xx and outages, the way
// a runner or a careful CI job does. It reports how many tries it took.
func uploadUntilStored(ctx context.Context, client *http.Client, base func() string, query, body string) (int, error) {
	for try := 1; ; try++ {
		code := post(ctx, client, base()+"/api/v1/results?"+query, "application/json", body)
		switch {
		case code == 200:
			return try, nil
		case code >= 400 && code < 500:
			return try, fmt.Errorf("refused with %d", code)
		}
		select {
		case <-ctx.Done():
			return try, ctx.Err()
		case <-time.After(time.Duration(min(try, 10)) * 50 * time.Millisecond):
		}
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	proctest.WaitFor(t, d, what, ok)
}
