package github_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triaged/triaged/internal/store"
)

func TestOutageIsRiddenOutInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.github.then(serverError(502), serverError(503), serverError(500))
	e.upload("0dd1000", "b1", fail("t.test_a", traceback("ValueError: a")))
	e.upload("0dd2000", "b2", pass("t.test_a"))
	e.upload("0dd3000", "b3", fail("t.test_b", traceback("ValueError: b")))
	waitFor(t, "three statuses", func() bool { return len(e.github.Accepted()) == 3 })

	var order []string
	for _, c := range e.github.Accepted() {
		order = append(order, c.SHA+" "+c.State)
	}
	if diff := cmp.Diff([]string{"0dd1000 failure", "0dd2000 success", "0dd3000 failure"}, order); diff != "" {
		t.Errorf("posting order (-want +got):\n%s", diff)
	}
	if n := len(e.github.Calls()); n != 6 {
		t.Errorf("GitHub got %d calls, want 3 failed + 3 accepted", n)
	}
	first := e.outbox("revision=0dd1000").Statuses[0]
	if first.Attempts != 4 || first.LastError != "" || first.Delivery != store.DeliveryPosted {
		t.Errorf("first status after the outage: %d attempts, error %q, %s; want 4, none, posted", first.Attempts, first.LastError, first.Delivery)
	}
}

func TestRateLimitsAreHonoured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(now time.Time) (answer, time.Time) // the answer and the earliest allowed retry
	}{
		{"primary: remaining 0 until reset", func(now time.Time) (answer, time.Time) {
			reset := time.Unix(now.Unix()+1, 0)
			return primaryLimit(reset), reset
		}},
		{"secondary: 403 with Retry-After", func(now time.Time) (answer, time.Time) {
			return secondaryLimit(http.StatusForbidden, "1"), now.Add(time.Second)
		}},
		{"secondary: 429 with Retry-After", func(now time.Time) (answer, time.Time) {
			return secondaryLimit(http.StatusTooManyRequests, "1"), now.Add(time.Second)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			limited, notBefore := tt.answer(time.Now())
			e.github.then(limited)
			e.upload("1a10000", "b1", fail("t.test_a", traceback("ValueError: a")))
			waitFor(t, "the retry", func() bool { return len(e.github.Accepted()) == 1 })
			calls := e.github.Calls()
			if len(calls) != 2 {
				t.Fatalf("GitHub got %d calls, want the limited one and one retry", len(calls))
			}
			if calls[1].At.Before(notBefore) {
				t.Errorf("retried at %s, before the limit allowed (%s)", calls[1].At.Format(time.StampMicro), notBefore.Format(time.StampMicro))
			}
		})
	}
}

func TestUnprocessableIsKeptAsPermanent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.github.then(unprocessable("No commit found for SHA: bad5a00"))
	e.upload("bad5a00", "b1", fail("t.test_a", traceback("ValueError: a")))
	e.upload("900d000", "b2", pass("t.test_a"))
	waitFor(t, "the next commit's status", func() bool { return len(acceptedFor(e.github, "900d000")) == 1 })

	if n := len(e.github.Calls()); n != 2 {
		t.Errorf("GitHub got %d calls, want 2: a 422 is not retried", n)
	}
	failed := e.outbox("failed=1").Statuses
	if len(failed) != 1 {
		t.Fatalf("failed statuses: %+v, want the one GitHub refused", failed)
	}
	f := failed[0]
	if f.Revision != "bad5a00" || f.Delivery != store.DeliveryFailed || !f.Dead || f.Attempts != 1 ||
		!strings.Contains(f.LastError, "422") || !strings.Contains(f.LastError, "No commit found for SHA: bad5a00") {
		t.Errorf("refused status: %+v", f)
	}
}
