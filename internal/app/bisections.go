package app

import (
	"context"
	"time"

	"github.com/triaged/triaged/internal/bisect"
)

// bisectPoll is how often the bisection worker looks at running
// bisections: each look is one indexed query when none runs.
const bisectPoll = time.Second

// advanceBisections moves running bisections on: it starts the next
// step's campaign when the last one has decided, ends a bad end that has
// failed enough, and finishes a bisection that has its answer. Every
// replica runs it; store.AdvanceBisection locks each bisection for the
// transaction that decides and acts, and skips one another replica holds,
// so no step starts twice.
func (s *Server) advanceBisections(ctx context.Context) {
	t := time.NewTicker(bisectPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := s.store.RunningBisections(ctx, 100)
		if err != nil {
			if ctx.Err() == nil {
				s.cfg.Log.Warn("list running bisections", "err", err)
			}
			continue
		}
		for _, id := range ids {
			// Act until the bisection waits on a step, so that ending the
			// bad end and starting the good end take one round.
			for range 4 {
				d, err := s.store.AdvanceBisection(ctx, id)
				if err != nil {
					if ctx.Err() == nil {
						s.cfg.Log.Warn("advance bisection", "id", id, "err", err)
					}
					break
				}
				if d.Action == bisect.Wait {
					break
				}
				s.logDecision(id, d)
			}
		}
	}
}

func (s *Server) logDecision(id int64, d bisect.Decision) {
	log := s.cfg.Log.With("bisection", id)
	switch d.Action {
	case bisect.Run:
		log.Info("bisection step started", "role", d.Step.Role, "revision", d.Step.Revision, "needed", d.Step.Needed, "iterations", d.Spec.Iterations)
	case bisect.EndStep:
		log.Info("bisection step ended", "campaign", d.Step.CampaignID, "why", d.Reason)
	case bisect.Finish:
		log.Info("bisection finished", "state", d.State, "first_bad", d.FirstBad, "reason", d.Reason)
	}
}
