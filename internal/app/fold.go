package app

import (
	"context"
	"time"
)

// foldEvery is how long the folder waits after finding nothing to fold:
// pages read the rollups, so they lag uploads by about this much.
const foldEvery = 250 * time.Millisecond

// foldRollups adds the counts uploads append into the rollups the pages
// read. Every replica runs it; each table's deltas are taken by one folder
// at a time.
func (s *Server) foldRollups(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := s.store.FoldRollups(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("fold rollups", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(foldEvery):
		}
	}
}
