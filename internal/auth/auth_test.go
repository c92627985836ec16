package auth

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

const admin = "tri_auth-test-admin"

// clock is a time that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// call sends a request with token from addr through Require(Upload) and
// returns the status and Retry-After.
func call(a *Authenticator, addr, token string, header ...string) (int, string) {
	h := a.Require(Upload)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	req := httptest.NewRequest("POST", "/api/v1/results", nil)
	req.RemoteAddr = addr
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Header().Get("Retry-After")
}

func TestThrottleUnknownTokens(t *testing.T) {
	t.Parallel()
	st := pgtest.NewStore(t)
	var logs strings.Builder
	a := New(admin, st, slog.New(slog.NewTextHandler(&logs, nil)))
	clk := &clock{t: time.Now()}
	a.throttle.now = clk.now
	upload, hash := NewToken()
	if _, err := st.CreateToken(t.Context(), "ci", Upload, hash); err != nil {
		t.Fatal(err)
	}
	const attacker, neighbour = "192.0.2.1:4000", "198.51.100.7:4000"

	// Successes are never counted, however many.
	for range 200 {
		if code, _ := call(a, attacker, upload); code != http.StatusNoContent {
			t.Fatalf("valid token: got %d, want 204", code)
		}
	}
	for i := range failBurst {
		if code, _ := call(a, attacker, fmt.Sprintf("tri_guess-%d", i)); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: got %d, want 401", i, code)
		}
	}
	for _, tt := range []struct {
		name, addr, token string
		header            []string
		want              int
	}{
		{"one guess too many", attacker, "tri_guess-x", nil, http.StatusTooManyRequests},
		{"the right token, not looked at", attacker, admin, nil, http.StatusTooManyRequests},
		{"an upload token", attacker, upload, nil, http.StatusTooManyRequests},
		{"a forged X-Forwarded-For", attacker, "tri_guess-y", []string{"X-Forwarded-For", "203.0.113.9"}, http.StatusTooManyRequests},
		{"another address", neighbour, upload, nil, http.StatusNoContent},
		{"another address guessing", neighbour, "tri_guess-z", nil, http.StatusUnauthorized},
	} {
		code, retry := call(a, tt.addr, tt.token, tt.header...)
		if code != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, code, tt.want)
		}
		if code == http.StatusTooManyRequests && retry != "3" {
			t.Errorf("%s: Retry-After %q, want 3", tt.name, retry)
		}
	}

	if n := strings.Count(logs.String(), "throttling a client"); n != 1 {
		t.Errorf("logged the throttling %d times, want once (when it began):\n%s", n, logs.String())
	}

	clk.add(failEvery)
	if code, _ := call(a, attacker, upload); code != http.StatusNoContent {
		t.Errorf("the valid token once the window passed: got %d, want 204", code)
	}
	if code, _ := call(a, attacker, "tri_guess-after"); code != http.StatusUnauthorized {
		t.Errorf("one guess once the window passed: got %d, want 401", code)
	}
	if code, _ := call(a, attacker, "tri_guess-after-2"); code != http.StatusTooManyRequests {
		t.Errorf("a second guess in the same window: got %d, want 429", code)
	}
	clk.add(failBurst * failEvery)
	for i := range failBurst {
		if code, _ := call(a, attacker, fmt.Sprintf("tri_guess-later-%d", i)); code != http.StatusUnauthorized {
			t.Fatalf("guess %d after a full refill: got %d, want 401", i, code)
		}
	}
	if n := len(a.throttle.byKey); n != 2 {
		t.Errorf("throttle remembers %d addresses, want 2 (the two that failed)", n)
	}
}

// TestThrottleIsBounded fails from twice as many addresses as the throttle
// remembers: it never holds more than throttleMax, and forgets the address
// that failed longest ago, not the latest.
func TestThrottleIsBounded(t *testing.T) {
	t.Parallel()
	var th throttle
	clk := &clock{t: time.Now()}
	th.now = clk.now
	for i := range 2 * throttleMax {
		key := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		for range failBurst {
			th.fail(key)
		}
		if i == 0 {
			th.fail(key) // pushed ahead further, still the first to go
		}
	}
	if n, m := len(th.byKey), th.order.Len(); n != throttleMax || m != throttleMax {
		t.Fatalf("remembers %d addresses (list %d), want %d", n, m, throttleMax)
	}
	last := 2*throttleMax - 1
	if th.wait(fmt.Sprintf("10.%d.%d.%d", last>>16&255, last>>8&255, last&255)) == 0 {
		t.Errorf("the latest address to fail is not throttled")
	}
	if th.wait("10.0.0.0") != 0 {
		t.Errorf("the first address is still remembered")
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ addr, want string }{
		{"192.0.2.1:4000", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:4000", "192.0.2.1"},
		{"[2001:db8::1]:4000", "2001:db8::/64"},
		{"[2001:db8::ffff:1]:1", "2001:db8::/64"}, // the same host
		{"[2001:db8:0:1::1]:4000", "2001:db8:0:1::/64"},
		{"[fe80::1%eth0]:4000", "fe80::/64"},
		{"@", "@"}, // a Unix socket peer
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.addr
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		if got := clientKey(r); got != tt.want {
			t.Errorf("clientKey(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestCheckAdminToken(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, token, wantErr string
	}{
		{"none", "", ""},
		{"one character", "a", "1 characters long; use at least 16"},
		{"fifteen", "abcdefghijklmno", "15 characters long"},
		{"sixteen", "abcdefghijklmnop", ""},
		{"generated", "tri_" + strings.Repeat("Xy9", 14), ""},
		{"counted in characters", strings.Repeat("é", 15), "15 characters long"},
		{"trailing newline", "abcdefghijklmnopq\n", "white space"},
		{"leading space", " abcdefghijklmnopq", "white space"},
	} {
		err := CheckAdminToken(tt.token)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: CheckAdminToken(%q) = %v, want %q", tt.name, tt.token, err, tt.wantErr)
		}
	}
}

// TestForgetBeatsALookupInFlight: a store lookup that began before a
// revocation must not put its answer back after Forget.
func TestForgetBeatsALookupInFlight(t *testing.T) {
	t.Parallel()
	var c cache
	h := Hash("tri_x")
	_, gen, _ := c.get(h) // a request starts checking the token...
	c.forget()            // ...an admin revokes it and this replica forgets...
	c.put(h, store.Principal{Kind: Upload}, gen)
	if _, _, ok := c.get(h); ok {
		t.Errorf("a lookup from before Forget was cached")
	}
	_, gen, _ = c.get(h)
	c.put(h, store.Principal{Kind: Upload}, gen)
	if _, _, ok := c.get(h); !ok {
		t.Errorf("a lookup after Forget was not cached")
	}
}

// TestBootstrapProof: the proof depends on both the cookie and the token,
// and there is none without a bootstrap token.
func TestBootstrapProof(t *testing.T) {
	t.Parallel()
	a, b, none := New(admin, nil, nil), New(admin+"2", nil, nil), New("", nil, nil)
	if string(a.BootstrapProof("c1")) != string(New(admin, nil, nil).BootstrapProof("c1")) {
		t.Errorf("the same token and cookie give different proofs")
	}
	if string(a.BootstrapProof("c1")) == string(a.BootstrapProof("c2")) || string(a.BootstrapProof("c1")) == string(b.BootstrapProof("c1")) {
		t.Errorf("proofs do not depend on both the cookie and the token")
	}
	if none.BootstrapProof("c1") != nil {
		t.Errorf("a server without a bootstrap token gives a proof")
	}
}
