package runner

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/triaged/triaged/internal/protocol"
)

// heartbeat keeps the runner's leases alive and passes the server's "stop
// this job" on to the job that is running.
type heartbeat struct {
	a      *Agent
	c      *client
	mu     sync.Mutex
	job    int64
	cancel context.CancelCauseFunc
}

func newHeartbeat(a *Agent, c *client) *heartbeat { return &heartbeat{a: a, c: c} }

// watch names the job now running (0: none) and how to stop it.
func (h *heartbeat) watch(job int64, cancel context.CancelCauseFunc) {
	h.mu.Lock()
	h.job, h.cancel = job, cancel
	h.mu.Unlock()
}

func (h *heartbeat) run(ctx context.Context) {
	every := 20 * time.Second
	for {
		var ans protocol.HeartbeatAnswer
		if _, err := h.c.do(ctx, "POST", "/api/v1/runners/heartbeat", struct{}{}, &ans); err != nil {
			if ctx.Err() != nil {
				return
			}
			h.a.log.Warn("heartbeat failed", "err", err)
		} else {
			if ans.HeartbeatEveryS > 0 {
				every = time.Duration(ans.HeartbeatEveryS) * time.Second
			}
			h.mu.Lock()
			if h.cancel != nil && slices.Contains(ans.StopJobs, h.job) {
				h.cancel(errStopped)
			}
			h.mu.Unlock()
		}
		if sleep(ctx, every) != nil {
			return
		}
	}
}
