package app

import (
	"context"
	"time"
)

// maxJobAttempts is how often a job may be leased before it is failed with
// its reason, so a job that kills every runner does not circle forever.
const maxJobAttempts = 3

// reapLeases returns jobs whose runner stopped heartbeating to the queue.
// Every replica runs it; the update is idempotent, so they do not collide.
func (s *Server) reapLeases(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		requeued, failed, err := s.store.RequeueExpired(ctx, maxJobAttempts)
		switch {
		case err != nil && ctx.Err() == nil:
			s.cfg.Log.Warn("requeue expired leases", "err", err)
		case requeued+failed > 0:
			s.cfg.Log.Info("expired leases", "requeued", requeued, "failed", failed)
		}
	}
}
