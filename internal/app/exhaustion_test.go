package app_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/github"
	"github.com/triaged/triaged/internal/pgtest"
)

// zeros is an endless body that costs the client no memory.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// heapPeak samples the heap until stop is called and returns the largest
// size seen above the size when it started.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if v := read(); v > base && v-base > peak.Load() {
				peak.Store(v - base)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// TestWebhookBodiesAreBounded replays issue #14's 16 parallel 30 MB posts
// to /webhooks/github, with and without a Content-Length, and no valid
// signature: the server refuses them all (413, or 503 while every turn is
// taken) and its heap never grows by more than a few times the bodies it
// may read at once (Concurrency × MaxBody). Before, each was read whole
// before the signature was checked: 16 × 25 MiB.
func TestWebhookBodiesAreBounded(t *testing.T) {
	// Not parallel: it measures the process's heap.
	const maxBody, concurrency = 1 << 20, 4
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", Log: slog.New(slog.DiscardHandler),
		Webhook: github.WebhookConfig{Secret: "s3cret-s3cret-s3cret", MaxBody: maxBody, Concurrency: concurrency}}, st).Handler())
	defer srv.Close()

	stop := heapPeak()
	var wg sync.WaitGroup
	codes := make(chan int, 16)
	for i := range 16 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.URL+"/webhooks/github", io.LimitReader(zeros{}, 30<<20))
			if i%2 == 0 {
				req.ContentLength = 30 << 20 // otherwise chunked
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-GitHub-Event", "push")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprint("d-", i))
			req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- 0 // the server hung up on a body it would not read
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	peak := stop()
	for code := range codes {
		if code != 0 && code != http.StatusRequestEntityTooLarge && code != http.StatusServiceUnavailable {
			t.Errorf("a 30 MB webhook post got %d, want 413 (or 503)", code)
		}
	}
	if bound := uint64(4*concurrency*maxBody + 32<<20); peak > bound {
		t.Errorf("the heap grew by %d MiB during 16 parallel 30 MB posts, want at most %d MiB", peak>>20, bound>>20)
	}
	t.Logf("heap peak: +%d MiB", peak>>20)
}

// trickle opens a connection, sends a request's headers and then a byte of
// body every 50 ms, and returns how long until the server answered or
// hung up, and what it answered.
func trickle(t *testing.T, addr, head string, limit time.Duration) (time.Duration, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	go func() {
		for time.Since(start) < limit {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	conn.SetReadDeadline(start.Add(limit))
	status, _ := bufio.NewReader(conn).ReadString('\n')
	return time.Since(start), strings.TrimSpace(status)
}

// TestTricklingBodiesAreCutOff replays issue #14's connections trickling a
// body: the webhook, the login form and an upload with a bad token are cut
// off after the body deadline, with 408 or a closed connection. An
// authenticated upload gets the longer upload deadline, so a slow but
// steady upload still arrives.
func TestTricklingBodiesAreCutOff(t *testing.T) {
	t.Parallel()
	const bodyTimeout = 300 * time.Millisecond
	st := pgtest.NewStore(t)
	srv := httptest.NewServer(app.New(app.Config{Version: "test", AdminToken: "admin-admin-admin-admin", Log: slog.New(slog.DiscardHandler),
		BodyTimeout: bodyTimeout, UploadTimeout: 20 * time.Second,
		Webhook: github.WebhookConfig{Secret: "s3cret-s3cret-s3cret"}}, st).Handler())
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	for _, tc := range []struct{ name, head string }{
		{"webhook", "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n" +
			"X-GitHub-Event: push\r\nX-GitHub-Delivery: d-1\r\nX-Hub-Signature-256: sha256=00\r\n\r\n"},
		{"webhook, chunked", "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n" +
			"X-GitHub-Event: push\r\nX-GitHub-Delivery: d-1\r\nX-Hub-Signature-256: sha256=00\r\n\r\n100000\r\n"},
		{"login", "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"},
	} {
		took, status := trickle(t, addr, tc.head, 5*time.Second)
		t.Logf("%s: %q after %v", tc.name, status, took.Round(time.Millisecond))
		if took > 3*time.Second {
			t.Errorf("%s: the trickling connection stayed open %v (answer %q), want it cut off after about %v", tc.name, took, status, bodyTimeout)
		} else if status != "" && status != "HTTP/1.1 408 Request Timeout" {
			t.Errorf("%s: answered %q, want 408 Request Timeout", tc.name, status)
		}
	}

	// A slow upload from a token holder: 40 lines over about 2 s, far
	// beyond the body deadline, within the upload deadline.
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, `{"results":[`)
		for i := range 40 {
			if i > 0 {
				io.WriteString(pw, ",")
			}
			fmt.Fprintf(pw, `{"test":"t.slow_%d","outcome":"pass"}`, i)
			time.Sleep(50 * time.Millisecond)
		}
		io.WriteString(pw, `]}`)
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/results?repo=o/r&revision=abc1234&builder=slow", pr)
	req.Header.Set("Authorization", "Bearer admin-admin-admin-admin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("slow authenticated upload: %d %s, want 200", resp.StatusCode, body)
	}
}
