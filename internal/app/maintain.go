package app

import (
	"context"
	"time"
)

// Retention says how long history is kept. Zero keeps it forever.
type Retention struct {
	// Results is how long results and failure texts are kept (whole
	// months are dropped once they are older); each signature keeps its
	// newest example.
	Results time.Duration
	// Rollups is how long the counts pages and verdicts read are kept, so
	// rates and charts over old history still work after results went.
	Rollups time.Duration
}

// DefaultRetention keeps results for 180 days and rollups for two years.
var DefaultRetention = Retention{Results: 180 * 24 * time.Hour, Rollups: 730 * 24 * time.Hour}

// partitionsAhead is how many months ahead partitions exist, so a month
// starting while no replica runs still has one.
const partitionsAhead = 2

// maintainEvery is how often a server checks partitions and retention.
const maintainEvery = time.Hour

// maintain keeps the partitions ahead and applies retention, at start and
// hourly. Every replica runs it; the store's steps are safe when replicas
// run them at once.
func (s *Server) maintain(ctx context.Context) {
	for {
		s.maintainOnce(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-time.After(maintainEvery):
		}
	}
}

func (s *Server) maintainOnce(ctx context.Context, now time.Time) {
	log := s.cfg.Log
	if n, err := s.store.EnsurePartitions(ctx, now, partitionsAhead); err != nil {
		log.Warn("create partitions", "err", err)
	} else if n > 0 {
		log.Info("created partitions", "count", n)
	}
	var resultsCutoff, rollupsCutoff time.Time
	if r := s.cfg.Retention.Results; r > 0 {
		resultsCutoff = now.Add(-r)
		dropped, err := s.store.ExpireResults(ctx, resultsCutoff)
		if err != nil {
			log.Warn("expire results", "err", err)
		}
		if len(dropped) > 0 {
			log.Info("dropped expired months of results", "partitions", dropped)
		}
	}
	if r := s.cfg.Retention.Rollups; r > 0 {
		rollupsCutoff = now.Add(-r)
	}
	if n, err := s.store.ExpireRollups(ctx, rollupsCutoff, resultsCutoff); err != nil {
		log.Warn("expire rollups", "err", err)
	} else if n > 0 {
		log.Info("deleted expired rows", "rows", n)
	}
}
