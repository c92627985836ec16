package app

import (
	"cmp"
	"context"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/quarantine"
)

// ActConfig configures quarantines and rules.
type ActConfig struct {
	// QuarantineMax is how far ahead a quarantine may expire (default
	// 90 days).
	QuarantineMax time.Duration
	// RuleWindow is how far back a rule's preview looks and a saved rule
	// is applied (default 30 days).
	RuleWindow time.Duration
	// Poll is how often expired quarantines are lifted and saved rules
	// applied (default 5s).
	Poll time.Duration
}

func (c ActConfig) withDefaults() ActConfig {
	c.QuarantineMax = cmp.Or(c.QuarantineMax, quarantine.DefaultMaxAhead)
	c.RuleWindow = cmp.Or(c.RuleWindow, 30*24*time.Hour)
	c.Poll = cmp.Or(c.Poll, 5*time.Second)
	return c
}

// act lifts expired quarantines and applies saved rules to the failures
// already stored, until ctx ends. Every replica runs it: an expiry is
// recorded once, and each chunk of a rule's application is taken by one
// replica.
func (s *Server) act(ctx context.Context) {
	in := ingest.New(s.store, s.cfg.Limits)
	t := time.NewTicker(s.cfg.Act.Poll)
	defer t.Stop()
	for {
		ended, err := s.store.ExpireQuarantines(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.cfg.Log.Warn("expire quarantines", "err", err)
		default:
			for _, q := range ended {
				s.cfg.Log.Info("quarantine expired", "id", q.ID, "name", q.Name, "owner", q.Owner, "until", q.Until())
			}
		}
		if n, err := in.ApplyRules(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("apply rules", "err", err)
		} else if n > 0 {
			s.cfg.Log.Info("rules applied to stored failures", "steps", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
