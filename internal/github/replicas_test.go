package github_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/triaged/triaged/internal/store"
)

// TestReplicasPostEachStatusOnce runs three workers, as three server
// replicas would, while uploads keep changing the statuses of several
// commits. Each commit's posts must follow the order its statuses were
// recorded in, none may repeat the status before it, and each commit must
// end with its newest status on GitHub.
func TestReplicasPostEachStatusOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *cfgT) { c.Token = "" })
	for range 3 {
		runWorker(t, e, fastConfig(e.github))
	}
	const commits = 6
	var wg sync.WaitGroup
	for c := range commits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sha := fmt.Sprintf("5ba%d000", c)
			// new failure → known flaky → also a new failure → two known flaky
			e.upload(sha, sha+"-1", fail("t.test_a", traceback("ValueError: a")))
			e.upload(sha, sha+"-2", pass("t.test_a"))
			e.upload(sha, sha+"-3", fail("t.test_b", traceback("KeyError: b")))
			e.upload(sha, sha+"-4", pass("t.test_b"))
		}()
	}
	wg.Wait()
	waitFor(t, "every status posted or covered", func() bool {
		for _, s := range e.outbox("limit=1000").Statuses {
			if d := s.Delivery; d != store.DeliveryPosted && d != store.DeliveryCovered {
				return false
			}
		}
		return true
	})

	rows := e.outbox("limit=1000").Statuses // newest first
	for c := range commits {
		sha := fmt.Sprintf("5ba%d000", c)
		var recorded []string // oldest first
		for i := len(rows) - 1; i >= 0; i-- {
			if rows[i].Revision == sha {
				recorded = append(recorded, rows[i].State+" "+rows[i].Description)
			}
		}
		var posted []string
		for _, call := range acceptedFor(e.github, sha) {
			posted = append(posted, call.State+" "+call.Desc)
		}
		if len(posted) == 0 || posted[len(posted)-1] != recorded[len(recorded)-1] {
			t.Errorf("%s: posted %q, want it to end with the newest status %q", sha, posted, recorded[len(recorded)-1])
			continue
		}
		// posted must be a subsequence of recorded without repeats.
		i := 0
		for j, p := range posted {
			if j > 0 && p == posted[j-1] {
				t.Errorf("%s: %q posted twice in a row", sha, p)
			}
			for i < len(recorded) && recorded[i] != p {
				i++
			}
			if i == len(recorded) {
				t.Errorf("%s: posted %q out of the recorded order %q", sha, posted, recorded)
				break
			}
			i++
		}
	}
	if got := len(e.github.Calls()); got != len(e.github.Accepted()) {
		t.Errorf("%d calls, %d accepted: the fake refused nothing, so no call should have failed", got, len(e.github.Accepted()))
	}
}
