package auth

import (
	"container/list"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// A client address may present failBurst unknown tokens in a row; after
// that, one every failEvery. A bootstrap token of MinAdminTokenLen random
// characters then takes far longer to guess than the universe has left,
// and a forgetful person or a misconfigured runner is held up for seconds.
const (
	failBurst = 20
	failEvery = 3 * time.Second
)

// throttleMax bounds how many addresses are remembered; the one that failed
// least recently is forgotten first. Only failing addresses take a place,
// about 100 bytes each.
const throttleMax = 10_000

// ThrottledError is returned while a client address has failed too often.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many unknown tokens from this address; retry in %d s", e.seconds())
}

func (e *ThrottledError) seconds() int { return int(math.Ceil(e.RetryAfter.Seconds())) }

// SetRetryAfter sets the Retry-After header of a 429 answer.
func (e *ThrottledError) SetRetryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(e.seconds()))
}

// throttle is a token bucket per client address, kept as the time at which
// the bucket is full again (the generic cell rate algorithm): each failure
// pushes that time failEvery further, and a client is refused while it lies
// more than (failBurst-1)·failEvery ahead. Successes cost nothing and are
// not recorded.
type throttle struct {
	mu    sync.Mutex
	now   func() time.Time // time.Now; tests move it
	order *list.List       // of *bucket, most recently failed first
	byKey map[string]*list.Element
}

type bucket struct {
	key  string
	full time.Time
}

const throttleSlack = (failBurst - 1) * failEvery

func (t *throttle) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// wait returns how long client must wait before its next attempt, or 0.
func (t *throttle) wait(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byKey[client]
	if !ok {
		return 0
	}
	ahead := e.Value.(*bucket).full.Sub(t.clock())
	if ahead <= 0 {
		t.order.Remove(e) // full again: nothing to remember
		delete(t.byKey, client)
		return 0
	}
	return max(ahead-throttleSlack, 0)
}

// fail counts a failed attempt against client and returns its wait when
// this failure used up its budget, else 0.
func (t *throttle) fail(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	if t.byKey == nil {
		t.byKey, t.order = make(map[string]*list.Element), list.New()
	}
	e, ok := t.byKey[client]
	if !ok {
		if t.order.Len() >= throttleMax {
			oldest := t.order.Back()
			t.order.Remove(oldest)
			delete(t.byKey, oldest.Value.(*bucket).key)
		}
		e = t.order.PushFront(&bucket{key: client, full: now})
		t.byKey[client] = e
	}
	b := e.Value.(*bucket)
	if b.full.Before(now) {
		b.full = now
	}
	b.full = b.full.Add(failEvery)
	t.order.MoveToFront(e)
	return max(b.full.Sub(now)-throttleSlack, 0)
}

// clientKey is the address that failed attempts are counted against: the
// peer's IP, an IPv6 peer by its /64, which one host usually has whole.
// X-Forwarded-For is not read: any client can send it, and trusting it
// would let an attacker name a fresh address for every guess. Behind a
// reverse proxy, all clients therefore share the proxy's budget.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if ip = ip.Unmap(); ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
