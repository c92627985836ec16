package github

import (
	"context"
	"log/slog"
	"time"

	"github.com/triaged/triaged/internal/store"
)

// Recorder records what triaged says of each commit whose results changed:
// uploads and campaigns only mark a commit (store.status_dirty); the
// recorder, running in every replica, recomputes the commit's status from
// committed data with the one classifier, puts it in the outbox (posted by
// the Worker when a token is set), and stores the verdicts of the tests it
// concerns. Two replicas never recompute one commit at once.
type Recorder struct {
	store    *store.Store
	statuses Statuses
	cfg      Config
	log      *slog.Logger
}

// recordBatch bounds the commits one round takes.
const recordBatch = 100

// NewRecorder returns the recorder for cfg.
func NewRecorder(st *store.Store, cfg Config, log *slog.Logger) *Recorder {
	cfg = cfg.withDefaults()
	return &Recorder{store: st, statuses: NewStatuses(cfg), cfg: cfg, log: log}
}

// Run records until ctx ends, looking again at once while there is work
// and every RecordPoll when there was none.
func (r *Recorder) Run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := r.Once(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("record commit statuses", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.cfg.RecordPoll):
		}
	}
}

// Once recomputes every commit marked now, and returns how many it did.
func (r *Recorder) Once(ctx context.Context) (int, error) {
	commits, err := r.store.DirtyCommits(ctx, recordBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range commits {
		done, err := r.store.RecordStatus(ctx, c, r.cfg.Window, r.statuses)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}
